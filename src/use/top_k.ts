/**
 * Ranking a corpus for queries in blocks: the similarity of the queries with
 * one block of corpus rows at a time (the same matrix and lexical mix as
 * `evaluate`'s retrieval), folded into a top-k list per query. Memory is one
 * `[Q, block]` matrix plus `Q · k` hits, whatever the corpus size.
 *
 * For the cosine, the corpus is normalised once ({@link CorpusMatrix}, with
 * `unitRows`, the normalisation of `similarityMatrix`) and kept on the
 * backend, transposed: measured on a 10,000 x 64 corpus (2 threads, loaded
 * machine), normalising it took 23 ms per query, and `matMul(q, c, false,
 * true)` 8 ms against 1.3 ms for `matMul(q, cT)`. Euclidean models use
 * `similarityMatrix` block by block.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { DistanceKind } from "../loss/contrastive.ts";
import type { NgramVector } from "../lexical/ngram_tfidf.ts";
import { mixSimilarities } from "../lexical/mix.ts";
import { SparsePostings } from "../lexical/sparse.ts";
import { similarityMatrix, unitRows } from "../infer/evaluate.ts";

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

/**
 * Corpus rows: like {@link Rows}, but the lexical vectors may come a block
 * at a time (`lexical(start, end)`: rows `[start, end)`), so that a large
 * corpus never has all of them at once, only their inverted index.
 */
export interface CorpusRows {
  /** Outputs, row-major `[N, D]`. */
  vectors: Float32Array;
  /** Lexical vectors of every row, or of the rows of one block. */
  lexical?:
    | readonly NgramVector[]
    | ((start: number, end: number) => readonly NgramVector[]);
}

/** Options for {@link CorpusMatrix}. */
export interface CorpusMatrixOptions {
  /** The distance the model was trained with. */
  distance: DistanceKind;
  /** Corpus rows per block. @default 4096 */
  blockSize?: number;
}

/**
 * A corpus ready to rank: its rows in blocks, for the cosine normalised and
 * transposed `[D, B]` on the backend. Call {@link CorpusMatrix.dispose}.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { CorpusMatrix } from "./top_k.ts";
 * await setupBackend({ log: false });
 * const c = new CorpusMatrix({ vectors: Float32Array.of(2, 0, 0, 3) }, 2, { distance: "cosine" });
 * assert.deepStrictEqual(Array.from(c.similarities(Float32Array.of(1, 0), 0)), [1, 0]);
 * c.dispose();
 * ```
 */
export class CorpusMatrix {
  /** Rows N. */
  readonly size: number;
  /** Output width D. */
  readonly dim: number;
  /** The distance scores are the similarity of. */
  readonly distance: DistanceKind;
  /** Rows per block. */
  readonly blockSize: number;
  #vectors: Float32Array;
  #blocks: tf.Tensor2D[] = [];
  #postings: SparsePostings[] | undefined;

  /**
   * @param rows the corpus rows (right branch)
   * @param dim output width D
   * @param options see {@link CorpusMatrixOptions}
   */
  constructor(rows: CorpusRows, dim: number, options: CorpusMatrixOptions) {
    this.dim = dim;
    this.size = rows.vectors.length / dim;
    this.distance = options.distance;
    this.blockSize = options.blockSize ?? 4096;
    this.#vectors = rows.vectors;
    const lexical = rows.lexical;
    const lexicalRows = typeof lexical === "function"
      ? lexical
      : (start: number, end: number) => lexical!.slice(start, end);
    if (lexical !== undefined) this.#postings = [];
    for (let start = 0; start < this.size; start += this.blockSize) {
      const end = Math.min(this.size, start + this.blockSize);
      // the lexical vectors' inverted index, built once per block
      this.#postings?.push(new SparsePostings(lexicalRows(start, end)));
      if (this.distance !== "cosine") continue;
      this.#blocks.push(tf.tidy(() =>
        tf.transpose(unitRows(tf.tensor2d(
          rows.vectors.subarray(start * dim, end * dim),
          [end - start, dim],
        ))) // [D, B]
      ));
    }
  }

  /** Whether the rows have lexical vectors. */
  get lexical(): boolean {
    return this.#postings !== undefined;
  }

  /**
   * The lexical vectors of one block, indexed for `mixSimilarities`.
   *
   * @param block the block's number
   */
  lexicalBlock(block: number): SparsePostings | undefined {
    return this.#postings?.[block];
  }

  /** Blocks of rows. */
  get blocks(): number {
    return Math.ceil(this.size / this.blockSize);
  }

  /**
   * Similarities of queries with one block, as `similarityMatrix` gives
   * them (before the lexical mix).
   *
   * @param queries query rows `[Q, D]`
   * @param block the block's number
   * @returns `[Q, rows of the block]`, row-major
   */
  similarities(queries: Float32Array, block: number): Float32Array {
    const start = block * this.blockSize;
    const end = Math.min(this.size, start + this.blockSize);
    if (this.distance !== "cosine") {
      return similarityMatrix(
        queries,
        this.#vectors.subarray(start * this.dim, end * this.dim),
        this.dim,
        this.distance,
      );
    }
    const sim = tf.tidy(() => {
      const q = tf.tensor2d(queries, [queries.length / this.dim, this.dim]);
      return tf.matMul(unitRows(q), this.#blocks[block]!); // [Q, B]
    });
    // read outside tidy: tidy walks a returned array's every element
    // looking for tensors (measured 5-10 ms for [8, 4096])
    const out = sim.dataSync() as Float32Array;
    sim.dispose();
    return out;
  }

  /** Frees the backend's copy. */
  dispose(): void {
    for (const b of this.#blocks) b.dispose();
    this.#blocks = [];
  }
}

/**
 * The `k` best corpus rows for each query, best first; equal scores keep
 * corpus order (the smaller index first).
 *
 * @param queries the queries' rows (left branch)
 * @param corpus the corpus
 * @param k results per query, at least 1
 * @param weight λ of the lexical channel (mixed in when both sides have
 *   lexical vectors and λ > 0)
 * @returns per query, at most `k` hits
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { CorpusMatrix, topK } from "./top_k.ts";
 * await setupBackend({ log: false });
 * const corpus = new CorpusMatrix({ vectors: Float32Array.of(1, 0, 0, 1, 1, 0) }, 2,
 *   { distance: "cosine", blockSize: 2 });
 * const [hits] = topK({ vectors: Float32Array.of(1, 0) }, corpus, 2, 0);
 * assert.deepStrictEqual(hits!.map((h) => h.index), [0, 2]);
 * corpus.dispose();
 * ```
 */
export function topK(
  queries: Rows,
  corpus: CorpusMatrix,
  k: number,
  weight: number,
): Hit[][] {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`Expected k to be an integer >= 1 but found ${k}`);
  }
  const q = queries.vectors.length / corpus.dim;
  const lexical = queries.lexical !== undefined && corpus.lexical &&
    weight > 0;
  const best: Hit[][] = Array.from({ length: q }, () => []);
  if (q === 0) return best;
  for (let block = 0; block < corpus.blocks; block++) {
    const start = block * corpus.blockSize;
    const end = Math.min(corpus.size, start + corpus.blockSize);
    const sim = corpus.similarities(queries.vectors, block); // [Q, end - start]
    if (lexical) {
      mixSimilarities(
        sim,
        queries.lexical!,
        corpus.lexicalBlock(block)!,
        weight,
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
