/**
 * Stock tfjs-layers `LSTM` vs {@link FusedLSTM} on the seed model's shapes.
 *
 * Model: two branches, each Embedding(1000, 32, maskZero) -> LSTM(64) ->
 * Dense(256); batch 32; left length 52, right length 600 (all steps valid,
 * as in the PyTorch peer). Training step: forward both branches, contrastive
 * loss on the cosine distance, backward, Adam update. Inference: forward
 * both branches, no gradients.
 *
 * ```sh
 * deno run -A bench/lstm_bench.ts [--json] [--no-stock] [--no-scaling] [--threads N] [--reps N]
 * ```
 *
 * @module
 */
import * as tf from "../src/deps/tfjs_core.ts";
import * as tfl from "../src/deps/tfjs_layers.ts";
import { parseArgs } from "@std/cli/parse-args";
import { setupBackend } from "../src/backend/setup.ts";
import { FusedLSTM } from "../src/model/fused_lstm.ts";
import { setLstmThreads } from "../src/backend/lstm_threads.ts";
import { traceEmbedding } from "../src/model/token_table.ts";
import { timeRuns } from "./timing.ts";

/** One warm-up run (weights, optimizer slots, kernels), then `reps` timed. */
const time = (reps: number, fn: () => void) => timeRuns(reps, fn, 1);

/** Which LSTM a branch uses. */
export type LstmKind = "stock" | "fused";

/** Options of {@link runLstmBench}. */
export interface LstmBenchOptions {
  /** Also time the stock LSTM (slow: seconds per batch). @default true */
  stock?: boolean;
  /** Also time the fused LSTM over sequence lengths and batch sizes. @default true */
  scaling?: boolean;
  /** Timed repetitions of the fused model. @default 10 */
  reps?: number;
  /** Timed repetitions of the stock model. @default 2 */
  stockReps?: number;
  /** Threads for the fused kernel (1 = no workers). @default 1 */
  threads?: number;
  /** Threads of the backend's process (`setupBackend`'s; a shared heap above 1). @default setupBackend's default */
  backendThreads?: number;
  /** Progress lines to stderr. @default true */
  log?: boolean;
}

/** Milliseconds per batch for one configuration (median of the repetitions, and min). */
export interface BenchTiming {
  kind: LstmKind;
  /** Threads of the fused kernel (always 1 for stock). */
  threads: number;
  batch: number;
  /** Sequence lengths of the branches. */
  steps: number[];
  trainMs: number;
  inferMs: number;
  /** Fastest repetition: less skewed by other processes than the median. */
  trainMinMs: number;
  inferMinMs: number;
}

/** What {@link runLstmBench} measured. */
export interface LstmBenchResult {
  /** Seed model, fused. */
  fused: BenchTiming;
  /**
   * Seed model, fused, with row lengths spread over 25% to 100% of T
   * (post-padded): the kernel skips masked rows. (Stock and PyTorch without
   * packing cost the same padded or not.)
   */
  fusedPadded: BenchTiming;
  /** Seed model, stock (absent with `stock: false`). */
  stock?: BenchTiming;
  /** stock / fused, per training and inference batch. */
  speedup?: { train: number; infer: number };
  /** Fused, one branch, batch 32, lengths 100 to 1000. */
  byLength: BenchTiming[];
  /** Fused, one branch, length 600, batch 8 to 128. */
  byBatch: BenchTiming[];
  /** System load averages (1, 5, 15 min) at the end: other processes skew timings. */
  loadavg: number[];
}

let threadsInUse = 1;

const VOCAB = 1000, EMBED = 32, UNITS = 64, OUT = 256, MARGIN = 0.5;

function branch(kind: LstmKind, steps: number): tfl.Sequential {
  const lstmArgs = {
    units: UNITS,
    recurrentActivation: "sigmoid" as const,
    unitForgetBias: true,
  };
  const m = tfl.sequential();
  // traced as in the trainer's model: the fused LSTM then projects the
  // vocabulary once (src/model/token_table.ts); the stock one ignores it
  m.add(
    traceEmbedding(tfl.layers.embedding({
      inputDim: VOCAB,
      outputDim: EMBED,
      maskZero: true,
      inputLength: steps,
    })),
  );
  m.add(kind === "fused" ? new FusedLSTM(lstmArgs) : tfl.layers.lstm(lstmArgs));
  m.add(tfl.layers.dense({ units: OUT }));
  return m;
}

/**
 * Contrastive loss on the cosine distance d = 1 - cos(a, b):
 * mean(y d^2 + (1 - y) max(margin - d, 0)^2), y = 1 for similar pairs.
 */
function contrastive(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  y: tf.Tensor1D,
): tf.Scalar {
  const cos = tf.div(
    tf.sum(tf.mul(a, b), 1),
    tf.add(tf.mul(tf.norm(a, 2, 1), tf.norm(b, 2, 1)), 1e-8),
  ); // [B]
  const d = tf.sub(1, cos);
  const neg = tf.square(tf.relu(tf.sub(MARGIN, d)));
  return tf.mean(tf.add(tf.mul(y, tf.square(d)), tf.mul(tf.sub(1, y), neg)));
}

/**
 * Random token ids `[B, T]`; with `padded`, row lengths are spread evenly
 * over 25% to 100% of T and the rest is post-padding (id 0, masked).
 */
function randomIds(batch: number, steps: number, padded = false): tf.Tensor2D {
  const ids = tf.randomUniform(
    [batch, steps],
    1,
    VOCAB,
    "int32",
  ) as tf.Tensor2D;
  if (!padded) return ids;
  return tf.tidy(() => {
    const lengths = Array.from(
      { length: batch },
      (_, b) => Math.ceil(steps * (0.25 + (0.75 * b) / Math.max(batch - 1, 1))),
    );
    const keep = tf.tensor2d(
      lengths.map((len) =>
        Array.from({ length: steps }, (_, t) => (t < len ? 1 : 0))
      ),
      [batch, steps],
      "int32",
    );
    return tf.mul(ids, keep) as tf.Tensor2D;
  });
}

/** Times the two-branch model: training step and inference, per batch. */
function benchSiamese(
  kind: LstmKind,
  batch: number,
  steps: number[],
  reps: number,
  padded = false,
): BenchTiming {
  const branches = steps.map((t) => branch(kind, t));
  const ids = steps.map((t) => randomIds(batch, t, padded));
  const y = tf.cast(
    tf.randomUniform([batch], 0, 2, "int32"),
    "float32",
  ) as tf.Tensor1D;
  const optimizer = tf.train.adam(1e-3);
  const forward = (training: boolean) =>
    branches.map((m, i) => m.apply(ids[i]!, { training }) as tf.Tensor2D);
  const train = time(reps, () => {
    tf.tidy(() => {
      const cost = optimizer.minimize(() => {
        const [a, b] = forward(true);
        return contrastive(a!, b!, y);
      }, true);
      cost!.dataSync();
    });
  });
  const infer = time(reps, () => {
    tf.tidy(() => forward(false).forEach((t) => t.dataSync()));
  });
  tf.dispose([...ids, y]);
  branches.forEach((m) => m.layers.forEach((l) => l.dispose()));
  optimizer.dispose();
  return {
    kind,
    threads: kind === "fused" ? threadsInUse : 1,
    batch,
    steps,
    trainMs: train.median,
    inferMs: infer.median,
    trainMinMs: train.min,
    inferMinMs: infer.min,
  };
}

/** Times one fused branch; the training loss is the mean square of its output. */
function benchBranch(batch: number, steps: number, reps: number): BenchTiming {
  const m = branch("fused", steps);
  const ids = randomIds(batch, steps);
  const optimizer = tf.train.adam(1e-3);
  const train = time(reps, () => {
    tf.tidy(() => {
      optimizer.minimize(
        () =>
          tf.mean(
            tf.square(m.apply(ids, { training: true }) as tf.Tensor),
          ) as tf.Scalar,
        true,
      )!
        .dataSync();
    });
  });
  const infer = time(reps, () => {
    tf.tidy(() => (m.apply(ids) as tf.Tensor).dataSync());
  });
  ids.dispose();
  m.layers.forEach((l) => l.dispose());
  optimizer.dispose();
  return {
    kind: "fused",
    threads: threadsInUse,
    batch,
    steps: [steps],
    trainMs: train.median,
    inferMs: infer.median,
    trainMinMs: train.min,
    inferMinMs: infer.min,
  };
}

/**
 * Runs the benchmark on the wasm backend (set up here if needed).
 *
 * @param options see {@link LstmBenchOptions}
 * @returns the timings
 *
 * @example
 * ```ts ignore
 * import assert from "@std/assert";
 * import { runLstmBench } from "./lstm_bench.ts";
 * const r = await runLstmBench({ stock: false, scaling: false, reps: 1 });
 * assert.ok(r.fused.trainMs > 0);
 * ```
 */
export async function runLstmBench(
  options: LstmBenchOptions = {},
): Promise<LstmBenchResult> {
  const log = options.log ?? true;
  const say = (s: string) => log && console.error(s);
  await setupBackend({
    log,
    ...(options.backendThreads ? { threads: options.backendThreads } : {}),
  });
  threadsInUse = await setLstmThreads(options.threads ?? 1);
  try {
    return bench(options, say);
  } finally {
    threadsInUse = await setLstmThreads(1);
  }
}

function bench(
  options: LstmBenchOptions,
  say: (s: string) => void,
): LstmBenchResult {
  const reps = options.reps ?? 10;
  const seed = [52, 600];
  say("fused: seed model ...");
  const fused = benchSiamese("fused", 32, seed, reps);
  say("fused: seed model, padded rows ...");
  const fusedPadded = benchSiamese("fused", 32, seed, reps, true);
  const result: LstmBenchResult = {
    fused,
    fusedPadded,
    byLength: [],
    byBatch: [],
    loadavg: [],
  };
  if (options.stock ?? true) {
    say("stock: seed model (slow) ...");
    const stock = benchSiamese("stock", 32, seed, options.stockReps ?? 2);
    result.stock = stock;
    result.speedup = {
      train: stock.trainMs / fused.trainMs,
      infer: stock.inferMs / fused.inferMs,
    };
  }
  if (options.scaling ?? true) {
    for (const t of [100, 300, 600, 1000]) {
      say(`fused: one branch, T ${t} ...`);
      result.byLength.push(benchBranch(32, t, reps));
    }
    for (const b of [8, 32, 128]) {
      say(`fused: one branch, B ${b} ...`);
      result.byBatch.push(benchBranch(b, 600, reps));
    }
  }
  result.loadavg = Deno.loadavg();
  return result;
}

function row(t: BenchTiming): string {
  const shape = `B ${t.batch}  T ${t.steps.join("+")}  threads ${t.threads}`;
  return `${t.kind.padEnd(6)} ${shape.padEnd(30)} train ${
    t.trainMs.toFixed(1).padStart(8)
  } ms (min ${t.trainMinMs.toFixed(1)})  infer ${
    t.inferMs.toFixed(1).padStart(8)
  } ms (min ${t.inferMinMs.toFixed(1)})`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      json: { type: "boolean", default: false },
      "no-stock": { type: "boolean", default: false },
      "no-scaling": { type: "boolean", default: false },
      threads: { type: "string", default: "1" },
      "backend-threads": { type: "string" },
      reps: { type: "string", default: "10" },
    },
  });
  const r = await runLstmBench({
    stock: !values["no-stock"],
    scaling: !values["no-scaling"],
    threads: Number(values.threads),
    ...(values["backend-threads"]
      ? { backendThreads: Number(values["backend-threads"]) }
      : {}),
    reps: Number(values.reps),
  });
  if (values.json) {
    console.log(JSON.stringify(r));
  } else {
    console.log(
      "seed model, two branches, ms per batch (median of the runs after a warm-up)",
    );
    if (r.stock) console.log(row(r.stock));
    console.log(row(r.fused));
    console.log(`${row(r.fusedPadded)}  rows padded to 25-100%`);
    if (r.speedup) {
      console.log(
        `stock / fused: train ${r.speedup.train.toFixed(1)}x  infer ${
          r.speedup.infer.toFixed(1)
        }x`,
      );
    }
    if (r.byLength.length) console.log("fused, one branch, by length:");
    r.byLength.forEach((t) => console.log(row(t)));
    if (r.byBatch.length) console.log("fused, one branch, by batch:");
    r.byBatch.forEach((t) => console.log(row(t)));
    console.log(`load average ${r.loadavg.map((x) => x.toFixed(2)).join(" ")}`);
  }
}
