/**
 * Training hyperparameters, with the seed's values as defaults.
 *
 * @module
 */
import type { DistanceKind } from "../loss/contrastive.ts";

/**
 * Which loss trains the model:
 * - `contrastive`: contrastive loss on positives and random negatives;
 * - `online-contrastive`: contrastive loss on the hard pairs among all
 *   in-batch pairs (batches of positives);
 * - `infonce`: in-batch softmax over all rights (and lefts) of the batch.
 */
export type LossKind = "contrastive" | "online-contrastive" | "infonce";

/** The loss kinds accepted on the command line. */
export const LOSS_KINDS: readonly LossKind[] = [
  "contrastive",
  "online-contrastive",
  "infonce",
];

/**
 * What the loss sees of a model's lexical channel (`lexicalWeight > 0`):
 * `separate`, the LSTMs' own scores (the channel joins only when scoring);
 * `residual`, the mixed scores (the LSTMs learn what the channel misses);
 * `joint`, the sum of both losses.
 */
export type LexicalLossKind = "separate" | "residual" | "joint";

/** The lexical loss kinds accepted on the command line. */
export const LEXICAL_LOSS_KINDS: readonly LexicalLossKind[] = [
  "separate",
  "residual",
  "joint",
];

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
   * With a lexical channel: what the loss sees of it (see
   * {@link LexicalLossKind}). @default "separate"
   */
  lexicalLoss?: LexicalLossKind;
}

/** The seed's training setup. */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  epochs: 3,
  batchSize: 32,
  learningRate: 0.001,
  margin: 1,
  distance: "cosine",
  negatives: 1,
  seed: 1,
  loss: "contrastive",
  temperature: 0.05,
  lexicalLoss: "separate",
});
