/**
 * Scoring pairs with a trained model: one similarity per pair, mixed with
 * the lexical cosine when the model has a lexical channel.
 *
 * @module
 */
import type { PairSet } from "../data/types.ts";
import { lexicalOf, lexicalVectors } from "../lexical/hybrid.ts";
import { mixPair } from "../lexical/mix.ts";
import type { DistanceKind } from "../loss/contrastive.ts";
import type { Siamese } from "../model/siamese.ts";
import { embedRows } from "./embed.ts";
import { vectorSimilarity } from "./evaluate.ts";

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
  const n = pairs.size;
  const l = embedRows(model.left, pairs.left, {
    len: pairs.leftLen,
    width: model.config.leftLen,
    n,
  });
  const r = embedRows(model.right, pairs.right, {
    len: pairs.rightLen,
    width: model.config.rightLen,
    n,
  });
  const d = l.dim;
  const index = lexicalOf(model);
  const lex = index === undefined ? undefined : lexicalVectors(index, pairs);
  return Array.from({ length: n }, (_, i) => {
    const s = vectorSimilarity(
      l.vectors.subarray(i * d, (i + 1) * d),
      r.vectors.subarray(i * d, (i + 1) * d),
      options.distance,
    );
    return lex === undefined
      ? s
      : mixPair(s, lex.left[i]!, lex.right[i]!, model.config.lexical.weight);
  });
}
