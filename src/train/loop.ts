/**
 * The training loop: a custom loop (not `model.fit`) over epochs of freshly
 * drawn positive and negative pairs.
 *
 * @module
 */
import type { Optimizer } from "../backend/tf_types.ts";
import * as tf from "../deps/tfjs_core.ts";
import type { PairSet } from "../data/types.ts";
import type { Siamese } from "../model/siamese.ts";
import { type EpochPairs, sampleEpochPairs } from "../pairs/negatives.ts";
import { Rng } from "../data/rng.ts";
import { makeBatch } from "../pairs/batches.ts";
import { groupedOrder } from "../pairs/hard_batches.ts";
import { lexicalOf } from "../lexical/hybrid.ts";
import type { TrainConfig } from "./config.ts";
import { type EvalReport, evaluate } from "../infer/evaluate.ts";
import { mineNeighbours } from "../infer/neighbours.ts";
import { progressLine, ProgressWriter } from "./progress.ts";
import { trainStep } from "./step.ts";
import { stepNoiseSeed } from "../model/dropout.ts";
import { FusedAdam } from "./fused_adam.ts";
import { inBatch, lossOptionsOf, readsLexical } from "../loss/choose.ts";

/** What one finished epoch looked like. */
export interface EpochReport {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  /** Steps taken in the epoch. */
  steps: number;
  /** Mean milliseconds per step. */
  msPerStep: number;
  /** Wall time of the epoch including evaluation, seconds. */
  seconds: number;
  /** Validation figures, when a validation set was given. */
  val?: EvalReport;
}

/** Where training stands; enough to resume. */
export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  /** Steps completed in all. */
  step: number;
  /** Steps completed in the unfinished epoch (after an interruption). */
  epochStep: number;
  /** Sum of those steps' losses. */
  epochLossSum: number;
  /** State of the pairing/shuffling generator. */
  rngState: number;
  /** Reports of the completed epochs. */
  history: EpochReport[];
  /**
   * The unfinished epoch's order of its pairs when it was mined
   * (`config.hardNegatives` > 0): a resumed epoch goes on in it, since the
   * model it was mined with is gone.
   */
  order?: number[];
}

/** Options for {@link train}. */
export interface TrainOptions {
  /** How to train (epochs, batch size, loss...). */
  config: TrainConfig;
  /** Training pairs. */
  train: PairSet;
  /** Validation pairs (not trained on). */
  val?: PairSet;
  /** Optimizer; default Adam with `config.learningRate`. */
  optimizer?: Optimizer;
  /** State to continue from (see {@link TrainState}). */
  resume?: TrainState;
  /**
   * Called after each epoch, e.g. to save a checkpoint; resolving to `true`
   * stops training (early stopping).
   */
  onEpoch?: (
    report: EpochReport,
    state: TrainState,
  ) => void | boolean | Promise<void | boolean>;
  /** Stops after the current step when aborted. */
  signal?: AbortSignal;
  /** Print progress and epoch lines to stderr. @default true */
  log?: boolean;
  /**
   * `performance.now()` after which training ends: the current epoch is cut
   * short, evaluated and reported as the last one.
   */
  deadline?: number;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** Where training stands at the end. */
  state: TrainState;
  /** True if stopped by the signal before the last epoch ended. */
  interrupted: boolean;
  /** True if `onEpoch` asked to stop before the last epoch. */
  stoppedEarly: boolean;
}

/**
 * A one-line summary of an epoch for stderr.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { epochLine } from "./loop.ts";
 * const l = epochLine({ epoch: 2, loss: 0.1234, steps: 10, msPerStep: 40, seconds: 1.5 }, 5);
 * assert.ok(l === "epoch 2/5  loss 0.123  40 ms/step  1.5 s");
 * ```
 */
export function epochLine(r: EpochReport, epochs: number): string {
  let line = `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(3)}  ` +
    `${Math.round(r.msPerStep)} ms/step  ${r.seconds.toFixed(1)} s`;
  if (r.val !== undefined) {
    const v = r.val;
    line += `\n  val  auc ${v.auc.toFixed(3)}  acc ${v.accuracy.toFixed(3)}  ` +
      `recall@1 ${v.recallAt1.toFixed(3)}  recall@10 ${
        v.recallAt10.toFixed(3)
      }  ` +
      `mrr ${v.mrr.toFixed(3)}  collapse ${v.collapse.toFixed(4)} (healthy ~${
        v.collapseHealthy.toFixed(4)
      })`;
    if (v.collapsed) {
      line += `\n  WARNING: outputs are collapsing: collapse statistic ${
        v.collapse.toFixed(4)
      } < ${
        v.collapseThreshold.toFixed(4)
      }; every input maps to almost the same vector.`;
    }
  }
  return line;
}

/**
 * Trains `model` in place.
 *
 * Phases per epoch: schedule (draw pairs), steps, log, evaluate, report.
 *
 * @param model both branches (weights are updated)
 * @param options see {@link TrainOptions}
 * @returns the final state
 */
export async function train(
  model: Siamese,
  options: TrainOptions,
): Promise<TrainResult> {
  const { config } = options;
  const log = options.log ?? true;
  const optimizer = options.optimizer ?? new FusedAdam(config.learningRate);
  const state: TrainState = options.resume ? structuredClone(options.resume) : {
    epoch: 0,
    step: 0,
    epochStep: 0,
    epochLossSum: 0,
    rngState: new Rng(config.seed).state,
    history: [],
  };
  const progress = new ProgressWriter();
  const lossOptions = lossOptionsOf(config, model.config);
  // batches carry lexical cosines only when the loss reads them
  const lexical = readsLexical(lossOptions) ? lexicalOf(model) : undefined;
  const batchOptions = {
    leftLen: model.config.leftLen,
    rightLen: model.config.rightLen,
    ...(lexical ? { lexical } : {}),
  };
  // in-batch losses take batches of positives; the rest of the batch are the negatives
  const positivesOnly = inBatch(lossOptions);

  while (state.epoch < config.epochs) {
    // schedule: this epoch's pairs, from the saved generator state
    const rng = Rng.fromState(state.rngState);
    const drawn = sampleEpochPairs(options.train, {
      rng,
      negatives: positivesOnly ? 0 : config.negatives,
    });
    let pairs = positivesOnly ? positivesOf(drawn) : drawn;
    const epoch = state.epoch + 1;
    if (positivesOnly && config.hardNegatives > 0) {
      const order = state.epochStep > 0 && state.order !== undefined
        ? Int32Array.from(state.order)
        : hardOrder(model, options.train, pairs, config, log);
      pairs = inOrder(pairs, order);
      state.order = Array.from(order);
    }
    const steps = Math.ceil(pairs.labels.length / config.batchSize);
    const t0 = performance.now();
    let timeUp = false;
    // a resumed epoch skips the steps it had already taken
    const first = state.epochStep;
    let lossSum = state.epochLossSum;
    let done = first;
    for (let s = first; s < steps; s++) {
      if (
        options.deadline !== undefined &&
        performance.now() >= options.deadline && s > first
      ) {
        if (log) {
          progress.done(
            `time limit reached in epoch ${epoch} at step ${s}/${steps}`,
          );
        }
        timeUp = true;
        break;
      }
      if (options.signal?.aborted) {
        if (log) {
          progress.done(`interrupted in epoch ${epoch} at step ${s}/${steps}`);
        }
        state.epochStep = s;
        state.epochLossSum = lossSum;
        return { state, interrupted: true, stoppedEarly: false };
      }
      // step
      const start = s * config.batchSize;
      const batch = makeBatch(
        options.train,
        pairs,
        start,
        Math.min(start + config.batchSize, pairs.labels.length),
        batchOptions,
      );
      const loss = trainStep(
        model,
        batch,
        optimizer,
        lossOptions,
        stepNoiseSeed(config.seed, state.step),
      );
      tf.dispose([batch.left, batch.right, batch.labels]);
      batch.lexical?.dispose();
      if (!Number.isFinite(loss)) {
        throw new Error(
          `Loss became ${loss} at epoch ${epoch} step ${
            s + 1
          }: training stopped. ` +
            "Lower --learning-rate or check the data; the last checkpoint is kept.",
        );
      }
      lossSum += loss;
      done++;
      state.step++;
      // log
      if (log) {
        progress.update(progressLine({
          epoch,
          epochs: config.epochs,
          step: done,
          steps,
          loss: lossSum / done,
          msPerStep: (performance.now() - t0) / (done - first),
        }));
      }
      // let timers and signal handlers run
      if (s % 8 === 7) await new Promise((r) => setTimeout(r, 0));
    }
    const trainMs = performance.now() - t0;
    // evaluate
    const report: EpochReport = {
      epoch,
      loss: lossSum / Math.max(1, done),
      steps: done,
      msPerStep: trainMs / Math.max(1, done - first),
      seconds: 0,
    };
    if (options.val !== undefined) {
      report.val = evaluate(model, options.val, {
        distance: config.distance,
        loss: lossOptions,
        batchSize: config.batchSize,
      });
    }
    report.seconds = (performance.now() - t0) / 1000;
    state.epoch = epoch;
    state.epochStep = 0;
    state.epochLossSum = 0;
    state.rngState = rng.state;
    delete state.order;
    state.history.push(report);
    if (log) progress.done(epochLine(report, config.epochs));
    if (
      (await options.onEpoch?.(report, structuredClone(state))) === true ||
      timeUp
    ) {
      return {
        state,
        interrupted: false,
        stoppedEarly: state.epoch < config.epochs,
      };
    }
  }
  return { state, interrupted: false, stoppedEarly: false };
}

/** The visiting order of an epoch's positives, grouped with their mined neighbours. */
function hardOrder(
  model: Siamese,
  set: PairSet,
  pairs: EpochPairs,
  config: TrainConfig,
  log: boolean,
): Int32Array {
  const t0 = performance.now();
  const k = 2 * config.hardNegatives;
  const near = mineNeighbours(model, set, pairs, {
    k,
    distance: config.distance,
  });
  const order = groupedOrder(near, k, 1 + config.hardNegatives);
  if (log) {
    console.error(
      `  hard negatives mined for ${pairs.labels.length} pairs in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  }
  return order;
}

/** The pairs at the given indices, in that order. */
function inOrder(p: EpochPairs, order: Int32Array): EpochPairs {
  return {
    left: Int32Array.from(order, (k) => p.left[k]!),
    right: Int32Array.from(order, (k) => p.right[k]!),
    labels: Float32Array.from(order, (k) => p.labels[k]!),
  };
}

/** The positive pairs of an epoch, in their order. */
function positivesOf(p: EpochPairs): EpochPairs {
  const keep = [...p.labels.keys()].filter((k) => p.labels[k] === 1);
  return inOrder(p, Int32Array.from(keep));
}
