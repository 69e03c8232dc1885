/**
 * The wasm SIMD peak of this machine, measured: `peak_madd` of the kernel
 * module (`src/wasm/peak.c`), a loop of 12 independent fused multiply-add
 * chains on registers only, run for a fixed time on each of N threads at
 * once (Workers, each with its own instance and memory). FLOPs counted as
 * 2 per lane per multiply-add: `iters x 12 x 4 x 2`. The kernel variant is
 * the one the LSTM loads (relaxed SIMD when the engine accepts it).
 *
 *     deno run --allow-read bench/peak.ts [--threads N] [--json]
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import {
  bytesOf,
  kernelBase64,
  relaxedSimd,
} from "../src/wasm/kernel_bytes.ts";

/** FLOPs of one iteration of `peak_madd`: 12 chains x 4 lanes x 2. */
export const PEAK_FLOPS_PER_ITER = 12 * 4 * 2;

/** What {@link measurePeak} measured. */
export interface PeakResult {
  /** Threads run at once. */
  threads: number;
  /** GFLOP/s of each thread (best of its repetitions). */
  perThread: number[];
  /** Their sum: the peak of `threads` threads together. */
  total: number;
  /** Relaxed SIMD (fused multiply-add) or SIMD128's multiply and add. */
  relaxed: boolean;
}

/**
 * GFLOP/s of `peak_madd` on this thread: the best of `reps` timed calls of
 * `iters` iterations, after a warm-up call.
 *
 * @param iters iterations per call
 * @param reps timed calls
 * @returns the best rate in GFLOP/s
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { peakHere } from "./peak.ts";
 * assert.ok(peakHere(1e5, 2) > 0);
 * ```
 */
export function peakHere(iters = 2e7, reps = 5): number {
  const module = new WebAssembly.Module(bytesOf(kernelBase64(false)));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const peak = instance.exports.peak_madd as (n: number, x: number) => number;
  peak(iters / 10, 1e-3); // warm-up: tier-up to optimised code
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const sink = peak(iters, 1e-3);
    const s = (performance.now() - t0) / 1000;
    if (!Number.isFinite(sink)) throw new Error("peak_madd diverged");
    best = Math.max(best, (iters * PEAK_FLOPS_PER_ITER) / s / 1e9);
  }
  return best;
}

/**
 * Runs {@link peakHere} on `threads` Workers at once.
 *
 * @param threads how many at once
 * @returns each thread's rate and their sum
 *
 * @example
 * ```ts ignore
 * import { measurePeak } from "./peak.ts";
 * console.log((await measurePeak(2)).total);
 * ```
 */
export async function measurePeak(threads: number): Promise<PeakResult> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(import.meta.url, { type: "module" }),
  );
  try {
    const perThread = await Promise.all(
      workers.map((w) =>
        new Promise<number>((resolve, reject) => {
          w.onmessage = (e) => resolve(e.data as number);
          w.onerror = (e) => reject(new Error(e.message));
          w.postMessage("go");
        })
      ),
    );
    return {
      threads,
      perThread,
      total: perThread.reduce((a, b) => a + b, 0),
      relaxed: relaxedSimd(),
    };
  } finally {
    workers.forEach((w) => w.terminate());
  }
}

// in a Worker: measure on "go" and post the rate back
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage?: (x: unknown) => void;
  WorkerGlobalScope?: unknown;
};
if (scope.WorkerGlobalScope !== undefined) {
  scope.onmessage = () => scope.postMessage!(peakHere());
}

if (import.meta.main && scope.WorkerGlobalScope === undefined) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      threads: { type: "string", default: "1" },
      json: { type: "boolean", default: false },
    },
  });
  const r = await measurePeak(Number(values.threads));
  if (values.json) console.log(JSON.stringify(r));
  else {
    console.log(
      `peak_madd on ${r.threads} thread(s) at once: ${
        r.perThread.map((x) => x.toFixed(1)).join(" + ")
      } = ${r.total.toFixed(1)} GFLOP/s (${
        r.relaxed ? "relaxed SIMD FMA" : "SIMD128 mul + add"
      })`,
    );
  }
}
