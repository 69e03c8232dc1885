/**
 * The choices of the settings whose values are names: each list declared
 * once, with the type it makes. The modules that use a kind re-export its
 * type (`LossKind` from `src/loss/choose.ts`, ...); the settings table takes
 * the lists for its checks and `--help`.
 *
 * @module
 */

/**
 * Which loss trains the model:
 * - `contrastive`: contrastive loss on positives and random negatives;
 * - `online-contrastive`: contrastive loss on the hard pairs among all
 *   in-batch pairs (batches of positives);
 * - `infonce`: in-batch softmax over all rights (and lefts) of the batch.
 */
export const LOSS_KINDS = [
  "contrastive",
  "online-contrastive",
  "infonce",
] as const;

/** One of {@link LOSS_KINDS}. */
export type LossKind = typeof LOSS_KINDS[number];

/**
 * What the loss sees of the lexical channel: `separate`, the LSTMs' own
 * scores (the channel joins only when scoring); `residual`, the mixed scores
 * (the LSTMs learn what the channel misses); `joint`, the sum of both losses.
 */
export const LEXICAL_LOSS_KINDS = ["separate", "residual", "joint"] as const;

/** One of {@link LEXICAL_LOSS_KINDS}. */
export type LexicalLossKind = typeof LEXICAL_LOSS_KINDS[number];

/** The distances between two branches' outputs, see `src/loss/contrastive.ts`. */
export const DISTANCE_KINDS = ["cosine", "euclidean"] as const;

/** One of {@link DISTANCE_KINDS}. */
export type DistanceKind = typeof DISTANCE_KINDS[number];

/**
 * What a branch keeps of the LSTM's outputs over time: the last state, or
 * the masked mean or max.
 */
export const POOLING_KINDS = ["last", "mean", "max"] as const;

/** One of {@link POOLING_KINDS}. */
export type PoolingKind = typeof POOLING_KINDS[number];

/**
 * The LSTM implementations: `fused` (one WebAssembly op per sequence) or
 * `stock` (tfjs-layers' LSTM, per-timestep ops, ~20x slower).
 */
export const LSTM_KINDS = ["fused", "stock"] as const;

/** One of {@link LSTM_KINDS}. */
export type LstmKind = typeof LSTM_KINDS[number];

/**
 * Where training starts: `none`, from random weights; `gcide`, from the
 * character encoder pretrained on GCIDE's definitions that ships with the
 * project (`src/model/pretrained.ts`; it needs {@link PRETRAINED_SHAPE}).
 */
export const INIT_KINDS = ["none", "gcide"] as const;

/** One of {@link INIT_KINDS}. */
export type InitKind = typeof INIT_KINDS[number];

/**
 * The architecture the shipped pretrained encoder has: a model can start
 * from it only with these settings (by public name) and character tokens
 * on both sides. `tests/model/pretrained_test.ts` checks the shipped weights
 * against it.
 */
export const PRETRAINED_SHAPE: Readonly<
  Record<string, string | number | boolean>
> = Object.freeze({
  "model.embedding_dim": 32,
  "model.lstm_units": 128,
  "model.dense_units": 256,
  "model.pooling": "max",
  "model.bidirectional": false,
});
