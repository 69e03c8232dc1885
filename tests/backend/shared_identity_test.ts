import * as tf from "../../src/deps/tfjs_core.ts";
import {
  deepStrictEqual as deepEqual,
  strictEqual as equal,
} from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import type { WasmBackend } from "../../src/backend/wasm_backend.ts";

await setupBackend({ log: false });

Deno.test("tf.clone shares the data on wasm and each tensor lives on its own", () => {
  const before = tf.memory().numTensors;
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.clone(x);
  const map = (tf.backend() as unknown as WasmBackend).dataIdMap;
  // one buffer for both: nothing was copied
  equal(map.get(y.dataId)?.memoryOffset, map.get(x.dataId)?.memoryOffset);
  x.dispose();
  deepEqual([...y.dataSync()], [1, 2, 3, 4]);
  const z = tf.add(y, 1); // the shared buffer is still readable by kernels
  deepEqual([...z.dataSync()], [2, 3, 4, 5]);
  tf.dispose([y, z]);
  equal(tf.memory().numTensors, before);
  equal(map.has(x.dataId), false); // freed once the last user is gone
});

Deno.test("gradients that save their inputs are unchanged by sharing", () => {
  const x = tf.tensor1d([0.5, -1, 2]);
  // sigmoid saves its output, square saves its input: both are clones now
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.sigmoid(v))))(x);
  const s = [0.5, -1, 2].map((v) => 1 / (1 + Math.exp(-v)));
  const want = s.map((v) => 2 * v * v * (1 - v));
  g.dataSync().forEach((v, i) =>
    equal(Math.abs(v - want[i]!) < 1e-6, true, `${v} vs ${want[i]}`)
  );
  tf.dispose([x, g]);
});
