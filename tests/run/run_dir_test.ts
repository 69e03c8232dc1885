import assert from "@std/assert";
import {
  openRunDir,
  recoverRunDir,
  runDirState,
} from "../../src/run/run_dir.ts";
import { LOCK_FILE } from "../../src/io/lock.ts";
import { tempDir } from "../_temp_file.ts";

async function checkpointAt(dir: string, epoch: number, epochStep = 0) {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/state.json`,
    JSON.stringify({ state: { epoch, epoch_step: epochStep } }),
  );
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("recoverRunDir() puts back a checkpoint a crash left moved aside, and removes temporaries", async () => {
  const dir = await tempDir();
  await checkpointAt(`${dir}/.checkpoint.old-0a1b2c3d`, 2);
  await checkpointAt(`${dir}/.checkpoint.tmp-4e5f6a7b`, 3);
  await Deno.mkdir(`${dir}/.model.tmp-11112222/left`, { recursive: true });
  await Deno.writeTextFile(`${dir}/.config.json.tmp-33334444`, "{");
  const done = await recoverRunDir(dir);
  assert.equal(done.length, 4, done.join("\n"));
  assert.deepStrictEqual(await names(dir), ["checkpoint"]);
  assert.deepStrictEqual(await runDirState(dir), {
    kind: "checkpoint",
    checkpoint: { epoch: 2, epochStep: 0 },
  });
});

Deno.test("recoverRunDir() keeps a whole checkpoint and drops the old one next to it", async () => {
  const dir = await tempDir();
  await checkpointAt(`${dir}/checkpoint`, 3);
  await checkpointAt(`${dir}/.checkpoint.old-0a1b2c3d`, 2);
  await recoverRunDir(dir);
  assert.deepStrictEqual(await names(dir), ["checkpoint"]);
  assert.deepStrictEqual((await runDirState(dir)).kind, "checkpoint");
  assert.deepStrictEqual(await recoverRunDir(dir), []);
});

Deno.test("openRunDir() refuses to overwrite, prepares --force, and refuses --resume without a checkpoint", async () => {
  const root = await tempDir();
  const dir = `${root}/run`;
  await checkpointAt(`${dir}/checkpoint`, 0, 4);
  await Deno.writeTextFile(`${dir}/config.json`, "{}");
  await assert.rejects(() => openRunDir(dir, "new"), {
    message:
      `--out ${dir} already holds a finished model. Continue it with --resume ${dir}, ` +
      "replace it with --force (the old files stay until the new run writes its first checkpoint), " +
      "or choose another directory.",
  }); // deno-fmt-ignore
  const forced = await openRunDir(dir, "force");
  const replacing = forced.replacing!;
  assert.match(replacing.staging, /\/\.run\.new-[0-9a-f]{8}$/);
  // the new run writes its staging directory, then commits it
  await Deno.mkdir(replacing.staging);
  await Deno.writeTextFile(`${replacing.staging}/new.txt`, "new");
  await replacing.commit();
  assert.deepStrictEqual(await names(dir), ["new.txt", LOCK_FILE]);
  assert.deepStrictEqual(await names(root), ["run"]);
  await forced.lock.release();
  assert.deepStrictEqual(await names(dir), ["new.txt"]);
  await assert.rejects(
    () => openRunDir(dir, "resume"),
    /^RunDirError: --resume .*: expected a run directory with a checkpoint\/ but found no run in it/,
  );
  await assert.rejects(
    () => openRunDir(`${root}/none`, "resume"),
    /found no such directory/,
  );
  await assert.rejects(() => Deno.stat(`${root}/none`), Deno.errors.NotFound);
});
