/**
 * Private checks of score and label arrays shared by the binary metrics.
 *
 * @module
 */

/**
 * Throws unless `scores` is non-empty and finite and `labels` has the same
 * length and holds only 0 and 1. Returns the number of 1 labels.
 */
export function checkScoresAndLabels(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): number {
  if (scores.length === 0) {
    throw new RangeError("Expected scores to be non-empty but found length 0");
  }
  if (labels.length !== scores.length) {
    throw new RangeError(
      `Expected labels to have the length of scores (${scores.length}) but found ${labels.length}`,
    );
  }
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i]!;
    if (!Number.isFinite(score)) {
      throw new RangeError(
        `Expected scores[${i}] to be a finite number but found ${score}`,
      );
    }
    const label = labels[i]!;
    if (label !== 0 && label !== 1) {
      throw new RangeError(
        `Expected labels[${i}] to be 0 or 1 but found ${label}`,
      );
    }
    positives += label;
  }
  return positives;
}
