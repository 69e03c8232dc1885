/**
 * Selecting and splitting rows of a {@link PairSet}.
 *
 * @module
 */
import type { PairSet } from "./types.ts";
import { Rng } from "./rng.ts";

/**
 * A new set made of the given rows, in the given order (copies).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { selectRows } from "./subset.ts";
 * const set = { size: 3, leftLen: 1, rightLen: 1,
 *   left: Int32Array.of(2, 3, 4), right: Int32Array.of(5, 6, 7) };
 * assert.deepEqual([...selectRows(set, [2, 0]).right], [7, 5]);
 * ```
 */
export function selectRows(set: PairSet, rows: readonly number[]): PairSet {
  const left = new Int32Array(rows.length * set.leftLen);
  const right = new Int32Array(rows.length * set.rightLen);
  rows.forEach((r, k) => {
    left.set(
      set.left.subarray(r * set.leftLen, (r + 1) * set.leftLen),
      k * set.leftLen,
    );
    right.set(
      set.right.subarray(r * set.rightLen, (r + 1) * set.rightLen),
      k * set.rightLen,
    );
  });
  const labels = set.labels;
  return {
    size: rows.length,
    leftLen: set.leftLen,
    rightLen: set.rightLen,
    left,
    right,
    ...(labels ? { labels: Uint8Array.from(rows, (r) => labels[r]!) } : {}),
  };
}

/**
 * Splits a set at random (seeded) into training and validation rows.
 *
 * @param set the data
 * @param options `fraction` for validation (0 < f < 1), `seed`
 * @returns `[train, val]`, each with rows in their original order
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { splitRandom } from "./subset.ts";
 * const set = { size: 10, leftLen: 1, rightLen: 1,
 *   left: Int32Array.from({ length: 10 }, (_, k) => k + 2),
 *   right: Int32Array.from({ length: 10 }, (_, k) => k + 20) };
 * const [train, val] = splitRandom(set, { fraction: 0.2, seed: 1 });
 * assert.equal(train.size, 8);
 * assert.equal(val.size, 2);
 * ```
 */
export function splitRandom(
  set: PairSet,
  options: { fraction: number; seed: number },
): [PairSet, PairSet] {
  const { fraction } = options;
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(
      `Expected fraction to be between 0 and 1 but found ${fraction}`,
    );
  }
  const nVal = Math.max(2, Math.round(set.size * fraction));
  if (set.size - nVal < 2) {
    throw new RangeError(
      `Expected at least ${
        nVal + 2
      } pairs to split off ${nVal} for validation but found ${set.size}`,
    );
  }
  const order = new Rng(options.seed).shuffle(
    Array.from({ length: set.size }, (_, k) => k),
  );
  const val = order.slice(0, nVal).sort((a, b) => a - b);
  const train = order.slice(nVal).sort((a, b) => a - b);
  return [selectRows(set, train), selectRows(set, val)];
}
