/**
 * JavaScript side of the LSTM recurrence kernel in `lstm.c`: instantiates the
 * WebAssembly module from the bytes in `lstm_wasm.ts`, copies arguments into
 * its linear memory, runs it, and copies results out.
 *
 * Shapes use B batch rows, T timesteps, H units, G = 4H gate columns
 * (order i, f, g, o). All arrays are row-major float32.
 *
 * @module
 */
import { LSTM_WASM_BASE64 } from "./lstm_wasm.ts";

/** Arguments of {@link LstmKernel.forward}. */
export interface ForwardArgs {
  /** Batch rows B. */
  batch: number;
  /** Timesteps T. */
  steps: number;
  /** Units H; must be a multiple of 4. */
  units: number;
  /** Input projection x W + b, `[B, T, G]`. */
  xp: Float32Array;
  /** Recurrent kernel, `[H, G]`. */
  u: Float32Array;
  /** 1 where a step is valid, 0 where the state is carried, `[B, T]`. */
  mask: Float32Array;
  /** Out: h_t for every step, `[B, T, H]`. */
  hs: Float32Array;
  /** Out (training only): c_t for every step, `[B, T, H]`. */
  cs?: Float32Array;
  /** Out (training only): gates after activation, `[B, T, G]`. */
  gates?: Float32Array;
}

/** Arguments of {@link LstmKernel.backward}. */
export interface BackwardArgs {
  /** Batch rows B. */
  batch: number;
  /** Timesteps T. */
  steps: number;
  /** Units H; must be a multiple of 4. */
  units: number;
  /** Upstream gradient of every h_t, `[B, T, H]`. */
  dhs: Float32Array;
  /** Gates saved by forward, `[B, T, G]`. */
  gates: Float32Array;
  /** c_t saved by forward, `[B, T, H]`. */
  cs: Float32Array;
  /** Mask as given to forward, `[B, T]`. */
  mask: Float32Array;
  /** Recurrent kernel, `[H, G]`. */
  u: Float32Array;
  /** h_t saved by forward, `[B, T, H]`. */
  hs: Float32Array;
  /** Out: gradient of the pre-activations (= of xp), `[B, T, G]`. */
  dz: Float32Array;
  /** Out: h_{t-1} transposed (zero at t = 0), `[H, B*T]`: dU = hPrevT dz. */
  hPrevT: Float32Array;
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
  ): void;
  lstm_backward(
    b0: number,
    b1: number,
    T: number,
    H: number,
    dhs: number,
    gates: number,
    cs: number,
    mask: number,
    ut: number,
    dz: number,
    dh: number,
    dh2: number,
    dc: number,
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
  __heap_base: WebAssembly.Global;
}

const PAGE = 65536;

/** Byte-offset bump allocator over the module's memory, reset per call. */
class Arena {
  #next: number;
  constructor(readonly base: number) {
    this.#next = base;
  }
  /** Reserves `floats` float32 slots, 16-byte aligned; returns the offset. */
  take(floats: number): number {
    const at = this.#next;
    this.#next += Math.ceil((floats * 4) / 16) * 16;
    return at;
  }
  get end(): number {
    return this.#next;
  }
}

/**
 * One instance of the compiled kernel with its own shared memory.
 *
 * @example
 * ```ts
 * import { LstmKernel } from "./kernel.ts";
 * const k = LstmKernel.create();
 * // one row, one step, H = 4, all pre-activations 0: c = 0.5 * tanh(0) = 0
 * const hs = new Float32Array(4);
 * k.forward({
 *   batch: 1, steps: 1, units: 4, xp: new Float32Array(16),
 *   u: new Float32Array(64), mask: new Float32Array([1]), hs,
 * });
 * console.assert(hs.every((v) => v === 0));
 * ```
 */
export class LstmKernel {
  readonly #memory: WebAssembly.Memory;
  readonly #exports: Exports;
  readonly #heapBase: number;

  private constructor(memory: WebAssembly.Memory, exports: Exports) {
    this.#memory = memory;
    this.#exports = exports;
    this.#heapBase = exports.__heap_base.value as number;
  }

  /**
   * Compiles and instantiates the kernel (synchronously).
   *
   * @returns a ready kernel
   */
  static create(): LstmKernel {
    const bytes = Uint8Array.from(
      atob(LSTM_WASM_BASE64),
      (ch) => ch.charCodeAt(0),
    );
    const memory = new WebAssembly.Memory({
      initial: 4,
      maximum: 65536,
      shared: true,
    });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory },
    });
    return new LstmKernel(memory, instance.exports as unknown as Exports);
  }

  #reserve(end: number): void {
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / PAGE));
  }

  #put(at: number, src: Float32Array): void {
    new Float32Array(this.#memory.buffer, at, src.length).set(src);
  }

  #get(at: number, dst: Float32Array): void {
    dst.set(new Float32Array(this.#memory.buffer, at, dst.length));
  }

  /**
   * Runs the LSTM forward over all steps from zero state.
   *
   * @param a see {@link ForwardArgs}; `hs` (and `cs`, `gates` if given) are written
   */
  forward(a: ForwardArgs): void {
    const { batch: B, steps: T, units: H } = a;
    checkUnits(H);
    const G = 4 * H;
    const train = a.gates !== undefined && a.cs !== undefined;
    const m = new Arena(this.#heapBase);
    const xp = m.take(B * T * G), u = m.take(H * G), mask = m.take(B * T);
    const hs = m.take(B * T * H);
    const cs = train ? m.take(B * T * H) : 0;
    const gates = train ? m.take(B * T * G) : 0;
    const h = m.take(B * H), c = m.take(B * H), z = m.take(B * G);
    this.#reserve(m.end);
    this.#put(xp, a.xp);
    this.#put(u, a.u);
    this.#put(mask, a.mask);
    this.#exports.lstm_forward(0, B, T, H, xp, u, mask, hs, cs, gates, h, c, z);
    this.#get(hs, a.hs);
    if (train) {
      this.#get(cs, a.cs!);
      this.#get(gates, a.gates!);
    }
  }

  /**
   * Backpropagates through time: the gradient of the pre-activations, and
   * the transposed previous states the recurrent kernel's gradient needs.
   *
   * @param a see {@link BackwardArgs}; `dz` and `hPrevT` are written
   */
  backward(a: BackwardArgs): void {
    const { batch: B, steps: T, units: H } = a;
    checkUnits(H);
    const G = 4 * H;
    const m = new Arena(this.#heapBase);
    const dhs = m.take(B * T * H),
      gates = m.take(B * T * G),
      cs = m.take(B * T * H);
    const mask = m.take(B * T), u = m.take(H * G), ut = m.take(G * H);
    const dz = m.take(B * T * G);
    const hs = m.take(B * T * H), hPrevT = m.take(H * B * T);
    const dh = m.take(B * H), dh2 = m.take(B * H), dc = m.take(B * H);
    this.#reserve(m.end);
    this.#put(dhs, a.dhs);
    this.#put(gates, a.gates);
    this.#put(cs, a.cs);
    this.#put(mask, a.mask);
    this.#put(u, a.u);
    this.#put(hs, a.hs);
    this.#exports.transpose(H, G, u, ut);
    this.#exports.shift_transpose(0, B, B, T, H, hs, hPrevT);
    this.#exports.lstm_backward(
      0,
      B,
      T,
      H,
      dhs,
      gates,
      cs,
      mask,
      ut,
      dz,
      dh,
      dh2,
      dc,
    );
    this.#get(dz, a.dz);
    this.#get(hPrevT, a.hPrevT);
  }
}

function checkUnits(units: number): void {
  if (!(units > 0 && units % 4 === 0)) {
    throw new RangeError(
      `Expected units to be a positive multiple of 4 but found ${units}`,
    );
  }
}
