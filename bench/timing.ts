/**
 * Timing helpers the step benches share: the median, and the median and
 * minimum wall time of repeated runs after warm-up runs.
 *
 * @module
 */

/**
 * The median of numbers (the mean of the middle two for an even count).
 *
 * @param xs at least one number
 * @returns their median
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { median } from "./timing.ts";
 * assert.equal(median([3, 1, 2]), 2);
 * assert.equal(median([4, 1, 2, 3]), 2.5);
 * ```
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Median and minimum milliseconds of `reps` runs of `fn`, after `warmups`
 * untimed runs (weights, optimizer slots, tables and kernels get built).
 *
 * @param reps timed runs, at least 1
 * @param fn the work
 * @param warmups untimed runs first
 * @returns the median and the minimum in milliseconds
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { timeRuns } from "./timing.ts";
 * let calls = 0;
 * const t = timeRuns(3, () => void calls++, 2);
 * assert.equal(calls, 5);
 * assert.ok(t.min <= t.median);
 * ```
 */
export function timeRuns(
  reps: number,
  fn: () => void,
  warmups: number,
): { median: number; min: number } {
  for (let i = 0; i < warmups; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return { median: median(ms), min: Math.min(...ms) };
}
