/**
 * JavaScript side of the LSTM recurrence kernel in `lstm.c`: instantiates the
 * WebAssembly module from the bytes in `lstm_wasm.ts` on a given memory
 * (tfjs-backend-wasm's heap) and calls it with byte offsets into that memory.
 *
 * Shapes use B batch rows, T timesteps, H units, G = 4H gate columns
 * (order i, f, g, o). All arrays are row-major float32. An offset of 0
 * means "absent" where an argument is optional.
 *
 * @module
 */
import {
  LSTM_WASM_BASE64,
  LSTM_WASM_RELAXED_BASE64,
  LSTM_WASM_RELAXED_SHARED_BASE64,
  LSTM_WASM_SHARED_BASE64,
} from "./lstm_wasm.ts";

/** Byte offsets of the arguments of {@link LstmKernel.forward}. */
export interface ForwardPointers {
  /**
   * Input projection x W + b, `[B, T, G]`; with `ids`, the projected
   * vocabulary `[V, G]`, read at row `ids[b, t]` for step t of row b.
   */
  xp: number;
  /** Recurrent kernel, `[H, G]`. */
  u: number;
  /** 1 where a step is valid, 0 where the state is carried, `[B, T]`. */
  mask: number;
  /** Out: h_t for every step, `[B, T, H]`; 0 to skip (inference, last h only). */
  hs: number;
  /** Out (training): c_t for every step, `[B, T, H]`; else 0. */
  cs: number;
  /** Out (training): gates after activation, `[B, T, G]`; else 0. */
  gates: number;
  /** Out: the last h, `[B, H]`. */
  h: number;
  /** Scratch `[B, H]` plus {@link SLACK_FLOATS}. */
  c: number;
  /** Scratch `[B, G]` plus {@link SLACK_FLOATS} (used when `gates` is 0). */
  z: number;
  /** Scratch `[B]` int32: the rows valid at a step. */
  act: number;
  /** Token ids `[B, T]` int32 when `xp` is a table; else 0. */
  ids?: number;
  /** Scratch `[B]` int32 used with `ids`. */
  idt?: number;
  /**
   * Scratch of {@link kcFloats} floats where the kernel keeps its
   * constants and an aligned copy of `u` (see lstm.c); one per thread.
   */
  kc: number;
}

/** Byte offsets of the arguments of {@link LstmKernel.backward}. */
export interface BackwardPointers {
  /** Upstream gradient of every h_t, `[B, T, H]`; 0 if only the last h was an output. */
  dhs: number;
  /** Upstream gradient of the last h, `[B, H]` (used when `dhs` is 0). */
  dhLast: number;
  /** Gates saved by forward, `[B, T, G]`. */
  gates: number;
  /** c_t saved by forward, `[B, T, H]`. */
  cs: number;
  /** Mask as given to forward, `[B, T]`. */
  mask: number;
  /** Recurrent kernel, `[H, G]`. */
  u: number;
  /** h_t saved by forward, `[B, T, H]`. */
  hs: number;
  /** Out: gradient of the pre-activations (= of xp), `[B, T, G]`. */
  dz: number;
  /** Out: h_{t-1} transposed (zero at t = 0), `[H, B*T]`: dU = hPrevT dz. */
  hPrevT: number;
  /**
   * Scratch `[G, H]`, `[B, H]`, `[B, H]`, `[B, H]`, each plus
   * {@link SLACK_FLOATS}, and `[B]` int32.
   */
  ut: number;
  dh: number;
  dh2: number;
  dc: number;
  act: number;
  /** Scratch of {@link kcFloats} floats, as in {@link ForwardPointers.kc}. */
  kc: number;
}

/**
 * Extra floats of each float scratch argument: tfjs places tensors at 8-byte
 * boundaries, and the kernel rounds scratch pointers up to 64 bytes (see
 * ALIGN64 in lstm.c).
 */
export const SLACK_FLOATS = 16;

/**
 * Floats of the scratch `kc` each kernel call needs per thread: slack, the
 * constants (lstm.c's KC_VECTORS = 32 vectors of four), and a copy of the
 * recurrent kernel `[H, 4H]`.
 *
 * @param units H
 * @returns the size in floats
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kcFloats } from "./kernel.ts";
 * assert.ok(kcFloats(4) === 16 + 128 + 64);
 * ```
 */
export function kcFloats(units: number): number {
  return SLACK_FLOATS + 4 * 32 + 4 * units * units;
}

/** Sizes shared by forward and backward. */
export interface Dims {
  /** Batch rows B. */
  batch: number;
  /** Timesteps T. */
  steps: number;
  /** Units H; a positive multiple of 4. */
  units: number;
}

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
  matmul(
    M: number,
    N: number,
    K: number,
    a: number,
    b: number,
    c: number,
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

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

function compile(base64: string): WebAssembly.Module {
  return new WebAssembly.Module(bytesOf(base64));
}

let relaxed: boolean | undefined;

/**
 * Whether the engine runs relaxed SIMD, so the kernel can use fused
 * multiply-add (V8 has since 11.4; Deno 2.9's does). Decided once.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { relaxedSimd } from "./kernel.ts";
 * assert.ok(typeof relaxedSimd() === "boolean");
 * ```
 */
export function relaxedSimd(): boolean {
  return relaxed ??= WebAssembly.validate(bytesOf(LSTM_WASM_RELAXED_BASE64));
}

/**
 * The kernel module's bytes, base64, for a plain or a shared memory: the
 * relaxed-SIMD build when {@link relaxedSimd}, else the SIMD128 one. Worker
 * threads compile the same variant as the calling thread, so every thread
 * rounds alike.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kernelBase64 } from "./kernel.ts";
 * assert.ok(kernelBase64(true) !== kernelBase64(false));
 * ```
 */
export function kernelBase64(shared: boolean): string {
  if (relaxedSimd()) {
    return shared ? LSTM_WASM_RELAXED_SHARED_BASE64 : LSTM_WASM_RELAXED_BASE64;
  }
  return shared ? LSTM_WASM_SHARED_BASE64 : LSTM_WASM_BASE64;
}
const instances = new WeakMap<WebAssembly.Memory, LstmKernel>();

/**
 * The compiled kernel bound to one memory.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { LstmKernel } from "./kernel.ts";
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
   * `C[M, N] = A[M, K] B[K, N]`, contiguous row-major float32, any sizes.
   * Unlike XNNPACK it does not pack B first, which pays off when B is large
   * and new on every call.
   *
   * @param m rows M of A and C
   * @param n columns N of B and C
   * @param k inner size K
   * @param a byte offset of A
   * @param b byte offset of B
   * @param c byte offset of C (written)
   */
  matmul(
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
  ): void {
    this.#exports.matmul(m, n, k, a, b, c);
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
