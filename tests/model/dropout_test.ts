import * as tf from "../../src/deps/tfjs_core.ts";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { fileLoader, fileSaver } from "../../src/io/file_io.ts";
import { modelConfig } from "../../src/model/config.ts";
import {
  FeatureDropout,
  stepNoiseSeed,
  withDropoutNoise,
} from "../../src/model/dropout.ts";
import { buildSiamese, encode } from "../../src/model/siamese.ts";
import { readBranch } from "../../src/export/branch_weights.ts";
import { loadModel } from "../../src/run/format.ts";
import { tempDir } from "../_temp_file.ts";

await setupBackend({ log: false });

const config = modelConfig({
  vocab: 30,
  embeddingDim: 4,
  lstmUnits: 6,
  denseUnits: 5,
  pooling: "max",
  shareWeights: true,
});
const ids = tf.tensor2d([[3, 4, 5, 0], [7, 2, 0, 0]], undefined, "int32");

Deno.test("FeatureDropout zeroes about its rate of the features and scales the rest by 1 / (1 - rate)", () => {
  const layer = new FeatureDropout({ rate: 0.3 });
  const out = withDropoutNoise(
    11,
    () => layer.apply(tf.ones([200, 100]), { training: true }) as tf.Tensor,
  );
  const v = out.dataSync();
  let zeros = 0;
  for (const x of v) {
    if (x === 0) zeros++;
    else assert.ok(Math.abs(x - 1 / 0.7) < 1e-6, `kept value ${x}`);
  }
  const share = zeros / v.length;
  assert.ok(share > 0.28 && share < 0.32, `zeroed share ${share}`);
  // two calls in one scope draw different masks (the left and right branch)
  const [a, b] = withDropoutNoise(11, () => [
    layer.apply(tf.ones([4, 50]), { training: true }) as tf.Tensor,
    layer.apply(tf.ones([4, 50]), { training: true }) as tf.Tensor,
  ]);
  assert.notDeepStrictEqual(a!.arraySync(), b!.arraySync());
});

Deno.test("FeatureDropout refuses a training call outside a noise scope and a rate outside [0, 1)", () => {
  const layer = new FeatureDropout({ rate: 0.5, name: "d" });
  assert.throws(
    () => layer.apply(tf.ones([2, 3]), { training: true }),
    /d: a training call outside withDropoutNoise/,
  );
  assert.throws(
    () => new FeatureDropout({ rate: 1 }),
    /Expected the dropout rate to be in \[0, 1\) but found 1/,
  );
  assert.throws(() => new FeatureDropout({ rate: -0.1 }), RangeError);
});

Deno.test("a branch with dropout computes, outside training, what the same weights compute without it", () => {
  const dropped = buildSiamese({ ...config, dropout: 0.5 }, 3);
  const plain = buildSiamese(config, 3);
  assert.ok(dropped.left.layers.some((l) => l instanceof FeatureDropout));
  assert.ok(!plain.left.layers.some((l) => l instanceof FeatureDropout));
  // the layer has no weights and draws no initializer seed
  assert.deepStrictEqual(
    dropped.left.getWeights().map((w) => w.arraySync()),
    plain.left.getWeights().map((w) => w.arraySync()),
  );
  const want = encode(plain.left, ids).arraySync();
  assert.deepStrictEqual(encode(dropped.left, ids).arraySync(), want);
  // in training the masks depend on the noise seed alone
  const train = (seed: number) =>
    withDropoutNoise(seed, () => encode(dropped.left, ids, true).arraySync());
  assert.deepStrictEqual(train(5), train(5));
  assert.notDeepStrictEqual(train(5), train(6));
  assert.notDeepStrictEqual(train(5), want);
  // exports read it as the identity
  assert.deepStrictEqual(
    readBranch(dropped.left, "left").denseKernel,
    readBranch(plain.left, "left").denseKernel,
  );
});

Deno.test("a branch with dropout saves and loads with its rate", async () => {
  const m = buildSiamese({ ...config, dropout: 0.25 }, 4);
  const dir = await tempDir();
  await m.left.save(fileSaver(dir));
  const loaded = await tfl.loadLayersModel(fileLoader(dir));
  const layer = loaded.layers.find((l) => l instanceof FeatureDropout);
  assert.equal((layer as FeatureDropout | undefined)?.rate, 0.25);
  assert.deepStrictEqual(
    encode(loaded, ids).arraySync(),
    encode(m.left, ids).arraySync(),
  );
});

Deno.test("stepNoiseSeed() gives 10,000 distinct seeds to 100 steps of 100 runs", () => {
  const seen = new Set<number>();
  for (let seed = 0; seed < 100; seed++) {
    for (let step = 0; step < 100; step++) {
      seen.add(stepNoiseSeed(seed, step));
    }
  }
  assert.equal(seen.size, 10000);
});

Deno.test("a run saved before model.dropout existed loads without dropout", async () => {
  const saved = JSON.parse(
    await Deno.readTextFile("examples/numbers_model/config.json"),
  );
  assert.equal(saved.model.dropout, undefined);
  const loaded = await loadModel("examples/numbers_model");
  assert.equal(loaded.siamese.config.dropout, 0);
  assert.ok(
    !loaded.siamese.left.layers.some((l) => l instanceof FeatureDropout),
  );
  loaded.siamese.left.dispose();
  loaded.siamese.right.dispose();
});
