/**
 * Faster transposed `BatchMatMul` for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 multiplies with XNNPACK only when neither operand
 * is transposed; `transposeA` or `transposeB` fall to a scalar loop about
 * ten times slower (measured: `[19200, 64]^T x [19200, 256]` 274 ms against
 * 34 ms for the same product with the operand transposed beforehand). Every
 * matMul gradient uses those flags (dA = dY B^T, dB = A^T dY), so training
 * spends most of its time there. This wraps the backend's kernel: a
 * transposed operand is transposed explicitly first (a copy, cheap next to
 * the product), then the fast path runs.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { WasmBackend } from "./wasm_backend.ts";
import { wrapWasmKernel } from "./wrap_kernel.ts";

/**
 * Replaces the wasm backend's `BatchMatMul` kernel with one that transposes
 * operands explicitly before multiplying (once; keeps the original's setup).
 *
 * @returns true if this call installed it, false if it was already there
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { registerTransposedMatMul } from "./transposed_matmul.ts";
 * import { setupBackend } from "./setup.ts";
 * await setupBackend({ log: false }); // installs it
 * assert.ok(registerTransposedMatMul() === false);
 * ```
 */
export function registerTransposedMatMul(): boolean {
  const transpose = tf.getKernel(tf.Transpose, "wasm");
  if (transpose === undefined) {
    throw new Error(
      "registerTransposedMatMul: the wasm backend's Transpose kernel is not registered",
    );
  }
  return wrapWasmKernel(
    tf.BatchMatMul,
    "registerTransposedMatMul",
    (original) =>
    (
      args: Parameters<tf.KernelFunc>[0],
    ): tf.TensorInfo | tf.TensorInfo[] => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as {
        transposeA: boolean;
        transposeB: boolean;
      };
      if (!transposeA && !transposeB) return original(args);
      const swapLast = (t: tf.TensorInfo) => {
        const rank = t.shape.length;
        const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
        return transpose.kernelFunc({
          inputs: { x: t },
          backend: args.backend,
          attrs: { perm },
        }) as tf.TensorInfo;
      };
      const a2 = transposeA ? swapLast(a) : a;
      const b2 = transposeB ? swapLast(b) : b;
      const out = original({
        inputs: { a: a2, b: b2 },
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
      const backend = args.backend as WasmBackend;
      if (transposeA) backend.disposeData(a2.dataId);
      if (transposeB) backend.disposeData(b2.dataId);
      return out;
    },
  );
}
