/**
 * `deno task bench`: every speed figure the project promises, measured in
 * one run, with the ratios computed from those same measurements.
 *
 * 1. Threads: a 1024x1024 matMul with 1 thread and with all threads (each
 *    thread count in its own process: the wasm backend's thread count is
 *    fixed per process).
 * 2. Steps (`step_section.ts`): the training step and inference batch of the
 *    seed model and of the matcher recipe, ours on 1 and all threads, with
 *    GFLOP/s and the share of the measured SIMD peak, and PyTorch's twins
 *    (`bench/peers/`, when `/usr/bin/python3` can import torch) with ratios.
 *    Then `eval` with the matcher's lexical channel (`eval_bench.ts`):
 *    seconds per 10k pairs and peak memory, on 10k pairs (and 100k without
 *    `--quick`).
 * 3. Fused vs stock LSTM on the seed model, and the fused model's scaling
 *    with sequence length and batch size.
 * 4. The ONNX Runtime peers, native and Web, on the exported seed model
 *    (`onnx_peers.ts`), inference, with ratios.
 * 5. The footprint of the single-file bundle (see `footprint.ts`).
 *
 *     deno task bench [--quick] [--rounds N] [--json FILE]
 *
 * `--quick` skips the stock LSTM, the scaling runs and the footprint. Timings are medians
 * over a process's batches; each step, ours and PyTorch's, runs in
 * `--rounds` processes per setting (default 5, alternating) and the best
 * counts. The load average is printed because other processes skew them.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { defaultThreads } from "../src/backend/setup.ts";
import { benchThreads, type ThreadsBenchResult } from "./threads_bench.ts";
import type { BenchTiming, LstmBenchResult } from "./lstm_bench.ts";
import { footprintTable, measureFootprint } from "./footprint.ts";
import { childJson, stepSection } from "./step_section.ts";
import { runOnnxPeers } from "./onnx_peers.ts";

const USAGE = `Usage: deno task bench [--quick] [--rounds N] [--json FILE]

Measures, in one run: 1 vs all threads (a 1024x1024 matMul), the training
step and inference batch of the seed model and of the matcher recipe on 1 and
all threads with GFLOP/s and the share of the measured SIMD peak, PyTorch's
twins (when python3 can import torch) with ratios, eval's seconds per 10k pairs
and peak memory (10k pairs; also 100k without --quick), the fused vs the stock
LSTM and the fused one's scaling, ONNX Runtime native and Web on the exported
seed model (inference, with ratios), and the single-file bundle's footprint.

  --quick      skip eval on 100k pairs, the stock LSTM, the scaling runs and
               the footprint
  --rounds N   processes per setting for the steps (default 5)
  --json FILE  also write every figure as JSON to FILE
  --help       show this help
`;

const here = new URL(".", import.meta.url).pathname;

/** The seed model timed in a child process with the given wasm threads. */
function lstmChild(
  backendThreads: number,
  extra: string[],
): Promise<LstmBenchResult> {
  return childJson<LstmBenchResult>(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-sys=loadavg",
    `${here}lstm_bench.ts`,
    "--json",
    "--backend-threads",
    String(backendThreads),
    // the LSTM's own pool gets the same count, as --threads gives it in the CLI
    "--threads",
    String(backendThreads),
    ...extra,
  ]);
}

/** What `eval_bench.ts` printed, and the peak `/usr/bin/time` saw. */
interface EvalBenchResult {
  pairs: number;
  threads: number;
  seconds: number;
  secondsPer10k: number;
  sampledPeakMiB: number;
  /** From `/usr/bin/time -f %M`; absent without it. */
  peakMiB?: number;
}

/** `eval_bench.ts` in a child process, under `/usr/bin/time` when present. */
async function evalChild(
  pairs: number,
  threads: number,
): Promise<EvalBenchResult> {
  const args = [
    "run",
    "--allow-read",
    `${here}eval_bench.ts`,
    "--pairs",
    String(pairs),
    "--threads",
    String(threads),
  ];
  let timed = true;
  try {
    await Deno.stat("/usr/bin/time");
  } catch {
    timed = false;
  }
  const out = await new Deno.Command(
    timed ? "/usr/bin/time" : Deno.execPath(),
    {
      args: timed ? ["-f", "%M", Deno.execPath(), ...args] : args,
      stdout: "piped",
      stderr: "piped",
    },
  ).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  if (out.code !== 0) {
    throw new Error(
      `eval_bench.ts failed (exit ${out.code}):\n${text(out.stderr)}`,
    );
  }
  const result = JSON.parse(
    text(out.stdout).split("\n").at(-1)!,
  ) as EvalBenchResult;
  const kb = Number(text(out.stderr).split("\n").at(-1));
  if (timed && Number.isFinite(kb)) result.peakMiB = kb / 1024;
  return result;
}

/** Runs `eval` on `sizes` pairs on 1 and all threads, and prints it. */
async function evalSection(
  all: number,
  sizes: number[],
): Promise<EvalBenchResult[]> {
  console.log(
    "\n== eval: the matcher's model with its lexical channel (weight 0.8, 3-grams of 1000 tokens)," +
      "\n   FOLDOC-like random pairs fed in blocks as `eval` reads a file (bench/eval_bench.ts)",
  );
  const results: EvalBenchResult[] = [];
  for (const pairs of sizes) {
    for (const threads of all > 1 ? [1, all] : [1]) {
      const r = await evalChild(pairs, threads);
      results.push(r);
      const peak = r.peakMiB === undefined
        ? `sampled peak ${r.sampledPeakMiB.toFixed(0)} MiB (no /usr/bin/time)`
        : `peak RSS ${r.peakMiB.toFixed(0)} MiB`;
      console.log(
        `${String(pairs).padStart(7)} pairs, ${threads} thread(s): ${
          r.seconds.toFixed(1)
        } s, ${r.secondsPer10k.toFixed(1)} s per 10k pairs, ${peak}`,
      );
    }
  }
  return results;
}

const ms = (x: number) => `${x.toFixed(1).padStart(8)} ms`;

function row(label: string, t: BenchTiming): string {
  return `${label.padEnd(34)} train ${ms(t.trainMs)}  infer ${ms(t.inferMs)}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      rounds: { type: "string", default: "5" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const all = defaultThreads();
  const report: Record<string, unknown> = { threads: all };
  console.log(
    `siamese-wasm bench  ${new Date().toISOString()}  ${all} threads available`,
  );

  // 1. threads
  console.log(
    "\n== threads: 1024x1024 matMul, 1 vs all threads (separate processes)",
  );
  const mm: ThreadsBenchResult = await benchThreads({ threads: all });
  console.log(
    `matMul 1 thread  ${ms(mm.one.medianMs)}   ${all} threads ${
      ms(mm.all.medianMs)
    }   speed-up ${mm.speedup.toFixed(2)}x`,
  );
  report.matmul = mm;

  const rounds = Number(values.rounds);
  if (!(Number.isInteger(rounds) && rounds >= 1)) {
    throw new RangeError(
      `Expected --rounds to be an integer of at least 1 but found ${values.rounds}`,
    );
  }
  report.steps = await stepSection(all, rounds);

  // eval on many pairs: time per 10k and peak memory
  report.eval = await evalSection(
    all,
    values.quick ? [10_000] : [10_000, 100_000],
  );

  // 3. fused vs stock, scaling
  let lstm: LstmBenchResult | undefined;
  if (!values.quick) {
    console.log("\n== fused vs stock LSTM, seed model, 1 thread");
    lstm = await lstmChild(1, []);
    if (lstm.stock) console.log(row("stock tfjs-layers LSTM", lstm.stock));
    console.log(row("fused LSTM", lstm.fused));
    console.log(row("fused, rows padded to 25-100%", lstm.fusedPadded));
    if (lstm.speedup) {
      console.log(
        `stock / fused: train ${lstm.speedup.train.toFixed(1)}x  infer ${
          lstm.speedup.infer.toFixed(1)
        }x`,
      );
    }
    console.log("fused, one branch, by sequence length:");
    for (const t of lstm.byLength) {
      console.log(row(`  B ${t.batch}  T ${t.steps.join("+")}`, t));
    }
    console.log("fused, one branch, by batch size:");
    for (const t of lstm.byBatch) {
      console.log(row(`  B ${t.batch}  T ${t.steps.join("+")}`, t));
    }
    report.lstm = lstm;
  }

  // 4. ONNX Runtime peers on the exported seed model
  console.log(
    `\n== peers: ONNX Runtime native and Web on the exported seed model, inference (best of ${rounds} processes)`,
  );
  report.onnx = await runOnnxPeers(rounds, all);

  // 5. footprint of the single-file bundle
  if (!values.quick) {
    console.log("\n== footprint: the single-file bundle (dist/siamese.js)");
    const fp = await measureFootprint({ log: false });
    console.log(footprintTable(fp));
    report.footprint = fp;
  }

  const load = Deno.loadavg();
  console.log(
    `\nload average ${
      load.map((x) => x.toFixed(2)).join(" ")
    } (other processes skew timings)`,
  );
  report.loadavg = load;
  if (values.json) {
    await Deno.writeTextFile(
      values.json,
      JSON.stringify(report, null, 2) + "\n",
    );
    console.log(`wrote ${values.json}`);
  }
}
