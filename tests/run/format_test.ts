import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { fileSaver } from "../../src/io/file_io.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese, encode } from "../../src/model/siamese.ts";
import * as tf from "../../src/deps/tfjs_core.ts";
import { readCheckpointMeta } from "../../src/run/checkpoint.ts";
import { loadModel, RUN_FORMAT, saveRun } from "../../src/run/format.ts";
import { DEFAULT_TRAIN_CONFIG } from "../../src/train/config.ts";
import { tempDir } from "../_temp_file.ts";

const backend = await setupBackend({ log: false });

const config = modelConfig({
  vocab: 30,
  embeddingDim: 4,
  lstmUnits: 5,
  denseUnits: 6,
  leftLen: 4,
  rightLen: 7,
});

/** Every object key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
}

Deno.test("saveRun() writes config.json with snake_case keys throughout, and loadModel() reads it back", async () => {
  const dir = await tempDir();
  const model = buildSiamese(config, 2);
  const train = { ...DEFAULT_TRAIN_CONFIG, learningRate: 0.01 };
  await saveRun(dir, model, {
    model: config,
    train,
    backend,
    history: [{ epoch: 1, loss: 0.5, steps: 2, msPerStep: 3, seconds: 4 }],
    extra: {
      data: { kind: "synthetic", pairs: 8, valPairs: 4 },
      threshold: 0.25,
    },
  });
  const json = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  assert.strictEqual(json.format, RUN_FORMAT);
  assert.strictEqual(json.model.lstm_units, 5);
  assert.strictEqual(json.train.learning_rate, 0.01);
  assert.strictEqual(json.history[0].ms_per_step, 3);
  assert.strictEqual(typeof json.saved_at, "string");
  const camel = keysOf(json).filter((k) => /[A-Z]/.test(k));
  assert.deepStrictEqual(camel, []);
  const loaded = await loadModel(dir);
  assert.deepStrictEqual(loaded.model, config);
  assert.deepStrictEqual(loaded.train, train);
  assert.strictEqual(loaded.threshold, 0.25);
  model.left.dispose();
  model.right.dispose();
  loaded.siamese.left.dispose();
  loaded.siamese.right.dispose();
});

Deno.test("loadModel() still loads an old run directory with camelCase keys (run@1)", async () => {
  const dir = await tempDir();
  const model = buildSiamese(config, 3);
  await model.left.save(fileSaver(`${dir}/left`));
  await model.right.save(fileSaver(`${dir}/right`));
  // as written before run@2: camelCase keys, the lexical channel's settings
  // loose, and before lexicalN/lexicalLen existed
  const { lexical: _lexical, ...rest } = config;
  const oldModel = { ...rest, lexicalWeight: 0 };
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify({
      format: "siamese-wasm/run@1",
      savedAt: "2026-11-01T00:00:00.000Z",
      model: oldModel,
      train: { ...DEFAULT_TRAIN_CONFIG, batchSize: 16 },
      backend,
      data: { kind: "synthetic", pairs: 8, valPairs: 4 },
      vocabularies: {},
      threshold: 0.5,
      history: [{ epoch: 1, loss: 1, steps: 1, msPerStep: 1, seconds: 1 }],
    }),
  );
  const loaded = await loadModel(dir);
  assert.deepStrictEqual(loaded.model, config);
  assert.strictEqual(loaded.train.batchSize, 16);
  assert.deepStrictEqual(loaded.data, {
    kind: "synthetic",
    pairs: 8,
    valPairs: 4,
  });
  assert.strictEqual(loaded.threshold, 0.5);
  const ids = tf.tensor2d([[3, 4, 5, 0]], [1, 4], "int32");
  const want = encode(model.left, ids, false).arraySync();
  assert.deepStrictEqual(
    encode(loaded.siamese.left, ids, false).arraySync(),
    want,
  );
  tf.dispose(ids);
  model.left.dispose();
  model.right.dispose();
  loaded.siamese.left.dispose();
  loaded.siamese.right.dispose();
});

Deno.test("loadModel() names the format it expected", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/config.json`, '{"format":"other@9"}');
  await assert.rejects(() => loadModel(dir), {
    message:
      `Expected format "${RUN_FORMAT}" in ${dir}/config.json but found "other@9": ` +
      "the run was written by another version of siamese-wasm. Use that version, or train again.",
  });
});

Deno.test("readCheckpointMeta() reads an old camelCase checkpoint (checkpoint@1)", async () => {
  const dir = await tempDir();
  await Deno.mkdir(`${dir}/checkpoint`);
  const state = {
    epoch: 1,
    step: 3,
    epochStep: 0,
    epochLossSum: 0,
    rngState: 42,
    history: [],
  };
  await Deno.writeTextFile(
    `${dir}/checkpoint/state.json`,
    JSON.stringify({
      format: "siamese-wasm/checkpoint@1",
      model: config,
      train: DEFAULT_TRAIN_CONFIG,
      data: { kind: "synthetic", pairs: 8, valPairs: 4 },
      vocabularies: {},
      state,
      best: { value: 0.5, epoch: 1 },
      stale: 0,
    }),
  );
  const meta = await readCheckpointMeta(dir);
  assert.deepStrictEqual(meta.state, state);
  assert.deepStrictEqual(meta.train, DEFAULT_TRAIN_CONFIG);
  assert.deepStrictEqual(meta.model, config);
});
