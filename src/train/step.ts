/**
 * One optimisation step: forward both branches, loss, backward, update.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  contrastiveLoss,
  distance,
  type DistanceKind,
} from "../loss/contrastive.ts";
import { encode, type Siamese } from "../model/siamese.ts";
import { infoNceLoss, onlineContrastiveLoss } from "../loss/in_batch.ts";
import type { LossKind } from "./config.ts";
import type { Batch } from "./batches.ts";

/** What the loss needs besides the batch. */
export interface LossOptions {
  distance: DistanceKind;
  margin: number;
  /** @default "contrastive" */
  loss?: LossKind;
  /** For `infonce`. @default 0.05 */
  temperature?: number;
}

/**
 * The batch's contrastive loss, as a scalar tensor (inside a tidy).
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
): tf.Scalar {
  return tf.tidy(() => {
    const a = encode(model.left, batch.left, training); // [B, D]
    const b = encode(model.right, batch.right, training); // [B, D]
    switch (options.loss ?? "contrastive") {
      case "infonce":
        return infoNceLoss(a, b, options.temperature ?? 0.05);
      case "online-contrastive":
        return onlineContrastiveLoss(a, b, options);
      default:
        return contrastiveLoss(
          distance(a, b, options.distance),
          batch.labels,
          options.margin,
        );
    }
  });
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
 * Runs one step and returns the loss before the update.
 * Leaves `tf.memory().numTensors` unchanged once the optimizer's slots exist.
 *
 * @param model both branches
 * @param batch the batch (not disposed here)
 * @param optimizer e.g. `tf.train.adam(1e-3)`
 * @param options distance and margin
 * @returns the loss value
 */
export function trainStep(
  model: Siamese,
  batch: Batch,
  optimizer: tf.Optimizer,
  options: LossOptions,
): number {
  const vars = trainableVariables(model);
  const cost = optimizer.minimize(
    () => batchLoss(model, batch, options),
    true,
    vars,
  );
  if (cost === null) throw new Error("optimizer.minimize returned no loss");
  const value = cost.dataSync()[0]!;
  cost.dispose();
  return value;
}
