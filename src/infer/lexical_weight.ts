/**
 * Choosing the lexical weight λ on validation pairs: the model's cosines and
 * the channel's are computed once, then mixed for each λ of a grid and
 * ranked (recall@10, then MRR). How much to trust n-gram overlap depends on
 * the data: on FOLDOC (terms found in their definitions) λ 0.8 was best, on
 * VERA (acronyms and their expansions, which share few n-grams) a small λ
 * (docs/quality_results.md, session 6).
 *
 * @module
 */
import type { PairSet } from "../data/types.ts";
import { selectRows } from "../data/subset.ts";
import { lexicalVectors } from "../lexical/hybrid.ts";
import { sparseDotMatrix } from "../lexical/sparse.ts";
import { retrievalMetrics, retrievesBetter } from "../metrics/retrieval.ts";
import type { Siamese } from "../model/siamese.ts";
import { embedPairs } from "./score.ts";
import { similarityMatrix } from "./evaluate.ts";
import { mixScore } from "../lexical/mix.ts";

/** The λ tried: 0, 0.05, ..., 0.95 (λ must stay below 1). */
export const LEXICAL_WEIGHT_GRID: readonly number[] = Array.from(
  { length: 20 },
  (_, i) => i / 20,
);

/** What {@link chooseLexicalWeight} found. */
export interface LexicalWeightChoice {
  /** The best λ. */
  weight: number;
  /** Its recall@10 and MRR on the validation pairs. */
  recallAt10: number;
  mrr: number;
  /** The same figures at the model's own λ. */
  atModelWeight: { recallAt10: number; mrr: number };
}

/**
 * Mixes `(1 - λ) model + λ lexical` for each λ of the grid and keeps the
 * best by recall@10, then MRR; the model's own λ is tried first and kept
 * on a tie.
 *
 * @param model `[N, N]` cosines of the model alone
 * @param lexical `[N, N]` cosines of the lexical channel
 * @param own the model's own λ
 * @param grid the λ to try @default LEXICAL_WEIGHT_GRID
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { bestMix } from "./lexical_weight.ts";
 * // the model ranks both lefts right, the channel ranks both wrong
 * const model = Float32Array.of(1, 0, 0, 1);
 * const lexical = Float32Array.of(0, 1, 1, 0);
 * assert.equal(bestMix(model, lexical, 0.8).weight, 0);
 * assert.equal(bestMix(lexical, model, 0.8).weight, 0.8); // a tie keeps 0.8
 * ```
 */
export function bestMix(
  model: Float32Array,
  lexical: Float32Array,
  own: number,
  grid: readonly number[] = LEXICAL_WEIGHT_GRID,
): LexicalWeightChoice {
  const mixed = new Float32Array(model.length);
  const at = (w: number) => {
    for (let k = 0; k < mixed.length; k++) {
      mixed[k] = mixScore(model[k]!, lexical[k]!, w);
    }
    const r = retrievalMetrics(mixed, { ks: [10] });
    return { recallAt10: r.recall[0]!, mrr: r.mrr };
  };
  const atModelWeight = at(own);
  let best = { weight: own, ...atModelWeight };
  for (const w of grid) {
    const f = at(w);
    if (retrievesBetter(f, best)) {
      best = { weight: w, ...f };
    }
  }
  return { ...best, atModelWeight };
}

/**
 * The λ with the best retrieval on (the first `maxRetrieval` of) the
 * validation pairs, for a model with a lexical channel.
 *
 * @param model both branches and the lexical index
 * @param val validation pairs (each left's right is its positive)
 * @param options `maxRetrieval` pairs ranked @default 2000
 * @throws {RangeError} when the model has no lexical index
 */
export function chooseLexicalWeight(
  model: Siamese,
  val: PairSet,
  options: { maxRetrieval?: number } = {},
): LexicalWeightChoice {
  const index = model.lexical;
  if (index === undefined) {
    throw new RangeError(
      "Expected a model with a lexical index to choose its lexical weight",
    );
  }
  const n = Math.min(val.size, options.maxRetrieval ?? 2000);
  const set = selectRows(val, Array.from({ length: n }, (_, i) => i));
  const alone = {
    ...model,
    config: {
      ...model.config,
      lexical: { ...model.config.lexical, weight: 0 },
    },
  };
  const e = embedPairs(alone, set, "cosine");
  const cosines = similarityMatrix(
    e.left.subarray(0, n * e.dim),
    e.right.subarray(0, n * e.dim),
    e.dim,
    "cosine",
  );
  const lex = lexicalVectors(index, set);
  return bestMix(
    cosines,
    sparseDotMatrix(lex.left, lex.right),
    model.config.lexical.weight,
  );
}
