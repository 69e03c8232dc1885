import assert from "@std/assert";
import * as tf from "../../src/deps/tfjs_core.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import { FusedAdam } from "../../src/train/fused_adam.ts";

await setupBackend({ log: false });

/** Two weights (sizes 1 and 4k + 3, so the kernel's tail runs) stepped 5 times. */
function run(optimizer: tf.Optimizer): Float32Array[] {
  let seed = 11;
  const next = () =>
    (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
  const w1 = tf.variable(tf.tensor1d([0.3]));
  const w2 = tf.variable(
    tf.tensor2d(Array.from({ length: 39 }, next), [3, 13]),
  );
  const target = tf.tensor2d(Array.from({ length: 39 }, next), [3, 13]);
  for (let step = 0; step < 5; step++) {
    optimizer.minimize(() =>
      tf.add(
        tf.sum(tf.square(tf.sub(tf.mul(w2, w1), target))),
        tf.mul(tf.sum(tf.pow(w2, 4)), 0.01),
      ) as tf.Scalar
    );
  }
  const out = [w1, w2].map((w) => w.dataSync() as Float32Array);
  tf.dispose([w1, w2, target]);
  optimizer.dispose();
  return out;
}

Deno.test("FusedAdam steps the weights bit for bit as tf.train.adam does", () => {
  for (const lr of [1e-3, 3e-2]) {
    const want = run(tf.train.adam(lr));
    const got = run(new FusedAdam(lr));
    assert.deepStrictEqual(got.map((w) => [...w]), want.map((w) => [...w]));
  }
});

Deno.test("FusedAdam keeps AdamOptimizer's state: its weights load into tf.train.adam", async () => {
  const a = new FusedAdam(0.01);
  const w = tf.variable(tf.tensor1d([1, 2, 3]));
  a.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
  const saved = await a.getWeights();
  assert.deepStrictEqual(saved.map((x) => x.name).slice(1), [
    `${w.name}/m`,
    `${w.name}/v`,
  ]);
  assert.strictEqual(a.iterations, 1);
  const b = tf.train.adam(0.01);
  await b.setWeights(saved);
  assert.strictEqual(b.iterations, 1);
  a.dispose();
  b.dispose();
  w.dispose();
});
