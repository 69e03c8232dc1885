/**
 * `BatchMatMul` without packing for large, fresh right operands.
 *
 * tfjs-backend-wasm 4.22 multiplies with XNNPACK, which first packs the
 * right operand B and caches the packing under B's tensor id. That pays for
 * weights, reused every step; for a gradient product such as
 * `H_prev^T [64, 19200] x dGates [19200, 256]` B is new on every call and
 * packing costs more than the product (measured 120 ms against 49 ms when
 * B's packing was cached). This wraps the kernel: a float32 product with a
 * large B (at least 2^16 elements) and no batch goes to the K-blocked SIMD
 * GEMM of the kernel module (`src/wasm/gemm.c`, which runs
 * in place on the backend's heap); everything else to the original kernel.
 * Register it before {@link registerTransposedMatMul}, which then feeds it
 * untransposed operands. A B multiplied before goes to XNNPACK, whose cached
 * packing then makes it fast. With more than one tfjs thread, this GEMM
 * takes the product only when the LSTM thread pool works in place on the
 * backend's shared heap (`inPlacePool`), which splits it by rows of A; else
 * XNNPACK packs and multiplies on all its threads. Measured on the 2-core
 * machine for the product above: XNNPACK on 2 threads 40 ms, this GEMM on
 * 1 thread 18 ms, on 2 threads 10-16 ms.
 *
 * The two kernels round differently, so which one a product takes must not
 * depend on the process's history, or a resumed run could drift from an
 * uninterrupted one (if an evaluation multiplied a weight before a step, the
 * step would send it to XNNPACK; after a resume it is fresh and comes here).
 * {@link forgetSeenProducts} starts each training step afresh, so every
 * product's kernel is a function of the step alone. (The drift measured in
 * issue 19 was Adam's, see src/run/checkpoint.ts; with the models tried, no
 * weight of 2^16 elements reached this kernel from an evaluation, so this is
 * a guard, not the fix.)
 *
 * A product XNNPACK would compute because its B is small, but with at least
 * {@link PLAIN_MIN_WORK} multiply-adds, goes to the LSTM pool too, when
 * there is one: `matmulPlain` rounds each multiply and each add on its own,
 * summing from zero in k order, which is exactly what XNNPACK's product
 * computes here (tested bit for bit in tests/backend/big_matmul_test.ts),
 * so it changes no number and the product is split over the pool's threads
 * instead of running on XNNPACK's one (setup.ts). The seed's
 * vocabulary-table products (`[1000, 32] x [32, 256]` and `[1000, 256] x
 * [256, 32]`) take it: 2.68 -> 2.04 ms of products per training step on 2
 * threads (docs/speed.md, session 10).
 *
 * @module
 */
import { getThreadsCount } from "../deps/tfjs_backend_wasm.ts";
import * as tf from "../deps/tfjs_core.ts";
import { wrapWasmKernel } from "./wrap_kernel.ts";
import { LstmKernel } from "../wasm/kernel_instance.ts";
import { MATMUL_SCRATCH_FLOATS } from "../wasm/lstm_pointers.ts";
import { inPlacePool } from "./lstm_threads.ts";
import { heapOf, type WasmBackend } from "./wasm_backend.ts";

/** Right operands already multiplied once (by tensor data id). */
let seenB = new WeakSet<object>();

/**
 * Forgets which right operands were multiplied before: the next product of
 * every B takes the kernel a fresh B takes. Called at the start of each
 * training step, so the kernels a step uses do not depend on what the
 * process did before it (an evaluation, or nothing after a resume).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { forgetSeenProducts } from "./big_matmul.ts";
 * assert.equal(forgetSeenProducts(), undefined);
 * ```
 */
export function forgetSeenProducts(): void {
  seenB = new WeakSet<object>();
}

/** Whether `dataId` was a right operand before; remembers it. */
function reused(dataId: object): boolean {
  if (seenB.has(dataId)) return true;
  seenB.add(dataId);
  return false;
}

/**
 * B needs at least this many elements to skip XNNPACK. Measured for the
 * left branch's `[64, 1664] x [1664, 256]` (B 2^18.7 elements) on 2 threads:
 * XNNPACK 2.8-4.9 ms, this GEMM 1.1-1.3 ms.
 */
export const BIG_MATMUL_MIN_B = 1 << 16;

/**
 * Multiply-adds (M N K) from which a product XNNPACK would compute runs on
 * the LSTM pool instead, split over its threads, with XNNPACK's own numbers
 * (`matmulPlain`). Measured on 2 threads: the seed's table products (2^23)
 * gain; the matcher's (2^20 to 2^21) lose (2.13 -> 2.23 ms per step).
 */
export const PLAIN_MIN_WORK = 1 << 22;

/**
 * Whether a fresh product (a right operand never multiplied before,
 * untransposed, unbatched, float32) with a right operand of `bElements`
 * elements runs on the kernel module's GEMM rather than XNNPACK: the rule
 * of {@link registerBigMatMul}, for a kernel that computes such a product
 * itself (the LSTM's recurrent kernel gradient, src/backend/lstm_kernels.ts)
 * and must take the same route.
 *
 * @param heap the wasm backend's heap
 * @param bElements elements of the right operand
 * @returns true for the kernel module's GEMM
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { BIG_MATMUL_MIN_B, freshProductIsOurs } from "./big_matmul.ts";
 * import { setupBackend } from "./setup.ts";
 * import { heapOf, type WasmBackend } from "./wasm_backend.ts";
 * await setupBackend({ log: false });
 * const heap = heapOf((tf.backend() as unknown as WasmBackend).wasm);
 * assert.ok(freshProductIsOurs(heap, BIG_MATMUL_MIN_B));
 * assert.ok(!freshProductIsOurs(heap, BIG_MATMUL_MIN_B - 1));
 * ```
 */
export function freshProductIsOurs(
  heap: WebAssembly.Memory,
  bElements: number,
): boolean {
  // with a thread pool XNNPACK packs and multiplies on every thread; ours
  // is used when the LSTM pool can split it the same way
  if (getThreadsCount() > 1 && inPlacePool(heap) === undefined) return false;
  return bElements >= BIG_MATMUL_MIN_B;
}

/**
 * Replaces the wasm backend's `BatchMatMul` kernel with one that multiplies
 * large untransposed, unbatched float32 products without packing (once;
 * keeps the original's setup).
 *
 * @returns true if this call installed it, false if it was already there
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { registerBigMatMul } from "./big_matmul.ts";
 * import { setupBackend } from "./setup.ts";
 * await setupBackend({ log: false }); // installs it
 * assert.ok(registerBigMatMul() === false);
 * ```
 */
export function registerBigMatMul(): boolean {
  return wrapWasmKernel(tf.BatchMatMul, "registerBigMatMul", (original) =>
  (
    args: Parameters<tf.KernelFunc>[0],
  ): tf.TensorInfo | tf.TensorInfo[] => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as {
      transposeA: boolean;
      transposeB: boolean;
    };
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const ra = a.shape.length, rb = b.shape.length;
    const unbatched = ra >= 2 && rb >= 2 && size(a.shape.slice(0, -2)) === 1 &&
      size(b.shape.slice(0, -2)) === 1;
    const backend = args.backend as WasmBackend;
    const heap = heapOf(backend.wasm);
    const threads = inPlacePool(heap);
    if (
      transposeA || transposeB || !unbatched || a.dtype !== "float32" ||
      b.dtype !== "float32"
    ) {
      return original(args);
    }
    const [M, K] = a.shape.slice(-2) as [number, number];
    const N = b.shape[rb - 1]!;
    if (b.shape[rb - 2] !== K) return original(args); // let it report the error
    // a large B takes the fused GEMM, unless seen before: then it is likely
    // a weight, whose packing XNNPACK has cached. A small B is XNNPACK's,
    // but with enough work the pool computes XNNPACK's numbers on every
    // thread (matmulPlain).
    const plain = !freshProductIsOurs(heap, size(b.shape));
    if (
      plain
        ? threads === undefined || M * N * K < PLAIN_MIN_WORK
        : reused(b.dataId)
    ) {
      return original(args);
    }
    const outer = (ra > rb ? a.shape : b.shape).slice(0, -2);
    const out = backend.makeOutput([...outer, M, N], "float32");
    const at = (t: tf.TensorInfo) =>
      backend.dataIdMap.get(t.dataId).memoryOffset;
    const kernel = LstmKernel.on(heap);
    const pk = backend.makeOutput(
      [MATMUL_SCRATCH_FLOATS * (threads?.threads ?? 1)],
      "float32",
    );
    try {
      if (threads) {
        threads.matmul(kernel, M, N, K, at(a), at(b), at(out), at(pk), plain);
      } else kernel.matmul(M, N, K, at(a), at(b), at(out), at(pk));
    } finally {
      backend.disposeData(pk.dataId);
    }
    return out;
  });
}
