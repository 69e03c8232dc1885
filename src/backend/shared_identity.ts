/**
 * `Identity` without a copy for the wasm backend.
 *
 * tfjs-core clones every tensor a gradient saves for the backward pass
 * (`saveTensorsForBackwardMode`), and `tf.clone` runs the `Identity` kernel.
 * tfjs-backend-cpu answers it by sharing the data and counting one more
 * reference; tfjs-backend-wasm 4.22 copies the whole buffer. For the seed
 * model that is about 7 ms of copies per training batch (a `[32, 600, 256]`
 * input projection, its gather, the LSTM's saved states). Tensors are
 * immutable, and the wasm backend already shares data between tensors with
 * reference counts (its `Reshape` does), so this kernel shares too:
 * `incRef` and the same data id. Strings go to the original kernel.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { wrapWasmKernel } from "./wrap_kernel.ts";

import type { WasmBackend } from "./wasm_backend.ts";

/**
 * Replaces the wasm backend's `Identity` kernel with the sharing one
 * (once).
 *
 * @returns true if this call installed it
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * import { registerSharedIdentity } from "./shared_identity.ts";
 * await setupBackend({ log: false }); // installs it
 * assert.ok(registerSharedIdentity() === false);
 * const x = tf.tensor1d([1, 2, 3]);
 * const y = tf.clone(x);
 * x.dispose();
 * assert.deepEqual([...y.dataSync()], [1, 2, 3]);
 * ```
 */
export function registerSharedIdentity(): boolean {
  return wrapWasmKernel(tf.Identity, "registerSharedIdentity", (original) =>
  (
    args: Parameters<tf.KernelFunc>[0],
  ): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === "string") return original(args);
    (args.backend as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  });
}
