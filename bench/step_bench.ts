/**
 * The trainer's own step, timed: the seed model and the matcher recipe's
 * model, built by `buildSiamese` and stepped by `trainStep` (the code
 * `deno task train` runs), on one thread count per process.
 *
 * - seed: two branches, Embedding(1000, 32) -> LSTM(64) -> Dense(256), last
 *   state, cosine contrastive loss (margin 1), batch 32, every row full
 *   (lengths 52 + 600).
 * - matcher: one shared branch, Embedding(100, 32) (a character vocabulary)
 *   -> LSTM(128) -> masked max over time -> Dense(256), in-batch softmax
 *   (temperature 0.05), batch 32, lengths 52 + 256 cut and padded from
 *   FOLDOC-like text lengths ({@link matcherLengths}).
 *
 * Inference: both sides encoded, no gradients. Prints one JSON line
 * ({@link StepBenchResult}); `bench/main.ts` runs it per thread count and
 * round. The measured SIMD peak of the same process's threads
 * (`bench/peak.ts`) comes first, so the two share the machine's state.
 *
 *     deno run --allow-read bench/step_bench.ts [--threads N] [--reps N] [--models seed,matcher]
 *
 * With `--seconds S` it instead runs each listed model's training step
 * (inference batch with `--infer`) over and over for S seconds, for a
 * profiler to sample (`bench/wasm_perf.sh`), and prints the time per run.
 *
 * @module
 */
import * as tf from "../src/deps/tfjs_core.ts";
import { parseArgs } from "@std/cli/parse-args";
import { startBackend } from "../src/cli/backend.ts";
import { buildSiamese, encode } from "../src/model/siamese.ts";
import { modelConfig } from "../src/model/config.ts";
import { trainStep } from "../src/train/step.ts";
import { FusedAdam } from "../src/train/fused_adam.ts";
import { measurePeak, type PeakResult } from "./peak.ts";
import { timeRuns } from "./timing.ts";

/** Two warm-up runs (weights, Adam's slots, tables), then `reps` timed. */
const time = (reps: number, fn: () => void) => timeRuns(reps, fn, 2);

/** The models this bench knows. */
export const STEP_MODELS = ["seed", "matcher"] as const;
/** One of {@link STEP_MODELS}. */
export type StepModel = typeof STEP_MODELS[number];

/** Sizes of a benched model and its batch. */
export interface StepShape {
  vocab: number;
  embed: number;
  units: number;
  dense: number;
  batch: number;
  /** Branches with their own weights (1 when shared). */
  encoders: number;
  /** Padded lengths of the two sides. */
  steps: [number, number];
  /** Valid tokens of each row, left side then right side. */
  lengths: [number[], number[]];
}

/** Batch size of both benched models. */
const BATCH = 32;

/**
 * FOLDOC-like lengths for 32 rows, deterministic: the quantiles
 * `(k + 0.5) / 32` of a log-normal fitted to FOLDOC's measured median and
 * 90th percentile (terms: 8 and 23 characters; definitions: 253 and 894,
 * `docs/quality_results.md`), cut at the matcher's lengths 52 and 256.
 *
 * @returns left and right lengths, one per row
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { matcherLengths } from "./step_bench.ts";
 * const [left, right] = matcherLengths();
 * assert.strictEqual(left.length, 32);
 * assert.ok(right.every((n) => n >= 1 && n <= 256));
 * assert.strictEqual(left.toSorted((a, b) => a - b)[15], 8); // about the median
 * ```
 */
export function matcherLengths(): [number[], number[]] {
  // the normal CDF by Abramowitz-Stegun 7.1.26 (error < 1.5e-7), inverted
  // by bisection
  const cdf = (z: number) => {
    const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
    const y = 1 - t * Math.exp(-z * z / 2) *
        (0.254829592 +
          t * (-0.284496736 +
              t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
  };
  const quantile = (p: number) => {
    let lo = -8, hi = 8;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (cdf(mid) < p) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const z90 = quantile(0.9);
  const side = (p50: number, p90: number, cut: number) =>
    Array.from({ length: BATCH }, (_, k) => {
      const z = quantile((k + 0.5) / BATCH);
      const n = Math.round(p50 * Math.exp(Math.log(p90 / p50) / z90 * z));
      return Math.max(1, Math.min(cut, n));
    });
  return [side(8, 23, 52), side(253, 894, 256)];
}

/**
 * The sizes of a benched model.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { stepShape } from "./step_bench.ts";
 * assert.strictEqual(stepShape("seed").units, 64);
 * assert.strictEqual(stepShape("matcher").encoders, 1);
 * ```
 */
export function stepShape(model: StepModel): StepShape {
  if (model === "seed") {
    return {
      vocab: 1000,
      embed: 32,
      units: 64,
      dense: 256,
      batch: BATCH,
      encoders: 2,
      steps: [52, 600],
      lengths: [Array(BATCH).fill(52), Array(BATCH).fill(600)],
    };
  }
  return {
    vocab: 100,
    embed: 32,
    units: 128,
    dense: 256,
    batch: BATCH,
    encoders: 1,
    steps: [52, 256],
    lengths: matcherLengths(),
  };
}

/**
 * The step's FLOPs, counted analytically as a plain LSTM computes them (a
 * multiply-add = 2 FLOPs): per valid token, the forward's gate
 * pre-activations `x W + h U` are `2 (E + H) 4H`; training adds the
 * gradients of the inputs and of the weights, twice that again; the Dense
 * layer `2 H D` per row, times 3 in training. Padded steps are not counted
 * (the fused kernel skips them, as PyTorch's packed sequences do); the
 * activations, the Embedding, the pooling, the loss and Adam are left out
 * (under 1% here). The fused LSTM does less than this count: it projects
 * the vocabulary once instead of every token (`src/model/token_table.ts`),
 * so the rates are model FLOPs per second, as PyTorch's are.
 *
 * @param shape the model and batch
 * @param training a training step (true) or inference
 * @returns FLOPs of one step
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { stepFlops, stepShape } from "./step_bench.ts";
 * // the seed's step: 3.08 GFLOP, as issue 18 counts it
 * assert.strictEqual(Math.round(stepFlops(stepShape("seed"), true) / 1e7), 308);
 * ```
 */
export function stepFlops(shape: StepShape, training: boolean): number {
  const { embed: E, units: H, dense: D } = shape;
  const tokens = [...shape.lengths[0], ...shape.lengths[1]]
    .reduce((a, b) => a + b, 0);
  const rows = 2 * shape.batch;
  const forward = tokens * 2 * (E + H) * 4 * H + rows * 2 * H * D;
  return training ? 3 * forward : forward;
}

/** One model's timings in one process. */
export interface StepTiming {
  model: StepModel;
  /** Median ms per training step, and the fastest. */
  trainMs: number;
  trainMinMs: number;
  /** Median ms per inference batch (both sides), and the fastest. */
  inferMs: number;
  inferMinMs: number;
  /** {@link stepFlops} of a training step and of an inference batch. */
  trainFlops: number;
  inferFlops: number;
}

/** What one process measured. */
export interface StepBenchResult {
  threads: number;
  /** The SIMD peak of this many threads at once, measured first. */
  peak: PeakResult;
  steps: StepTiming[];
}

/**
 * Token ids `[B, T]`, post-padded with 0 after each row's length; row b
 * takes the lengths of row `order[b]` (default: b).
 */
function idsOf(
  shape: StepShape,
  side: 0 | 1,
  order?: readonly number[],
): tf.Tensor2D {
  const T = shape.steps[side];
  const ids = new Int32Array(shape.batch * T);
  const lengths = shape.lengths[side];
  lengths.forEach((_, b) => {
    const len = lengths[order?.[b] ?? b]!;
    for (let t = 0; t < len; t++) {
      ids[b * T + t] = 1 + (b * 7919 + t * 104729 + side) % (shape.vocab - 1);
    }
  });
  return tf.tensor2d(ids, [shape.batch, T], "int32");
}

/**
 * The step bench's batch of a model: ids with its lengths (the matcher's
 * FOLDOC-like lengths run short to long over the rows), or with `shuffle`
 * the same rows in a fixed random order (a batch as training draws it),
 * labels alternating 0 and 1.
 *
 * @param model `seed` or `matcher`
 * @param shuffle rows in a fixed random order instead of by length
 * @returns the batch `trainStep` takes
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../src/backend/setup.ts";
 * import { stepBatch } from "./step_bench.ts";
 * await setupBackend({ log: false });
 * const sorted = stepBatch("matcher").left.dataSync();
 * const shuffled = stepBatch("matcher", true).left.dataSync();
 * const valid = (ids: ArrayLike<number>) => Array.from(ids).filter((id) => id !== 0).length;
 * assert.equal(valid(shuffled), valid(sorted));
 * assert.notDeepEqual(Array.from(shuffled), Array.from(sorted));
 * ```
 */
export function stepBatch(
  model: StepModel,
  shuffle = false,
): { left: tf.Tensor2D; right: tf.Tensor2D; labels: tf.Tensor1D } {
  const shape = stepShape(model);
  const order = Array.from({ length: shape.batch }, (_, b) => b);
  if (shuffle) {
    let seed = 12345;
    for (let i = order.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  return {
    left: idsOf(shape, 0, order),
    right: idsOf(shape, 1, order),
    labels: tf.tensor1d(
      Float32Array.from({ length: shape.batch }, (_, i) => i % 2),
    ),
  };
}

/**
 * A batch of `batch` pairs with every step valid: ids from a fixed pattern
 * in [1, vocab), labels alternating 0 and 1. For the profile and the levers,
 * which time one batch shape; the step bench itself pads FOLDOC-like lengths.
 *
 * @param batch rows B
 * @param leftLen left length
 * @param rightLen right length
 * @param vocab ids are below it
 * @returns the batch `trainStep` takes
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../src/backend/setup.ts";
 * import { fullBatch } from "./step_bench.ts";
 * await setupBackend({ log: false });
 * const b = fullBatch(2, 3, 4, 100);
 * assert.deepEqual(b.right.shape, [2, 4]);
 * assert.ok(b.left.dataSync().every((id) => id >= 1 && id < 100));
 * ```
 */
export function fullBatch(
  batch: number,
  leftLen: number,
  rightLen: number,
  vocab: number,
): { left: tf.Tensor2D; right: tf.Tensor2D; labels: tf.Tensor1D } {
  const ids = (t: number) =>
    tf.tensor2d(
      Int32Array.from(
        { length: batch * t },
        (_, i) => 1 + (i * 7919) % (vocab - 1),
      ),
      [batch, t],
      "int32",
    );
  return {
    left: ids(leftLen),
    right: ids(rightLen),
    labels: tf.tensor1d(Float32Array.from({ length: batch }, (_, i) => i % 2)),
  };
}

/**
 * The loss options of a bench model's training step, as its recipe trains
 * it: the seed's cosine contrastive loss, or the matcher's in-batch softmax
 * (temperature 0.05).
 *
 * @param model `seed` or `matcher`
 * @returns the options `trainStep` takes
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { stepLossOptions } from "./step_bench.ts";
 * assert.equal(stepLossOptions("matcher").loss, "infonce");
 * assert.equal(stepLossOptions("seed").loss, undefined);
 * ```
 */
export function stepLossOptions(model: StepModel): {
  distance: "cosine";
  margin: number;
  loss?: "infonce";
  temperature?: number;
} {
  return model === "matcher"
    ? { distance: "cosine", margin: 1, loss: "infonce", temperature: 0.05 }
    : { distance: "cosine", margin: 1 };
}

/** A bench model's training step and inference batch, ready to run. */
export interface StepRunners {
  /** One training step (`trainStep`, as the trainer runs it). */
  train: () => void;
  /** One inference batch: both sides encoded, no gradients. */
  infer: () => void;
  /** Frees the batch and the optimizer's slots. */
  dispose: () => void;
}

/**
 * Builds a bench model (see the module documentation), its batch and its
 * optimizer, and returns its training step and inference batch.
 *
 * @param model `seed` or `matcher`
 * @returns the two runs and a dispose
 *
 * @example
 * ```ts
 * import { setupBackend } from "../src/backend/setup.ts";
 * import { stepRunners } from "./step_bench.ts";
 * await setupBackend({ log: false });
 * const r = stepRunners("seed");
 * r.infer();
 * r.dispose();
 * ```
 */
export function stepRunners(model: StepModel): StepRunners {
  const shape = stepShape(model);
  const matcher = model === "matcher";
  const siamese = buildSiamese(
    modelConfig({
      vocab: shape.vocab,
      embeddingDim: shape.embed,
      lstmUnits: shape.units,
      denseUnits: shape.dense,
      leftLen: shape.steps[0],
      rightLen: shape.steps[1],
      ...(matcher ? { shareWeights: true, pooling: "max" as const } : {}),
    }),
    1,
  );
  const batch = stepBatch(model);
  const optimizer = new FusedAdam(matcher ? 3e-3 : 1e-3); // as the trainer
  const options = stepLossOptions(model);
  return {
    train: () => void trainStep(siamese, batch, optimizer, options),
    infer: () =>
      tf.tidy(() => {
        encode(siamese.left, batch.left).dataSync();
        encode(siamese.right, batch.right).dataSync();
      }),
    dispose: () => {
      tf.dispose([batch.left, batch.right, batch.labels]);
      optimizer.dispose();
    },
  };
}

/** Times one model's training step and inference batch. */
export function benchStep(model: StepModel, reps: number): StepTiming {
  const shape = stepShape(model);
  const runners = stepRunners(model);
  const train = time(reps, runners.train);
  const infer = time(reps, runners.infer);
  runners.dispose();
  return {
    model,
    trainMs: train.median,
    trainMinMs: train.min,
    inferMs: infer.median,
    inferMinMs: infer.min,
    trainFlops: stepFlops(shape, true),
    inferFlops: stepFlops(shape, false),
  };
}

/**
 * Runs one model's training step (or inference batch) over and over for
 * `seconds`, for a profiler to sample (`bench/wasm_perf.sh`); prints the
 * mean time per run.
 */
function busyLoop(model: StepModel, infer: boolean, seconds: number): void {
  const runners = stepRunners(model);
  const run = infer ? runners.infer : runners.train;
  for (let i = 0; i < 3; i++) run(); // warm-up
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    run();
    n++;
  }
  console.log(
    `${model} ${infer ? "inference" : "training"}: ${
      ((performance.now() - t0) / n).toFixed(2)
    } ms per run over ${n} runs`,
  );
  runners.dispose();
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      threads: { type: "string", default: "1" },
      reps: { type: "string", default: "10" },
      models: { type: "string", default: STEP_MODELS.join(",") },
      seconds: { type: "string" },
      infer: { type: "boolean", default: false },
    },
  });
  const threads = Number(values.threads);
  const models = values.models.split(",") as StepModel[];
  for (const m of models) {
    if (!STEP_MODELS.includes(m)) {
      throw new RangeError(
        `Expected --models to list ${STEP_MODELS.join(", ")} but found ${m}`,
      );
    }
  }
  if (values.seconds !== undefined) {
    await startBackend(threads);
    for (const m of models) busyLoop(m, values.infer, Number(values.seconds));
    Deno.exit(0);
  }
  const peak = await measurePeak(threads);
  await startBackend(threads);
  const steps = models.map((m) => benchStep(m, Number(values.reps)));
  const result: StepBenchResult = { threads, peak, steps };
  console.log(JSON.stringify(result));
  Deno.exit(0);
}
