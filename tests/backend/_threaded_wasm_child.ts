/**
 * Child process of `threaded_wasm_test.ts`: starts the backend with the
 * given thread count, trains a small seeded model for a few Adam steps and
 * prints `{"threads": N, "xnnpackThreads": X, "shared": S, "losses": [...],
 * "workers": W}` on stdout (X: XNNPACK's pool, S: whether the heap is a
 * shared memory, W: the tfjs pool workers started). The thread count is
 * fixed per process, hence one process per count.
 *
 * Usage: `deno run --allow-read --allow-env _threaded_wasm_child.ts THREADS STEPS [dense|siamese] [xnnpack2]`
 *
 * With `siamese`, the model is a small siamese LSTM whose FusedLSTMs run on
 * the same number of threads (in place on tfjs's heap when it is shared).
 * With `xnnpack2` the backend is started by `prepareThreadedWasm(2)` and
 * the project's kernels, without `setupBackend`: XNNPACK gets a pool of 2
 * (the dense model only).
 *
 * @module
 */
import * as tf from "../../src/deps/tfjs_core.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import * as wasm from "../../src/deps/tfjs_backend_wasm.ts";
import {
  prepareThreadedWasm,
  startedPoolWorkers,
} from "../../src/backend/threaded_wasm.ts";
import { heapOf, type WasmBackend } from "../../src/backend/wasm_backend.ts";
import { setLstmThreads } from "../../src/backend/lstm_threads.ts";
import { registerKernels } from "../../src/backend/kernels.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";
import { Rng } from "../../src/data/rng.ts";
import { trainStep } from "../../src/train/step.ts";

const [threadsArg = "1", stepsArg = "5", kind = "dense", setup] = Deno.args;

/** What the process reports besides its losses. */
function report(threads: number, losses: number[]): void {
  const heap = heapOf((tf.backend() as unknown as WasmBackend).wasm);
  console.log(JSON.stringify({
    threads,
    xnnpackThreads: wasm.getThreadsCount(),
    shared: heap.buffer instanceof SharedArrayBuffer,
    losses,
    workers: startedPoolWorkers(),
  }));
}

let threads = Number(threadsArg);
if (setup === "xnnpack2") {
  registerKernels();
  const restore = prepareThreadedWasm(2);
  try {
    await tf.setBackend("wasm");
  } finally {
    restore();
  }
  threads = 2;
} else {
  threads = (await setupBackend({ threads, log: false })).threads;
  await setLstmThreads(threads);
}

// Sizes: V vocabulary, T ids per example, E embedding, H units, B batch.
// Big enough that XNNPACK splits the matMuls across threads when its pool
// has 2 (`xnnpack2`).
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

/** Adam steps of the siamese model on one seeded batch with padding. */
function siameseLosses(steps: number): number[] {
  const model = buildSiamese(
    modelConfig({
      vocab: 50,
      embeddingDim: 8,
      lstmUnits: 16,
      denseUnits: 8,
      leftLen: 5,
      rightLen: 30,
    }),
    7,
  );
  const side = (len: number) =>
    tf.tensor2d(
      Int32Array.from({ length: 12 * len }, (_, i) => {
        const row = Math.floor(i / len), t = i % len;
        return t < len - (row % 4) ? 1 + rng.int(49) : 0; // padded tails
      }),
      [12, len],
      "int32",
    );
  const batch = {
    left: side(5),
    right: side(30),
    labels: tf.tensor1d(Float32Array.from({ length: 12 }, (_, i) => i % 2)),
  };
  const adam = tf.train.adam(0.01);
  const options = { distance: "cosine" as const, margin: 1 };
  return Array.from(
    { length: steps },
    () => trainStep(model, batch, adam, options),
  );
}

const losses: number[] = [];
if (kind === "siamese") {
  losses.push(...siameseLosses(Number(stepsArg)));
} else {
  for (let step = 0; step < Number(stepsArg); step++) {
    const value = optimizer.minimize(loss, true)!;
    losses.push(value.dataSync()[0]!);
    value.dispose();
  }
}
await setLstmThreads(1);
report(threads, losses);
