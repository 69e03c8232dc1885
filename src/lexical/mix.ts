/**
 * The lexical channel's one formula, in every form the code needs.
 *
 * A pair's hybrid score mixes the model's cosine `cos` with the lexical
 * (TF-IDF n-gram) cosine `lex` by the weight λ:
 *
 *     score = (1 - λ) · cos + λ · lex
 *
 * and its distance form, for losses on distances, is
 *
 *     1 - score = (1 - λ) · (1 - cos) + λ · (1 - lex)
 *
 * Scoring (`src/infer`) uses the number forms ({@link mixScore},
 * {@link mixPair}, {@link mixSimilarities}); the losses (`src/loss`) the
 * tensor forms ({@link mixCosines}, {@link mixDistances}). Nothing else
 * writes the formula out.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import {
  sparseDot,
  sparseDotMatrix,
  SparsePostings,
  type SparseVector,
} from "./sparse.ts";

/**
 * The lexical channel of a batch, as the losses take it: the model's
 * cosines `C` become `(1 - weight) · C + weight · cosines`.
 */
export interface LexicalMix {
  /** λ in [0, 1). */
  weight: number;
  /** Lexical cosines of every left with every right row `[B, B]`. */
  cosines: tf.Tensor2D;
}

/**
 * The hybrid score of one pair: `(1 - λ) · model + λ · lexical`.
 *
 * @param model the model's cosine
 * @param lexical the lexical cosine
 * @param weight λ
 * @returns the mixed score
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { mixScore } from "./mix.ts";
 * assert.strictEqual(mixScore(0.5, 1, 0.25), 0.75 * 0.5 + 0.25 * 1);
 * ```
 */
export function mixScore(
  model: number,
  lexical: number,
  weight: number,
): number {
  return (1 - weight) * model + weight * lexical;
}

/**
 * The hybrid score of one pair from its model cosine and lexical vectors.
 *
 * @param modelCosine the model's cosine of the pair
 * @param left the left side's lexical vector
 * @param right the right side's lexical vector
 * @param weight λ
 * @returns the mixed score
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { mixPair } from "./mix.ts";
 * const a = { ids: [1, 2], values: [0.6, 0.8] };
 * assert.ok(Math.abs(mixPair(0, a, a, 0.5) - 0.5) < 1e-9);
 * ```
 */
export function mixPair(
  modelCosine: number,
  left: SparseVector,
  right: SparseVector,
  weight: number,
): number {
  return mixScore(modelCosine, sparseDot(left, right), weight);
}

/**
 * Mixes a model similarity matrix in place with the lexical one of the
 * same rows, by {@link mixScore}.
 *
 * @param model model cosines `[N, M]`, changed in place
 * @param lefts N lexical vectors
 * @param rights M lexical vectors, or their {@link SparsePostings} (built
 *   once for a corpus searched many times)
 * @param weight λ
 * @returns `model`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { mixSimilarities } from "./mix.ts";
 * const v = { ids: [7], values: [1] };
 * const s = mixSimilarities(Float32Array.from([0.5]), [v], [v], 0.25);
 * assert.strictEqual(s[0], 0.75 * 0.5 + 0.25 * 1);
 * ```
 */
export function mixSimilarities(
  model: Float32Array,
  lefts: readonly SparseVector[],
  rights: readonly SparseVector[] | SparsePostings,
  weight: number,
): Float32Array {
  const lex = rights instanceof SparsePostings
    ? rights.dotMatrix(lefts)
    : sparseDotMatrix(lefts, rights);
  for (let k = 0; k < model.length; k++) {
    model[k] = mixScore(model[k]!, lex[k]!, weight);
  }
  return model;
}

/**
 * Mixed cosines of a batch, `(1 - λ) · C + λ · lexical.cosines`, as a
 * tensor (for the in-batch losses).
 *
 * @param cosines the model's cosines of every left with every right `[B, B]`
 * @param lexical the batch's lexical cosines and λ
 * @returns the mixed scores `[B, B]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { mixCosines } from "./mix.ts";
 * await setupBackend({ log: false });
 * const m = mixCosines(tf.tensor2d([[1, 0], [0, 1]]), {
 *   weight: 0.5, cosines: tf.tensor2d([[0, 1], [1, 0]]) });
 * assert.deepStrictEqual(Array.from(m.dataSync()), [0.5, 0.5, 0.5, 0.5]);
 * ```
 */
export function mixCosines(
  cosines: tf.Tensor2D,
  lexical: LexicalMix,
): tf.Tensor2D {
  return tf.tidy(() =>
    tf.add(
      tf.mul(cosines, 1 - lexical.weight),
      tf.mul(lexical.cosines, lexical.weight),
    )
  );
}

/**
 * The distance form of the mix for the batch's own pairs (row i with row i):
 * `(1 - λ) · d + λ · (1 - lex_ii)`, which is `1 - score` when `d` is the
 * cosine distance `1 - cos`.
 *
 * @param d the model's cosine distances of pairs i `[B]`
 * @param lexical the batch's lexical cosines `[B, B]` (the diagonal is used)
 * @returns the mixed distances `[B]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { mixDistances } from "./mix.ts";
 * await setupBackend({ log: false });
 * const d = mixDistances(tf.tensor1d([1, 0]), {
 *   weight: 0.25, cosines: tf.tensor2d([[1, 0], [0, 0]]) });
 * assert.deepStrictEqual(Array.from(d.dataSync()), [0.75, 0.25]);
 * ```
 */
export function mixDistances(
  d: tf.Tensor1D,
  lexical: LexicalMix,
): tf.Tensor1D {
  return tf.tidy(() => {
    const n = lexical.cosines.shape[0];
    const own = tf.sum(tf.mul(lexical.cosines, tf.eye(n)), 1); // [B]
    return tf.add(
      tf.mul(d, 1 - lexical.weight),
      tf.mul(tf.sub(1, own), lexical.weight),
    ) as tf.Tensor1D;
  });
}

/**
 * The error for a lexical channel with a distance other than cosine: the
 * channel mixes cosines.
 *
 * @returns the error to throw
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { lexicalNeedsCosine } from "./mix.ts";
 * assert.match(lexicalNeedsCosine().message, /train.distance cosine/);
 * ```
 */
export function lexicalNeedsCosine(): RangeError {
  return new RangeError(
    "The lexical channel mixes cosines: use train.distance cosine with --lexical-weight > 0 " +
      "(or --lexical-weight 0 for euclidean distance).",
  );
}
