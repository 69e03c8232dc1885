/**
 * Ranking a corpus for queries in blocks: the similarity of every query with
 * one block of corpus rows at a time (the same matrix and lexical mix as
 * `evaluate`'s retrieval), folded into a top-k list per query. Memory is one
 * `[Q, block]` matrix plus `Q · k` hits, whatever the corpus size.
 *
 * @module
 */
import type { DistanceKind } from "../loss/contrastive.ts";
import type { NgramVector } from "../lexical/ngram_tfidf.ts";
import { mixSimilarities } from "../lexical/mix.ts";
import { similarityMatrix } from "../infer/evaluate.ts";

/** One result: a corpus row and its score. */
export interface Hit {
  /** 0-based row of the corpus. */
  index: number;
  /** Its hybrid score with the query, larger = more alike. */
  score: number;
}

/** Rows to rank: branch outputs and, with a lexical channel, n-gram vectors. */
export interface Rows {
  /** Outputs, row-major `[N, D]`. */
  vectors: Float32Array;
  /** Lexical vectors, one per row, when the model has a lexical channel. */
  lexical?: readonly NgramVector[];
}

/** Options for {@link topK}. */
export interface TopKOptions {
  /** The distance the model was trained with. */
  distance: DistanceKind;
  /** λ of the lexical channel (used when both sides have lexical vectors). */
  weight: number;
  /** Corpus rows per block. @default 4096 */
  blockSize?: number;
}

/**
 * The `k` best corpus rows for each query, best first; equal scores keep
 * corpus order (the smaller index first).
 *
 * @param queries the queries' rows (left branch)
 * @param corpus the corpus rows (right branch)
 * @param dim the output width D
 * @param k results per query, at least 1
 * @param options see {@link TopKOptions}
 * @returns per query, at most `k` hits
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { topK } from "./top_k.ts";
 * await setupBackend({ log: false });
 * const corpus = { vectors: Float32Array.of(1, 0, 0, 1, 1, 0) };
 * const [hits] = topK({ vectors: Float32Array.of(1, 0) }, corpus, 2, 2,
 *   { distance: "cosine", weight: 0, blockSize: 2 });
 * assert.deepStrictEqual(hits!.map((h) => h.index), [0, 2]);
 * ```
 */
export function topK(
  queries: Rows,
  corpus: Rows,
  dim: number,
  k: number,
  options: TopKOptions,
): Hit[][] {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`Expected k to be an integer >= 1 but found ${k}`);
  }
  const q = queries.vectors.length / dim;
  const n = corpus.vectors.length / dim;
  const block = options.blockSize ?? 4096;
  const lexical = queries.lexical !== undefined &&
    corpus.lexical !== undefined && options.weight > 0;
  const best: Hit[][] = Array.from({ length: q }, () => []);
  if (q === 0) return best;
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    const sim = similarityMatrix(
      queries.vectors,
      corpus.vectors.subarray(start * dim, end * dim),
      dim,
      options.distance,
    ); // [Q, end - start]
    if (lexical) {
      mixSimilarities(
        sim,
        queries.lexical!,
        corpus.lexical!.slice(start, end),
        options.weight,
      );
    }
    const width = end - start;
    for (let i = 0; i < q; i++) {
      const list = best[i]!;
      for (let j = 0; j < width; j++) {
        insert(list, k, start + j, sim[i * width + j]!);
      }
    }
  }
  return best;
}

/** Adds a hit to a list sorted by score (descending) if it makes the top k. */
function insert(list: Hit[], k: number, index: number, score: number): void {
  if (list.length === k && !(score > list[k - 1]!.score)) return;
  let p = list.length;
  while (p > 0 && list[p - 1]!.score < score) p--;
  list.splice(p, 0, { index, score });
  if (list.length > k) list.pop();
}
