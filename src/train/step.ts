/**
 * One optimisation step: encode both branches, take the chosen loss,
 * minimize it, read its value.
 *
 * @module
 */
import type { Optimizer, Scalar } from "../backend/tf_types.ts";
import * as tf from "../deps/tfjs_core.ts";
import { encode, type Siamese } from "../model/siamese.ts";
import { chooseLoss, type LossOptions } from "../loss/choose.ts";
import type { Batch } from "../pairs/batches.ts";
import { forgetSeenProducts } from "../backend/big_matmul.ts";
import { withDropoutNoise } from "../model/dropout.ts";

export type { LossOptions };

/**
 * The batch's loss (the one {@link LossOptions} choose), as a scalar tensor.
 *
 * @param model both branches
 * @param batch the batch (not disposed here)
 * @param options the loss settings
 * @param training dropout and the like on (inference mode when false)
 * @param noiseSeed the step's dropout masks (see `src/model/dropout.ts`;
 *   the loop passes `stepNoiseSeed(seed, step)`) @default 0
 * @returns the loss, a scalar the caller disposes
 *
 * @example
 * ```ts
 * // see tests/train/step_test.ts
 * ```
 */
export function batchLoss(
  model: Siamese,
  batch: Batch,
  options: LossOptions,
  training = true,
  noiseSeed = 0,
): Scalar {
  const loss = chooseLoss(options);
  return withDropoutNoise(noiseSeed, () =>
    tf.tidy(() => {
      const a = encode(model.left, batch.left, training); // [B, D]
      const b = encode(model.right, batch.right, training); // [B, D]
      return loss(a, b, batch);
    }));
}

/**
 * The trainable variables of both branches, once each (shared weights are
 * not counted twice).
 */
export function trainableVariables(model: Siamese): tf.Variable[] {
  const seen = new Set<string>();
  const out: tf.Variable[] = [];
  for (const branch of [model.left, model.right]) {
    for (const w of branch.trainableWeights) {
      if (seen.has(w.name)) continue;
      seen.add(w.name);
      out.push(w.read() as tf.Variable);
    }
  }
  return out;
}

/**
 * Runs one step and returns the loss before the update. Its arithmetic
 * depends only on the weights, optimizer state, batch and noise seed, not on
 * what the process ran before (so a resumed run matches an uninterrupted one).
 * Leaves `tf.memory().numTensors` unchanged once the optimizer's slots exist.
 *
 * @param model both branches
 * @param batch the batch (not disposed here)
 * @param optimizer e.g. `tf.train.adam(1e-3)`
 * @param options distance and margin
 * @param noiseSeed the step's dropout masks, see {@link batchLoss}
 * @returns the loss value
 */
export function trainStep(
  model: Siamese,
  batch: Batch,
  optimizer: Optimizer,
  options: LossOptions,
  noiseSeed = 0,
): number {
  // the kernels of this step depend on the step alone (see big_matmul.ts)
  forgetSeenProducts();
  const vars = trainableVariables(model);
  const cost = optimizer.minimize(
    () => batchLoss(model, batch, options, true, noiseSeed),
    true,
    vars,
  );
  if (cost === null) throw new Error("optimizer.minimize returned no loss");
  const value = cost.dataSync()[0]!;
  cost.dispose();
  return value;
}
