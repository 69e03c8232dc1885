/**
 * The built-in data set: deterministic, synthetic, with the seed's shapes,
 * and with something to learn (unlike the seed's random integers).
 *
 * Left i is a random "query" of 12 to L1 tokens from the lower half of the
 * vocabulary. Right i is a "document" of L2/6 to L2 tokens that ends with
 * the query translated token by token through a fixed map into the upper
 * half (t -> half + (31 t + 7) mod (V - half)), in order. Before that comes a
 * prefix in which a `signal` fraction of the tokens are translated query
 * tokens in random order and the rest are noise drawn from the whole
 * vocabulary. Both are padded with 0 at the end. A model must learn the
 * translation and learn to ignore the noise.
 *
 * @module
 */
import type { PairSet } from "./types.ts";
import { Rng } from "./rng.ts";

/** Options for {@link makeSyntheticPairs}. */
export interface SyntheticOptions {
  /** Left length L1. @default 52 */
  leftLen?: number;
  /** Right length L2. @default 600 */
  rightLen?: number;
  /** Vocabulary size V (ids 0..V-1, 0 = padding). @default 1000 */
  vocab?: number;
  /** Seed. @default 1 */
  seed?: number;
  /** Fraction of the document's prefix that comes from its query. @default 0.3 */
  signal?: number;
}

/**
 * Makes `size` aligned pairs in which right i is derived from left i.
 *
 * @param size number of pairs N
 * @param options see {@link SyntheticOptions}
 * @returns the pairs, all positives (no labels)
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { makeSyntheticPairs } from "./synthetic.ts";
 * const a = makeSyntheticPairs(4, { seed: 3 });
 * const b = makeSyntheticPairs(4, { seed: 3 });
 * assert.ok(a.left.length === 4 * 52 && a.right.length === 4 * 600);
 * assert.ok(a.right.every((v, k) => v === b.right[k]));
 * ```
 */
export function makeSyntheticPairs(
  size: number,
  options: SyntheticOptions = {},
): PairSet {
  const leftLen = options.leftLen ?? 52;
  const rightLen = options.rightLen ?? 600;
  const vocab = options.vocab ?? 1000;
  const signal = options.signal ?? 0.3;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(
      `Expected size to be an integer >= 1 but found ${size}`,
    );
  }
  if (!Number.isInteger(vocab) || vocab < 8) {
    throw new RangeError(
      `Expected vocab to be an integer >= 8 but found ${vocab}`,
    );
  }
  for (
    const [name, v] of [["leftLen", leftLen], ["rightLen", rightLen]] as const
  ) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Expected ${name} to be an integer >= 1 but found ${v}`,
      );
    }
  }
  const rng = new Rng(options.seed ?? 1);
  const half = Math.floor(vocab / 2);
  const image = (t: number) => half + ((31 * t + 7) % (vocab - half));
  const left = new Int32Array(size * leftLen);
  const right = new Int32Array(size * rightLen);
  const minLeft = Math.min(leftLen, 12);
  const minRight = Math.max(1, Math.min(rightLen, Math.floor(rightLen / 6)));
  for (let i = 0; i < size; i++) {
    const n1 = minLeft + rng.int(leftLen - minLeft + 1);
    for (let k = 0; k < n1; k++) left[i * leftLen + k] = 2 + rng.int(half - 2);
    const n2 = Math.max(minRight, n1) +
      rng.int(rightLen - Math.max(minRight, n1) + 1);
    const query = Math.min(n1, n2);
    const row = i * rightLen;
    for (let k = 0; k < n2 - query; k++) {
      right[row + k] = rng.next() < signal
        ? image(left[i * leftLen + rng.int(n1)]!)
        : 2 + rng.int(vocab - 2);
    }
    for (let k = 0; k < query; k++) {
      right[row + n2 - query + k] = image(left[i * leftLen + n1 - query + k]!);
    }
  }
  return { size, leftLen, rightLen, left, right };
}
