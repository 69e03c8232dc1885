/**
 * Choosing the loss: from the training config's loss settings to one
 * function of the two branches' outputs and the batch. Training takes it on
 * each step's batch, validation on fixed batches of the validation pairs,
 * so both report the same quantity.
 *
 * - `contrastive` (`./contrastive.ts`): labelled pairs, positives and
 *   random negatives;
 * - `online-contrastive`, `infonce` (`./in_batch.ts`): batches of
 *   positives, the other rows being the negatives.
 *
 * With a lexical channel (`lexicalWeight > 0`), `lexicalLoss` routes the
 * loss: `separate` takes it on the branches' own scores, `residual` on the
 * mixed scores of `src/lexical/mix.ts`, `joint` adds both.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { contrastiveLoss, distance, type DistanceKind } from "./contrastive.ts";
import { infoNceLoss, onlineContrastiveLoss } from "./in_batch.ts";
import {
  type LexicalMix,
  lexicalNeedsCosine,
  mixDistances,
} from "../lexical/mix.ts";
import type { LexicalConfig, LexicalLossKind } from "../lexical/config.ts";

export type { LossKind } from "../settings/kinds.ts";
import type { LossKind } from "../settings/kinds.ts";

/** The loss settings of a training config (and the model's λ). */
export interface LossOptions {
  /** Distance of the contrastive losses. */
  distance: DistanceKind;
  /** Contrastive margin. */
  margin: number;
  /** Which loss (see the module docs). @default "contrastive" */
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

/** What a loss reads of a batch besides the branch outputs. */
export interface LossBatch {
  /** Labels `[B]`, 1 = similar (read by `contrastive` only). */
  labels: tf.Tensor1D;
  /** Lexical cosines of every left with every right row `[B, B]`. */
  lexical?: tf.Tensor2D;
}

/**
 * A chosen loss: left outputs `[B, D]`, right outputs `[B, D]` and the
 * batch give a scalar tensor.
 */
export type PairLoss = (
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  batch: LossBatch,
) => tf.Scalar;

/**
 * The loss options of a training config and a model's lexical weight.
 *
 * @param train the training config
 * @param model the model config (its lexical channel)
 * @returns the options for {@link chooseLoss}
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { lossOptionsOf } from "./choose.ts";
 * import { DEFAULT_TRAIN_CONFIG } from "../train/config.ts";
 * const o = lossOptionsOf(DEFAULT_TRAIN_CONFIG, { lexical: { weight: 0, loss: "separate" } });
 * assert.strictEqual(o.loss, "contrastive");
 * assert.strictEqual(o.lexicalLoss, "separate");
 * ```
 */
export function lossOptionsOf(
  train: Pick<LossOptions, "distance" | "margin"> & {
    loss: LossKind;
    temperature: number;
  },
  model: { lexical: Pick<LexicalConfig, "weight" | "loss"> },
): Required<LossOptions> {
  return {
    distance: train.distance,
    margin: train.margin,
    loss: train.loss,
    temperature: train.temperature,
    lexicalWeight: model.lexical.weight,
    lexicalLoss: model.lexical.loss,
  };
}

/**
 * Whether the chosen loss reads the batch's lexical cosines, so batches
 * must carry them.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { readsLexical } from "./choose.ts";
 * const o = { distance: "cosine" as const, margin: 1, lexicalLoss: "joint" as const };
 * assert.strictEqual(readsLexical({ ...o, lexicalWeight: 0.5 }), true);
 * assert.strictEqual(readsLexical({ ...o, lexicalWeight: 0 }), false);
 * ```
 */
export function readsLexical(options: LossOptions): boolean {
  return (options.lexicalWeight ?? 0) > 0 &&
    (options.lexicalLoss ?? "separate") !== "separate";
}

/**
 * Whether the loss is an in-batch one: it takes batches of positive pairs,
 * the other rows of the batch serving as negatives (labels unused).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { inBatch } from "./choose.ts";
 * assert.strictEqual(inBatch({ distance: "cosine", margin: 1, loss: "infonce" }), true);
 * assert.strictEqual(inBatch({ distance: "cosine", margin: 1 }), false);
 * ```
 */
export function inBatch(options: LossOptions): boolean {
  return (options.loss ?? "contrastive") !== "contrastive";
}

/**
 * The loss function for these options.
 *
 * @param options see {@link LossOptions}
 * @returns the loss of (left outputs, right outputs, batch)
 * @throws RangeError when the lexical cosines are read and the distance is
 *   not cosine
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { chooseLoss } from "./choose.ts";
 * await setupBackend({ log: false });
 * const loss = chooseLoss({ distance: "cosine", margin: 1 });
 * const x = tf.tensor2d([[1, 0], [0, 1]]);
 * // positives at distance 0 cost nothing
 * const l = loss(x, x, { labels: tf.tensor1d([1, 1]) }).dataSync()[0]!;
 * assert.ok(Math.abs(l) < 1e-6);
 * ```
 */
export function chooseLoss(options: LossOptions): PairLoss {
  const weight = options.lexicalWeight ?? 0;
  const route = readsLexical(options) ? options.lexicalLoss! : "separate";
  if (route !== "separate" && options.distance !== "cosine") {
    throw lexicalNeedsCosine();
  }
  const kind = kindOf(options);
  const mixOf = (batch: LossBatch): LexicalMix => {
    if (batch.lexical === undefined) {
      throw new Error(
        `lexicalWeight is ${weight} but the batch has no lexical cosines: ` +
          "build it with makeBatch(..., { lexical: model.lexical }).",
      );
    }
    return { weight, cosines: batch.lexical };
  };
  switch (route) {
    case "residual":
      return (a, b, batch) => kind(a, b, batch.labels, mixOf(batch));
    case "joint":
      return (a, b, batch) =>
        tf.tidy(() =>
          tf.add(
            kind(a, b, batch.labels),
            kind(a, b, batch.labels, mixOf(batch)),
          ) as tf.Scalar
        );
    default:
      return (a, b, batch) => kind(a, b, batch.labels);
  }
}

/** The loss kind's function, on the own or the mixed scores. */
function kindOf(
  options: LossOptions,
): (
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  labels: tf.Tensor1D,
  lexical?: LexicalMix,
) => tf.Scalar {
  switch (options.loss ?? "contrastive") {
    case "infonce":
      return (a, b, _labels, lexical) =>
        infoNceLoss(a, b, options.temperature ?? 0.05, lexical);
    case "online-contrastive":
      return (a, b, _labels, lexical) =>
        onlineContrastiveLoss(a, b, {
          distance: options.distance,
          margin: options.margin,
          ...(lexical ? { lexical } : {}),
        });
    default:
      return (a, b, labels, lexical) =>
        tf.tidy(() => {
          const d = distance(a, b, options.distance); // [B]
          return contrastiveLoss(
            lexical ? mixDistances(d, lexical) : d,
            labels,
            options.margin,
          );
        });
  }
}
