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
import {
  infoNceLoss,
  type LexicalMix,
  lexicalNeedsCosine,
  onlineContrastiveLoss,
} from "../loss/in_batch.ts";
import type { LexicalLossKind, LossKind } from "./config.ts";
import type { Batch } from "./batches.ts";

/** What the loss needs besides the batch. */
export interface LossOptions {
  distance: DistanceKind;
  margin: number;
  /** @default "contrastive" */
  loss?: LossKind;
  /** For `infonce`. @default 0.05 */
  temperature?: number;
  /**
   * Weight λ of the batch's lexical cosines (`batch.lexical`) in the mixed
   * scores. @default 0
   */
  lexicalWeight?: number;
  /**
   * Which scores the loss is taken on when `lexicalWeight > 0`: the
   * branches' own (`separate`, no lexical cosines needed), the mixed ones
   * (`residual`), or both losses added (`joint`). @default "separate"
   */
  lexicalLoss?: LexicalLossKind;
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
    const weight = options.lexicalWeight ?? 0;
    const kind = weight > 0 ? options.lexicalLoss ?? "separate" : "separate";
    let lexical: LexicalMix | undefined;
    if (kind !== "separate") {
      if (batch.lexical === undefined) {
        throw new Error(
          `lexicalWeight is ${weight} but the batch has no lexical cosines: ` +
            "build it with makeBatch(..., { lexical: model.lexical }).",
        );
      }
      if (options.distance !== "cosine") throw lexicalNeedsCosine();
      lexical = { weight, cosines: batch.lexical };
    }
    const lossOf = (lexical?: LexicalMix): tf.Scalar => {
      switch (options.loss ?? "contrastive") {
        case "infonce":
          return infoNceLoss(a, b, options.temperature ?? 0.05, lexical);
        case "online-contrastive":
          return onlineContrastiveLoss(a, b, {
            distance: options.distance,
            margin: options.margin,
            ...(lexical ? { lexical } : {}),
          });
        default: {
          let d = distance(a, b, options.distance); // [B]
          if (lexical) {
            // 1 - ((1 - λ) cos + λ lex) = (1 - λ)(1 - cos) + λ (1 - lex)
            const own = tf.sum(tf.mul(lexical.cosines, tf.eye(a.shape[0])), 1);
            d = tf.add(tf.mul(d, 1 - weight), tf.mul(tf.sub(1, own), weight));
          }
          return contrastiveLoss(d, batch.labels, options.margin);
        }
      }
    };
    switch (kind) {
      case "residual":
        return lossOf(lexical);
      case "joint":
        return tf.add(lossOf(), lossOf(lexical)) as tf.Scalar;
      default:
        return lossOf();
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
