/**
 * Fault injection: a full disk or a refused write while a run saves, a
 * damaged checkpoint, a NaN in training, a data line that is not UTF-8.
 * Each ends with a clear message, and the previous good state is intact:
 * the last checkpoint resumes, the last model loads.
 */
import assert from "@std/assert";
import * as tf from "../../src/deps/tfjs_core.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import { type FileWriter, setFileWriter } from "../../src/io/file_io.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";
import { train } from "../../src/train/loop.ts";
import { readCheckpointMeta } from "../../src/run/checkpoint.ts";
import { loadModel } from "../../src/run/format.ts";
import { resumeRun, runTraining } from "../../src/run/training.ts";
import { makeSyntheticPairs } from "../../src/data/synthetic.ts";
import { writeNumbersFile } from "../_numbers.ts";
import { tempDir } from "../_temp_file.ts";
import { tinyRun } from "../_tiny_run.ts";

const backend = await setupBackend({ log: false });

const { model, base } = tinyRun(backend, 3);

const ENOSPC = "No space left on device (os error 28)";

/** The disk's writer, failing with `error` for paths `fails` picks. */
function failing(fails: (path: string) => boolean, error: () => Error) {
  const disk = setFileWriter();
  const writer: FileWriter = (path, bytes) =>
    fails(path) ? Promise.reject(error()) : disk(path, bytes);
  return writer;
}

/** Runs `body` with `writer` in place of the disk's. */
async function withWriter<T>(writer: FileWriter, body: () => Promise<T>) {
  const previous = setFileWriter(writer);
  try {
    return await body();
  } finally {
    setFileWriter(previous);
  }
}

async function leftovers(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (/\.(tmp|old|new)-/.test(e.name)) names.push(e.name);
  }
  return names;
}

Deno.test("a full disk while the checkpoint is written keeps the previous checkpoint, which resumes to the uninterrupted result", async () => {
  const straight = await runTraining({ ...base, out: await tempDir() });
  const dir = await tempDir();
  let checkpoints = 0;
  const writer = failing(
    (p) =>
      p.endsWith("/model.bin") && p.includes("/.checkpoint.tmp-") &&
      ++checkpoints === 2,
    () => new Error(ENOSPC),
  ); // deno-fmt-ignore
  await assert.rejects(
    () => withWriter(writer, () => runTraining({ ...base, out: dir })),
    {
      message: `Saving the checkpoint in ${dir} failed: ${ENOSPC}. ` +
        `The checkpoint saved after epoch 1 is intact: fix the cause and continue with --resume ${dir}.`,
    },
  );
  assert.deepStrictEqual(await leftovers(dir), []);
  assert.equal((await readCheckpointMeta(dir)).state.epoch, 1);
  const resumed = await resumeRun(dir, { backend, log: false });
  assert.deepStrictEqual(
    resumed.state.history.map((h) => h.loss),
    straight.state.history.map((h) => h.loss),
  );
});

Deno.test("a full disk while a better model is saved keeps the previous model whole", async () => {
  const dir = await tempDir();
  await runTraining({
    ...base,
    data: { ...base.data, valPairs: 200 },
    out: dir,
    train: { ...base.train, epochs: 1 },
  });
  const config = await Deno.readTextFile(`${dir}/config.json`);
  const weights = await Deno.readFile(`${dir}/left/weights.bin`);
  const writer = failing(
    (p) => p.includes("/.model.tmp-") && p.endsWith("weights.bin"),
    () => new Error(ENOSPC),
  );
  // a later epoch of the seed's beats epoch 1, so a model save comes
  const error = await withWriter(
    writer,
    () => resumeRun(dir, { backend, log: false, epochs: 8 }),
  ).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(
    error?.message ?? "no error",
    new RegExp(
      `^Saving the model in ${dir} failed: ${
        ENOSPC.replace(/[()]/g, "\\$&")
      }\\. The checkpoint saved after epoch [1-7] is intact`,
    ),
  ); // deno-fmt-ignore
  assert.equal(await Deno.readTextFile(`${dir}/config.json`), config);
  assert.deepStrictEqual(
    await Deno.readFile(`${dir}/left/weights.bin`),
    weights,
  );
  assert.deepStrictEqual(await leftovers(dir), []);
  await loadModel(dir).then((m) => m.siamese.left.dispose());
});

Deno.test("a write refused by the file system names what was being saved and where", async () => {
  const dir = await tempDir();
  const writer = failing(
    (p) => p.includes("metrics.jsonl"),
    () => new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
  );
  await assert.rejects(
    () => withWriter(writer, () => runTraining({ ...base, out: dir })),
    {
      message:
        `Saving the metrics in ${dir} failed: Permission denied (os error 13). ` +
        `No checkpoint was written yet: start again with --out ${dir} --force.`,
    },
  );
  assert.deepStrictEqual(await leftovers(dir), []);
});

Deno.test("a truncated, corrupted or unparsable checkpoint is refused with what is damaged, and the model still loads", async () => {
  const dir = await tempDir();
  await runTraining({ ...base, out: dir, train: { ...base.train, epochs: 1 } });
  const bin = `${dir}/checkpoint/model.bin`;
  const good = await Deno.readFile(bin);
  const cases: [Uint8Array, RegExp][] = [
    [
      good.slice(0, 100),
      new RegExp(
        `^Error: Cannot resume: ${bin} holds 100 bytes where model\\.json describes ${good.length}, so the checkpoint is damaged\\. The model in ${dir}, if any, is intact \\(eval can use it\\); start again with --out ${dir} --force\\.$`,
      ),
    ],
    [
      good.map((b, i) => i === 40 ? b ^ 1 : b),
      new RegExp(
        `^Error: Cannot resume: ${bin} does not match the SHA-256 recorded in state\\.json, so the checkpoint is damaged`,
      ),
    ],
  ]; // deno-fmt-ignore
  for (const [bytes, message] of cases) {
    await Deno.writeFile(bin, bytes);
    await assert.rejects(() => resumeRun(dir, { backend, log: false, epochs: 2 }), message);
  } // deno-fmt-ignore
  await Deno.writeFile(bin, good);
  const state = await Deno.readTextFile(`${dir}/checkpoint/state.json`);
  await Deno.writeTextFile(`${dir}/checkpoint/state.json`, state.slice(0, 50));
  await assert.rejects(
    () => resumeRun(dir, { backend, log: false, epochs: 2 }),
    /^Error: Cannot resume: .*state\.json is not valid JSON \(.*\), so the checkpoint is damaged/,
  );
  await loadModel(dir).then((m) => m.siamese.left.dispose());
});

Deno.test("a NaN in training stops it naming the epoch and step, before anything of that epoch is written", async () => {
  const siamese = buildSiamese(model, 7);
  const adam = tf.train.adam(1e-3);
  let steps = 0;
  // poisons a weight before the third step, as a NaN in a batch would
  const optimizer = Object.assign(Object.create(adam), {
    minimize: (...args: Parameters<tf.Optimizer["minimize"]>) => {
      if (++steps === 3) {
        const w = siamese.left.getWeights();
        siamese.left.setWeights(
          w.map((t, i) => i === 0 ? tf.fill(t.shape, NaN) : t),
        );
      }
      return adam.minimize(...args);
    },
  }) as tf.Optimizer; // deno-fmt-ignore
  const pairs = makeSyntheticPairs(96, { leftLen: 5, rightLen: 12, vocab: 40, seed: 7 });
  const epochs: number[] = [];
  await assert.rejects(
    () =>
      train(siamese, {
        config: { ...base.train, epochs: 1 },
        train: pairs,
        optimizer,
        log: false,
        onEpoch: (r) => void epochs.push(r.epoch),
      }),
    {
      message:
        "Loss became NaN at epoch 1 step 3: training stopped. Lower --learning-rate or check the data; the last checkpoint is kept.",
    },
  ); // deno-fmt-ignore
  assert.deepStrictEqual(epochs, []);
  adam.dispose();
  siamese.left.dispose();
  if (siamese.right !== siamese.left) siamese.right.dispose();
});

/** A text run of one epoch on the numbers file; returns its paths. */
async function textRun() {
  const dir = await tempDir();
  const data = await writeNumbersFile(`${dir}/data.tsv`, 0, 60);
  const spec = {
    kind: "file" as const,
    data,
    valFraction: 0.2,
    leftTokenizer: "word" as const,
    rightTokenizer: "char" as const,
  };
  const out = `${dir}/run`;
  const options = {
    ...base,
    model: modelConfig({ ...model, vocab: 60, leftLen: 10, rightLen: 6 }),
    data: spec,
    out,
    train: { ...base.train, epochs: 1 },
  };
  await runTraining(options);
  return { dir, data, out, options };
}

/** Every file under `dir` with its bytes. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) {
      for (const [k, v] of await snapshot(path)) out.set(k, v);
    } else out.set(path, (await Deno.readFile(path)).join());
  }
  return out;
}

Deno.test("a data line that is not UTF-8 is refused naming file and line, before the run it would replace is touched", async () => {
  const { dir, data, out, options } = await textRun();
  const before = await snapshot(out);
  // line 3 of a new file holds a byte that is not UTF-8
  const text = await Deno.readFile(data);
  const third = text.indexOf(0x0a, text.indexOf(0x0a) + 1) + 1;
  const bad = `${dir}/bad.tsv`;
  await Deno.writeFile(
    bad,
    Uint8Array.from(text, (b, i) => i === third ? 0xff : b),
  );
  const commit = () => Promise.reject(new Error("must not be reached"));
  await assert.rejects(
    () =>
      runTraining({
        ...options,
        data: { ...options.data, data: bad },
        replacing: { staging: `${dir}/.run.new-00000000`, commit },
      }),
    new RegExp(
      `^DataError: ${bad}:3: expected valid UTF-8 text but found "\uFFFD`,
    ),
  );
  assert.deepStrictEqual(await snapshot(out), before);
  assert.deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "bad.tsv",
    "data.tsv",
    "run",
  ]);
}); // deno-fmt-ignore

Deno.test("resuming after the data file changed is refused naming the flag, the path and the change", async () => {
  const { data, out } = await textRun();
  const checkpoint = await Deno.readFile(`${out}/checkpoint/model.bin`);
  await Deno.writeTextFile(data, "one\t1\n", { append: true });
  await assert.rejects(
    () => resumeRun(out, { backend, log: false, epochs: 2 }),
    new RegExp(`^Error: --data ${data} \\(the path stored in the run\\) has changed since the checkpoint: \\d+ bytes \\(FNV-1a [0-9a-f]{8}\\) where the checkpoint recorded \\d+ bytes`),
  );
  assert.deepStrictEqual(await Deno.readFile(`${out}/checkpoint/model.bin`), checkpoint);
});
