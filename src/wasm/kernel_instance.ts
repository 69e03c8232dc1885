/**
 * The kernel module of `kernels.c` instantiated on a given memory
 * (tfjs-backend-wasm's heap), with one typed method per export, each
 * taking byte offsets into that memory.
 *
 * Shapes use B batch rows, T timesteps, H units, G = 4H gate columns
 * (order i, f, g, o). All arrays are row-major float32. An offset of 0
 * means "absent" where an argument is optional.
 *
 * @module
 */
import { bytesOf, kernelBase64 } from "./kernel_bytes.ts";
import type {
  BackwardPointers,
  Dims,
  ForwardPointers,
} from "./lstm_pointers.ts";

/**
 * `matmul` and `matmul_plain`: C [M, N] = A [M, K] B [K, N] at byte offsets,
 * with `pk` scratch.
 */
type Product = (
  M: number,
  N: number,
  K: number,
  a: number,
  b: number,
  c: number,
  pk: number,
) => void;

interface Exports {
  lstm_forward(
    b0: number,
    b1: number,
    T: number,
    H: number,
    xp: number,
    u: number,
    mask: number,
    hs: number,
    cs: number,
    gates: number,
    h: number,
    c: number,
    z: number,
    act: number,
    ids: number,
    idt: number,
    kc: number,
  ): void;
  lstm_backward(
    b0: number,
    b1: number,
    T: number,
    H: number,
    dhs: number,
    dhl: number,
    gates: number,
    cs: number,
    mask: number,
    ut: number,
    dz: number,
    dh: number,
    dh2: number,
    dc: number,
    act: number,
    kc: number,
  ): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  shift_transpose(
    b0: number,
    b1: number,
    B: number,
    T: number,
    H: number,
    hs: number,
    hPrevT: number,
  ): void;
  matmul: Product;
  matmul_plain: Product;
  matmul_k(
    M: number,
    N: number,
    K: number,
    nk: number,
    kk: number,
    a: number,
    b: number,
    c: number,
    pk: number,
  ): void;
  segment_sum(
    N: number,
    D: number,
    S: number,
    d0: number,
    d1: number,
    x: number,
    ids: number,
    out: number,
  ): void;
  masked_max(
    B: number,
    T: number,
    H: number,
    x: number,
    mask: number,
    out: number,
    arg: number,
  ): void;
  adam_update(
    n: number,
    w: number,
    g: number,
    m: number,
    v: number,
    w2: number,
    m2: number,
    v2: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    d1: number,
    d2: number,
    eps: number,
    neglr: number,
  ): void;
  masked_max_grad(
    B: number,
    T: number,
    H: number,
    dy: number,
    arg: number,
    dx: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;
let compiledShared: WebAssembly.Module | undefined;

function compile(base64: string): WebAssembly.Module {
  return new WebAssembly.Module(bytesOf(base64));
}

const instances = new WeakMap<WebAssembly.Memory, LstmKernel>();

/**
 * The compiled kernel bound to one memory.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { LstmKernel } from "./kernel_instance.ts";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const k = LstmKernel.create(memory);
 * // B = 1, T = 1, H = 4 at byte offsets: xp 0, u 64, mask 320, h 336,
 * // c 352 (+ 16 floats of slack), z 480 (+ 16), act 608, kc 640 (kcFloats(4))
 * new Float32Array(memory.buffer, 320, 1)[0] = 1;
 * k.forward({ batch: 1, steps: 1, units: 4 }, {
 *   xp: 0, u: 64, mask: 320, hs: 0, cs: 0, gates: 0, h: 336, c: 352, z: 480, act: 608,
 *   kc: 640,
 * });
 * // all pre-activations 0: c = 0.5 * tanh(0) = 0, h = 0
 * assert.ok(new Float32Array(memory.buffer, 336, 4).every((v) => v === 0));
 * ```
 */
export class LstmKernel {
  readonly #exports: Exports;

  private constructor(exports: Exports) {
    this.#exports = exports;
  }

  /**
   * Instantiates the kernel (synchronously) on `memory`.
   *
   * @param memory the memory all offsets refer to
   * @returns a ready kernel
   */
  static create(memory: WebAssembly.Memory): LstmKernel {
    // tfjs-backend-wasm's threaded build has a shared memory, which only the
    // shared variant of the kernel can import
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const module = shared
      ? compiledShared ??= compile(kernelBase64(true))
      : compiled ??= compile(kernelBase64(false));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return new LstmKernel(instance.exports as unknown as Exports);
  }

  /**
   * The kernel for `memory`, instantiated on first use and then reused.
   *
   * @param memory the memory all offsets refer to
   * @returns the shared instance
   */
  static on(memory: WebAssembly.Memory): LstmKernel {
    let k = instances.get(memory);
    if (k === undefined) instances.set(memory, k = LstmKernel.create(memory));
    return k;
  }

  /**
   * `C[M, N] = A[M, K] B[K, N]`, contiguous row-major float32, any sizes,
   * with fused multiply-adds. It packs B panel by panel as it goes and
   * keeps no packing (XNNPACK packs all of B first and caches it), which
   * pays off when B is large and new on every call.
   *
   * @param m rows M of A and C
   * @param n columns N of B and C
   * @param k inner size K
   * @param a byte offset of A
   * @param b byte offset of B
   * @param c byte offset of C (written)
   * @param pk byte offset of scratch of {@link MATMUL_SCRATCH_FLOATS} floats
   */
  matmul(
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    pk: number,
  ): void {
    this.#exports.matmul(m, n, k, a, b, c, pk);
  }

  /**
   * {@link LstmKernel.matmul} with each multiply and add rounded on its own,
   * summed from zero in k order: the numbers XNNPACK's product gives in
   * tfjs-backend-wasm 4.22, so a product XNNPACK would compute can run here
   * instead without changing any digit.
   *
   * @param args as {@link LstmKernel.matmul}'s
   */
  matmulPlain(...args: Parameters<Product>): void {
    this.#exports.matmul_plain(...args);
  }

  /**
   * {@link LstmKernel.matmul} over the inner indices listed in `kk` only
   * (int32, increasing): `C = Σ A[:, k] B[k, :]` for k in `kk`, which equals
   * the whole product when B's other rows are zero, in the same order of
   * multiply-adds.
   *
   * @param m rows M of A and C
   * @param n columns N of B and C
   * @param k inner size K (A's row length)
   * @param nk how many indices `kk` lists
   * @param kk byte offset of the indices
   * @param a byte offset of A
   * @param b byte offset of B
   * @param c byte offset of C (written)
   * @param pk byte offset of scratch of `matmulKScratchFloats(m, 1)` floats
   */
  matmulK(
    m: number,
    n: number,
    k: number,
    nk: number,
    kk: number,
    a: number,
    b: number,
    c: number,
    pk: number,
  ): void {
    this.#exports.matmul_k(m, n, k, nk, kk, a, b, c, pk);
  }

  /**
   * `out[S, D]`: row n of `x [N, D]` added into row `ids[n]`, for columns
   * [d0, d1) (d0 a multiple of 4); ids outside [0, S) are skipped. Byte
   * offsets; `x` and `out` float32, `ids` int32.
   */
  segmentSum(
    n: number,
    d: number,
    s: number,
    d0: number,
    d1: number,
    x: number,
    ids: number,
    out: number,
  ): void {
    this.#exports.segment_sum(n, d, s, d0, d1, x, ids, out);
  }

  /**
   * Masked max over time: `out[b, h]` (float32 `[B, H]`) = the largest
   * `x[b, t, h]` (float32 `[B, T, H]`) over the steps whose `mask[b, t]`
   * (float32 `[B, T]`, byte offset 0 = every step) is not 0, and `arg[b, h]`
   * (int32) its first step; a row without steps gets 0 and -1. Byte offsets.
   */
  maskedMax(
    d: { batch: number; steps: number; width: number },
    x: number,
    mask: number,
    out: number,
    arg: number,
  ): void {
    this.#exports.masked_max(d.batch, d.steps, d.width, x, mask, out, arg);
  }

  /**
   * The gradient of {@link maskedMax}: `dx [B, T, H]` is `dy[b, h]` at step
   * `arg[b, h]` and 0 elsewhere. Byte offsets.
   */
  maskedMaxGrad(
    d: { batch: number; steps: number; width: number },
    dy: number,
    arg: number,
    dx: number,
  ): void {
    this.#exports.masked_max_grad(d.batch, d.steps, d.width, dy, arg, dx);
  }

  /**
   * One Adam step over `n` float32 weights, as tfjs's `AdamOptimizer`
   * computes it op by op (bit-identical): reads the weights `w`, gradient
   * `g` and moments `m`, `v`; writes the new ones to `w2`, `m2`, `v2`
   * (byte offsets; fresh buffers, never the inputs).
   *
   * @param n weights
   * @param p byte offsets
   * @param k the step's float32 constants: `b1`, `b2`; `c1` = 1 - b1,
   *   `c2` = 1 - b2; `d1` = 1 - b1^t, `d2` = 1 - b2^t; `eps`; `negLr` = -lr
   */
  adamUpdate(
    n: number,
    p: {
      w: number;
      g: number;
      m: number;
      v: number;
      w2: number;
      m2: number;
      v2: number;
    },
    k: {
      b1: number;
      c1: number;
      b2: number;
      c2: number;
      d1: number;
      d2: number;
      eps: number;
      negLr: number;
    },
  ): void {
    this.#exports.adam_update(
      n,
      p.w,
      p.g,
      p.m,
      p.v,
      p.w2,
      p.m2,
      p.v2,
      k.b1,
      k.c1,
      k.b2,
      k.c2,
      k.d1,
      k.d2,
      k.eps,
      k.negLr,
    );
  }

  /**
   * Runs the LSTM forward over all steps from zero state.
   *
   * @param d sizes
   * @param p byte offsets, see {@link ForwardPointers}
   */
  forward(d: Dims, p: ForwardPointers): void {
    this.forwardRows(d, 0, d.batch, p);
  }

  /**
   * {@link forward} for rows [b0, b1) only; `p.act` must have room for
   * b1 - b0 entries.
   */
  forwardRows(d: Dims, b0: number, b1: number, p: ForwardPointers): void {
    checkUnits(d.units);
    this.#exports.lstm_forward(
      b0,
      b1,
      d.steps,
      d.units,
      p.xp,
      p.u,
      p.mask,
      p.hs,
      p.cs,
      p.gates,
      p.h,
      p.c,
      p.z,
      p.act,
      p.ids ?? 0,
      p.idt ?? 0,
      p.kc,
    );
  }

  /**
   * Backpropagates through time: the gradient of the pre-activations, and
   * the transposed previous states the recurrent kernel's gradient needs.
   *
   * @param d sizes
   * @param p byte offsets, see {@link BackwardPointers}
   */
  backward(d: Dims, p: BackwardPointers): void {
    this.backwardRows(d, d.batch, p);
  }

  /**
   * {@link backward} for the first `rows` batch rows only (the other rows'
   * parts of `dz` and `hPrevT` are left alone): the calling thread's share.
   *
   * @param d sizes of the whole arrays
   * @param rows rows [0, rows) to run
   * @param p byte offsets, see {@link BackwardPointers}
   */
  backwardRows(d: Dims, rows: number, p: BackwardPointers): void {
    this.transposeKernel(d, p);
    this.backwardRange(d, 0, rows, p);
  }

  /**
   * Writes `p.ut`, the recurrent kernel transposed, which
   * {@link LstmKernel.backwardRange} reads.
   */
  transposeKernel(d: Dims, p: BackwardPointers): void {
    checkUnits(d.units);
    this.#exports.transpose(d.units, 4 * d.units, p.u, p.ut);
  }

  /**
   * {@link backward} for rows [b0, b1) only, after
   * {@link LstmKernel.transposeKernel}; `p.act` must have room for
   * b1 - b0 entries (threads running other rows pass other parts of it).
   */
  backwardRange(d: Dims, b0: number, b1: number, p: BackwardPointers): void {
    checkUnits(d.units);
    const { batch: B, steps: T, units: H } = d;
    const e = this.#exports;
    e.shift_transpose(b0, b1, B, T, H, p.hs, p.hPrevT);
    e.lstm_backward(
      b0,
      b1,
      T,
      H,
      p.dhs,
      p.dhLast,
      p.gates,
      p.cs,
      p.mask,
      p.ut,
      p.dz,
      p.dh,
      p.dh2,
      p.dc,
      p.act,
      p.kc,
    );
  }
}

function checkUnits(units: number): void {
  if (!(units > 0 && units % 4 === 0)) {
    throw new RangeError(
      `Expected units to be a positive multiple of 4 but found ${units}`,
    );
  }
}
