/**
 * A cheap alarm for representation collapse, when a siamese branch maps every
 * input to (nearly) the same direction.
 *
 * The statistic: L2-normalise each vector of a batch, take the standard
 * deviation of each dimension across the batch, and average over dimensions.
 * For B random unit vectors in D dimensions each coordinate has mean 0 and
 * variance 1/D, so the statistic is about `1/sqrt(D)`; when every vector
 * points the same way it is 0. (The same measure is used to watch for
 * collapse in SimSiam, Chen & He 2021.)
 *
 * @module
 */

/**
 * Warn below this fraction of the random-vector level `1/sqrt(D)`: 0.1.
 */
export const COLLAPSE_WARN_RATIO = 0.1;

/**
 * The collapse warning level for dimension D: `0.1 / sqrt(D)`, a tenth of
 * what random unit vectors give.
 *
 * @param dim the vector dimension D
 * @returns the level below which {@link collapseStatistic} means collapse
 *
 * @example
 * ```ts
 * import { strictEqual } from "@std/assert";
 * import { collapseWarnLevel } from "./collapse.ts";
 * strictEqual(collapseWarnLevel(64), 0.0125);
 * ```
 */
export function collapseWarnLevel(dim: number): number {
  checkDim(dim);
  return COLLAPSE_WARN_RATIO / Math.sqrt(dim);
}

/**
 * Mean over dimensions of the per-dimension standard deviation (population,
 * divided by B) of the L2-normalised vectors. An all-zero vector stays zero.
 *
 * @param vectors a batch, row-major `[B, D]`, B >= 2
 * @param dim the dimension D
 * @returns the statistic, in [0, 1]: ~`1/sqrt(D)` random, 0 collapsed
 *
 * @example
 * ```ts
 * import { strictEqual } from "@std/assert";
 * import { collapseStatistic } from "./collapse.ts";
 * strictEqual(collapseStatistic([3, 0, 0, 5], 2), 0.5); // orthogonal
 * strictEqual(collapseStatistic([2, 0, 5, 0, 1, 0], 2), 0); // one direction
 * ```
 */
export function collapseStatistic(
  vectors: ArrayLike<number>,
  dim: number,
): number {
  checkDim(dim);
  const batch = vectors.length / dim;
  if (!Number.isInteger(batch) || batch < 2) {
    throw new RangeError(
      `Expected vectors to hold at least 2 vectors of dimension ${dim} but found length ${vectors.length}`,
    );
  }
  // each row's length; the unit vectors are divided out where they are read
  // (the same values as storing them, without an [N, D] copy)
  const norms = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += vectors[b * dim + d]! ** 2;
    norm = Math.sqrt(norm);
    if (Number.isNaN(norm)) {
      throw new RangeError(
        `Expected vector ${b} to hold numbers but found NaN`,
      );
    }
    norms[b] = norm;
  }
  const unit = (b: number, d: number) =>
    norms[b] === 0 ? 0 : vectors[b * dim + d]! / norms[b]!;
  let total = 0;
  for (let d = 0; d < dim; d++) {
    let mean = 0;
    for (let b = 0; b < batch; b++) mean += unit(b, d);
    mean /= batch;
    let variance = 0;
    for (let b = 0; b < batch; b++) {
      variance += (unit(b, d) - mean) ** 2;
    }
    total += Math.sqrt(variance / batch);
  }
  return total / dim;
}

function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(
      `Expected dim to be an integer of at least 1 but found ${dim}`,
    );
  }
}
