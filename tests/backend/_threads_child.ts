/**
 * Child process of `threads_test.ts`: starts the backend with the given
 * thread count, trains a small seeded model for a few Adam steps and prints
 * `{"threads": N, "losses": [...]}` on stdout. The thread count is fixed per
 * process, hence one process per count.
 *
 * Usage: `deno run --allow-read --allow-env _threads_child.ts THREADS STEPS`
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { setupBackend } from "../../src/backend/setup.ts";
import { Rng } from "../../src/pairs/rng.ts";

const [threadsArg = "1", stepsArg = "5"] = Deno.args;
const info = await setupBackend({ threads: Number(threadsArg), log: false });

// Sizes: V vocabulary, T ids per example, E embedding, H units, B batch.
// Big enough that XNNPACK splits the matMuls across threads.
const V = 400, T = 8, E = 64, H = 256, B = 256;
const rng = new Rng(1234);
const normal = (n: number, scale: number) =>
  Float32Array.from({ length: n }, () => scale * rng.normal());

const embedding = tf.variable(tf.tensor2d(normal(V * E, 0.1), [V, E])); // [V, E]
const w1 = tf.variable(tf.tensor2d(normal(E * H, 0.1), [E, H])); // [E, H]
const b1 = tf.variable(tf.zeros([H])); // [H]
const w2 = tf.variable(tf.tensor2d(normal(H, 0.1), [H, 1])); // [H, 1]
const ids = tf.tensor2d(Int32Array.from({ length: B * T }, () => rng.int(V)), [
  B,
  T,
], "int32");
const targets = tf.tensor2d(normal(B, 1), [B, 1]); // [B, 1]
const optimizer = tf.train.adam(0.01);

function loss(): tf.Scalar {
  const x = tf.mean(tf.gather(embedding, ids), 1); // [B, E]
  const h = tf.relu(tf.add(tf.matMul(x, w1), b1)); // [B, H]
  const y = tf.matMul(h, w2); // [B, 1]
  return tf.mean(tf.square(tf.sub(y, targets)));
}

const losses: number[] = [];
for (let step = 0; step < Number(stepsArg); step++) {
  const value = optimizer.minimize(loss, true)!;
  losses.push(value.dataSync()[0]!);
  value.dispose();
}
console.log(JSON.stringify({ threads: info.threads, losses }));
