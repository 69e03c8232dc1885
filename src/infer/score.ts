/**
 * Scoring pairs with a trained model: one similarity per pair, mixed with
 * the lexical cosine when the model has a lexical channel.
 *
 * @module
 */
import type { PairSet } from "../data/types.ts";
import { lexicalOf, lexicalVectors } from "../lexical/hybrid.ts";
import { lexicalNeedsCosine, mixPair } from "../lexical/mix.ts";
import type { LexicalIndex, NgramVector } from "../lexical/ngram_tfidf.ts";
import { cosineSimilarity } from "../metrics/retrieval.ts";
import type { DistanceKind } from "../loss/contrastive.ts";
import type { Siamese } from "../model/siamese.ts";
import { embedRows } from "./embed.ts";

/**
 * Similarity of two vectors, as in {@link similarityMatrix}.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { vectorSimilarity } from "./score.ts";
 * assert.ok(Math.abs(vectorSimilarity([1, 0], [2, 0], "cosine") - 1) < 1e-9);
 * assert.ok(vectorSimilarity([0, 0], [3, 4], "euclidean") === -5);
 * ```
 */
export function vectorSimilarity(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  kind: DistanceKind,
): number {
  if (kind === "cosine") return cosineSimilarity(a, b);
  let d2 = 0;
  for (let k = 0; k < a.length; k++) d2 += (a[k]! - b[k]!) ** 2;
  return -Math.sqrt(d2);
}

/** A model's outputs for a pair set, and the score of any (left i, right j). */
export interface PairEmbeddings {
  /** Left outputs, row i at `[i * dim, (i + 1) * dim)`. */
  left: Float32Array;
  /** Right outputs, likewise. */
  right: Float32Array;
  /** Output width D. */
  dim: number;
  /** The lexical channel's vectors and weight, when the model has one. */
  lexical?: {
    index: LexicalIndex;
    left: NgramVector[];
    right: NgramVector[];
    weight: number;
  };
  /** The score of left i against right j, mixed as {@link scorePairs} says. */
  score(i: number, j: number): number;
}

/**
 * Embeds both sides of a pair set and prepares the lexical channel: what
 * scoring and evaluation share.
 *
 * @param model both branches (and the lexical index when λ > 0)
 * @param pairs the pairs
 * @param distance the distance the model was trained with
 * @returns the outputs and a scorer
 * @throws RangeError when the model has a lexical channel and the distance
 *   is not cosine
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildSiamese } from "../model/siamese.ts";
 * import { modelConfig } from "../model/config.ts";
 * import { makeSyntheticPairs } from "../data/synthetic.ts";
 * import { embedPairs } from "./score.ts";
 * await setupBackend({ log: false });
 * const shapes = { vocab: 20, leftLen: 3, rightLen: 4 };
 * const model = buildSiamese(modelConfig({ ...shapes, embeddingDim: 2, lstmUnits: 2, denseUnits: 5 }), 1);
 * const e = embedPairs(model, makeSyntheticPairs(3, shapes), "cosine");
 * assert.ok(e.dim === 5 && e.left.length === 15 && Math.abs(e.score(0, 1)) <= 1.0001);
 * ```
 */
export function embedPairs(
  model: Siamese,
  pairs: PairSet,
  distance: DistanceKind,
): PairEmbeddings {
  const n = pairs.size;
  const c = model.config;
  const l = embedRows(model.left, pairs.left, {
    len: pairs.leftLen,
    width: c.leftLen,
    n,
  });
  const r = embedRows(model.right, pairs.right, {
    len: pairs.rightLen,
    width: c.rightLen,
    n,
  });
  const dim = l.dim;
  const index = lexicalOf(model);
  if (index !== undefined && distance !== "cosine") throw lexicalNeedsCosine();
  const lexical = index === undefined
    ? undefined
    : { index, ...lexicalVectors(index, pairs), weight: c.lexical.weight };
  const score = (i: number, j: number) => {
    const s = vectorSimilarity(
      l.vectors.subarray(i * dim, (i + 1) * dim),
      r.vectors.subarray(j * dim, (j + 1) * dim),
      distance,
    );
    return lexical === undefined
      ? s
      : mixPair(s, lexical.left[i]!, lexical.right[j]!, lexical.weight);
  };
  return {
    left: l.vectors,
    right: r.vectors,
    dim,
    ...(lexical ? { lexical } : {}),
    score,
  };
}

/** Options for {@link scorePairs}. */
export interface ScoreOptions {
  /** The distance the model was trained with. */
  distance: DistanceKind;
}

/**
 * The similarity of each pair `(left i, right i)`: the cosine (or minus the
 * euclidean distance) of the branch outputs, mixed with the lexical cosine
 * when the model has a lexical channel (`src/lexical/mix.ts`).
 *
 * @param model both branches (and the lexical index when λ > 0)
 * @param pairs the pairs
 * @param options see {@link ScoreOptions}
 * @returns one score per pair, larger = more alike
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildSiamese } from "../model/siamese.ts";
 * import { modelConfig } from "../model/config.ts";
 * import { makeSyntheticPairs } from "../data/synthetic.ts";
 * import { scorePairs } from "./score.ts";
 * await setupBackend({ log: false });
 * const shapes = { vocab: 20, leftLen: 3, rightLen: 4 };
 * const model = buildSiamese(modelConfig({ ...shapes, embeddingDim: 2, lstmUnits: 2, denseUnits: 2 }), 1);
 * const s = scorePairs(model, makeSyntheticPairs(3, shapes), { distance: "cosine" });
 * assert.ok(s.length === 3 && s.every((x) => x >= -1.0001 && x <= 1.0001));
 * ```
 */
export function scorePairs(
  model: Siamese,
  pairs: PairSet,
  options: ScoreOptions,
): number[] {
  const e = embedPairs(model, pairs, options.distance);
  return Array.from({ length: pairs.size }, (_, i) => e.score(i, i));
}
