/**
 * Levers of issue 18, each measured in one process, alternating, so that
 * the machine's load falls on both arms alike:
 *
 * - `adam`: the training step with tfjs's Adam against {@link FusedAdam}
 *   (one kernel call per variable); two models of the same settings, one per
 *   optimizer.
 * - `spin`: the training step (or with `--infer` the inference batch) with
 *   the pool's calling thread sleeping at once in `Atomics.wait` against
 *   spinning up to {@link SPIN_MS} first (`src/wasm/pool_workers.ts`). Needs
 *   2 or more threads.
 * - `balance`: the same with the recurrences' rows split between threads by
 *   count against by valid steps (`LstmThreads.balanceRows`). With
 *   `--matcher` the batch has the step bench's FOLDOC-like lengths (sorted
 *   short to long) or, with `--shuffle`, the same lengths in a seeded random
 *   order.
 *
 * Seed model (or `--matcher`'s), batch `--batch` (32). Rounds of `--steps` steps per arm;
 * prints each arm's median and 25th percentile ms per step, and their ratio.
 *
 *     deno run --allow-read bench/levers.ts --lever adam|spin|balance [--threads N] [--rounds 6] [--steps 10] [--batch 32] [--matcher] [--infer]
 *
 * @module
 */
import * as tf from "../src/deps/tfjs_core.ts";
import { parseArgs } from "@std/cli/parse-args";
import { startBackend } from "../src/cli/backend.ts";
import { buildSiamese, encode, type Siamese } from "../src/model/siamese.ts";
import { modelConfig } from "../src/model/config.ts";
import { trainStep } from "../src/train/step.ts";
import { FusedAdam } from "../src/train/fused_adam.ts";
import { setWaitSpin, SPIN_MS } from "../src/wasm/pool_workers.ts";
import { poolFor } from "../src/backend/lstm_threads.ts";
import { heapOf, type WasmBackend } from "../src/backend/wasm_backend.ts";
import { fullBatch, stepBatch, stepLossOptions } from "./step_bench.ts";
import { median } from "./timing.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    lever: { type: "string" },
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "6" },
    steps: { type: "string", default: "10" },
    batch: { type: "string", default: "32" },
    matcher: { type: "boolean", default: false },
    shuffle: { type: "boolean", default: false },
    infer: { type: "boolean", default: false },
  },
});
const lever = values.lever;
if (lever !== "adam" && lever !== "spin" && lever !== "balance") {
  console.error(`--lever: expected adam, spin or balance but found ${lever}`);
  Deno.exit(2);
}
for (const flag of ["threads", "rounds", "steps", "batch"] as const) {
  const n = Number(values[flag]);
  if (!(Number.isInteger(n) && n >= 1)) {
    console.error(
      `--${flag}: expected an integer of at least 1 but found ${values[flag]}`,
    );
    Deno.exit(2);
  }
}
const threads = Number(values.threads);
if (lever !== "adam" && threads < 2) {
  console.error(`--lever ${lever}: the pool needs --threads 2 or more`);
  Deno.exit(2);
}
await startBackend(threads);
const matcher = values.matcher;
const config = modelConfig({
  ...(matcher
    ? {
      vocab: 100,
      lstmUnits: 128,
      shareWeights: true,
      pooling: "max" as const,
      rightLen: 256,
    }
    : {}),
});
const B = Number(values.batch);
const batch = lever === "balance" && matcher
  ? stepBatch("matcher", values.shuffle)
  : fullBatch(B, config.leftLen, config.rightLen, 100);
const loss = stepLossOptions(matcher ? "matcher" : "seed");

/** One side of a lever: set up before each round, then time `step`. */
interface Arm {
  name: string;
  before: () => void;
  step: () => void;
  ms: number[];
}

function training(model: Siamese, optimizer: tf.Optimizer): () => void {
  return () => void trainStep(model, batch, optimizer, loss);
}

function inference(model: Siamese): () => void {
  return () =>
    tf.tidy(() => {
      encode(model.left, batch.left).dataSync();
      encode(model.right, batch.right).dataSync();
    });
}

function adamArms(): Arm[] {
  const arm = (name: string, optimizer: tf.Optimizer): Arm => ({
    name,
    before: () => {},
    step: training(buildSiamese(config, 1), optimizer),
    ms: [],
  });
  return [
    arm("tf.train.adam", tf.train.adam(1e-3)),
    arm("FusedAdam", new FusedAdam(1e-3)),
  ];
}

/**
 * One model's step (training, or with `--infer` inference) timed with a
 * setting switched off and on: `[name, switch]` per arm.
 */
function switchArms(
  ...settings: [string, () => void][]
): Arm[] {
  const model = buildSiamese(config, 1);
  const step = values.infer
    ? inference(model)
    : training(model, new FusedAdam(1e-3));
  return settings.map(([name, before]) => ({ name, before, step, ms: [] }));
}

/** The LSTM pool the backend runs (the levers below need one). */
function pool() {
  return poolFor(heapOf((tf.backend() as unknown as WasmBackend).wasm))!;
}

const arms = lever === "adam" ? adamArms() : lever === "spin"
  ? switchArms(
    ["sleep", () => setWaitSpin(0)],
    [`spin ${SPIN_MS} ms`, () => setWaitSpin(SPIN_MS)],
  )
  : switchArms(
    ["rows by count", () => pool().balanceRows = false],
    ["rows by steps", () => pool().balanceRows = true],
  );
for (const a of arms) {
  a.before();
  for (let i = 0; i < 3; i++) a.step(); // warm-up: weights, slots, tables
}
for (let r = 0; r < Number(values.rounds); r++) {
  for (const a of arms) {
    a.before();
    a.step(); // the first step after a switch is not timed
    for (let i = 0; i < Number(values.steps); i++) {
      const t0 = performance.now();
      a.step();
      a.ms.push(performance.now() - t0);
    }
  }
}
const quartile = (xs: number[]) =>
  [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 4)]!;
const what = `${matcher ? "matcher" : "seed"} ${
  values.infer ? "inference" : "training"
}, batch ${B}, ${threads} thread(s)`;
console.log(`lever ${lever}: ${what}`);
for (const a of arms) {
  console.log(
    `${a.name.padEnd(14)} median ${median(a.ms).toFixed(1)} ms  25th pct ${
      quartile(a.ms).toFixed(1)
    } ms  (${a.ms.length} steps)`,
  );
}
console.log(
  `${arms[1]!.name} / ${arms[0]!.name}: ${
    (median(arms[1]!.ms) / median(arms[0]!.ms)).toFixed(3)
  } (medians)`,
);
Deno.exit(0);
