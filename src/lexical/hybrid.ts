/**
 * Hybrid scoring: the model's cosine mixed with the lexical channel's.
 *
 * `score = (1 - λ) · cos(model vectors) + λ · cos(TF-IDF vectors)`, in
 * validation, `eval`, `score` and `embed`. The training loss sees it only
 * with `lexical.loss` residual (the encoders then learn what n-gram overlap
 * misses, the residual idea of Gao et al., "Complementing Lexical Retrieval
 * with Semantic Residual Embeddings", ECIR 2021) or joint; by default
 * (separate) the encoders train on their own scores, which measured as well
 * and cannot collapse to leave the ranking to the channel
 * (`docs/quality_results.md`, session 5).
 *
 * The formula itself lives in `./mix.ts`; this module checks the setup and
 * builds the lexical vectors and cosines it mixes.
 *
 * @module
 */
import type { PairSet } from "../data/types.ts";
import type { DistanceKind } from "../settings/kinds.ts";
import type { LexicalIndex, NgramVector } from "./ngram_tfidf.ts";
import { sparseDotMatrix } from "./sparse.ts";

/**
 * What stops a lexical channel of this weight from working with this setup,
 * as a message naming the flag to change; undefined when nothing does (or
 * the weight is 0). The channel compares the token ids of the two sides, so
 * they need one vocabulary, and it mixes cosines.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { lexicalSetupProblem } from "./hybrid.ts";
 * assert.strictEqual(lexicalSetupProblem(0.8, { sharedVocab: true, distance: "cosine" }), undefined);
 * assert.match(lexicalSetupProblem(0.8, { sharedVocab: false, distance: "cosine" })!, /data\.shared_vocab/);
 * assert.strictEqual(lexicalSetupProblem(0, { sharedVocab: false, distance: "euclidean" }), undefined);
 * ```
 */
export function lexicalSetupProblem(
  weight: number,
  setup: { sharedVocab: boolean; distance: DistanceKind },
): string | undefined {
  if (!(weight > 0)) return undefined;
  if (!setup.sharedVocab) {
    return `--lexical-weight ${weight} compares the token ids of the two sides, so they need one ` +
      "vocabulary: add data.shared_vocab true to --config FILE (with one --tokenizer for both sides), or set --lexical-weight 0.";
  }
  if (setup.distance !== "cosine") {
    return `--lexical-weight ${weight} mixes cosines, so it needs train.distance cosine ` +
      `(found ${setup.distance}), or set --lexical-weight 0.`;
  }
  return undefined;
}

/**
 * The model's lexical index when its lexical weight is above 0; undefined
 * when the channel is off.
 *
 * @throws when the weight is above 0 and no index was fitted or loaded
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { lexicalOf } from "./hybrid.ts";
 * const config = { lexical: { weight: 0 } };
 * assert.strictEqual(lexicalOf({ config }), undefined);
 * assert.throws(() => lexicalOf({ config: { lexical: { weight: 0.5 } } }), /no lexical index/);
 * ```
 */
export function lexicalOf(
  model: { config: { lexical: { weight: number } }; lexical?: LexicalIndex },
): LexicalIndex | undefined {
  if (!(model.config.lexical.weight > 0)) return undefined;
  if (model.lexical === undefined) {
    throw new Error(
      `The model has lexical weight ${model.config.lexical.weight} but no lexical index: ` +
        "fit one on the training pairs (LexicalIndex.fit) or load the model with loadModel.",
    );
  }
  return model.lexical;
}

/**
 * The lexical cosines of the batch's left rows with its right rows,
 * `[B, B]` row-major, from whole rows of the pair set.
 *
 * @param index the fitted index
 * @param set the pairs
 * @param leftRows the batch's rows of `set.left`
 * @param rightRows the batch's rows of `set.right`, as many
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { LexicalIndex } from "./ngram_tfidf.ts";
 * import { batchCosines } from "./hybrid.ts";
 * const set = { size: 2, leftLen: 2, rightLen: 2,
 *   left: Int32Array.from([2, 3, 4, 5]), right: Int32Array.from([3, 2, 6, 0]) };
 * const index = LexicalIndex.fit(set, { n: 1, vocab: 8 });
 * const m = batchCosines(index, set, [0, 1], [0, 1]);
 * assert.ok(Math.abs(m[0]! - 1) < 1e-6); // same tokens, other order: n = 1
 * assert.strictEqual(m[3], 0); // nothing shared
 * ```
 */
export function batchCosines(
  index: LexicalIndex,
  set: PairSet,
  leftRows: ArrayLike<number>,
  rightRows: ArrayLike<number>,
): Float32Array {
  return sparseDotMatrix(
    Array.from(leftRows, (r) => index.rowVector(set.left, set.leftLen, r)),
    Array.from(rightRows, (r) => index.rowVector(set.right, set.rightLen, r)),
  );
}

/**
 * The lexical vectors of both sides of a pair set, for scoring it.
 *
 * @param index the fitted index
 * @param set the pairs
 */
export function lexicalVectors(
  index: LexicalIndex,
  set: PairSet,
): { left: NgramVector[]; right: NgramVector[] } {
  return {
    left: index.vectors(set.left, set.leftLen),
    right: index.vectors(set.right, set.rightLen),
  };
}
