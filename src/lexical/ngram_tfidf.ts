/**
 * The lexical channel: TF-IDF over n-grams of token ids.
 *
 * With character tokens, n-grams of ids are character n-grams of the text
 * as the model reads it (normalised and cut by the tokenizer), so this is
 * the TF-IDF character 3-gram baseline computed on the model's own inputs.
 * A model with a lexical weight λ scores a pair as
 * `(1 - λ) · cos(model vectors) + λ · cos(TF-IDF vectors)` (see
 * `src/lexical/hybrid.ts`).
 *
 * Each row is read up to its first padding id (0); for n >= 2 it is padded
 * with one 0 at each end, so the first and last tokens form n-grams of their
 * own (as spaces pad text for character n-grams). An
 * n-gram's id is its tokens as digits base V (the vocabulary size), unique
 * for every n-gram of the vocabulary. Weights are `tf · idf` with
 * `idf = ln((1 + N) / (1 + df)) + 1` over the N rows fitted on (the
 * smoothed IDF of common practice; an n-gram never seen in fitting gets the
 * largest weight). Vectors are L2-normalised, so a dot product is a cosine.
 *
 * @module
 */
import type { PairSet } from "../data/types.ts";
import { normalizeInPlace, type SparseVector } from "./sparse.ts";

/** The format tag of {@link LexicalJson}. */
export const LEXICAL_FORMAT = "siamese-wasm/lexical@1";

/** A fitted index as stored in a run directory (`lexical.json`). */
export interface LexicalJson {
  /** {@link LEXICAL_FORMAT}. */
  format: string;
  /** Tokens per n-gram. */
  n: number;
  /** Vocabulary size V of the token ids. */
  vocab: number;
  /** Rows fitted on, N. */
  documents: number;
  /** N-gram ids seen in fitting, ascending. */
  grams: number[];
  /** Rows holding each of `grams`. */
  df: number[];
}

/** A sparse vector with float64 ids (n-gram ids can pass 2^31). */
export interface NgramVector extends SparseVector {
  /** N-gram ids (tokens as digits base V), ascending. */
  readonly ids: Float64Array;
  /** TF-IDF weights, L2-normalised. */
  readonly values: Float32Array;
}

/**
 * TF-IDF over n-grams of token ids.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { LexicalIndex } from "./ngram_tfidf.ts";
 * // two rows of a 10-token vocabulary, padded with 0 to length 4
 * const index = LexicalIndex.fitRows(Int32Array.from([2, 3, 4, 0, 2, 3, 5, 0]), 4, { n: 2, vocab: 10 });
 * const v = index.vector(Int32Array.from([2, 3, 0, 0]));
 * assert.deepStrictEqual([...v.ids], [2, 23, 30]); // "0 2", "2 3", "3 0"
 * assert.ok(Math.abs(Math.hypot(...v.values) - 1) < 1e-6);
 * ```
 */
export class LexicalIndex {
  /** Tokens per n-gram. */
  readonly n: number;
  /** Vocabulary size of the token ids. */
  readonly vocab: number;
  /** Rows fitted on, N. */
  readonly documents: number;
  readonly #df: Map<number, number>;
  /** Row vectors of id matrices already seen, by matrix, then row. */
  readonly #rows = new WeakMap<Int32Array, (NgramVector | undefined)[]>();

  private constructor(
    n: number,
    vocab: number,
    documents: number,
    df: Map<number, number>,
  ) {
    this.n = n;
    this.vocab = vocab;
    this.documents = documents;
    this.#df = df;
  }

  /**
   * Counts n-gram document frequencies over the rows of a `[rows, len]`
   * id matrix.
   *
   * @param ids token ids, row-major, 0 = padding
   * @param len row length
   * @param options n-gram length and vocabulary size
   */
  static fitRows(
    ids: Int32Array,
    len: number,
    options: { n: number; vocab: number },
  ): LexicalIndex {
    return LexicalIndex.#count([[ids, len]], options);
  }

  /**
   * Fits on every left and every right row of a pair set (2N rows).
   *
   * @param set training pairs; left and right ids must share a vocabulary
   * @param options n-gram length and vocabulary size
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { LexicalIndex } from "./ngram_tfidf.ts";
   * const set = { size: 1, leftLen: 2, rightLen: 3,
   *   left: Int32Array.from([4, 0]), right: Int32Array.from([4, 5, 0]) };
   * const index = LexicalIndex.fit(set, { n: 1, vocab: 8 });
   * assert.strictEqual(index.documents, 2);
   * assert.strictEqual(index.idf(4), Math.log(3 / 3) + 1); // in both rows
   * ```
   */
  static fit(
    set: PairSet,
    options: { n: number; vocab: number },
  ): LexicalIndex {
    return LexicalIndex.#count(
      [[set.left, set.leftLen], [set.right, set.rightLen]],
      options,
    );
  }

  /** Document frequencies over the rows of `[ids, len]` matrices. */
  static #count(
    matrices: readonly (readonly [Int32Array, number])[],
    options: { n: number; vocab: number },
  ): LexicalIndex {
    checkShape(options.n, options.vocab);
    const df = new Map<number, number>();
    let documents = 0;
    for (const [ids, len] of matrices) {
      for (let start = 0; start < ids.length; start += len) {
        const grams = rowGrams(ids, start, len, options.n, options.vocab);
        for (const g of new Set(grams)) df.set(g, (df.get(g) ?? 0) + 1);
        documents++;
      }
    }
    return new LexicalIndex(options.n, options.vocab, documents, df);
  }

  /**
   * Reads a stored index, checking every field.
   *
   * @param json parsed `lexical.json`
   * @param source the file name, for error messages
   */
  static fromJSON(json: unknown, source: string): LexicalIndex {
    const bad = (field: string, value: unknown, expected: string) =>
      new Error(
        `${source}: field "${field}" is ${
          JSON.stringify(value)?.slice(0, 60)
        }; expected ${expected}. Re-run \`deno task train\` to write it again.`,
      );
    if (typeof json !== "object" || json === null) {
      throw bad("(top level)", json, "an object");
    }
    const j = json as Record<string, unknown>;
    if (j.format !== LEXICAL_FORMAT) {
      throw bad("format", j.format, `"${LEXICAL_FORMAT}"`);
    }
    for (const field of ["n", "vocab", "documents"] as const) {
      const v = j[field];
      if (!Number.isInteger(v) || (v as number) < 1) {
        throw bad(field, v, "an integer >= 1");
      }
    }
    const grams = j.grams;
    const df = j.df;
    if (!Array.isArray(grams) || !grams.every(Number.isInteger)) {
      throw bad("grams", grams, "an array of integers");
    }
    if (
      !Array.isArray(df) || df.length !== grams.length ||
      !df.every((c) => Number.isInteger(c) && c >= 1)
    ) {
      throw bad(
        "df",
        df,
        `an array of ${grams.length} integers >= 1 (one per gram)`,
      );
    }
    checkShape(j.n as number, j.vocab as number);
    const map = new Map<number, number>();
    grams.forEach((g, k) => map.set(g, df[k]));
    return new LexicalIndex(
      j.n as number,
      j.vocab as number,
      j.documents as number,
      map,
    );
  }

  /** The stored form, n-grams ascending. */
  toJSON(): LexicalJson {
    const grams = [...this.#df.keys()].sort((a, b) => a - b);
    return {
      format: LEXICAL_FORMAT,
      n: this.n,
      vocab: this.vocab,
      documents: this.documents,
      grams,
      df: grams.map((g) => this.#df.get(g)!),
    };
  }

  /** Distinct n-grams seen in fitting. */
  get size(): number {
    return this.#df.size;
  }

  /** The IDF of an n-gram id (the largest value for one never seen). */
  idf(gram: number): number {
    const df = this.#df.get(gram) ?? 0;
    return Math.log((1 + this.documents) / (1 + df)) + 1;
  }

  /**
   * The L2-normalised TF-IDF vector of one row of ids; all zeros (no ids)
   * for a row without tokens.
   *
   * @param ids the row, 0 = padding (read up to the first 0)
   * @param into scratch to write the vector into instead of new arrays
   *   (the result then views it, valid until its next use); see
   *   {@link VectorScratch}
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { LexicalIndex, VectorScratch } from "./ngram_tfidf.ts";
   * const index = LexicalIndex.fitRows(Int32Array.from([2, 3, 4, 0]), 4, { n: 2, vocab: 10 });
   * const row = Int32Array.from([2, 3, 3, 0]);
   * const scratch = new VectorScratch(4, 2);
   * assert.deepStrictEqual(index.vector(row, scratch), index.vector(row));
   * ```
   */
  vector(ids: ArrayLike<number>, into?: VectorScratch): NgramVector {
    // the n-grams of rowGrams, sorted, counted by runs: no Map and no
    // per-gram garbage (eval computes a vector per row it scores)
    const { n, vocab } = this;
    let end = 0;
    while (end < ids.length && ids[end] !== 0) end++;
    const padded = n === 1 ? end : end + 2;
    const count = end === 0 ? 0 : Math.max(0, padded - n + 1);
    if (into !== undefined && into.grams.length < count) {
      throw new RangeError(
        `Expected a scratch for at least ${count} n-grams but found ${into.grams.length}`,
      );
    }
    const grams = into?.grams.subarray(0, count) ?? new Float64Array(count);
    for (let k = 0; k < count; k++) {
      let g = 0;
      for (let j = 0; j < n; j++) {
        const at = k + j;
        const token = n === 1
          ? ids[at]!
          : at === 0 || at > end
          ? 0
          : ids[at - 1]!;
        g = g * vocab + token;
      }
      grams[k] = g;
    }
    grams.sort();
    let unique = 0;
    for (let k = 0; k < count; k++) {
      if (k === 0 || grams[k] !== grams[k - 1]) unique++;
    }
    const keys = into?.ids.subarray(0, unique) ?? new Float64Array(unique);
    const values = into?.values.subarray(0, unique) ??
      new Float32Array(unique);
    for (let k = 0, q = 0; k < count; q++) {
      let next = k + 1;
      while (next < count && grams[next] === grams[k]) next++;
      keys[q] = grams[k]!;
      values[q] = (next - k) * this.idf(grams[k]!); // term count x IDF
      k = next;
    }
    return { ids: keys, values: normalizeInPlace(values) };
  }

  /**
   * The vector of one row of a `[rows, len]` id matrix, computed once per
   * matrix and row and then kept (training reads every row once an epoch).
   * The matrix must not change afterwards, as a data set's do not.
   *
   * @param ids token ids, row-major
   * @param len row length (one per matrix)
   * @param row the row
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { LexicalIndex } from "./ngram_tfidf.ts";
   * const ids = Int32Array.from([2, 3, 4, 0]);
   * const index = LexicalIndex.fitRows(ids, 2, { n: 1, vocab: 8 });
   * assert.strictEqual(index.rowVector(ids, 2, 1), index.rowVector(ids, 2, 1));
   * assert.deepStrictEqual(index.rowVector(ids, 2, 1), index.vector(Int32Array.from([4, 0])));
   * ```
   */
  rowVector(ids: Int32Array, len: number, row: number): NgramVector {
    let cache = this.#rows.get(ids);
    if (cache === undefined) this.#rows.set(ids, cache = []);
    return cache[row] ??= this.vector(
      ids.subarray(row * len, (row + 1) * len),
    );
  }

  /**
   * The vectors of the rows of a `[rows, len]` id matrix (kept, as
   * {@link LexicalIndex.rowVector}).
   *
   * @param ids token ids, row-major
   * @param len row length
   */
  vectors(ids: Int32Array, len: number): NgramVector[] {
    const out: NgramVector[] = [];
    for (let r = 0; r * len < ids.length; r++) {
      out.push(this.rowVector(ids, len, r));
    }
    return out;
  }
}

/**
 * Reusable arrays for {@link LexicalIndex.vector}: one vector's worth, for
 * rows of up to `len` tokens, so scoring many rows allocates nothing per row.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { VectorScratch } from "./ngram_tfidf.ts";
 * assert.strictEqual(new VectorScratch(10, 3).grams.length, 10);
 * ```
 */
export class VectorScratch {
  /** The row's n-grams, sorted in place. */
  readonly grams: Float64Array;
  /** The vector's ids. */
  readonly ids: Float64Array;
  /** The vector's values. */
  readonly values: Float32Array;

  /**
   * Arrays for rows of up to `len` tokens.
   *
   * @param len the longest row, in tokens
   * @param n the index's n-gram length
   */
  constructor(len: number, n: number) {
    const size = Math.max(0, (n === 1 ? len : len + 2) - n + 1);
    this.grams = new Float64Array(size);
    this.ids = new Float64Array(size);
    this.values = new Float32Array(size);
  }
}

function checkShape(n: number, vocab: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Expected the lexical n-gram length to be an integer >= 1 but found ${n}`,
    );
  }
  if (!Number.isInteger(vocab) || vocab < 2) {
    throw new RangeError(
      `Expected the vocabulary size to be an integer >= 2 but found ${vocab}`,
    );
  }
  if (vocab ** n > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(
      `Lexical ${n}-grams over a vocabulary of ${vocab} have ${vocab}^${n} ids, ` +
        `more than a float64 counts exactly; use a smaller model.lexical.n or model.vocab.`,
    );
  }
}

/**
 * The n-gram ids of one row, `ids[start, start + len)`: tokens up to the
 * first 0, padded by one 0 at each end when n >= 2; gram id = the tokens as
 * digits in base `vocab`.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { rowGrams } from "./ngram_tfidf.ts";
 * assert.deepEqual(rowGrams(Int32Array.from([2, 3, 0]), 0, 3, 2, 10), [2, 23, 30]);
 * ```
 */
export function rowGrams(
  ids: Int32Array,
  start: number,
  len: number,
  n: number,
  vocab: number,
): number[] {
  let end = start;
  while (end < start + len && ids[end] !== 0) end++;
  if (end === start) return [];
  const tokens = ids.subarray(start, end);
  const padded = n === 1 ? tokens : [0, ...tokens, 0];
  const out: number[] = [];
  for (let k = 0; k + n <= padded.length; k++) {
    let g = 0;
    for (let j = 0; j < n; j++) g = g * vocab + padded[k + j]!;
    out.push(g);
  }
  return out;
}
