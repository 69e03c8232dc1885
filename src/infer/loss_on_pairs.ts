/**
 * The training loss on held-out pairs, from their output vectors: the same
 * loss function (kind, margin, temperature, lexical routing) on fixed
 * batches, so the validation loss and the training loss are one quantity.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { PairSet } from "../data/types.ts";
import { batchCosines } from "../lexical/hybrid.ts";
import type { LexicalIndex } from "../lexical/ngram_tfidf.ts";
import { sparseDotMatrix, type SparseVector } from "../lexical/sparse.ts";
import {
  chooseLoss,
  inBatch,
  type LossOptions,
  readsLexical,
} from "../loss/choose.ts";

/** Output vectors of both sides, row-major `[N, D]`. */
export interface PairVectors {
  /** Left outputs `[N, D]`. */
  left: Float32Array;
  /** Right outputs `[N, D]`. */
  right: Float32Array;
  /** D. */
  dim: number;
}

/** Scored pairs: row `left[k]` with row `right[k]`, label `labels[k]`. */
export interface PairList {
  /** Rows of the left vectors. */
  left: ArrayLike<number>;
  /** Rows of the right vectors. */
  right: ArrayLike<number>;
  /** 1 = similar, 0 = dissimilar. */
  labels: ArrayLike<number>;
}

/** Options for {@link lossOnPairs}. */
export interface LossOnPairsOptions {
  /** The loss settings, as in training. */
  loss: LossOptions;
  /** Pairs per batch, in their order. @default 32 */
  batchSize?: number;
  /**
   * For a loss that reads lexical cosines: the lexical index and the pair
   * set the rows index, or each row's lexical vector.
   */
  lexical?:
    | { index: LexicalIndex; set: PairSet }
    | {
      left: (i: number) => SparseVector;
      right: (j: number) => SparseVector;
    };
}

/**
 * The loss on `pairs` in batches of `batchSize` taken in order, averaged
 * over pairs (each batch weighs its size). In-batch losses
 * (`online-contrastive`, `infonce`) see the positive pairs only, as in
 * training; the contrastive loss sees all pairs.
 *
 * @param vectors the output vectors the pairs index
 * @param pairs the pairs
 * @param options see {@link LossOnPairsOptions}
 * @returns the mean loss; NaN when no pair is left
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { lossOnPairs } from "./loss_on_pairs.ts";
 * await setupBackend({ log: false });
 * const vectors = { left: Float32Array.of(1, 0, 0, 1), right: Float32Array.of(1, 0, 0, 1), dim: 2 };
 * // a positive at cosine distance 0, a negative at 1 = margin: nothing to pay
 * const l = lossOnPairs(vectors, { left: [0, 0], right: [0, 1], labels: [1, 0] },
 *   { loss: { distance: "cosine", margin: 1 } });
 * assert.ok(Math.abs(l) < 1e-6);
 * ```
 */
export function lossOnPairs(
  vectors: PairVectors,
  pairs: PairList,
  options: LossOnPairsOptions,
): number {
  const loss = chooseLoss(options.loss);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `Expected batchSize to be an integer greater than 0 but found ${batchSize}`,
    );
  }
  const keep = Array.from({ length: pairs.labels.length }, (_, k) => k).filter((
    k,
  ) => !inBatch(options.loss) || pairs.labels[k] === 1);
  const lexical = readsLexical(options.loss) ? options.lexical : undefined;
  const { dim } = vectors;
  const rows = (v: Float32Array, ids: number[]) => {
    const out = new Float32Array(ids.length * dim);
    ids.forEach((i, k) => out.set(v.subarray(i * dim, (i + 1) * dim), k * dim));
    return tf.tensor2d(out, [ids.length, dim]); // [B, D]
  };
  let sum = 0;
  for (let start = 0; start < keep.length; start += batchSize) {
    const ks = keep.slice(start, start + batchSize);
    const lefts = ks.map((k) => pairs.left[k]!);
    const rights = ks.map((k) => pairs.right[k]!);
    const value = tf.tidy(() => {
      const b = ks.length;
      const batch = {
        labels: tf.tensor1d(ks.map((k) => pairs.labels[k]!)), // [B]
        ...(lexical
          ? {
            lexical: tf.tensor2d(
              "index" in lexical
                ? batchCosines(lexical.index, lexical.set, lefts, rights)
                : sparseDotMatrix(
                  lefts.map(lexical.left),
                  rights.map(lexical.right),
                ),
              [b, b],
            ), // [B, B]
          }
          : {}),
      };
      return loss(rows(vectors.left, lefts), rows(vectors.right, rights), batch)
        .dataSync()[0]!;
    });
    sum += value * ks.length;
  }
  return sum / keep.length;
}
