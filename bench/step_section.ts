/**
 * The step section of `deno task bench`: the seed model and the matcher
 * recipe, ours on 1 and on all threads (`step_bench.ts`, one process per
 * thread count and round) and PyTorch's twins (`peers/torch_lstm.py`,
 * `peers/torch_matcher.py`) alike, alternating; per model the best round of
 * each setting, the 2-thread speed-up, the achieved GFLOP/s and its share of
 * the measured SIMD peak (`peak.ts`), and the ratios ours / PyTorch.
 *
 * @module
 */
import {
  matcherLengths,
  STEP_MODELS,
  type StepBenchResult,
  type StepModel,
  type StepTiming,
} from "./step_bench.ts";

/** Timings from a PyTorch script (milliseconds per batch). */
export interface TorchTiming {
  train_ms: number;
  infer_ms: number;
  train_min_ms: number;
  infer_min_ms: number;
  threads: number;
  blas?: string;
}

const here = new URL(".", import.meta.url).pathname;

/**
 * Runs a child process and parses the last line of its stdout as JSON.
 *
 * @param command the program
 * @param args its arguments
 * @returns the parsed line
 *
 * @example
 * ```ts ignore
 * import { childJson } from "./step_section.ts";
 * const x = await childJson<number>("/bin/echo", ["1"]);
 * ```
 */
export async function childJson<T>(
  command: string,
  args: string[],
): Promise<T> {
  const out = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (out.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${out.code})`);
  }
  return JSON.parse(text.split("\n").at(-1)!) as T;
}

const PYTHON = "/usr/bin/python3";

/** Whether `/usr/bin/python3` can import torch. */
async function torchAvailable(): Promise<boolean> {
  try {
    const probe = await new Deno.Command(PYTHON, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    }).output();
    return probe.code === 0;
  } catch {
    return false;
  }
}

/** A PyTorch twin's timings on `threads` threads. */
function torchChild(model: StepModel, threads: number): Promise<TorchTiming> {
  const [left, right] = matcherLengths();
  const script = model === "seed"
    ? [`${here}peers/torch_lstm.py`, String(threads)]
    : [
      `${here}peers/torch_matcher.py`,
      String(threads),
      "--left",
      left.join(","),
      "--right",
      right.join(","),
    ];
  // OPENBLAS_CORETYPE forces an older kernel on this CPU: unset it for this
  // command only (env -u), without reading our own environment
  return childJson<TorchTiming>("/usr/bin/env", [
    "-u",
    "OPENBLAS_CORETYPE",
    "-u",
    "OPENBLAS_L2_SIZE",
    PYTHON,
    ...script,
  ]);
}

/** Our step bench in a child process with `threads` threads. */
function stepChild(threads: number): Promise<StepBenchResult> {
  return childJson<StepBenchResult>(Deno.execPath(), [
    "run",
    "--allow-read",
    `${here}step_bench.ts`,
    "--threads",
    String(threads),
  ]);
}

/** Best-of-rounds figures of one model. */
export interface ModelSummary {
  model: StepModel;
  /** Best median ms per training step and per inference batch, by threads. */
  ours: Record<string, { trainMs: number; inferMs: number }>;
  /** The same for PyTorch's twin (absent without torch). */
  torch?: Record<string, { trainMs: number; inferMs: number }>;
  /** Training and inference speed-up of all threads over one. */
  speedup: { train: number; infer: number };
  /** Achieved model GFLOP/s (training, inference) and share of the peak, by threads. */
  rates: Record<
    string,
    { train: number; infer: number; trainShare: number; inferShare: number }
  >;
}

const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;
const x2 = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/**
 * Runs the section and prints it.
 *
 * @param all the thread count besides 1
 * @param rounds processes per setting
 * @returns every round and the summaries, for the JSON report
 */
export async function stepSection(
  all: number,
  rounds: number,
): Promise<{
  rounds: {
    ours: Record<string, StepBenchResult[]>;
    torch: Record<string, Record<string, TorchTiming[]>>;
  };
  peak: Record<string, number>;
  models: ModelSummary[];
}> {
  const counts = all > 1 ? [1, all] : [1];
  const torch = await torchAvailable();
  console.log(
    "\n== steps: the seed model (B 32, T 52 + 600, every row full) and the matcher recipe" +
      "\n   (shared encoder, 128 units, max pooling, in-batch softmax, char vocabulary 100," +
      "\n   B 32, T 52 + 256 padded from FOLDOC-like lengths), the trainer's own trainStep",
  );
  const ours: Record<string, StepBenchResult[]> = {};
  const torchRounds: Record<string, Record<string, TorchTiming[]>> = {};
  for (const m of STEP_MODELS) torchRounds[m] = {};
  for (let r = 0; r < rounds; r++) {
    for (const n of counts) {
      (ours[n] ??= []).push(await stepChild(n));
      if (!torch) continue;
      for (const m of STEP_MODELS) {
        (torchRounds[m]![n] ??= []).push(await torchChild(m, n));
      }
    }
  }
  const peak: Record<string, number> = {};
  for (const n of counts) {
    peak[n] = Math.max(...ours[n]!.map((o) => o.peak.total));
    console.log(
      `SIMD peak, ${n} thread(s) at once (bench/peak.ts, fused multiply-add on registers): ` +
        `${
          ours[n]!.map((o) => o.peak.total.toFixed(0)).join(" / ")
        } GFLOP/s by round, best ${peak[n]!.toFixed(0)}`,
    );
  }
  if (!torch) {
    console.log(
      "PyTorch skipped: /usr/bin/python3 cannot import torch (apt-get install -y python3-torch libopenblas0-openmp)",
    );
  }
  const models: ModelSummary[] = [];
  for (const m of STEP_MODELS) {
    const timings = (n: number) =>
      ours[n]!.map((o) => o.steps.find((s) => s.model === m)!);
    const first: StepTiming = timings(1)[0]!;
    console.log(
      `\n-- ${m}: ${
        (first.trainFlops / 1e9).toFixed(2)
      } GFLOP per training step, ${
        (first.inferFlops / 1e9).toFixed(2)
      } per inference batch (model FLOPs: step_bench.ts stepFlops)`,
    );
    const best: ModelSummary["ours"] = {};
    const bestTorch: NonNullable<ModelSummary["torch"]> = {};
    const rates: ModelSummary["rates"] = {};
    for (const n of counts) {
      const t = timings(n);
      console.log(
        `  rounds ours, ${n} thread(s)      train ${
          t.map((x) => x.trainMs.toFixed(0)).join(" / ")
        } ms  infer ${t.map((x) => x.inferMs.toFixed(0)).join(" / ")} ms`,
      );
      best[n] = {
        trainMs: Math.min(...t.map((x) => x.trainMs)),
        inferMs: Math.min(...t.map((x) => x.inferMs)),
      };
      const train = first.trainFlops / best[n]!.trainMs / 1e6;
      const infer = first.inferFlops / best[n]!.inferMs / 1e6;
      rates[n] = {
        train,
        infer,
        trainShare: train / peak[n]!,
        inferShare: infer / peak[n]!,
      };
      const tt = torchRounds[m]![n];
      if (tt !== undefined) {
        console.log(
          `  rounds PyTorch, ${n} thread(s)   train ${
            tt.map((x) => x.train_ms.toFixed(0)).join(" / ")
          } ms  infer ${tt.map((x) => x.infer_ms.toFixed(0)).join(" / ")} ms`,
        );
        bestTorch[n] = {
          trainMs: Math.min(...tt.map((x) => x.train_ms)),
          inferMs: Math.min(...tt.map((x) => x.infer_ms)),
        };
      }
    }
    for (const n of counts) {
      const b = best[n]!, q = rates[n]!;
      console.log(
        `  ours ${n} thread(s)     train ${ms(b.trainMs)} ${
          q.train.toFixed(1).padStart(5)
        } GFLOP/s (${pct(q.trainShare)} of peak)   infer ${ms(b.inferMs)} ${
          q.infer.toFixed(1).padStart(5)
        } GFLOP/s (${pct(q.inferShare)})`,
      );
    }
    for (const n of counts) {
      const b = bestTorch[n];
      if (b === undefined) continue;
      console.log(
        `  PyTorch ${n} thread(s)  train ${ms(b.trainMs)} ${
          (first.trainFlops / b.trainMs / 1e6).toFixed(1).padStart(5)
        } GFLOP/s                 infer ${ms(b.inferMs)}`,
      );
    }
    const hi = String(counts.at(-1));
    const speedup = {
      train: best[1]!.trainMs / best[hi]!.trainMs,
      infer: best[1]!.inferMs / best[hi]!.inferMs,
    };
    console.log(
      `  speed-up, ${hi} threads over 1: train ${
        speedup.train.toFixed(2)
      }x  infer ${speedup.infer.toFixed(2)}x`,
    );
    const summary: ModelSummary = { model: m, ours: best, speedup, rates };
    if (Object.keys(bestTorch).length > 0) {
      summary.torch = bestTorch;
      const oursBest = (k: "trainMs" | "inferMs") =>
        Math.min(...counts.map((n) => best[n]![k]));
      const torchBest = (k: "trainMs" | "inferMs") =>
        Math.min(...counts.map((n) => bestTorch[n]![k]));
      console.log(
        `  ours / PyTorch: train ${
          counts.map((n) =>
            `${n} thr. ${x2(best[n]!.trainMs, bestTorch[n]!.trainMs)}`
          ).join(", ")
        }, best setting of each ${
          x2(oursBest("trainMs"), torchBest("trainMs"))
        };  infer best of each ${
          x2(oursBest("inferMs"), torchBest("inferMs"))
        }`,
      );
    }
    models.push(summary);
  }
  return { rounds: { ours, torch: torchRounds }, peak, models };
}
