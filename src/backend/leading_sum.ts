/**
 * Faster `Sum` over leading axes for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 reduces only over the innermost axes: to sum a
 * `[N, C]` tensor over axis 0 it first transposes the whole tensor with a
 * generic, slow transpose (measured: 25 to 65 ms for `[19200, 256]`, against
 * 3 ms over axis 1). That is the gradient of every bias add. This wraps the
 * backend's kernel: a float32 sum over exactly the leading axes is done as
 * column sums read straight from the heap; anything else goes to the
 * original kernel.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { wrapWasmKernel } from "./wrap_kernel.ts";

import type { WasmBackend } from "./wasm_backend.ts";

/**
 * Column sums: `out[c] = sum over r of x[r * cols + c]`.
 *
 * @param x values, `rows * cols` of them, row-major
 * @param rows rows summed over
 * @param out receives `cols` sums (its length is `cols`)
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { columnSumsInto } from "./leading_sum.ts";
 * const out = new Float32Array(2);
 * columnSumsInto(new Float32Array([1, 2, 3, 4, 5, 6]), 3, out);
 * assert.ok(out[0] === 9 && out[1] === 12);
 * ```
 */
export function columnSumsInto(
  x: Float32Array,
  rows: number,
  out: Float32Array,
): void {
  const cols = out.length;
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c]! += x[base + c]!;
  }
}

/** The number of leading axes `axis` names, or -1 if it names others. */
function leadingAxes(axis: number | number[], rank: number): number {
  const axes = [
    ...new Set(
      (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)),
    ),
  ]
    .sort((a, b) => a - b);
  return axes.every((a, i) => a === i) && axes.length < rank ? axes.length : -1;
}

/**
 * Replaces the wasm backend's `Sum` kernel with one that sums float32
 * tensors over leading axes as column sums (once; keeps the original's
 * setup).
 *
 * @returns true if this call installed it, false if it was already there
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { registerLeadingSum } from "./leading_sum.ts";
 * import { setupBackend } from "./setup.ts";
 * await setupBackend({ log: false }); // installs it
 * assert.ok(registerLeadingSum() === false);
 * ```
 */
export function registerLeadingSum(): boolean {
  return wrapWasmKernel(tf.Sum, "registerLeadingSum", (original) =>
  (
    args: Parameters<tf.KernelFunc>[0],
  ): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as {
      axis: number | number[];
      keepDims: boolean;
    };
    const k = leadingAxes(axis, x.shape.length);
    if (x.dtype !== "float32" || k <= 0) return original(args);
    const backend = args.backend as WasmBackend;
    const kept = x.shape.slice(k);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const out = backend.makeOutput(
      keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept,
      "float32",
    );
    // Views are taken after makeOutput: an allocation may grow (and detach) the heap.
    columnSumsInto(
      backend.typedArrayFromHeap(x) as Float32Array,
      rows,
      backend.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  });
}
