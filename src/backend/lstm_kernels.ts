/**
 * The LSTM recurrence kernels for the wasm backend: `FusedLstm` (forward
 * over all steps), `FusedLstmGrad` (backpropagation through time) and
 * `FusedLstmKernelGrad` (the recurrent kernel's gradient). They
 * run the kernel module of `src/wasm/` on the backend's heap directly, on
 * the calling thread or split over the pool of `lstm_threads.ts`. The
 * model's `lstmRecurrence` (src/model/lstm_op.ts) calls them by name and
 * adds the gradient.
 *
 * Letters: B batch, T timesteps, H units, G = 4H (gate order i, f, g, o).
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { freshProductIsOurs } from "./big_matmul.ts";
import { LstmKernel } from "../wasm/kernel_instance.ts";
import {
  kcFloats,
  MATMUL_SCRATCH_FLOATS,
  matmulKScratchFloats,
  SLACK_FLOATS,
} from "../wasm/lstm_pointers.ts";
import { inPlacePool, poolFor } from "./lstm_threads.ts";
import { heapOf, type WasmBackend } from "./wasm_backend.ts";
import { addWasmKernels } from "./wrap_kernel.ts";

/** Kernel name of the forward recurrence. */
export const FUSED_LSTM = "FusedLstm";

/** Kernel name of the recurrence's backward pass. */
export const FUSED_LSTM_GRAD = "FusedLstmGrad";

/**
 * Kernel name of the recurrent kernel's gradient `dU = H_prev^T dZ` over
 * the valid steps only.
 */
export const FUSED_LSTM_KERNEL_GRAD = "FusedLstmKernelGrad";

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** The kernel instance working on this backend's heap. */
function kernelFor(be: WasmBackend): LstmKernel {
  return LstmKernel.on(heapOf(be.wasm));
}

/** Heap byte offset of a float32 tensor. */
function at(be: WasmBackend, t: tf.TensorInfo): number {
  if (t.dtype !== "float32") {
    throw new TypeError(
      `FusedLstm: expected float32 tensors but found ${t.dtype}`,
    );
  }
  return be.dataIdMap.get(t.dataId).memoryOffset;
}

/** Heap byte offset of an int32 tensor. */
function idsAt(be: WasmBackend, t: tf.TensorInfo): number {
  if (t.dtype !== "int32") {
    throw new TypeError(`FusedLstm: expected int32 ids but found ${t.dtype}`);
  }
  return be.dataIdMap.get(t.dataId).memoryOffset;
}

/** Runs `fn` with 4-byte scratch buffers of the given sizes, freed after. */
function withScratch(
  be: WasmBackend,
  sizes: number[],
  fn: (offsets: number[]) => void,
): void {
  const bufs = sizes.map((n) => be.makeOutput([n], "float32"));
  try {
    fn(bufs.map((b) => at(be, b)));
  } finally {
    bufs.forEach((b) => be.disposeData(b.dataId));
  }
}

/**
 * Whether the kernel should read an aligned copy of the projected vocabulary
 * `[V, G]`: tfjs places tensors 8 bytes off a cache line, and one read in
 * four of a misaligned table row then crosses a line (measured on the seed's
 * right branch: 0.6-0.8 ms of 18 on one thread, 0.5 of 10 on two). The copy
 * touches V rows, the kernel reads B T of them: it pays when B T >= 4 V.
 */
function tableCopyPays(vocab: number, batch: number, steps: number): boolean {
  return batch * steps >= 4 * vocab;
}

/**
 * Copies `floats` floats from byte offset `from` to the first 64-byte
 * boundary at or after `scratch` (which has {@link SLACK_FLOATS} to spare);
 * returns that offset.
 */
function copyAligned(
  heap: WebAssembly.Memory,
  from: number,
  floats: number,
  scratch: number,
): number {
  const to = Math.ceil(scratch / 64) * 64;
  new Float32Array(heap.buffer).copyWithin(to / 4, from / 4, from / 4 + floats);
  return to;
}

/**
 * Outputs: inference `[out]` (all h `[B, T, H]` with `sequences`, else the
 * last h `[B, H]`); training `[hs, cs, gates, hLast]`.
 */
function forwardKernel(
  { inputs, backend, attrs }: KernelArgs,
): tf.TensorInfo[] {
  const { xp, u, mask, ids } = inputs as Record<string, tf.TensorInfo>;
  // with ids, xp is the projected vocabulary [V, G]
  const [B, T] = (ids ?? xp)!.shape as [number, number];
  const G = xp!.shape[xp!.shape.length - 1]!;
  const H = G / 4;
  const { train, sequences } = attrs as { train: boolean; sequences: boolean };
  const be = backend as WasmBackend;
  const dims = { batch: B, steps: T, units: H };
  const hs = train || sequences
    ? be.makeOutput([B, T, H], "float32")
    : undefined;
  const cs = train ? be.makeOutput([B, T, H], "float32") : undefined;
  const gates = train ? be.makeOutput([B, T, G], "float32") : undefined;
  const hLast = train || !sequences
    ? be.makeOutput([B, H], "float32")
    : undefined;
  const threads = poolFor(heapOf(be.wasm));
  const kcSize = kcFloats(H) * (threads?.threads ?? 1); // one per thread
  const V = ids ? xp!.shape[0]! : 0;
  const copyTable = ids !== undefined && tableCopyPays(V, B, T);
  const extra = hLast ? [] : [B * H];
  const sizes = [
    B * H + SLACK_FLOATS,
    train ? 0 : B * G + SLACK_FLOATS,
    B,
    ids ? B : 0,
    kcSize,
    copyTable ? V * G + SLACK_FLOATS : 0,
    ...extra,
  ];
  withScratch(be, sizes, ([c, z, act, idt, kc, table, h]) => {
    const ptrs = {
      xp: copyTable
        ? copyAligned(heapOf(be.wasm), at(be, xp!), V * G, table!)
        : at(be, xp!),
      ids: ids ? idsAt(be, ids) : 0,
      idt: ids ? idt! : 0,
      u: at(be, u!),
      mask: at(be, mask!),
      hs: hs ? at(be, hs) : 0,
      cs: cs ? at(be, cs) : 0,
      gates: gates ? at(be, gates) : 0,
      h: hLast ? at(be, hLast) : h!,
      c: c!,
      z: z!,
      act: act!,
      kc: kc!,
    };
    if (threads) threads.forward(heapOf(be.wasm), kernelFor(be), dims, ptrs);
    else kernelFor(be).forward(dims, ptrs);
  });
  if (train) return [hs!, cs!, gates!, hLast!];
  return [sequences ? hs! : hLast!];
}

/** Outputs `[dz, hPrevT]`; `dy` is `[B, T, H]` with `sequences`, else `[B, H]`. */
function backwardKernel(
  { inputs, backend, attrs }: KernelArgs,
): tf.TensorInfo[] {
  const { dy, gates, cs, mask, u, hs } = inputs as Record<
    string,
    tf.TensorInfo
  >;
  const [B, T, G] = gates!.shape as [number, number, number];
  const H = G / 4;
  const { sequences } = attrs as { sequences: boolean };
  const be = backend as WasmBackend;
  const dz = be.makeOutput([B, T, G], "float32");
  const hPrevT = be.makeOutput([H, B * T], "float32");
  const threads = poolFor(heapOf(be.wasm));
  const kcSize = kcFloats(H) * (threads?.threads ?? 1); // one per thread
  const state = B * H + SLACK_FLOATS;
  const sizes = [G * H + SLACK_FLOATS, state, state, state, B, kcSize];
  withScratch(be, sizes, ([ut, dh, dh2, dc, act, kc]) => {
    const dims = { batch: B, steps: T, units: H };
    const ptrs = {
      dhs: sequences ? at(be, dy!) : 0,
      dhLast: sequences ? 0 : at(be, dy!),
      gates: at(be, gates!),
      cs: at(be, cs!),
      mask: at(be, mask!),
      u: at(be, u!),
      hs: at(be, hs!),
      dz: at(be, dz),
      hPrevT: at(be, hPrevT),
      ut: ut!,
      dh: dh!,
      dh2: dh2!,
      dc: dc!,
      act: act!,
      kc: kc!,
    };
    if (threads) threads.backward(heapOf(be.wasm), kernelFor(be), dims, ptrs);
    else kernelFor(be).backward(dims, ptrs);
  });
  return [dz, hPrevT];
}

/**
 * `dU [H, G] = H_prev^T [H, K] dZ [K, G]` (K = B T, the steps of every row
 * in order) over the steps whose mask `[B, T]` is not 0: dZ is zero at the
 * others, so skipping them leaves every multiply-add that counts in the
 * same order (the result equals the whole product, up to the sign of an
 * exact zero). With padding (the matcher's batches: a third of the steps)
 * that much of the product goes; without, it is the whole product. Only
 * for a product that `freshProductIsOurs` (big_matmul.ts) sends to the
 * kernel module's GEMM ({@link recurrentKernelGradient} checks), so the
 * route is the one `tf.matMul` takes.
 */
function kernelGradKernel(
  { inputs, backend }: KernelArgs,
): tf.TensorInfo {
  const { hPrevT, dz, mask } = inputs as Record<string, tf.TensorInfo>;
  const [H, K] = hPrevT!.shape as [number, number];
  const G = dz!.shape[dz!.shape.length - 1]!;
  const be = backend as WasmBackend;
  const m = be.typedArrayFromHeap(mask!) as Float32Array;
  if (m.length !== K || dz!.shape[0] !== K) {
    throw new RangeError(
      `FusedLstmKernelGrad: expected a mask and dZ of ${K} steps (hPrevT [${H}, ${K}]) but found mask [${
        mask!.shape
      }] and dZ [${dz!.shape}]`,
    );
  }
  const steps = new Int32Array(K);
  let nk = 0;
  for (let k = 0; k < K; k++) if (m[k] !== 0) steps[nk++] = k;
  const du = be.makeOutput([H, G], "float32");
  const pool = inPlacePool(heapOf(be.wasm));
  const kernel = kernelFor(be);
  const [a, b, c] = [at(be, hPrevT!), at(be, dz!), at(be, du)];
  if (nk === K) {
    withScratch(be, [MATMUL_SCRATCH_FLOATS * (pool?.threads ?? 1)], ([pk]) => {
      if (pool) pool.matmul(kernel, H, G, K, a, b, c, pk!);
      else kernel.matmul(H, G, K, a, b, c, pk!);
    });
    return du;
  }
  const parts = Math.min(pool?.threads ?? 1, H);
  withScratch(be, [nk, matmulKScratchFloats(H, parts)], ([kk, pk]) => {
    // a view taken after the allocations, which may grow the heap
    new Int32Array(heapOf(be.wasm).buffer, kk, nk).set(steps.subarray(0, nk));
    if (pool) pool.matmulK(kernel, H, G, K, nk, kk!, a, b, c, pk!);
    else kernel.matmulK(H, G, K, nk, kk!, a, b, c, pk!);
  });
  return du;
}

/**
 * The recurrent kernel's gradient `dU = H_prev^T dZ` `[H, G]`: over the
 * valid steps only (`FusedLstmKernelGrad`) when the product is one the
 * kernel module's GEMM takes, else `tf.matMul` (XNNPACK for small ones).
 * Either way the same numbers as `tf.matMul(hPrevT, dz)`.
 *
 * @param hPrevT `h_{t-1}` transposed, `[H, B T]` (zero at t = 0)
 * @param dz the pre-activations' gradient `[B T, G]`, zero at masked steps
 * @param mask `[B, T]`, 0 at padded steps
 * @returns `[H, G]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * import { recurrentKernelGradient } from "./lstm_kernels.ts";
 * await setupBackend({ log: false });
 * const du = recurrentKernelGradient(tf.ones([4, 6]), tf.ones([6, 16]), tf.ones([2, 3]));
 * assert.deepEqual(du.shape, [4, 16]);
 * assert.equal(du.dataSync()[0], 6);
 * ```
 */
export function recurrentKernelGradient(
  hPrevT: tf.Tensor2D,
  dz: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Tensor2D {
  const heap = heapOf((tf.backend() as unknown as WasmBackend).wasm);
  if (!freshProductIsOurs(heap, dz.size)) return tf.matMul(hPrevT, dz);
  return tf.engine().runKernel(FUSED_LSTM_KERNEL_GRAD, {
    hPrevT,
    dz,
    mask,
  }) as tf.Tensor2D;
}

/**
 * Registers the `FusedLstm`, `FusedLstmGrad` and `FusedLstmKernelGrad`
 * kernels for the `wasm` backend (once). `registerKernels` (kernels.ts)
 * calls it.
 *
 * @returns true if this call registered them, false if they were there
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { registerLstmKernels } from "./lstm_kernels.ts";
 * registerLstmKernels();
 * assert.ok(registerLstmKernels() === false);
 * ```
 */
export function registerLstmKernels(): boolean {
  return addWasmKernels({
    [FUSED_LSTM]: forwardKernel as tf.KernelFunc,
    [FUSED_LSTM_GRAD]: backwardKernel as tf.KernelFunc,
    [FUSED_LSTM_KERNEL_GRAD]: kernelGradKernel as tf.KernelFunc,
  });
}
