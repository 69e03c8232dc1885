/**
 * Training hyperparameters; their defaults, ranges and help are declared in
 * `src/settings/table.ts`.
 *
 * @module
 */
import type { DistanceKind } from "../loss/contrastive.ts";
import type { LossKind } from "../loss/choose.ts";
import type { InitKind } from "../settings/kinds.ts";
import { checkSection, sectionDefaults } from "../settings/values.ts";

/** How the loop trains. */
export interface TrainConfig {
  /** Passes over the training pairs. @default 3 */
  epochs: number;
  /** Pairs per step (positives and negatives together). @default 32 */
  batchSize: number;
  /** Adam's step size. @default 0.001 */
  learningRate: number;
  /** Contrastive margin; 1 suits cosine distance (range [0, 2]). @default 1 */
  margin: number;
  /** Distance the loss is applied to. @default "cosine" */
  distance: DistanceKind;
  /** Random negatives per positive per epoch. @default 1 */
  negatives: number;
  /** Seed for initial weights, pairing and shuffling. @default 1 */
  seed: number;
  /** The loss. @default "contrastive" */
  loss: LossKind;
  /** Softmax temperature of `infonce`. @default 0.05 */
  temperature: number;
  /**
   * In-batch losses: each pair's group in a batch also holds up to this many
   * pairs whose rights the model scores closest to its left, mined at the
   * start of each epoch (`src/infer/neighbours.ts`); 0 = random batches.
   * @default 0
   */
  hardNegatives: number;
  /**
   * Choose the lexical weight on the validation pairs after each epoch
   * (`src/infer/lexical_weight.ts`). @default false
   */
  tuneLexical: boolean;
  /**
   * Where the weights start: random (`none`) or the shipped pretrained
   * encoder (`gcide`, see `src/model/pretrained.ts`). @default "none"
   */
  init: InitKind;
}

/** The seed's training setup: the defaults declared in `src/settings/table.ts`. */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze(
  sectionDefaults("train") as unknown as TrainConfig,
);

/**
 * Checks a training config against the settings table and returns a
 * complete copy (defaults filled in).
 *
 * @param partial the settings to change from the defaults
 * @returns the complete config
 * @throws RangeError naming the setting, the value and what was expected,
 *   or a key that is not a training setting
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { trainConfig } from "./config.ts";
 * assert.equal(trainConfig({ epochs: 5 }).batchSize, 32);
 * assert.throws(() => trainConfig({ loss: "hinge" as "infonce" }), {
 *   message: 'train.loss: expected one of contrastive, online-contrastive, infonce but found "hinge".',
 * });
 * ```
 */
export function trainConfig(partial: Partial<TrainConfig> = {}): TrainConfig {
  const c = { ...DEFAULT_TRAIN_CONFIG, ...partial };
  checkSection("train", c);
  return c;
}
