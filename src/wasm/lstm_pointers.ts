/**
 * The sizes and byte offsets the LSTM kernels of `lstm_forward.c` and
 * `lstm_backward.c` take, and the scratch they need: shared by the kernel
 * instance, the thread pool and the tfjs kernels that allocate the buffers.
 *
 * Shapes use B batch rows, T timesteps, H units, G = 4H gate columns
 * (order i, f, g, o). All arrays are row-major float32. An offset of 0
 * means "absent" where an argument is optional.
 *
 * @module
 */

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
   * constants and an aligned copy of `u` (see lstm_forward.c); one per thread.
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
  /** Scratch `[G, H]` plus {@link SLACK_FLOATS}: `u` transposed. */
  ut: number;
  /** Scratch `[B, H]` plus {@link SLACK_FLOATS}: gradient of h_t. */
  dh: number;
  /**
   * Scratch `[B, H]` plus {@link SLACK_FLOATS}: gradient of h_{t-1}, built
   * while `dh` is read (the two swap every step).
   */
  dh2: number;
  /** Scratch `[B, H]` plus {@link SLACK_FLOATS}: gradient of c. */
  dc: number;
  /** Scratch `[B]` int32: the rows valid at a step. */
  act: number;
  /** Scratch of {@link kcFloats} floats, as in {@link ForwardPointers.kc}. */
  kc: number;
}

/**
 * Extra floats of each float scratch argument: tfjs places tensors at 8-byte
 * boundaries, and the kernel rounds scratch pointers up to 64 bytes (see
 * ALIGN64 in simd.h).
 */
export const SLACK_FLOATS = 16;

/**
 * Scratch floats of one thread's part of the kernel module's `matmul`: a
 * 256 x 16 panel of B (contiguous, so it stays in L1 while the rows of A
 * pass) plus {@link SLACK_FLOATS}.
 */
export const MATMUL_SCRATCH_FLOATS = 256 * 16 + SLACK_FLOATS;

/**
 * Scratch floats of the kernel module's `matmul_k` over `rows` rows of A
 * split in `parts` parts (one per thread): each part packs a 256 x 16 panel
 * of B and its rows' listed columns of A, 256 at a time.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { matmulKScratchFloats, MATMUL_SCRATCH_FLOATS } from "./lstm_pointers.ts";
 * assert.equal(matmulKScratchFloats(64, 2), 2 * MATMUL_SCRATCH_FLOATS + 256 * 64);
 * ```
 */
export function matmulKScratchFloats(rows: number, parts: number): number {
  return parts * MATMUL_SCRATCH_FLOATS + 256 * rows;
}

/**
 * Floats of the scratch `kc` each kernel call needs per thread: slack, the
 * constants (activations.h's KC_VECTORS = 32 vectors of four), and a copy of the
 * recurrent kernel `[H, 4H]`.
 *
 * @param units H
 * @returns the size in floats
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kcFloats } from "./lstm_pointers.ts";
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
