/**
 * Area under the ROC curve: the probability that a random positive pair
 * scores above a random negative one, ties counting one half.
 *
 * @module
 */
import { checkScoresAndLabels } from "./_check_scores.ts";

/**
 * ROC AUC of `scores` against 0/1 `labels`, computed from ranks (the
 * Mann-Whitney U statistic): tied scores share their average rank, so a tie
 * between a positive and a negative counts one half. O(N log N).
 *
 * @param scores one finite score per pair, higher = more similar
 * @param labels one label per pair, 1 = similar, 0 = dissimilar
 * @returns the AUC in [0, 1]; 0.5 for uninformative scores
 * @throws {RangeError} if the labels hold only one class, e.g.
 *   `Expected labels to contain both 0 and 1 but found only 1`
 *
 * @example
 * ```ts
 * import { strictEqual } from "@std/assert";
 * import { rocAuc } from "./roc_auc.ts";
 * strictEqual(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
 * ```
 */
export function rocAuc(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): number {
  const positives = checkScoresAndLabels(scores, labels);
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new RangeError(
      `Expected labels to contain both 0 and 1 but found only ${
        positives === 0 ? 0 : 1
      }`,
    );
  }
  const order = Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => scores[a]! - scores[b]!);
  let positiveRankSum = 0;
  let start = 0;
  while (start < order.length) {
    const score = scores[order[start]!]!;
    let end = start + 1;
    while (end < order.length && scores[order[end]!] === score) end++;
    const rank = (start + 1 + end) / 2; // average of 1-based ranks start+1..end
    for (let k = start; k < end; k++) {
      positiveRankSum += labels[order[k]!]! * rank;
    }
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) /
    (positives * negatives);
}
