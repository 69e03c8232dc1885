/**
 * `UnreadPlaceholder`: a float32 tensor of a given shape whose values
 * nobody reads, allocated on the wasm backend's heap and not written (its
 * contents are whatever the heap held). The model's token table
 * (src/model/token_table.ts) returns it as an Embedding's output when only
 * vocabulary-table readers follow it. Filling the seed's `[32, 600, 32]`
 * with zeros in a kernel (Fill) took 0.36 ms of a 12-15 ms inference batch,
 * and tf.zeros, which fills in JavaScript and copies, about 4 ms.
 *
 * @module
 */
import type * as tf from "../deps/tfjs_core.ts";
import type { WasmBackend } from "./wasm_backend.ts";
import { addWasmKernels } from "./wrap_kernel.ts";

/** Kernel name of the placeholder on the wasm backend; attribute `shape`. */
export const UNREAD_PLACEHOLDER = "UnreadPlaceholder";

/**
 * Registers the `UnreadPlaceholder` kernel for the `wasm` backend (once).
 *
 * @returns true if this call registered it, false if it was there
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * import {
 *   registerUnreadPlaceholder,
 *   UNREAD_PLACEHOLDER,
 * } from "./unread_placeholder.ts";
 * await setupBackend({ log: false }); // registers it
 * assert.ok(registerUnreadPlaceholder() === false);
 * const x = tf.engine().runKernel(UNREAD_PLACEHOLDER, {}, { shape: [2, 3] }) as tf.Tensor;
 * assert.ok(x.shape.join() === "2,3" && x.dtype === "float32");
 * ```
 */
export function registerUnreadPlaceholder(): boolean {
  return addWasmKernels({
    [UNREAD_PLACEHOLDER]: (({ backend, attrs }) =>
      (backend as unknown as WasmBackend).makeOutput(
        (attrs as { shape: number[] }).shape,
        "float32",
      )) as tf.KernelFunc,
  });
}
