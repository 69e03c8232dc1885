/**
 * Sparse vectors (ascending ids with their values) and their dot products.
 *
 * @module
 */

/** A sparse vector: strictly ascending ids and one value per id. */
export interface SparseVector {
  /** The ids of the non-zero entries, strictly ascending. */
  readonly ids: ArrayLike<number>;
  /** `values[k]` is the entry at `ids[k]`. */
  readonly values: ArrayLike<number>;
}

/**
 * Scales values to unit L2 length in place (all zeros stay zeros), so that
 * dot products of such vectors are cosines.
 *
 * @returns `values`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { normalizeInPlace } from "./sparse.ts";
 * assert.deepStrictEqual([...normalizeInPlace(Float32Array.of(3, 4))], [0.6000000238418579, 0.800000011920929]);
 * assert.deepStrictEqual([...normalizeInPlace(Float32Array.of(0, 0))], [0, 0]);
 * ```
 */
export function normalizeInPlace(values: Float32Array): Float32Array {
  let norm = 0;
  for (let k = 0; k < values.length; k++) norm += values[k]! * values[k]!;
  norm = Math.sqrt(norm);
  if (norm > 0) {
    for (let k = 0; k < values.length; k++) values[k]! /= norm;
  }
  return values;
}

/**
 * Dot product of two sparse vectors (a merge of their sorted ids).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { sparseDot } from "./sparse.ts";
 * const a = { ids: [1, 4, 9], values: [1, 2, 3] };
 * const b = { ids: [4, 9, 12], values: [5, 1, 7] };
 * assert.strictEqual(sparseDot(a, b), 2 * 5 + 3 * 1);
 * ```
 */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i]!;
    const y = b.ids[j]!;
    if (x === y) sum += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}

/**
 * Dot products of every left with every right vector (cosines, for
 * L2-normalised vectors), through an inverted index of the rights.
 *
 * @param lefts N vectors
 * @param rights M vectors
 * @returns the `[N, M]` matrix, row-major
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { sparseDotMatrix } from "./sparse.ts";
 * const v = (ids: number[], values: number[]) => ({ ids, values });
 * const m = sparseDotMatrix([v([0, 2], [1, 2])], [v([2], [3]), v([1], [1])]);
 * assert.deepStrictEqual([...m], [6, 0]);
 * ```
 */
export function sparseDotMatrix(
  lefts: readonly SparseVector[],
  rights: readonly SparseVector[],
): Float32Array {
  return new SparsePostings(rights).dotMatrix(lefts);
}

/**
 * An inverted index of sparse vectors (the "rights"): for each id, the
 * vectors holding it and their values. Built once, it gives
 * {@link sparseDotMatrix} against many lefts without rebuilding (a search
 * corpus).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { SparsePostings } from "./sparse.ts";
 * const v = (ids: number[], values: number[]) => ({ ids, values });
 * const index = new SparsePostings([v([2], [3]), v([1], [1])]);
 * assert.deepStrictEqual([...index.dotMatrix([v([0, 2], [1, 2])])], [6, 0]);
 * ```
 */
export class SparsePostings {
  /** Vectors indexed, M. */
  readonly size: number;
  /** The distinct ids, ascending. */
  readonly #ids: Float64Array;
  /** Id `#ids[s]`'s postings are `[#starts[s], #starts[s + 1])`. */
  readonly #starts: Uint32Array;
  /** Each posting's vector, ascending within an id. */
  readonly #docs: Uint16Array | Uint32Array;
  /** Each posting's value. */
  readonly #values: Float32Array | Float64Array;

  /**
   * Indexes the vectors, in typed arrays: 6 bytes per stored value for up
   * to 65,536 vectors whose values are float32 (TF-IDF vectors are), else
   * up to 12 (a `Map` of arrays took about ten times that, measured in
   * docs/speed.md).
   *
   * @param rights the M vectors to index
   */
  constructor(rights: readonly SparseVector[]) {
    this.size = rights.length;
    let total = 0;
    for (const r of rights) total += r.ids.length;
    // the distinct ids, sorted
    const all = new Float64Array(total);
    let at = 0;
    for (const r of rights) {
      for (let k = 0; k < r.ids.length; k++) all[at++] = r.ids[k]!;
    }
    all.sort();
    let distinct = 0;
    for (let k = 0; k < total; k++) {
      if (k === 0 || all[k] !== all[distinct - 1]) all[distinct++] = all[k]!;
    }
    this.#ids = all.slice(0, distinct);
    // each value's slot, counted, then placed in the order of the vectors
    const slots = new Uint32Array(total);
    const starts = new Uint32Array(distinct + 1);
    at = 0;
    for (const r of rights) {
      for (let k = 0; k < r.ids.length; k++) {
        const s = this.#slot(r.ids[k]!);
        slots[at++] = s;
        starts[s + 1]!++;
      }
    }
    for (let s = 0; s < distinct; s++) starts[s + 1]! += starts[s]!;
    const next = starts.slice(0, distinct);
    this.#docs = rights.length <= 0x10000
      ? new Uint16Array(total)
      : new Uint32Array(total);
    // float32 values stored as float32 are the same numbers
    this.#values = rights.every((r) => r.values instanceof Float32Array)
      ? new Float32Array(total)
      : new Float64Array(total);
    at = 0;
    rights.forEach((r, j) => {
      for (let k = 0; k < r.ids.length; k++) {
        const q = next[slots[at++]!]!++;
        this.#docs[q] = j;
        this.#values[q] = r.values[k]!;
      }
    });
    this.#starts = starts;
  }

  /** The slot of an id in `#ids`, or -1. */
  #slot(id: number): number {
    const ids = this.#ids;
    let lo = 0, hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = ids[mid]!;
      if (x === id) return mid;
      if (x < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Dot products of every left with every indexed vector.
   *
   * @param lefts N vectors
   * @returns the `[N, M]` matrix, row-major
   */
  dotMatrix(lefts: readonly SparseVector[]): Float32Array {
    const m = this.size;
    const out = new Float32Array(lefts.length * m);
    const starts = this.#starts, docs = this.#docs, values = this.#values;
    lefts.forEach((l, i) => {
      const row = out.subarray(i * m, (i + 1) * m);
      for (let k = 0; k < l.ids.length; k++) {
        const s = this.#slot(l.ids[k]!);
        if (s < 0) continue;
        const x = l.values[k]!;
        for (let q = starts[s]!; q < starts[s + 1]!; q++) {
          row[docs[q]!]! += x * values[q]!;
        }
      }
    });
    return out;
  }
}
