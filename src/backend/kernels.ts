/**
 * Every kernel this project adds to tfjs-backend-wasm or wraps in it, in
 * one ordered list ({@link KERNELS}), registered once by
 * {@link registerKernels} from `setupBackend`. No other module registers a
 * kernel; the model calls them by name.
 *
 * Why each one is there, measured:
 * - Chained ops are installed by {@link registerChainedOps}.
 * - The wasm backend lacks `UnsortedSegmentSum` (gradient of `gather`):
 *   {@link registerSegmentSum} adds it.
 * - Its max gradient compares every element with the broadcast maximum,
 *   element by element (about 30 ms per call for [32, 256, 128]):
 *   {@link registerMaskedMax} adds masked max pooling with its gradient.
 * - Its `BatchMatMul` is ~10x slower with `transposeA`/`transposeB`, which
 *   every matMul gradient uses: {@link registerTransposedMatMul} transposes
 *   explicitly instead.
 * - Its `BatchMatMul` packs the right operand before multiplying, which
 *   costs more than the product when that operand is large and new (as in
 *   gradients): {@link registerBigMatMul} multiplies those without packing.
 * - Its `Sum` over leading axes (every bias gradient) transposes the whole
 *   input first: {@link registerLeadingSum} sums columns instead.
 * - Its `GatherV2` (every Embedding lookup) copies element by element:
 *   {@link registerRowGather} copies whole rows along axis 0.
 * - Its `Identity` (every tensor a gradient saves is cloned) copies the
 *   data: {@link registerSharedIdentity} shares it, as tfjs's CPU backend.
 * - The LSTM recurrence runs as two kernels of our own, `FusedLstm` and
 *   `FusedLstmGrad` ({@link registerLstmKernels}), instead of tfjs-layers'
 *   per-step graph of small ops.
 * - Its `NotEqual` against a single value (every Embedding mask) goes
 *   through its general broadcasting comparison (85-98 µs for [32, 600]):
 *   {@link registerScalarNotEqual} compares in one loop.
 * - An Embedding output that only vocabulary-table readers follow is never
 *   read: {@link registerUnreadPlaceholder} allocates it without writing
 *   (zeros cost 0.36 ms of a 12-15 ms inference batch in a kernel, 4 ms with
 *   tf.zeros).
 *
 * @module
 */
import { registerBigMatMul } from "./big_matmul.ts";
import { registerChainedOps } from "./chained_ops.ts";
import { registerLeadingSum } from "./leading_sum.ts";
import { registerLstmKernels } from "./lstm_kernels.ts";
import { registerMaskedMax } from "./masked_max.ts";
import { registerRowGather } from "./row_gather.ts";
import { registerSegmentSum } from "./segment_sum.ts";
import { registerScalarNotEqual } from "./scalar_not_equal.ts";
import { registerSharedIdentity } from "./shared_identity.ts";
import { registerTransposedMatMul } from "./transposed_matmul.ts";
import { registerUnreadPlaceholder } from "./unread_placeholder.ts";

/**
 * The registrations, in order. Each is idempotent. Kernels of distinct
 * names do not depend on one another; the order matters only where two
 * wrap the same tfjs kernel, since each wrapper calls the kernel registered
 * before it.
 */
export const KERNELS: readonly (() => unknown)[] = [
  // Tensor methods, not a kernel; first, as they always were
  registerChainedOps,
  // new kernels (names tfjs-backend-wasm lacks): any order
  registerSegmentSum,
  registerMaskedMax,
  // before registerTransposedMatMul: that wrapper then sits on this one and
  // feeds it untransposed operands; the other way round, this one would see
  // the transposed flags and always fall back to XNNPACK
  registerBigMatMul,
  registerTransposedMatMul,
  // each wraps a kernel no other entry wraps: any order
  registerLeadingSum,
  registerRowGather,
  registerSharedIdentity,
  registerScalarNotEqual,
  // new kernels of the model's LSTM and token table: any order
  registerLstmKernels,
  registerUnreadPlaceholder,
];

/**
 * Registers every kernel of {@link KERNELS}, in order. `setupBackend` calls
 * it once, before starting the backend; calling it again changes nothing.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * import { registerKernels } from "./kernels.ts";
 * await setupBackend({ log: false }); // registers them
 * registerKernels();
 * assert.ok(tf.getKernel("FusedLstm", "wasm") !== undefined);
 * assert.ok(tf.getKernel("UnreadPlaceholder", "wasm") !== undefined);
 * ```
 */
export function registerKernels(): void {
  for (const register of KERNELS) register();
}
