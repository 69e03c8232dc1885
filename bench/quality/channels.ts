/**
 * Lexical channel variants for choosing one on a validation split: cosines
 * of weighted n-gram vectors over a model's token ids, with the IDF of
 * `src/lexical/ngram_tfidf.ts` (`ln((1 + N) / (1 + df)) + 1`, fitted on the
 * training lefts and rights) and one of three term weights:
 *
 * - `raw`: tf (what the train command's channel uses);
 * - `log`: 1 + ln(tf) (sublinear);
 * - `bm25`: tf (k1 + 1) / (tf + k1 (1 - b + b len / avglen)), k1 1.2, b
 *   0.75, with len the row's n-grams and avglen the mean over the training
 *   rows of that side.
 *
 * @module
 */
import type { PairSet } from "../../src/data/types.ts";
import { rowGrams } from "../../src/lexical/ngram_tfidf.ts";
import {
  normalizeInPlace,
  sparseDotMatrix,
  type SparseVector,
} from "../../src/lexical/sparse.ts";

/** A term weight. */
export type TfKind = "raw" | "log" | "bm25";

/** The term weights searched. */
export const TF_KINDS: readonly TfKind[] = ["raw", "log", "bm25"];

function rows(ids: Int32Array, len: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let s = 0; s < ids.length; s += len) out.push(ids.subarray(s, s + len));
  return out;
}

/** A channel fitted on training pairs: document frequencies and lengths. */
export class Channel {
  readonly n: number;
  readonly vocab: number;
  readonly tf: TfKind;
  readonly #df = new Map<number, number>();
  #documents = 0;
  readonly #avg = { left: 1, right: 1 };

  /**
   * @param train training pairs (one vocabulary for both sides)
   * @param options n-gram length, vocabulary size, term weight
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { Channel } from "./channels.ts";
   * const set = { size: 2, leftLen: 2, rightLen: 2,
   *   left: Int32Array.from([2, 3, 4, 5]), right: Int32Array.from([2, 3, 6, 0]) };
   * const c = new Channel(set, { n: 1, vocab: 8, tf: "bm25" });
   * const m = c.cosines(set);
   * assert.ok(Math.abs(m[0]! - 1) < 1e-6);
   * assert.strictEqual(m[1], 0);
   * ```
   */
  constructor(
    train: PairSet,
    options: { n: number; vocab: number; tf: TfKind },
  ) {
    this.n = options.n;
    this.vocab = options.vocab;
    this.tf = options.tf;
    for (const side of ["left", "right"] as const) {
      const len = side === "left" ? train.leftLen : train.rightLen;
      let total = 0;
      let count = 0;
      for (const row of rows(train[side], len)) {
        const grams = rowGrams(row, 0, row.length, this.n, this.vocab);
        for (const g of new Set(grams)) {
          this.#df.set(g, (this.#df.get(g) ?? 0) + 1);
        }
        this.#documents++;
        total += grams.length;
        count++;
      }
      this.#avg[side] = Math.max(1, total / Math.max(1, count));
    }
  }

  #idf(g: number): number {
    const df = this.#df.get(g) ?? 0;
    return Math.log((1 + this.#documents) / (1 + df)) + 1;
  }

  /** The unit vector of one row of one side. */
  vector(row: Int32Array, side: "left" | "right"): SparseVector {
    const grams = rowGrams(row, 0, row.length, this.n, this.vocab);
    const counts = new Map<number, number>();
    for (const g of grams) counts.set(g, (counts.get(g) ?? 0) + 1);
    const ids = Float64Array.from(counts.keys()).sort();
    const k1 = 1.2;
    const b = 0.75;
    const norm = k1 * (1 - b + b * grams.length / this.#avg[side]);
    const weight = (tf: number) =>
      this.tf === "raw"
        ? tf
        : this.tf === "log"
        ? 1 + Math.log(tf)
        : (tf * (k1 + 1)) / (tf + norm);
    const values = Float32Array.from(
      ids,
      (g) => weight(counts.get(g)!) * this.#idf(g),
    );
    return { ids, values: normalizeInPlace(values) };
  }

  /** Cosines of every left of `set` with every right, `[N, N]`. */
  cosines(set: PairSet): Float32Array {
    const lefts = rows(set.left, set.leftLen).map((r) =>
      this.vector(r, "left")
    );
    const rights = rows(set.right, set.rightLen).map((r) =>
      this.vector(r, "right")
    );
    return sparseDotMatrix(lefts, rights);
  }
}
