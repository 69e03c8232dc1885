/**
 * `NotEqual` against a single value in one pass.
 *
 * tfjs-layers' Embedding computes its mask as `notEqual(ids, 0)` whenever
 * a layer after it is applied, twice per branch and batch. tfjs-backend-wasm
 * 4.22 runs that through its general broadcasting comparison: measured on
 * the 2-core machine, 85-98 µs for the seed's `[32, 600]` ids, about 2% of
 * an inference batch on 2 threads. A comparison of an int32 or float32
 * tensor with a one-element one of the same dtype is one loop over the
 * elements here; anything else goes to the original kernel. The result is
 * the same bool tensor (a NaN differs from everything, as there).
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { WasmBackend } from "./wasm_backend.ts";
import { wrapWasmKernel } from "./wrap_kernel.ts";

/**
 * `out[i] = x[i] !== s ? 1 : 0` over every element.
 *
 * @param x the values
 * @param s the single value
 * @param out the bools, as bytes
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { notEqualTo } from "./scalar_not_equal.ts";
 * const out = new Uint8Array(3);
 * notEqualTo(new Int32Array([0, 7, 0]), 0, out);
 * assert.deepEqual([...out], [0, 1, 0]);
 * ```
 */
export function notEqualTo(
  x: Int32Array | Float32Array,
  s: number,
  out: Uint8Array,
): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] !== s ? 1 : 0;
}

/**
 * Replaces the wasm backend's `NotEqual` kernel with one that compares a
 * tensor with a one-element tensor of the same dtype (int32 or float32,
 * of no higher rank) in one loop (once; keeps the original's setup).
 *
 * @returns true if this call installed it, false if it was already there
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { registerScalarNotEqual } from "./scalar_not_equal.ts";
 * import { setupBackend } from "./setup.ts";
 * await setupBackend({ log: false }); // installs it
 * assert.ok(registerScalarNotEqual() === false);
 * ```
 */
export function registerScalarNotEqual(): boolean {
  return wrapWasmKernel(tf.NotEqual, "registerScalarNotEqual", (original) =>
  (
    args: Parameters<tf.KernelFunc>[0],
  ): tf.TensorInfo | tf.TensorInfo[] => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const size = (t: tf.TensorInfo) => t.shape.reduce((x, y) => x * y, 1);
    const [x, one] = size(b) === 1 ? [a, b] : [b, a];
    if (
      size(one) !== 1 || one.shape.length > x.shape.length ||
      a.dtype !== b.dtype || (a.dtype !== "int32" && a.dtype !== "float32")
    ) {
      return original(args);
    }
    const backend = args.backend as WasmBackend;
    const out = backend.makeOutput([...x.shape], "bool");
    // views taken after makeOutput: an allocation may grow (and detach) the heap
    notEqualTo(
      backend.typedArrayFromHeap(x) as Int32Array | Float32Array,
      backend.typedArrayFromHeap(one)[0]!,
      backend.typedArrayFromHeap(out) as Uint8Array,
    );
    return out;
  });
}
