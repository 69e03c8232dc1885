/**
 * Distances between branch outputs and the contrastive loss on them.
 *
 * Contrastive loss (Hadsell, Chopra, LeCun, "Dimensionality Reduction by
 * Learning an Invariant Mapping", CVPR 2006), in this project's label
 * convention **y = 1 means similar**:
 *
 *     L = mean( y * d^2 + (1 - y) * max(margin - d, 0)^2 )
 *
 * Similar pairs are pulled together (d -> 0); dissimilar pairs are pushed
 * until they are at least `margin` apart, and then left alone.
 *
 * Two warnings, because both are easy to get wrong:
 * - The paper uses the opposite convention (Y = 0 for similar pairs). Passing
 *   the paper's labels to this function trains the model backwards.
 * - `d` must be a *distance* (small = alike). The seed code fed a cosine
 *   *similarity* (large = alike) into this formula, which inverts it: similar
 *   pairs were pushed towards similarity 0 and dissimilar ones towards 1.
 *   Trained on positive pairs only, any version collapses to a constant
 *   vector, since d = 0 for every pair is then a perfect score.
 *
 * @module
 */
import type { Scalar, Tensor1D, Tensor2D } from "../backend/tf_types.ts";
import * as tf from "../deps/tfjs_core.ts";

export type { DistanceKind } from "../settings/kinds.ts";
import type { DistanceKind } from "../settings/kinds.ts";

/** Keeps norms and square roots away from zero, where gradients blow up. */
const EPS = 1e-9;

/**
 * Row-wise cosine similarity of two `[B, D]` tensors, in [-1, 1].
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * await setupBackend({ log: false });
 * import { cosineSimilarity } from "./contrastive.ts";
 * const s = cosineSimilarity(tf.tensor2d([[1, 0]]), tf.tensor2d([[2, 0]]));
 * assert.ok(Math.abs(s.dataSync()[0]! - 1) < 1e-6);
 * ```
 */
export function cosineSimilarity(a: Tensor2D, b: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1); // [B]
    const na = tf.sqrt(tf.add(tf.sum(tf.square(a), 1), EPS)); // [B]
    const nb = tf.sqrt(tf.add(tf.sum(tf.square(b), 1), EPS)); // [B]
    return tf.div(dot, tf.mul(na, nb)) as Tensor1D;
  });
}

/**
 * Row-wise distance of two `[B, D]` tensors: `1 - cos(a, b)` (in [0, 2]) for
 * `"cosine"`, `||a - b||_2` for `"euclidean"`.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * await setupBackend({ log: false });
 * import { distance } from "./contrastive.ts";
 * const d = distance(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4]]), "euclidean");
 * assert.ok(Math.abs(d.dataSync()[0]! - 5) < 1e-5);
 * ```
 */
export function distance(
  a: Tensor2D,
  b: Tensor2D,
  kind: DistanceKind,
): Tensor1D {
  return tf.tidy(() => {
    if (kind === "cosine") {
      return tf.sub(1, cosineSimilarity(a, b)) as Tensor1D;
    }
    const sq = tf.sum(tf.square(tf.sub(a, b)), 1); // [B]
    return tf.sqrt(tf.add(sq, EPS)) as Tensor1D;
  });
}

/**
 * Similarity score for ranking and thresholds, larger = more alike:
 * `cos(a, b)` for cosine, `-||a - b||` for euclidean.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * await setupBackend({ log: false });
 * import { similarity } from "./contrastive.ts";
 * const s = similarity(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4]]), "euclidean");
 * assert.ok(Math.abs(s.dataSync()[0]! + 5) < 1e-5);
 * ```
 */
export function similarity(
  a: Tensor2D,
  b: Tensor2D,
  kind: DistanceKind,
): Tensor1D {
  return tf.tidy(() =>
    kind === "cosine" ? cosineSimilarity(a, b) : tf.neg(distance(a, b, kind))
  );
}

/**
 * Contrastive loss, `mean(y*d^2 + (1-y)*max(margin-d, 0)^2)`, with
 * y = 1 for similar pairs (see the module docs for the paper's opposite
 * convention).
 *
 * @param d distances `[B]`, small = alike
 * @param y labels `[B]`, 1 = similar, 0 = dissimilar
 * @param margin how far apart dissimilar pairs must be; @default 1
 * @returns scalar loss
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * await setupBackend({ log: false });
 * import { contrastiveLoss } from "./contrastive.ts";
 * // similar at d=0.5 costs 0.25; dissimilar at d=0.25 costs (1-0.25)^2
 * const l = contrastiveLoss(tf.tensor1d([0.5, 0.25]), tf.tensor1d([1, 0]));
 * assert.ok(Math.abs(l.dataSync()[0]! - (0.25 + 0.5625) / 2) < 1e-6);
 * ```
 */
export function contrastiveLoss(
  d: Tensor1D,
  y: Tensor1D,
  margin = 1,
): Scalar {
  if (!(margin > 0)) {
    throw new RangeError(
      `Expected margin to be greater than 0 but found ${margin}`,
    );
  }
  return tf.tidy(() => {
    const pull = tf.mul(y, tf.square(d)); // [B]
    const push = tf.mul(tf.sub(1, y), tf.square(tf.relu(tf.sub(margin, d)))); // [B]
    return tf.mean(tf.add(pull, push)) as Scalar;
  });
}
