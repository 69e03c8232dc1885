/**
 * Pooling an LSTM's outputs over time, respecting the padding mask, as an
 * alternative to keeping only the last state: the mean or the maximum over
 * the real (unmasked) timesteps. `[B, T, H]` -> `[B, H]`.
 *
 * Porting note: Keras has GlobalAveragePooling1D (mask-aware) and
 * GlobalMaxPooling1D (not mask-aware); this one layer does both, masked.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import * as tfl from "../deps/tfjs_layers.ts";
import { maskedMaxOnWasm } from "../backend/masked_max.ts";

/** How outputs are pooled over time. */
export type PoolingMode = "mean" | "max";

/** Constructor options of {@link MaskedPooling}. */
export interface MaskedPoolingArgs {
  mode: PoolingMode;
  name?: string;
}

/**
 * Masked mean or max over the time axis.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { maskedPool } from "./pooling.ts";
 * await setupBackend({ log: false });
 * const x = tf.tensor3d([[[1], [3], [100]]]); // third step is padding
 * const mask = tf.tensor2d([[1, 1, 0]]);
 * assert.deepEqual(maskedPool(x, mask, "mean").arraySync(), [[2]]);
 * assert.deepEqual(maskedPool(x, mask, "max").arraySync(), [[3]]);
 * ```
 */
export function maskedPool(
  x: tf.Tensor3D,
  mask: tf.Tensor | null | undefined,
  mode: PoolingMode,
): tf.Tensor2D {
  return tf.tidy(() => {
    if (mask === null || mask === undefined) {
      return (mode === "mean" ? tf.mean(x, 1) : tf.max(x, 1)) as tf.Tensor2D;
    }
    const m = tf.expandDims(tf.cast(mask, "float32"), 2); // [B, T, 1]
    if (mode === "mean") {
      const count = tf.maximum(tf.sum(m, 1), 1); // [B, 1]
      return tf.div(tf.sum(tf.mul(x, m), 1), count) as tf.Tensor2D;
    }
    const fast = maskedMaxOnWasm(x, mask);
    if (fast !== undefined) return fast;
    // masked steps get -1e9 so they never win; an all-padding row gives 0
    const shifted = tf.add(x, tf.mul(tf.sub(m, 1), 1e9)); // [B, T, H]
    const any = tf.cast(tf.greater(tf.sum(m, 1), 0), "float32"); // [B, 1]
    return tf.mul(tf.max(shifted, 1), any) as tf.Tensor2D;
  });
}

/** A layer applying {@link maskedPool}; serializable as `MaskedPooling`. */
export class MaskedPooling extends tfl.layers.Layer {
  /** Name under which the class is registered for saving and loading. */
  static className = "MaskedPooling";
  readonly mode: PoolingMode;

  /** @param args the pooling mode and an optional layer name */
  constructor(args: MaskedPoolingArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    if (args.mode !== "mean" && args.mode !== "max") {
      throw new RangeError(
        `Expected mode to be "mean" or "max" but found "${args.mode}"`,
      );
    }
    this.mode = args.mode;
    this.supportsMasking = true;
  }

  override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tfl.Shape;
    return [s[0]!, s[2]!];
  }

  override computeMask(): tf.Tensor {
    // the pooled output has no time axis left to mask
    return null as unknown as tf.Tensor;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: { mask?: tf.Tensor | tf.Tensor[] },
  ): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const mask = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
    return maskedPool(x, mask, this.mode);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(MaskedPooling);
