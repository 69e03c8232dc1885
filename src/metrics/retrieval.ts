/**
 * Retrieval metrics for aligned pairs: left i should find right i among all
 * N rights. The rank of the correct right is counted pessimistically:
 * `rank = 1 + #{j != i : sim(i, j) >= sim(i, i)}`, so a wrong right that ties
 * with the correct one ranks above it. A collapsed model, whose similarities
 * are all equal, therefore scores recall@1 = 0 and MRR = 1/N rather than a
 * perfect score.
 *
 * @module
 */

/** Options for {@link retrievalMetrics} and {@link retrievalFromEmbeddings}. */
export interface RetrievalOptions {
  /** The k of each recall@k, positive integers. @default [1, 10] */
  ks?: readonly number[];
}

/** Retrieval quality over N queries. */
export interface RetrievalResult {
  /** Number of queries, N. */
  n: number;
  /** The ks, in the order given. */
  ks: number[];
  /** `recall[i]`: fraction of queries whose correct right ranks <= `ks[i]`. */
  recall: number[];
  /** Mean reciprocal rank of the correct right. */
  mrr: number;
}

/** N vectors of dimension D, row-major `[N, D]`. */
export interface Embeddings {
  /** The values, length N * D. */
  data: ArrayLike<number>;
  /** The dimension D. */
  dim: number;
}

/** A similarity of two vectors, higher = more alike. */
export type Similarity = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

/** Options for {@link retrievalFromEmbeddings}. */
export interface EmbeddingRetrievalOptions extends RetrievalOptions {
  /** How to compare a left and a right vector. @default {@link cosineSimilarity} */
  similarity?: Similarity;
}

/**
 * Recall@k and MRR from an N x N similarity matrix, row i = left i, column
 * j = right j; the correct right for left i is right i.
 *
 * @param similarity the matrix, row-major, length N * N
 * @param options see {@link RetrievalOptions}
 * @returns recall at each k and the MRR
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "@std/assert";
 * import { retrievalMetrics } from "./retrieval.ts";
 * const sim = new Float32Array([
 *   0.9, 0.1, 0.5, // rank 1
 *   0.8, 0.3, 0.2, // rank 2
 *   0.4, 0.4, 0.4, // rank 3: ties count against
 * ]);
 * const r = retrievalMetrics(sim, { ks: [1, 2] });
 * deepStrictEqual(r, { n: 3, ks: [1, 2], recall: [1 / 3, 2 / 3], mrr: (1 + 1 / 2 + 1 / 3) / 3 });
 * ```
 */
export function retrievalMetrics(
  similarity: ArrayLike<number>,
  options: RetrievalOptions = {},
): RetrievalResult {
  const n = Math.round(Math.sqrt(similarity.length));
  if (n === 0 || n * n !== similarity.length) {
    throw new RangeError(
      `Expected similarity to have length N * N for some N >= 1 but found ${similarity.length}`,
    );
  }
  const ks = checkKs(options.ks ?? [1, 10]);
  const ranks = new Float64Array(n);
  rankRows(similarity, 0, n, ranks);
  return summarise(ranks, ks);
}

/**
 * {@link retrievalMetrics} of an N x N similarity matrix made a block of
 * rows at a time, so that it is never held whole: the same figures,
 * with memory for `blockRows` rows.
 *
 * @param n N, the queries (and the rights)
 * @param rows rows `[start, end)` of the matrix, row-major `[end - start, N]`
 * @param options see {@link RetrievalOptions}; `blockRows`, rows asked for
 *   at a time (default 256)
 * @returns recall at each k and the MRR
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "@std/assert";
 * import { retrievalInBlocks, retrievalMetrics } from "./retrieval.ts";
 * const sim = new Float32Array([0.9, 0.1, 0.5, 0.8, 0.3, 0.2, 0.4, 0.4, 0.4]);
 * const rows = (start: number, end: number) => sim.subarray(start * 3, end * 3);
 * deepStrictEqual(retrievalInBlocks(3, rows, { blockRows: 2 }), retrievalMetrics(sim));
 * ```
 */
export function retrievalInBlocks(
  n: number,
  rows: (start: number, end: number) => ArrayLike<number>,
  options: RetrievalOptions & { blockRows?: number } = {},
): RetrievalResult {
  const blockRows = options.blockRows ?? 256;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Expected n to be an integer of at least 1 but found ${n}`,
    );
  }
  if (!Number.isInteger(blockRows) || blockRows < 1) {
    throw new RangeError(
      `Expected blockRows to be an integer of at least 1 but found ${blockRows}`,
    );
  }
  const ks = checkKs(options.ks ?? [1, 10]);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; start += blockRows) {
    const end = Math.min(n, start + blockRows);
    const block = rows(start, end);
    if (block.length !== (end - start) * n) {
      throw new RangeError(
        `Expected rows ${start} to ${end} to have length ${
          (end - start) * n
        } but found ${block.length}`,
      );
    }
    rankRows(block, start, n, ranks);
  }
  return summarise(ranks, ks);
}

/**
 * Recall@k and MRR from left and right embeddings, computing one row of
 * similarities at a time (memory O(N), time O(N² D)).
 *
 * @param left left vectors, `[N, D]`
 * @param right right vectors, `[N, D]`; right i belongs to left i
 * @param options see {@link EmbeddingRetrievalOptions}
 * @returns recall at each k and the MRR
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "@std/assert";
 * import { retrievalFromEmbeddings } from "./retrieval.ts";
 * const left = { data: [1, 0, 0, 1], dim: 2 };
 * const right = { data: [0.9, 0.1, 0.2, 0.8], dim: 2 };
 * const r = retrievalFromEmbeddings(left, right, { ks: [1] });
 * deepStrictEqual(r, { n: 2, ks: [1], recall: [1], mrr: 1 });
 * ```
 */
export function retrievalFromEmbeddings(
  left: Embeddings,
  right: Embeddings,
  options: EmbeddingRetrievalOptions = {},
): RetrievalResult {
  const { dim } = left;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(
      `Expected left.dim to be an integer of at least 1 but found ${dim}`,
    );
  }
  if (right.dim !== dim) {
    throw new RangeError(
      `Expected right.dim to be ${dim} as left.dim but found ${right.dim}`,
    );
  }
  const n = left.data.length / dim;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Expected left.data to have a non-zero length divisible by ${dim} but found ${left.data.length}`,
    );
  }
  if (right.data.length !== left.data.length) {
    throw new RangeError(
      `Expected right.data to have length ${left.data.length} as left.data but found ${right.data.length}`,
    );
  }
  const ks = checkKs(options.ks ?? [1, 10]);
  const similarity = options.similarity ?? cosineSimilarity;
  const rows = {
    left: rowsOf(left.data, dim, n),
    right: rowsOf(right.data, dim, n),
  };
  const sims = new Float64Array(n);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      sims[j] = similarity(rows.left[i]!, rows.right[j]!);
    }
    ranks[i] = rankOf(i, (j) => sims[j]!, n);
  }
  return summarise(ranks, ks);
}

/**
 * Whether retrieval figures `a` rank above `b`: a higher recall@10, or the
 * same with a higher MRR (a small validation split saturates recall@10, so
 * MRR decides between its ties). Choosing the lexical channel's λ and the
 * run's best epoch both go by it.
 *
 * @example
 * ```ts
 * import { strictEqual } from "@std/assert";
 * import { retrievesBetter } from "./retrieval.ts";
 * strictEqual(retrievesBetter({ recallAt10: 1, mrr: 0.5 }, { recallAt10: 0.9, mrr: 0.9 }), true);
 * strictEqual(retrievesBetter({ recallAt10: 1, mrr: 0.9 }, { recallAt10: 1, mrr: 0.8 }), true);
 * strictEqual(retrievesBetter({ recallAt10: 1, mrr: 0.8 }, { recallAt10: 1, mrr: 0.8 }), false);
 * ```
 */
export function retrievesBetter(
  a: { recallAt10: number; mrr: number },
  b: { recallAt10: number; mrr: number },
): boolean {
  return a.recallAt10 > b.recallAt10 ||
    (a.recallAt10 === b.recallAt10 && a.mrr > b.mrr);
}

/**
 * Cosine similarity; 0 when either vector is all zeros.
 *
 * @example
 * ```ts
 * import { strictEqual } from "@std/assert";
 * import { cosineSimilarity } from "./retrieval.ts";
 * strictEqual(cosineSimilarity([1, 0], [2, 0]), 1);
 * strictEqual(cosineSimilarity([1, 0], [0, 3]), 0);
 * ```
 */
export function cosineSimilarity(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let d = 0; d < a.length; d++) {
    const x = a[d]!;
    const y = b[d]!;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
}

function rowsOf(
  data: ArrayLike<number>,
  dim: number,
  n: number,
): ArrayLike<number>[] {
  const view = (start: number) =>
    ArrayBuffer.isView(data)
      ? (data as unknown as Float32Array).subarray(start, start + dim)
      : Array.prototype.slice.call(data, start, start + dim) as number[];
  return Array.from({ length: n }, (_, i) => view(i * dim));
}

/** Ranks of the rows of `block`, rows `first, ...` of an `[N, N]` matrix. */
function rankRows(
  block: ArrayLike<number>,
  first: number,
  n: number,
  ranks: Float64Array,
): void {
  for (let r = 0; r * n < block.length; r++) {
    ranks[first + r] = rankOf(first + r, (j) => block[r * n + j]!, n);
  }
}

function rankOf(i: number, sim: (j: number) => number, n: number): number {
  const own = sim(i);
  if (Number.isNaN(own)) {
    throw new RangeError(
      `Expected similarity (${i}, ${i}) to be a number but found NaN`,
    );
  }
  let rank = 1;
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const s = sim(j);
    if (Number.isNaN(s)) {
      throw new RangeError(
        `Expected similarity (${i}, ${j}) to be a number but found NaN`,
      );
    }
    if (s >= own) rank++;
  }
  return rank;
}

function checkKs(ks: readonly number[]): number[] {
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) {
      throw new RangeError(
        `Expected every k in ks to be an integer of at least 1 but found ${k}`,
      );
    }
  }
  return ks.slice();
}

function summarise(ranks: Float64Array, ks: number[]): RetrievalResult {
  const n = ranks.length;
  let reciprocal = 0;
  for (const rank of ranks) reciprocal += 1 / rank;
  const recall = ks.map((k) => ranks.filter((rank) => rank <= k).length / n);
  return { n, ks, recall, mrr: reciprocal / n };
}
