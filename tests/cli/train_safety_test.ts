/**
 * `deno task train` never loses a run: it refuses to overwrite one without
 * `--force`, `--force` keeps the old run until the new one's first
 * checkpoint, a lock keeps a second process out, and Ctrl-C leaves a
 * directory that `eval` explains and `--resume` continues.
 */
import assert from "@std/assert";
import { writeConfig } from "../_numbers.ts";
import { tempDir } from "../_temp_file.ts";
import { runTask as run, taskCommand as command } from "../_task.ts";

const dec = new TextDecoder();

/** Tiny settings; `pairs` sets how long an epoch takes. */
async function tinyFlags(dir: string, pairs = 96, epochs = 1) {
  const config = await writeConfig(`${dir}/tiny-${pairs}.json`, {
    data: { pairs, val_pairs: 32 },
    model: {
      lstm_units: 4,
      dense_units: 8,
      embedding_dim: 4,
      left_len: 6,
      right_len: 9,
    },
  });
  return ["--config", config, "--epochs", String(epochs), "--threads", "1"];
}

/** A labelled file of token-id pairs, as the synthetic set has. */
async function idPairs(dir: string): Promise<string> {
  const lines = Array.from({ length: 20 }, (_, i) =>
    JSON.stringify({
      left: [1 + i, 2 + i, 3],
      right: [4, 5 + (i % 7), 6],
      label: i % 2,
    }));
  await Deno.writeTextFile(`${dir}/ids.jsonl`, lines.join("\n") + "\n");
  return `${dir}/ids.jsonl`;
}

/** Starts a training and resolves once its first step is logged. */
async function startTraining(args: string[]) {
  const child = command("train", args).spawn();
  const reader = child.stderr.getReader();
  let stderr = "";
  while (!/\d+\/\d+ +loss/.test(stderr)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`training ended early:\n${stderr}`);
    stderr += dec.decode(value);
  }
  const rest = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return stderr;
      stderr += dec.decode(value);
    }
  })();
  return { child, rest };
}

Deno.test("train --out on a finished run exits 2 naming --resume and --force, and changes nothing", async () => {
  const dir = await tempDir();
  const flags = await tinyFlags(dir);
  const out = `${dir}/run`;
  assert.equal((await run("train", [...flags, "--out", out])).code, 0);
  const before = await Deno.readFile(`${out}/left/weights.bin`);
  const again = await run("train", [...flags, "--seed", "9", "--out", out]);
  assert.equal(again.code, 2, again.stderr);
  assert.match(
    again.stderr,
    new RegExp(
      `^error: --out ${out} already holds a finished model\\. Continue it with --resume ${out}, replace it with --force`,
      "m",
    ),
  ); // deno-fmt-ignore
  assert.deepStrictEqual(await Deno.readFile(`${out}/left/weights.bin`), before);
});

Deno.test("train --force replaces a run, but a run killed before its first checkpoint leaves the old one whole", async () => {
  const dir = await tempDir();
  const out = `${dir}/run`;
  assert.equal(
    (await run("train", [...await tinyFlags(dir), "--out", out])).code,
    0,
  );
  const before = await Deno.readFile(`${out}/left/weights.bin`);
  // a long first epoch, killed in its middle
  const long = [
    ...await tinyFlags(dir, 3000),
    "--seed",
    "5",
    "--out",
    out,
    "--force",
  ];
  const { child, rest } = await startTraining(long);
  child.kill("SIGKILL");
  await rest;
  await child.status;
  assert.deepStrictEqual(
    await Deno.readFile(`${out}/left/weights.bin`),
    before,
  );
  assert.equal(
    (await run("eval", ["--model", out, "--data", await idPairs(dir)])).code,
    0,
  );
  // the next --force cleans up the dead one's staging directory and replaces the run
  const forced = await run("train", [
    ...await tinyFlags(dir),
    "--seed",
    "5",
    "--out",
    out,
    "--force",
  ]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(
    forced.stderr,
    /removed .*\.run\.new-[0-9a-f]{8} \(an unfinished --force run\)/,
  );
  assert.notDeepStrictEqual(
    await Deno.readFile(`${out}/left/weights.bin`),
    before,
  );
  const left = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.startsWith(".")
  );
  assert.deepStrictEqual(left, []);
}); // deno-fmt-ignore

Deno.test("a second training in the same directory exits 1 naming the process that holds it", async () => {
  const dir = await tempDir();
  const out = `${dir}/run`;
  const { child, rest } = await startTraining([...await tinyFlags(dir, 3000), "--out", out]);
  const second = await run("train", ["--resume", out, "--threads", "1"]);
  child.kill("SIGKILL");
  await rest;
  await child.status;
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, new RegExp(`^error: --resume ${out} is in use by process ${child.pid} \\(since `, "m"));
  // its lock is stale now: the next training takes it over
  const next = await run("train", [...await tinyFlags(dir), "--out", out]);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, new RegExp(`took over the lock of ${out}: process ${child.pid} that held it`));
  await assert.rejects(() => Deno.stat(`${out}/train.lock`), Deno.errors.NotFound);
}); // deno-fmt-ignore

Deno.test("Ctrl-C in the first epoch leaves a checkpoint that eval explains and --resume finishes", async () => {
  const dir = await tempDir();
  const out = `${dir}/run`;
  const { child, rest } = await startTraining([...await tinyFlags(dir, 3000), "--out", out]);
  child.kill("SIGINT");
  const stderr = await rest;
  assert.equal((await child.status).code, 130, stderr);
  assert.match(stderr, new RegExp(`${out} holds only a checkpoint \\(in epoch 1 at step \\d+\\), no model yet: continue it with --resume ${out}`));
  await assert.rejects(() => Deno.stat(`${out}/train.lock`), Deno.errors.NotFound);
  const data = await idPairs(dir);
  const early = await run("eval", ["--model", out, "--data", data]);
  assert.equal(early.code, 1);
  assert.match(early.stderr, new RegExp(`^error: ${out} holds only a checkpoint \\(saved in epoch 1 at step \\d+\\), not a finished model yet: continue it with --resume ${out}\\.$`, "m"));
  const resumed = await run("train", ["--resume", out, "--threads", "2"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((await run("eval", ["--model", out, "--data", data])).code, 0);
});
