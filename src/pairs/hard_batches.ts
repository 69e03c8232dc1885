/**
 * Hard batches for the in-batch losses: each pair shares its batch with some
 * of its lexical neighbours, the training pairs whose right side the lexical
 * channel scores highest against its left. An in-batch loss then sees, as
 * negatives, the texts that n-gram overlap confuses with the right one:
 * what the LSTMs have to learn for the mixed score to beat the channel.
 * The mining is one pass over the training pairs before the first epoch;
 * the batches cost what random ones cost.
 *
 * @module
 */
import type { PairSet } from "../data/types.ts";
import { LexicalIndex } from "../lexical/ngram_tfidf.ts";

/** Options for {@link lexicalNeighbours}. */
export interface NeighbourOptions {
  /** Neighbours per row. */
  k: number;
  /** Tokens per n-gram. */
  n: number;
  /** Vocabulary size of the ids (one for both sides). */
  vocab: number;
  /**
   * n-grams in more than this fraction of the right sides are skipped when
   * scoring (they add little to a cosine and most of the cost).
   * @default 0.05
   */
  maxDfFraction?: number;
}

/**
 * For each row i, the k rows j != i whose right side has the highest
 * TF-IDF cosine with left i (n-grams of token ids, IDF over both sides of
 * the set, common n-grams skipped); `-1` where fewer rows share an n-gram.
 *
 * @param set the training pairs
 * @param options see {@link NeighbourOptions}
 * @returns `[N, k]` row-major, best first
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { lexicalNeighbours } from "./hard_batches.ts";
 * const set = { size: 3, leftLen: 2, rightLen: 2,
 *   left: Int32Array.of(2, 3, 4, 5, 6, 7), right: Int32Array.of(4, 5, 2, 3, 8, 9) };
 * const nb = lexicalNeighbours(set, { k: 1, n: 1, vocab: 10, maxDfFraction: 1 });
 * assert.deepEqual([...nb], [1, 0, -1]); // left 0 reads like right 1, and so on
 * ```
 */
export function lexicalNeighbours(
  set: PairSet,
  options: NeighbourOptions,
): Int32Array {
  const { k } = options;
  const index = LexicalIndex.fit(set, { n: options.n, vocab: options.vocab });
  const lefts = index.vectors(set.left, set.leftLen);
  const rights = index.vectors(set.right, set.rightLen);
  const maxDf = (options.maxDfFraction ?? 0.05) * set.size;
  // postings of the rarer n-grams: the rights holding them, and the values
  const postings = new Map<number, { rows: number[]; values: number[] }>();
  rights.forEach((r, j) => {
    for (let q = 0; q < r.ids.length; q++) {
      const g = r.ids[q]!;
      let p = postings.get(g);
      if (p === undefined) postings.set(g, p = { rows: [], values: [] });
      p.rows.push(j);
      p.values.push(r.values[q]!);
    }
  });
  for (const [g, p] of postings) {
    if (p.rows.length > maxDf) postings.delete(g);
  }
  const out = new Int32Array(set.size * k).fill(-1);
  const score = new Float32Array(set.size);
  const touched: number[] = [];
  lefts.forEach((l, i) => {
    for (let q = 0; q < l.ids.length; q++) {
      const p = postings.get(l.ids[q]!);
      if (p === undefined) continue;
      const x = l.values[q]!;
      for (let t = 0; t < p.rows.length; t++) {
        const j = p.rows[t]!;
        if (score[j] === 0) touched.push(j);
        score[j]! += x * p.values[t]!;
      }
    }
    // the k best j != i (ties: the lower row)
    const best: number[] = [];
    for (const j of touched) {
      if (j === i || !(score[j]! > 0)) continue;
      let at = best.length;
      while (
        at > 0 &&
        (score[best[at - 1]!]! < score[j]! ||
          (score[best[at - 1]!] === score[j] && best[at - 1]! > j))
      ) at--;
      if (at < k) {
        best.splice(at, 0, j);
        if (best.length > k) best.pop();
      }
    }
    best.forEach((j, r) => out[i * k + r] = j);
    for (const j of touched) score[j] = 0;
    touched.length = 0;
  });
  return out;
}

/**
 * Reorders an epoch's rows so that each row is followed by those of its
 * neighbours not yet placed: taken in the given (shuffled) order, a row not
 * yet placed opens a group with its unplaced neighbours. Every row appears
 * once; rows absent from `rows` are never added.
 *
 * @param rows the epoch's rows, shuffled
 * @param neighbours `[N, k]` from {@link lexicalNeighbours}
 * @param k neighbours per row in `neighbours`
 * @returns the rows in their new order
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { groupedOrder } from "./hard_batches.ts";
 * const nb = Int32Array.of(2, 3, 0, -1); // row 0 -> 2, row 1 -> 3, row 2 -> 0
 * assert.deepEqual([...groupedOrder(Int32Array.of(1, 0, 2), nb, 1)], [1, 0, 2]);
 * assert.deepEqual([...groupedOrder(Int32Array.of(2, 1, 0), nb, 1)], [2, 0, 1]);
 * ```
 */
export function groupedOrder(
  rows: Int32Array,
  neighbours: Int32Array,
  k: number,
): Int32Array {
  const size = neighbours.length / k;
  const pending = new Uint8Array(size);
  for (const r of rows) pending[r] = 1;
  const out = new Int32Array(rows.length);
  let at = 0;
  for (const r of rows) {
    if (!pending[r]) continue;
    pending[r] = 0;
    out[at++] = r;
    for (let q = 0; q < k; q++) {
      const j = neighbours[r * k + q]!;
      if (j >= 0 && pending[j]) {
        pending[j] = 0;
        out[at++] = j;
      }
    }
  }
  return out;
}
