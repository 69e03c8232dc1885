/**
 * Dropout on a branch's pooled features (`[B, H]`, before the Dense layer),
 * with masks that depend only on the run's seed and the training step.
 *
 * tfjs-layers' own Dropout draws its mask from an unseeded generator, or,
 * given a seed, draws the same mask at every call; neither lets a resumed
 * run repeat an uninterrupted one. Here the training step opens a noise
 * scope ({@link withDropoutNoise}) with a seed made of the run's seed and
 * the step number, and each {@link FeatureDropout} call inside it takes the
 * next mask from that scope's generator, in call order (left branch, then
 * right). Outside training the layer passes its input through, so saved
 * models, `embed`, `eval` and the exports see no difference.
 *
 * Porting note: Keras `Dropout(rate)` after the pooling, with its masks
 * seeded per step.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import * as tfl from "../deps/tfjs_layers.ts";
import { Rng } from "../data/rng.ts";

/** Constructor options of {@link FeatureDropout}. */
export interface FeatureDropoutArgs {
  /** Share of features zeroed in training, in [0, 1). */
  rate: number;
  name?: string;
}

let scope: Rng | undefined;

/**
 * Runs `fn` with the dropout masks of one training step drawn from `seed`.
 * Scopes do not nest: the inner one wins until it ends.
 *
 * @param seed the step's noise seed, e.g. from {@link stepNoiseSeed}
 * @param fn what encodes the batch in training mode
 * @returns what `fn` returns
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { FeatureDropout, withDropoutNoise } from "./dropout.ts";
 * await setupBackend({ log: false });
 * const layer = new FeatureDropout({ rate: 0.5 });
 * const x = tf.ones([2, 8]);
 * const drop = (seed: number) =>
 *   withDropoutNoise(seed, () => layer.apply(x, { training: true }) as tf.Tensor).arraySync();
 * assert.deepEqual(drop(3), drop(3));
 * assert.notDeepEqual(drop(3), drop(4));
 * assert.deepEqual((layer.apply(x) as tf.Tensor).arraySync(), x.arraySync());
 * ```
 */
export function withDropoutNoise<T>(seed: number, fn: () => T): T {
  const outer = scope;
  scope = new Rng(seed);
  try {
    return fn();
  } finally {
    scope = outer;
  }
}

/**
 * The noise seed of a training step: a function of the run's seed and the
 * step's number alone, so a resumed run draws the masks it would have.
 *
 * @param seed the run's seed (`train.seed`)
 * @param step steps completed before this one
 * @returns an unsigned 32-bit seed
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { stepNoiseSeed } from "./dropout.ts";
 * assert.equal(stepNoiseSeed(1, 5), stepNoiseSeed(1, 5));
 * assert.notEqual(stepNoiseSeed(1, 5), stepNoiseSeed(1, 6));
 * assert.notEqual(stepNoiseSeed(1, 5), stepNoiseSeed(2, 5));
 * ```
 */
export function stepNoiseSeed(seed: number, step: number): number {
  // Mulberry32 over the mixed pair, then the step mixed in once more, keeps
  // nearby (seed, step) pairs apart
  const first = new Rng((Math.imul(seed, 0x9e3779b1) ^ step) >>> 0);
  return Math.floor(first.next() * 4294967296) ^ Math.imul(step, 0x85ebca6b);
}

/**
 * Dropout over `[B, H]` features in training, the identity otherwise;
 * serializable as `FeatureDropout`. A training call outside
 * {@link withDropoutNoise} is an error: its mask would not be reproducible.
 */
export class FeatureDropout extends tfl.layers.Layer {
  /** Name under which the class is registered for saving and loading. */
  static className = "FeatureDropout";
  readonly rate: number;

  /** @param args the rate and an optional layer name */
  constructor(args: FeatureDropoutArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new RangeError(
        `Expected the dropout rate to be in [0, 1) but found ${args.rate}`,
      );
    }
    this.rate = args.rate;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: { training?: boolean },
  ): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
    if (kwargs.training !== true || this.rate === 0) return x;
    if (scope === undefined) {
      throw new Error(
        `${this.name}: a training call outside withDropoutNoise (src/model/dropout.ts); ` +
          "encode in training mode through batchLoss or trainStep",
      );
    }
    const rng = new Rng(Math.floor(scope.next() * 4294967296));
    const keep = 1 / (1 - this.rate);
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) {
      mask[i] = rng.next() < this.rate ? 0 : keep;
    }
    return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(FeatureDropout);
