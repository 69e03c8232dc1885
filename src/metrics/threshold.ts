/**
 * Turning scores into 0/1 decisions: a pair is predicted similar when its
 * score is at least the threshold (`score >= threshold`).
 *
 * @module
 */
import { checkScoresAndLabels } from "./_check_scores.ts";

/** Quality of the decisions `score >= threshold`. */
export interface ThresholdResult {
  /** The threshold. */
  threshold: number;
  /** Fraction of pairs decided correctly. */
  accuracy: number;
  /** `2TP / (2TP + FP + FN)`; 0 when there are no positives and none predicted. */
  f1: number;
  /** `TP / (TP + FP)`; 0 when nothing is predicted positive. */
  precision: number;
  /** `TP / (TP + FN)`; 0 when there are no positives. */
  recall: number;
}

/** Options for {@link evaluateThreshold}. */
export interface EvaluateThresholdOptions {
  /** Pairs scoring at least this are predicted similar. */
  threshold: number;
}

/**
 * Accuracy, F1, precision and recall of `score >= threshold` decisions.
 *
 * @param scores one finite score per pair
 * @param labels one 0/1 label per pair
 * @param options see {@link EvaluateThresholdOptions}
 * @returns the result at that threshold
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "@std/assert";
 * import { evaluateThreshold } from "./threshold.ts";
 * const r = evaluateThreshold([0.9, 0.2, 0.6, 0.1], [1, 1, 0, 0], { threshold: 0.5 });
 * deepStrictEqual(r, { threshold: 0.5, accuracy: 0.5, f1: 0.5, precision: 0.5, recall: 0.5 });
 * ```
 */
export function evaluateThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: EvaluateThresholdOptions,
): ThresholdResult {
  const positives = checkScoresAndLabels(scores, labels);
  const { threshold } = options;
  if (Number.isNaN(threshold)) {
    throw new RangeError("Expected threshold to be a number but found NaN");
  }
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! >= threshold) {
      if (labels[i] === 1) tp++;
      else fp++;
    }
  }
  return result(threshold, tp, fp, positives, scores.length);
}

/**
 * The threshold with the best accuracy on these scores. Candidates split the
 * sorted distinct scores: the midpoint between each pair of neighbours, the
 * lowest score (all predicted similar) and `Infinity` (none). Ties in
 * accuracy go to the higher F1 (two different cuts cannot tie on both).
 * O(N log N).
 *
 * @param scores one finite score per pair
 * @param labels one 0/1 label per pair
 * @returns the best threshold and its result
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "@std/assert";
 * import { bestThreshold } from "./threshold.ts";
 * const r = bestThreshold([0.9, 0.8, 0.3, 0.2, 0.6], [1, 1, 0, 0, 0]);
 * deepStrictEqual(r, { threshold: 0.7, accuracy: 1, f1: 1, precision: 1, recall: 1 });
 * ```
 */
export function bestThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): ThresholdResult {
  const positives = checkScoresAndLabels(scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => scores[b]! - scores[a]!);
  let best = result(Infinity, 0, 0, positives, n);
  let tp = 0;
  let fp = 0;
  let start = 0;
  while (start < n) {
    const high = scores[order[start]!]!;
    let end = start;
    while (end < n && scores[order[end]!] === high) {
      if (labels[order[end]!] === 1) tp++;
      else fp++;
      end++;
    }
    const candidate = result(
      threshold(high, end < n ? scores[order[end]!]! : undefined),
      tp,
      fp,
      positives,
      n,
    );
    if (
      candidate.accuracy > best.accuracy ||
      (candidate.accuracy === best.accuracy && candidate.f1 > best.f1)
    ) {
      best = candidate;
    }
    start = end;
  }
  return best;
}

/** A threshold keeping `high` and above and dropping `low` and below. */
function threshold(high: number, low: number | undefined): number {
  if (low === undefined) return high;
  const mid = low + (high - low) / 2;
  return mid > low ? mid : high; // neighbours too close to split: use high
}

function result(
  threshold: number,
  tp: number,
  fp: number,
  positives: number,
  n: number,
): ThresholdResult {
  const fn = positives - tp;
  const tn = n - positives - fp;
  return {
    threshold,
    accuracy: (tp + tn) / n,
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    precision: tp === 0 ? 0 : tp / (tp + fp),
    recall: tp === 0 ? 0 : tp / positives,
  };
}
