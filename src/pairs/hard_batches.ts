/**
 * Batches of confusable pairs for the in-batch losses. An epoch's positive
 * pairs are cut into groups: a pair, then the pairs whose rights come
 * closest to its left (its neighbours, mined with the model at the start of
 * the epoch by `src/infer/neighbours.ts`). Consecutive groups fill a batch,
 * so each left meets as negatives the rights it is most likely to take for
 * its own, besides the other groups' random ones.
 *
 * @module
 */

/**
 * The order in which an epoch visits its positive pairs: groups of up to
 * `group` pairs, each a pair not yet visited followed by its first
 * neighbours not yet visited. Pairs start groups in their given order (the
 * epoch's shuffled order), so the result is a permutation of `[0, n)` that
 * depends only on the neighbour lists.
 *
 * @param neighbours row i lists pair i's neighbours, best first, `[n, k]`
 *   row-major; -1 where fewer than k were found
 * @param k neighbours per row
 * @param group pairs per group (1 + the hard negatives of each pair)
 * @returns the visiting order, a permutation of `[0, n)`
 * @throws RangeError when the lists are not `[n, k]` or `group` < 1
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { groupedOrder } from "./hard_batches.ts";
 * // 4 pairs; 0's closest is 2, 1's is 3
 * const near = Int32Array.of(2, 1, 3, 0, 0, 1, 1, 2);
 * assert.deepStrictEqual(Array.from(groupedOrder(near, 2, 2)), [0, 2, 1, 3]);
 * ```
 */
export function groupedOrder(
  neighbours: Int32Array,
  k: number,
  group: number,
): Int32Array {
  if (!Number.isInteger(k) || k < 1 || neighbours.length % k !== 0) {
    throw new RangeError(
      `Expected neighbour lists of k = ${k} per pair but found ${neighbours.length} entries`,
    );
  }
  if (!Number.isInteger(group) || group < 1) {
    throw new RangeError(
      `Expected at least 1 pair per group but found ${group}`,
    );
  }
  const n = neighbours.length / k;
  const used = new Uint8Array(n);
  const order = new Int32Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    if (used[i]) continue;
    used[i] = 1;
    order[at++] = i;
    let taken = 1;
    for (let q = i * k; q < (i + 1) * k && taken < group; q++) {
      const j = neighbours[q]!;
      if (j < 0 || j >= n || used[j]) continue;
      used[j] = 1;
      order[at++] = j;
      taken++;
    }
  }
  return order;
}
