/**
 * The bar a learned model has to clear: TF-IDF over character n-grams
 * (3-grams by default) and cosine similarity, no learning at all.
 *
 * Text is normalised like the `char` tokenizer (NFC, lowercase), whitespace
 * runs become one space, and one space pads each end, so a word's first and
 * last letters form their own n-grams (`"ab"` -> `" ab"`, `"ab "`).
 *
 * Weights: `tf * idf` with `idf = ln((1 + N) / (1 + df)) + 1` over the N
 * texts the vectorizer was fitted on (the smoothed IDF of common practice);
 * an n-gram never seen in fitting has `df = 0`, the largest weight. With
 * `sublinearTf`, tf is replaced by `1 + ln(tf)`. Vectors are L2-normalised,
 * so a dot product is a cosine.
 *
 * @module
 */
import {
  retrievalMetrics,
  type RetrievalResult,
} from "../../src/metrics/retrieval.ts";
import {
  normalizeInPlace,
  sparseDotMatrix,
  type SparseVector,
} from "../../src/lexical/sparse.ts";

/** A sparse vector of text n-grams: ascending ids and their values. */
export interface TextVector extends SparseVector {
  ids: Int32Array;
  values: Float32Array;
}

/** Options for {@link TfidfVectorizer.fit}. */
export interface TfidfOptions {
  /** The n of the character n-grams. @default 3 */
  n?: number;
  /** Use `1 + ln(tf)` instead of the raw count tf. @default false */
  sublinearTf?: boolean;
}

/**
 * The character n-grams of a text, normalised and padded as described in
 * the module documentation, in order, repeats included.
 *
 * @param text any text
 * @param n the n-gram length @default 3
 * @returns the n-grams; none when the padded text is shorter than n
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { charNgrams } from "./tfidf.ts";
 * assert.deepEqual(charNgrams("Ab  C"), [" ab", "ab ", "b c", " c "]);
 * ```
 */
export function charNgrams(text: string, n = 3): string[] {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Expected n to be an integer of at least 1 but found ${n}`,
    );
  }
  const clean = text.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
  const chars = [..." " + clean + " "];
  const out: string[] = [];
  for (let k = 0; k + n <= chars.length; k++) {
    out.push(chars.slice(k, k + n).join(""));
  }
  return out;
}

/**
 * TF-IDF over character n-grams.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { TfidfVectorizer } from "./tfidf.ts";
 * const v = TfidfVectorizer.fit(["abc", "abd"]);
 * const x = v.transform("abc");
 * const norm = Math.hypot(...x.values);
 * assert.ok(Math.abs(norm - 1) < 1e-6);
 * ```
 */
export class TfidfVectorizer {
  /** The n of the n-grams. */
  readonly n: number;
  /** Whether tf is sublinear. */
  readonly sublinearTf: boolean;
  /** Texts fitted on, N. */
  readonly documents: number;
  #ids = new Map<string, number>();
  #df: number[] = [];

  private constructor(n: number, sublinearTf: boolean, documents: number) {
    this.n = n;
    this.sublinearTf = sublinearTf;
    this.documents = documents;
  }

  /**
   * Counts document frequencies over `texts`.
   *
   * @param texts the texts the IDF is estimated on
   * @param options see {@link TfidfOptions}
   */
  static fit(
    texts: Iterable<string>,
    options: TfidfOptions = {},
  ): TfidfVectorizer {
    const n = options.n ?? 3;
    const df = new Map<string, number>();
    let documents = 0;
    for (const text of texts) {
      documents++;
      for (const gram of new Set(charNgrams(text, n))) {
        df.set(gram, (df.get(gram) ?? 0) + 1);
      }
    }
    const v = new TfidfVectorizer(n, options.sublinearTf ?? false, documents);
    for (const [gram, count] of df) {
      v.#ids.set(gram, v.#df.length);
      v.#df.push(count);
    }
    return v;
  }

  /** Distinct n-grams seen in fitting. */
  get vocabularySize(): number {
    return this.#df.length;
  }

  /**
   * The IDF of an n-gram (the largest value for one never seen in fitting).
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { TfidfVectorizer } from "./tfidf.ts";
   * const v = TfidfVectorizer.fit(["ab", "ab", "cd"]);
   * assert.equal(v.idf(" ab"), Math.log(4 / 3) + 1);
   * assert.equal(v.idf("zzz"), Math.log(4) + 1);
   * ```
   */
  idf(gram: string): number {
    const id = this.#ids.get(gram);
    // ids past #df were added by transform for unseen n-grams: df = 0
    const df = id === undefined ? 0 : this.#df[id] ?? 0;
    return Math.log((1 + this.documents) / (1 + df)) + 1;
  }

  /**
   * The L2-normalised TF-IDF vector of a text. N-grams not seen in fitting
   * get new ids (shared by later calls), so equal n-grams always match.
   *
   * @param text any text
   * @returns the vector; all zeros (no ids) for a text without n-grams
   */
  transform(text: string): TextVector {
    const tf = new Map<number, number>();
    const idf = new Map<number, number>();
    for (const gram of charNgrams(text, this.n)) {
      let id = this.#ids.get(gram);
      if (id === undefined) {
        id = this.#ids.size;
        this.#ids.set(gram, id);
      }
      if (!idf.has(id)) idf.set(id, this.idf(gram));
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from(tf.keys()).sort();
    const values = Float32Array.from(ids, (id) => {
      const count = tf.get(id)!;
      return (this.sublinearTf ? 1 + Math.log(count) : count) * idf.get(id)!;
    });
    return { ids, values: normalizeInPlace(values) };
  }
}

/** A text pair; right i is the answer for left i. */
export interface TextPair {
  left: string;
  right: string;
}

/**
 * Retrieval with TF-IDF: each left ranks all rights of `pairs` by cosine;
 * recall@1, recall@10 and MRR by `retrievalMetrics`.
 *
 * @param pairs the test pairs, N >= 1
 * @param fit the texts the IDF is estimated on (e.g. the training file's
 *   lefts and rights, so nothing is learned from the test set)
 * @param options see {@link TfidfOptions}
 * @returns the retrieval figures over the N pairs
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { tfidfRetrieval } from "./tfidf.ts";
 * const pairs = [
 *   { left: "lisp", right: "lisp is a language of lists" },
 *   { left: "ada", right: "ada is named after ada lovelace" },
 * ];
 * const r = tfidfRetrieval(pairs, pairs.map((p) => p.right));
 * assert.deepEqual(r.recall, [1, 1]);
 * ```
 */
export function tfidfRetrieval(
  pairs: readonly TextPair[],
  fit: Iterable<string>,
  options: TfidfOptions = {},
): RetrievalResult {
  const vectorizer = TfidfVectorizer.fit(fit, options);
  const lefts = pairs.map((p) => vectorizer.transform(p.left));
  const rights = pairs.map((p) => vectorizer.transform(p.right));
  return retrievalMetrics(sparseDotMatrix(lefts, rights), { ks: [1, 10] });
}
