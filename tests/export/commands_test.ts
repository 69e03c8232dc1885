/**
 * export and import end to end, as a user runs them: the files of an ONNX
 * export alone reproduce `score`'s scores (lexical channel included); a
 * Keras export imported back scores as the original run.
 */
import assert from "@std/assert";
import { writeConfig } from "../_numbers.ts";
import { tempDir } from "../_temp_file.ts";
import { referenceScores } from "./_reference.ts";
import { runTask } from "../_task.ts";

const root = new URL("../../", import.meta.url).pathname;

async function run(task: string, args: string[]) {
  const r = await runTask(task, args);
  assert.equal(r.code, 0, `${task}: ${r.stderr}`);
  return r;
}

/** Pairs sharing words: a left of 2 words, a right holding them among others. */
async function writeWordPairs(path: string, from: number, count: number) {
  const words = Array.from(
    { length: 40 },
    (_, k) => `W${(k * 7919 % 997).toString(36)}é${k}`,
  );
  let seed = from + 1;
  const pick = () =>
    words[(seed = (seed * 48271) % 2147483647) % words.length]!;
  const pairs: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const left = [pick(), pick()];
    pairs.push([
      left.join(" "),
      [pick(), left[1], pick(), left[0], pick(), "zz"].join(", "),
    ]);
  }
  const lines = ["left\tright", ...pairs.map((p) => p.join("\t"))];
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return pairs;
}

async function train(dir: string, model: Record<string, unknown>) {
  await writeWordPairs(`${dir}/train.tsv`, 0, 120);
  const settings = await writeConfig(`${dir}/small.json`, {
    model: {
      embedding_dim: 6,
      lstm_units: 5,
      dense_units: 8,
      right_len: 7,
      ...model,
    },
  });
  await run("train", [
    "--data",
    `${dir}/train.tsv`,
    "--config",
    settings,
    "--epochs",
    "1",
    "--out",
    `${dir}/run`,
  ]); // deno-fmt-ignore
  return `${dir}/run`;
}

async function scores(model: string, data: string): Promise<number[]> {
  const s = await run("score", ["--model", model, "--data", data]);
  return s.stdout.trim().split("\n").map((l) => Number(l.split("\t")[0]));
}

Deno.test("an ONNX export's files alone reproduce score's scores, lexical channel included", async () => {
  const dir = await tempDir();
  const model = await train(dir, {
    bidirectional: true,
    pooling: "max",
    lexical: { weight: 0.4, len: 12 },
  });
  const pairs = await writeWordPairs(`${dir}/test.tsv`, 5000, 25);
  const out = `${dir}/onnx`;
  const e = await run("export", ["--model", model, "--out", out]);
  assert.match(
    e.stderr,
    /wrote left\.onnx, right\.onnx, tokenizer\.json, scoring\.json, lexical\.json/,
  );
  const ours = await scores(model, `${dir}/test.tsv`);
  const theirs = await referenceScores(out, pairs);
  assert.equal(theirs.length, ours.length);
  ours.forEach((s, i) =>
    assert.ok(
      Math.abs(s - theirs[i]!) < 1e-4,
      `pair ${i}: ${s} vs ${theirs[i]}`,
    )
  );
  // the right side is cut at 7 tokens for the LSTM but read at 12 by the channel
  const tok = JSON.parse(await Deno.readTextFile(`${out}/tokenizer.json`));
  assert.deepStrictEqual([tok.right.length, tok.right.lexical_length], [7, 12]);
});

Deno.test("a Keras export imported back scores as the original run", async () => {
  const dir = await tempDir();
  const model = await train(dir, { pooling: "max" });
  await writeWordPairs(`${dir}/test.tsv`, 5000, 25);
  await run("export", [
    "--model",
    model,
    "--format",
    "keras",
    "--out",
    `${dir}/keras`,
  ]);
  for (
    const file of ["left/model.json", "right/weights.bin", "tokenizer.json"]
  ) {
    await Deno.stat(`${dir}/keras/${file}`);
  }
  await run("import", [
    "--model",
    model,
    "--from",
    `${dir}/keras`,
    "--out",
    `${dir}/back`,
  ]);
  const [a, b] = [
    await scores(model, `${dir}/test.tsv`),
    await scores(`${dir}/back`, `${dir}/test.tsv`),
  ];
  a.forEach((s, i) => assert.ok(Math.abs(s - b[i]!) < 1e-6, `pair ${i}`));
});

Deno.test("export and import answer --help; a bad --format is a usage error", async () => {
  for (const task of ["export", "import"]) {
    const h = await run(task, ["--help"]);
    assert.match(h.stdout, new RegExp(`^Usage: deno task ${task} \\[flags\\]`));
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `${root}tasks/export.ts`,
      "--model",
      "x",
      "--out",
      "y",
      "--format",
      "tflite",
    ],
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--format/);
});
