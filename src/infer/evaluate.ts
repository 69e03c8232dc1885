/**
 * Validation: how well the two branches separate and retrieve held-out pairs,
 * and whether their outputs are collapsing.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { PairSet } from "../data/types.ts";
import type { DistanceKind } from "../loss/contrastive.ts";
import type { Siamese } from "../model/siamese.ts";
import { Rng } from "../data/rng.ts";
import { collapseStatistic, collapseWarnLevel } from "../metrics/collapse.ts";
import { retrievalMetrics } from "../metrics/retrieval.ts";
import { rocAuc } from "../metrics/roc_auc.ts";
import { bestThreshold, evaluateThreshold } from "../metrics/threshold.ts";
import { mixSimilarities } from "../lexical/mix.ts";
import { embedPairs } from "./score.ts";
import type { LossOptions } from "../loss/choose.ts";
import { lossOnPairs } from "./loss_on_pairs.ts";

/** Validation figures. */
export interface EvalReport {
  /** Pairs evaluated. */
  pairs: number;
  /**
   * The training loss on the evaluated pairs, in inference mode (see
   * {@link EvaluateOptions.loss}): for the contrastive loss all positive and
   * negative pairs, for in-batch losses the positives, in fixed batches.
   */
  loss: number;
  /** ROC AUC of the similarity, positives vs negatives. */
  auc: number;
  /** Accuracy at the threshold (the best one unless one was given). */
  accuracy: number;
  /** F1 at that threshold. */
  f1: number;
  /** Best threshold on the similarity (cosine, or minus euclidean distance). */
  threshold: number;
  /** Fraction of lefts whose own right ranks first among all rights. */
  recallAt1: number;
  /** ... ranks in the top 10. */
  recallAt10: number;
  /** Mean reciprocal rank of the own right. */
  mrr: number;
  /** Collapse statistic of the branch outputs (the smaller of the two sides). */
  collapse: number;
  /** What a healthy (random-direction) output scores: 1/sqrt(D). */
  collapseHealthy: number;
  /** Below this the outputs are reported as collapsed. */
  collapseThreshold: number;
  /** `collapse < collapseThreshold`. */
  collapsed: boolean;
}

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  /** The distance the model was trained with; scores are its similarity. */
  distance: DistanceKind;
  /**
   * The training loss's settings, for {@link EvalReport.loss}.
   * @default the contrastive loss on `distance` with `margin`
   */
  loss?: LossOptions;
  /** Margin of the default loss (when `loss` is not given). @default 1 */
  margin?: number;
  /** Pairs per batch of the loss, as in training. @default 32 */
  batchSize?: number;
  /** Seed for the random negatives of unlabelled data. @default 12345 */
  seed?: number;
  /** Retrieval ranks among at most this many pairs (the first ones). @default 2000 */
  maxRetrieval?: number;
  /**
   * Decide at this similarity threshold (e.g. the one stored with a model)
   * instead of the best one for this data.
   */
  threshold?: number;
}

/**
 * Rows scaled to unit length, `x / (‖x‖ + 1e-9)`: the cosine's
 * normalisation in {@link similarityMatrix} (and in search, which keeps a
 * corpus normalised once).
 *
 * @param x rows `[N, D]`
 * @returns the unit rows `[N, D]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { unitRows } from "./evaluate.ts";
 * await setupBackend({ log: false });
 * const u = unitRows(tf.tensor2d([[3, 4]])).dataSync();
 * assert.ok(Math.abs(u[0]! - 0.6) < 1e-6 && Math.abs(u[1]! - 0.8) < 1e-6);
 * ```
 */
export function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.add(tf.norm(x, 2, 1, true), 1e-9));
}

/**
 * Similarity matrix `[N, N]` between all lefts and all rights, row-major:
 * cosine similarity, or minus the euclidean distance.
 */
export function similarityMatrix(
  left: Float32Array,
  right: Float32Array,
  dim: number,
  kind: DistanceKind,
): Float32Array {
  const sim = tf.tidy(() => {
    const a = tf.tensor2d(left, [left.length / dim, dim]); // [N, D]
    const b = tf.tensor2d(right, [right.length / dim, dim]); // [N, D]
    if (kind === "cosine") {
      return tf.matMul(unitRows(a), unitRows(b), false, true);
    }
    const aa = tf.sum(tf.square(a), 1, true); // [N, 1]
    const bb = tf.reshape(tf.sum(tf.square(b), 1), [1, -1]); // [1, N]
    const d2 = tf.sub(tf.add(aa, bb), tf.mul(2, tf.matMul(a, b, false, true)));
    return tf.neg(tf.sqrt(tf.relu(d2)));
  });
  // Read outside tidy: tidy walks a returned typed array element by element
  // looking for tensors (measured for N = 2000: 12-19 s against 41-184 ms).
  const out = sim.dataSync() as Float32Array;
  sim.dispose();
  return out;
}

/**
 * Evaluates a model on held-out pairs.
 *
 * Unlabelled data: pair (i, i) is positive, and one random (i, j), j != i,
 * drawn with a fixed seed, is negative; retrieval ranks all rights for each
 * left. Labelled data: the pairs as given; retrieval over the positive rows.
 *
 * @param model both branches
 * @param data held-out pairs (at least 2 positives)
 * @param options see {@link EvaluateOptions}
 */
export function evaluate(
  model: Siamese,
  data: PairSet,
  options: EvaluateOptions,
): EvalReport {
  const n = data.size;
  const e = embedPairs(model, data, options.distance);
  const { left, right, dim, lexical: lex } = e;

  // separation: AUC and best-threshold accuracy on the similarity
  const scores: number[] = [];
  const labels: number[] = [];
  const pairs = { left: [] as number[], right: [] as number[], labels };
  const pairSim = e.score;
  const positives: number[] = [];
  if (data.labels) {
    for (let i = 0; i < n; i++) {
      scores.push(pairSim(i, i));
      labels.push(data.labels[i]!);
      pairs.left.push(i);
      pairs.right.push(i);
      if (data.labels[i] === 1) positives.push(i);
    }
  } else {
    const rng = new Rng(options.seed ?? 12345);
    for (let i = 0; i < n; i++) {
      positives.push(i);
      const j = (i + 1 + rng.int(n - 1)) % n;
      scores.push(pairSim(i, i), pairSim(i, j));
      labels.push(1, 0);
      pairs.left.push(i, i);
      pairs.right.push(i, j);
    }
  }
  const best = options.threshold === undefined
    ? bestThreshold(scores, labels)
    : evaluateThreshold(scores, labels, { threshold: options.threshold });

  // retrieval among the first positives
  const m = Math.min(positives.length, options.maxRetrieval ?? 2000);
  const pick = (v: Float32Array) => {
    const out = new Float32Array(m * dim);
    for (let k = 0; k < m; k++) {
      const i = positives[k]!;
      out.set(v.subarray(i * dim, (i + 1) * dim), k * dim);
    }
    return out;
  };
  const sim = similarityMatrix(
    pick(left),
    pick(right),
    dim,
    options.distance,
  );
  if (lex !== undefined) {
    const rows = positives.slice(0, m);
    mixSimilarities(
      sim,
      rows.map((i) => lex.left[i]!),
      rows.map((i) => lex.right[i]!),
      lex.weight,
    );
  }
  const ret = retrievalMetrics(sim, { ks: [1, 10] });

  const collapse = Math.min(
    collapseStatistic(left, dim),
    collapseStatistic(right, dim),
  );
  const collapseThreshold = collapseWarnLevel(dim);
  return {
    pairs: n,
    loss: lossOnPairs({ left, right, dim }, pairs, {
      loss: options.loss ??
        { distance: options.distance, margin: options.margin ?? 1 },
      ...(options.batchSize !== undefined
        ? { batchSize: options.batchSize }
        : {}),
      ...(lex !== undefined
        ? { lexical: { index: lex.index, set: data } }
        : {}),
    }),
    auc: rocAuc(scores, labels),
    accuracy: best.accuracy,
    f1: best.f1,
    threshold: best.threshold,
    recallAt1: ret.recall[0]!,
    recallAt10: ret.recall[1]!,
    mrr: ret.mrr,
    collapse,
    collapseHealthy: 1 / Math.sqrt(dim),
    collapseThreshold,
    collapsed: collapse < collapseThreshold,
  };
}
