/**
 * Losses over all pairs of a batch of B positive pairs (left i matches right
 * i): the B*B - B off-diagonal pairs serve as negatives, so every step sees
 * many negatives, and the hardest ones, instead of one random negative per
 * positive.
 *
 * - {@link infoNceLoss}: in-batch softmax (InfoNCE; van den Oord et al. 2018,
 *   "Representation Learning with Contrastive Predictive Coding"; as used in
 *   CLIP, Radford et al. 2021): cross-entropy of picking right i for left i
 *   among the batch's rights, and left i for right i, on cosine similarities
 *   divided by a temperature.
 * - {@link onlineContrastiveLoss}: contrastive loss restricted to the hard
 *   pairs, after sentence-transformers' OnlineContrastiveLoss: positives
 *   farther apart than the closest negative, and negatives closer than the
 *   farthest positive.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { DistanceKind } from "./contrastive.ts";
import {
  type LexicalMix,
  lexicalNeedsCosine,
  mixCosines,
} from "../lexical/mix.ts";

const EPS = 1e-9;

/** Cosines of every row of a with every row of b, mixed with the lexical ones. */
function mixedCosines(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  lexical?: LexicalMix,
): tf.Tensor2D {
  const c = tf.matMul(unit(a), unit(b), false, true) as tf.Tensor2D; // [B, B]
  return lexical === undefined ? c : mixCosines(c, lexical);
}

/** Rows scaled to unit length. `[B, D]` -> `[B, D]`. */
function unit(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), EPS)));
}

/**
 * Pairwise distances between every left and every right: `[B, D]` x `[B, D]`
 * -> `[B, B]`, `1 - cos` or euclidean.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { pairwiseDistance } from "./in_batch.ts";
 * await setupBackend({ log: false });
 * const d = pairwiseDistance(tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[1, 0], [0, 2]]), "cosine");
 * assert.deepEqual(d.arraySync().map((r) => r.map((v) => Math.round(v))), [[0, 1], [1, 0]]);
 * ```
 */
export function pairwiseDistance(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  kind: DistanceKind,
  lexical?: LexicalMix,
): tf.Tensor2D {
  return tf.tidy(() => {
    if (kind === "cosine") {
      return tf.sub(1, mixedCosines(a, b, lexical)) as tf.Tensor2D;
    }
    if (lexical !== undefined) throw lexicalNeedsCosine();
    const aa = tf.sum(tf.square(a), 1, true); // [B, 1]
    const bb = tf.reshape(tf.sum(tf.square(b), 1), [1, -1]); // [1, B]
    const d2 = tf.sub(tf.add(aa, bb), tf.mul(2, tf.matMul(a, b, false, true))); // [B, B]
    return tf.sqrt(tf.add(tf.relu(d2), EPS)) as tf.Tensor2D;
  });
}

/**
 * Symmetric in-batch softmax loss: with `S = cos(a_i, b_j) / temperature`,
 * `L = (CE(S, I) + CE(S^T, I)) / 2`, where row i's correct column is i.
 *
 * @param a left outputs `[B, D]`, row i matches row i of `b`
 * @param b right outputs `[B, D]`
 * @param temperature softmax temperature; @default 0.05
 * @returns scalar loss
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { infoNceLoss } from "./in_batch.ts";
 * await setupBackend({ log: false });
 * // perfectly aligned orthogonal pairs: loss = log(1 + e^(-1/t))
 * const x = tf.tensor2d([[1, 0], [0, 1]]);
 * const l = infoNceLoss(x, x, 0.5).dataSync()[0]!;
 * assert.ok(Math.abs(l - Math.log(1 + Math.exp(-2))) < 1e-5);
 * ```
 */
export function infoNceLoss(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  temperature = 0.05,
  lexical?: LexicalMix,
): tf.Scalar {
  if (!(temperature > 0)) {
    throw new RangeError(
      `Expected temperature to be greater than 0 but found ${temperature}`,
    );
  }
  return tf.tidy(() => {
    const logits = tf.div(mixedCosines(a, b, lexical), temperature); // [B, B]
    const n = logits.shape[0];
    const diag = tf.sum(tf.mul(logits, tf.eye(n)), 1); // [B]
    const rows = tf.sub(tf.logSumExp(logits, 1), diag); // [B]: pick right i for left i
    const cols = tf.sub(tf.logSumExp(logits, 0), diag); // [B]: pick left i for right i
    return tf.div(tf.add(tf.mean(rows), tf.mean(cols)), 2) as tf.Scalar;
  });
}

/**
 * In-batch online contrastive loss. On the `[B, B]` distance matrix, the
 * diagonal holds positives and the rest negatives. Hard positives are those
 * farther apart than the closest negative; hard negatives those closer than
 * the farthest positive.
 * `L = mean_hardPos d^2 + mean_hardNeg max(m - d, 0)^2`.
 * Porting note: sentence-transformers sums both terms over labelled pairs,
 * where positives and negatives come in similar numbers; in-batch there are
 * B - 1 negatives per positive, so each term is averaged over its own pairs.
 *
 * @param a left outputs `[B, D]`, row i matches row i of `b`
 * @param b right outputs `[B, D]`
 * @param options distance kind and margin
 * @returns scalar loss
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { onlineContrastiveLoss } from "./in_batch.ts";
 * await setupBackend({ log: false });
 * // positives at distance 0, negatives at distance 1 >= margin: nothing is hard
 * const x = tf.tensor2d([[1, 0], [0, 1]]);
 * const l = onlineContrastiveLoss(x, x, { distance: "cosine", margin: 1 });
 * assert.ok(Math.abs(l.dataSync()[0]!) < 1e-6);
 * ```
 */
export function onlineContrastiveLoss(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  options: { distance: DistanceKind; margin: number; lexical?: LexicalMix },
): tf.Scalar {
  return tf.tidy(() => {
    const d = pairwiseDistance(a, b, options.distance, options.lexical); // [B, B]
    const n = d.shape[0];
    const eye = tf.eye(n); // [B, B]
    const pos = tf.sum(tf.mul(d, eye), 1); // [B]
    // which pairs are hard is decided on the values: no gradient flows there
    const dv = d.dataSync();
    let maxPos = -Infinity;
    let minNeg = Infinity;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = dv[i * n + j]!;
        if (i === j) maxPos = Math.max(maxPos, v);
        else minNeg = Math.min(minNeg, v);
      }
    }
    const posMask = Array.from(
      { length: n },
      (_, i) => (dv[i * n + i]! > minNeg ? 1 : 0),
    );
    const negMask = Array.from(
      dv,
      (v, k) => (k % (n + 1) !== 0 && v < maxPos ? 1 : 0),
    );
    const hardPos = tf.tensor1d(posMask); // [B]
    const hardNeg = tf.tensor2d(negMask, [n, n]); // [B, B]
    const pull = tf.sum(tf.mul(hardPos, tf.square(pos)));
    const push = tf.sum(
      tf.mul(hardNeg, tf.square(tf.relu(tf.sub(options.margin, d)))),
    );
    // each kind averaged over its hard pairs: a batch has B positives but
    // B^2 - B negatives, and summing both would let the negatives drown out
    // the positives
    const nPos = Math.max(1, posMask.reduce((a: number, v) => a + v, 0));
    const nNeg = Math.max(1, negMask.reduce((a: number, v) => a + v, 0));
    return tf.add(tf.div(pull, nPos), tf.div(push, nNeg)) as tf.Scalar;
  });
}
