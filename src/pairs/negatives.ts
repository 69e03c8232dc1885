/**
 * Random negative pairing: the cure for the collapse of positives-only
 * contrastive training.
 *
 * Each epoch, every positive pair (i, i) is joined by `negatives` pairs
 * (i, j), j != i, with j drawn at random. A candidate is rejected when its
 * *content* is a pair the data marks positive (so duplicated rows or labelled
 * positives never come back labelled 0). Pairs are re-drawn every epoch from
 * the seeded generator and returned shuffled.
 *
 * @module
 */
import type { PairSet } from "../data/types.ts";
import type { Rng } from "../data/rng.ts";

/** One epoch's pairs: indices into a {@link PairSet} and their labels. */
export interface EpochPairs {
  /** Row of the left sequence, `[M]`. */
  left: Int32Array;
  /** Row of the right sequence, `[M]`. */
  right: Int32Array;
  /** 1 = similar, 0 = dissimilar, `[M]`. */
  labels: Float32Array;
}

/** Options for {@link sampleEpochPairs}. */
export interface SampleOptions {
  /** Seeded generator; advanced by the call. */
  rng: Rng;
  /**
   * Random negatives per positive. For data with 0/1 labels, used only when
   * greater than 0 and {@link SampleOptions.withLabels} is true.
   * @default 1
   */
  negatives?: number;
  /** For labelled data, also add random negatives. @default false */
  withLabels?: boolean;
  /** Shuffle the result. @default true */
  shuffle?: boolean;
}

/** How many draws a negative may take before we give up on a row. */
const MAX_TRIES = 100;

/**
 * A short key for a row's content: two 32-bit hashes (FNV-1a style) of its
 * ids. Rows with the same ids share it; different rows almost never do.
 *
 * @param data row-major ids `[N, len]`
 * @param row which row
 * @param len row length
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { rowKey } from "./negatives.ts";
 * const ids = Int32Array.of(4, 5, 4, 5, 5, 4);
 * assert.ok(rowKey(ids, 0, 2) === rowKey(ids, 1, 2));
 * assert.ok(rowKey(ids, 0, 2) !== rowKey(ids, 2, 2));
 * ```
 */
export function rowKey(data: Int32Array, row: number, len: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let k = row * len, end = k + len; k < end; k++) {
    const v = data[k]!;
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ (v + 0x9e3779b9), 0x85ebca6b);
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}`;
}

/**
 * Keys identifying every pair the data marks positive, by content:
 * `leftKey|rightKey`.
 */
function positiveKeys(set: PairSet): {
  keys: Set<string>;
  leftKeys: string[];
  rightKeys: string[];
} {
  const leftKeys: string[] = [];
  const rightKeys: string[] = [];
  const keys = new Set<string>();
  for (let i = 0; i < set.size; i++) {
    leftKeys.push(rowKey(set.left, i, set.leftLen));
    rightKeys.push(rowKey(set.right, i, set.rightLen));
    if (set.labels === undefined || set.labels[i] === 1) {
      keys.add(`${leftKeys[i]}|${rightKeys[i]}`);
    }
  }
  return { keys, leftKeys, rightKeys };
}

/**
 * Draws one epoch of training pairs.
 *
 * Without labels: every row i gives the positive (i, i) plus `negatives`
 * random negatives (i, j). With labels: every row is used as given, and
 * random negatives are added for its positives only when `withLabels` is set.
 * The input is never mutated.
 *
 * @param set the data
 * @param options see {@link SampleOptions}
 * @returns the epoch's pairs, shuffled
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { sampleEpochPairs } from "./negatives.ts";
 * import { Rng } from "../data/rng.ts";
 * const set = {
 *   size: 3, leftLen: 1, rightLen: 1,
 *   left: Int32Array.of(2, 3, 4), right: Int32Array.of(5, 6, 7),
 * };
 * const p = sampleEpochPairs(set, { rng: new Rng(1), negatives: 2 });
 * assert.ok(p.labels.length === 9);
 * ```
 */
export function sampleEpochPairs(
  set: PairSet,
  options: SampleOptions,
): EpochPairs {
  const negatives = options.negatives ?? 1;
  if (!Number.isInteger(negatives) || negatives < 0) {
    throw new RangeError(
      `Expected negatives to be an integer >= 0 but found ${negatives}`,
    );
  }
  const { rng } = options;
  const labelled = set.labels !== undefined;
  const perPositive = labelled && !options.withLabels ? 0 : negatives;
  if (perPositive > 0 && set.size < 2) {
    throw new RangeError(
      `Random negatives need at least 2 pairs but the data has ${set.size}`,
    );
  }
  const left: number[] = [];
  const right: number[] = [];
  const labels: number[] = [];
  const pos = perPositive > 0 ? positiveKeys(set) : undefined;
  for (let i = 0; i < set.size; i++) {
    const label = labelled ? set.labels![i]! : 1;
    left.push(i);
    right.push(i);
    labels.push(label);
    if (label !== 1 || pos === undefined) continue;
    for (let n = 0; n < perPositive; n++) {
      let j = -1;
      for (let t = 0; t < MAX_TRIES; t++) {
        const cand = rng.int(set.size - 1);
        const jj = cand >= i ? cand + 1 : cand; // uniform over j != i
        if (!pos.keys.has(`${pos.leftKeys[i]}|${pos.rightKeys[jj]}`)) {
          j = jj;
          break;
        }
      }
      if (j < 0) {
        throw new Error(
          `Could not draw a negative for pair ${i} in ${MAX_TRIES} tries: ` +
            "almost every right side matches its left. Add distinct pairs or use labelled data.",
        );
      }
      left.push(i);
      right.push(j);
      labels.push(0);
    }
  }
  let order = Array.from(left.keys());
  if (options.shuffle ?? true) order = rng.shuffle(order);
  return {
    left: Int32Array.from(order, (k) => left[k]!),
    right: Int32Array.from(order, (k) => right[k]!),
    labels: Float32Array.from(order, (k) => labels[k]!),
  };
}
