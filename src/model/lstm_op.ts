/**
 * The LSTM recurrence as one differentiable TensorFlow.js op.
 *
 * Forward and backpropagation through time run in the WebAssembly kernel of
 * `src/wasm/`, registered as the tfjs kernels `FusedLstm` and
 * `FusedLstmGrad` for the `wasm` backend; they read and write the backend's
 * heap directly. {@link lstmRecurrence} wraps them in `tf.customGrad`; the
 * gradient of the recurrent kernel is one large `tf.matMul`.
 *
 * Letters: B batch, T timesteps, H units, G = 4H (gate order i, f, g, o).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { heapOf, type WasmBackend } from "../backend/wasm_backend.ts";
import { LstmKernel } from "../wasm/kernel_instance.ts";
import { kcFloats, SLACK_FLOATS } from "../wasm/lstm_pointers.ts";
import { LstmThreads } from "../wasm/thread_pool.ts";

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

let pool: LstmThreads | undefined;

/**
 * Runs the LSTM kernels on `threads` threads from now on: the calling
 * thread plus `threads - 1` workers, each taking a share of the batch rows.
 * 1 stops the workers and returns to one thread (the default). Call it
 * with 1 before exiting, or the workers keep the process alive.
 *
 * @param threads total threads, at least 1
 * @returns the threads now in use
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setLstmThreads } from "./lstm_op.ts";
 * assert.ok(await setLstmThreads(2) === 2);
 * assert.ok(await setLstmThreads(1) === 1);
 * ```
 */
export async function setLstmThreads(threads: number): Promise<number> {
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new RangeError(
      `Expected threads to be an integer of at least 1 but found ${threads}`,
    );
  }
  const heap = sharedHeap();
  if (pool?.threads === threads && pool.heap === heap) return threads;
  pool?.stop();
  pool = threads > 1 ? await LstmThreads.start(threads, heap) : undefined;
  return threads;
}

/**
 * The wasm backend's heap when it is a shared memory (tfjs runs its
 * multithreaded build), which the LSTM workers can then use in place.
 */
function sharedHeap(): WebAssembly.Memory | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const heap = heapOf((tf.backend() as unknown as WasmBackend).wasm);
  return heap.buffer instanceof SharedArrayBuffer ? heap : undefined;
}

/**
 * The LSTM thread pool, if one runs and works in place on `heap`: then
 * it may split other large kernels too (see big_matmul.ts).
 */
export function inPlacePool(heap: WebAssembly.Memory): LstmThreads | undefined {
  return pool?.heap === heap ? pool : undefined;
}

/** The pool, if it can run kernels on `heap` (in place or on copies). */
function poolFor(heap: WebAssembly.Memory): LstmThreads | undefined {
  return pool !== undefined && (pool.heap === undefined || pool.heap === heap)
    ? pool
    : undefined;
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
 * Registers the `FusedLstm` and `FusedLstmGrad` kernels for the `wasm`
 * backend (once). {@link lstmRecurrence} calls it.
 *
 * @returns true if this call registered them, false if they were there
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { registerLstmKernels } from "./lstm_op.ts";
 * registerLstmKernels();
 * assert.ok(registerLstmKernels() === false);
 * ```
 */
export function registerLstmKernels(): boolean {
  if (tf.getKernel("FusedLstm", "wasm") !== undefined) return false;
  tf.registerKernel({
    kernelName: "FusedLstm",
    backendName: "wasm",
    kernelFunc: forwardKernel as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: "FusedLstmGrad",
    backendName: "wasm",
    kernelFunc: backwardKernel as tf.KernelFunc,
  });
  return true;
}

/** Whether a gradient tape is recording (tfjs-core keeps this private). */
function recording(): boolean {
  const state =
    (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 1) > 0;
}

type Recurrence = (
  xp: tf.Tensor,
  u: tf.Tensor2D,
  mask: tf.Tensor2D,
) => tf.Tensor;

/**
 * The recurrence with its hand-derived gradient, for one output kind. With
 * `ids`, `xp` is the projected vocabulary `[V, G]`: the kernel reads row
 * `ids[b, t]` at step t of row b, so no `[B, T, G]` projection is gathered,
 * and the table's gradient is the segment sum of the pre-activations'
 * gradient by id (what a gather's gradient is).
 */
function differentiable(sequences: boolean, ids?: tf.Tensor2D): Recurrence {
  const f = (
    xp: tf.Tensor,
    u: tf.Tensor2D,
    mask: tf.Tensor2D,
    save: tf.GradSaveFunc,
  ) => {
    const [hs, cs, gates, hLast] = tf.engine().runKernel(
      "FusedLstm",
      ids ? { xp, u, mask, ids } : { xp, u, mask },
      { train: true, sequences },
    ) as tf.Tensor[];
    // ids are saved too: the caller may dispose them before the gradient runs
    save([u, mask, hs!, cs!, gates!, ...(ids ? [ids] : [])]);
    return {
      value: sequences ? hs! : hLast!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [u, mask, hs, cs, gates, savedIds] = saved as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor3D,
          tf.Tensor3D,
          tf.Tensor3D,
          tf.Tensor2D | undefined,
        ];
        const [B, T, H] = hs.shape;
        const [dz, hPrevT] = tf.engine().runKernel(
          "FusedLstmGrad",
          { dy, gates, cs, mask, u, hs },
          { sequences },
        ) as [tf.Tensor3D, tf.Tensor2D]; // [B, T, G], [H, B*T]
        const dz2 = tf.reshape(dz, [B * T, 4 * H]);
        // dU = H_prev^T dZ with H_prev = h_{t-1}, zero at t = 0
        const du = tf.matMul(hPrevT, dz2); // [H, G]
        const dxp = savedIds === undefined ? dz : tf.unsortedSegmentSum(
          dz2,
          tf.reshape(savedIds, [B * T]),
          xp.shape[0]!,
        ); // [B, T, G], or the table's [V, G]
        return [dxp, du, tf.zerosLike(mask)];
      },
    };
  };
  return tf.customGrad(
    f as unknown as Parameters<typeof tf.customGrad>[0],
  ) as unknown as Recurrence;
}

const recurrences = {
  sequences: differentiable(true),
  last: differentiable(false),
};

/** Options of {@link lstmRecurrence}. */
export interface RecurrenceOptions {
  /** Return h for every step `[B, T, H]`, else only the last `[B, H]`. @default true */
  returnSequences?: boolean;
}

/** Throws unless `u` is the recurrent kernel `[H, G]` for G = 4H gate columns. */
function checkRecurrentKernel(u: tf.Tensor2D, G: number): void {
  const H = G / 4;
  if (u.shape[0] !== H || u.shape[1] !== G) {
    throw new RangeError(
      `Expected u of shape [${H}, ${G}] but found [${u.shape}]`,
    );
  }
}

/**
 * Runs the LSTM recurrence from zero state over precomputed input
 * projections: per step t, `z = xp[:, t] + h U`, `i, f, o = sigmoid`,
 * `g = tanh`, `c = f c + i g`, `h = o tanh(c)`; where `mask` is 0 the state
 * (h, c) is carried unchanged and the output is the carried h.
 * Differentiable in `xp` and `u`. Units that are not a multiple of 4 are
 * padded with zero weights (which keep the padded h and c at 0) and sliced off.
 *
 * @param xp input projection `x W + b`, `[B, T, 4H]`
 * @param u recurrent kernel, `[H, 4H]`
 * @param mask 1 for valid steps and 0 for padding, `[B, T]`, float32
 * @param options see {@link RecurrenceOptions}
 * @returns h for every step, `[B, T, H]`, or the last h, `[B, H]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { setupBackend } from "../backend/setup.ts";
 * import { lstmRecurrence } from "./lstm_op.ts";
 * await setupBackend({ log: false });
 * const hs = lstmRecurrence(tf.zeros([2, 3, 16]), tf.zeros([4, 16]), tf.ones([2, 3]));
 * assert.ok(hs.shape.join() === "2,3,4");
 * const h = lstmRecurrence(tf.zeros([2, 3, 16]), tf.zeros([4, 16]), tf.ones([2, 3]), {
 *   returnSequences: false,
 * });
 * assert.ok(h.shape.join() === "2,4");
 * ```
 */
export function lstmRecurrence(
  xp: tf.Tensor3D,
  u: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: RecurrenceOptions = {},
): tf.Tensor {
  registerLstmKernels();
  const sequences = options.returnSequences ?? true;
  const [B, T, G] = xp.shape;
  const H = G / 4;
  checkRecurrentKernel(u, G);
  if (H % 4 !== 0) {
    return tf.tidy(() => {
      const Hp = Math.ceil(H / 4) * 4;
      const padUnits = (t: tf.Tensor, rows: number) =>
        tf.pad(tf.reshape(t, [rows, 4, H]), [[0, 0], [0, 0], [0, Hp - H]]);
      const xpP = tf.reshape(padUnits(xp, B * T), [
        B,
        T,
        4 * Hp,
      ]) as tf.Tensor3D;
      const uP = tf.reshape(
        tf.pad(padUnits(u, H), [[0, Hp - H], [0, 0], [0, 0]]),
        [Hp, 4 * Hp],
      ) as tf.Tensor2D;
      const out = lstmRecurrence(xpP, uP, mask, options);
      return sequences
        ? tf.slice(out, [0, 0, 0], [B, T, H])
        : tf.slice(out, [0, 0], [B, H]);
    });
  }
  if (!recording()) {
    const out = tf.engine().runKernel("FusedLstm", { xp, u, mask }, {
      train: false,
      sequences,
    });
    return (Array.isArray(out) ? out[0] : out) as tf.Tensor;
  }
  return recurrences[sequences ? "sequences" : "last"](xp, u, mask);
}

/**
 * {@link lstmRecurrence} over a projected vocabulary: step t of row b reads
 * row `ids[b, t]` of `table` as its input projection. The kernel reads the
 * table directly, so the `[B, T, 4H]` projection is never gathered; while a
 * gradient tape records, the table's gradient is the segment sum of the
 * pre-activations' gradient by id. Where the kernel cannot read a table
 * (units not a multiple of 4, another backend, a thread pool working on
 * copies) the rows are gathered first and {@link lstmRecurrence} runs,
 * differentiable in `table` through the gather.
 *
 * @param table the projected vocabulary `E W + b`, `[V, 4H]`
 * @param ids token ids `[B, T]`, int32, each below V
 * @param u recurrent kernel, `[H, 4H]`
 * @param mask 1 for valid steps and 0 for padding, `[B, T]`, float32
 * @param options see {@link RecurrenceOptions}
 * @returns h for every step, `[B, T, H]`, or the last h, `[B, H]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { setupBackend } from "../backend/setup.ts";
 * import { lstmRecurrence, lstmRecurrenceOverTable } from "./lstm_op.ts";
 * await setupBackend({ log: false });
 * const table = tf.randomNormal([5, 16], 0, 1, "float32", 1) as tf.Tensor2D;
 * const ids = tf.tensor2d([[1, 4, 0], [3, 3, 2]], [2, 3], "int32");
 * const u = tf.randomNormal([4, 16], 0, 0.3, "float32", 2) as tf.Tensor2D;
 * const mask = tf.ones([2, 3]) as tf.Tensor2D;
 * const a = lstmRecurrenceOverTable(table, ids, u, mask).dataSync();
 * const xp = tf.reshape(tf.gather(table, tf.reshape(ids, [6])), [2, 3, 16]) as tf.Tensor3D;
 * const b = lstmRecurrence(xp, u, mask).dataSync();
 * assert.ok(a.every((v, i) => Math.abs(v - b[i]!) < 1e-6));
 * ```
 */
export function lstmRecurrenceOverTable(
  table: tf.Tensor2D,
  ids: tf.Tensor2D,
  u: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: RecurrenceOptions = {},
): tf.Tensor {
  registerLstmKernels();
  const [B, T] = ids.shape;
  const G = table.shape[1];
  const H = G / 4;
  const be = tf.backend() as unknown as WasmBackend;
  const direct = H % 4 === 0 && tf.getBackend() === "wasm" &&
    ids.dtype === "int32" &&
    (pool === undefined || pool.heap === heapOf(be.wasm));
  if (!direct) {
    return tf.tidy(() =>
      lstmRecurrence(
        tf.reshape(tf.gather(table, tf.reshape(ids, [B * T])), [B, T, G]),
        u,
        mask,
        options,
      )
    );
  }
  checkRecurrentKernel(u, G);
  const sequences = options.returnSequences ?? true;
  if (recording()) return differentiable(sequences, ids)(table, u, mask);
  const out = tf.engine().runKernel("FusedLstm", { xp: table, u, mask, ids }, {
    train: false,
    sequences,
  });
  return (Array.isArray(out) ? out[0] : out) as tf.Tensor;
}
