/**
 * Speed-up of threads on a large product: a 1024×1024 `tf.matMul` (with
 * `dataSync`) timed with 1 thread and with all threads, started as the
 * commands start them (`startBackend`: the backend and the LSTM's pool) and
 * with a fresh right operand each time, as a gradient's is; such a product
 * runs on the pool (`src/backend/big_matmul.ts`), XNNPACK keeping one thread
 * (`XNNPACK_THREADS`). The thread count is
 * fixed per process, so every measurement runs in its own `deno run` child
 * of this same file; the children alternate (1, N, 1, N, …) over a few
 * rounds so that load from other processes hits both counts alike, and each
 * count keeps its best round (lowest median).
 *
 * Run: `deno run --allow-read --allow-env --allow-run bench/threads_bench.ts [--json]`
 *
 * @module
 */
import * as tf from "../src/deps/tfjs_core.ts";
import { parseArgs } from "@std/cli/parse-args";
import { fileURLToPath } from "node:url";
import { defaultThreads, setupBackend } from "../src/backend/setup.ts";
import { setLstmThreads } from "../src/backend/lstm_threads.ts";

/** Timings of one thread count. */
export interface MatMulTiming {
  /** Threads the backend really used. */
  threads: number;
  /** Median of the best round, in ms per matMul. */
  medianMs: number;
  /** Fastest single matMul over all rounds, in ms. */
  minMs: number;
  /** Median of every round, in ms, in run order. */
  roundMedianMs: number[];
}

/** What {@link benchThreads} measured. */
export interface ThreadsBenchResult {
  /** Side of the square matrices. */
  size: number;
  /** Timings with 1 thread (plain SIMD binary). */
  one: MatMulTiming;
  /** Timings with all threads (threaded SIMD binary). */
  all: MatMulTiming;
  /** `one.medianMs / all.medianMs`. */
  speedup: number;
}

/** Options for {@link benchThreads}. */
export interface ThreadsBenchOptions {
  /** Side of the square matrices. @default 1024 */
  size?: number;
  /** Threads for the "all" run. @default defaultThreads() */
  threads?: number;
  /** Timed matMuls per child, after 3 untimed ones. @default 15 */
  reps?: number;
  /** Children per thread count, alternating. @default 3 */
  rounds?: number;
}

/**
 * Times a square `tf.matMul` with 1 thread and with `threads` threads, each
 * in its own child process. Needs `--allow-run`; the children get
 * `--allow-read --allow-env`.
 *
 * @param options see {@link ThreadsBenchOptions}
 * @returns the timings and the speed-up
 *
 * @example
 * ```ts ignore
 * import assert from "@std/assert";
 * import { benchThreads } from "./threads_bench.ts";
 * const r = await benchThreads({ size: 256, reps: 3, rounds: 1 });
 * assert.ok(r.one.threads === 1 && r.speedup > 0);
 * ```
 */
export async function benchThreads(
  options: ThreadsBenchOptions = {},
): Promise<ThreadsBenchResult> {
  const size = options.size ?? 1024;
  const threads = options.threads ?? defaultThreads();
  const reps = options.reps ?? 15;
  const rounds = options.rounds ?? 3;
  const samples = new Map<number, { threads: number; ms: number[] }[]>([
    [1, []],
    [threads, []],
  ]);
  for (let round = 0; round < rounds; round++) {
    for (const n of [1, threads]) {
      samples.get(n)!.push(await _runChild(n, size, reps));
    }
  }
  const summarise = (n: number): MatMulTiming => {
    const runs = samples.get(n)!;
    const roundMedianMs = runs.map((r) => _median(r.ms));
    return {
      threads: runs[0]!.threads,
      medianMs: Math.min(...roundMedianMs),
      minMs: Math.min(...runs.flatMap((r) => r.ms)),
      roundMedianMs,
    };
  };
  const one = summarise(1);
  const all = summarise(threads);
  return { size, one, all, speedup: one.medianMs / all.medianMs };
}

/** Runs this file as a child that times `reps` matMuls with `threads`. */
async function _runChild(
  threads: number,
  size: number,
  reps: number,
): Promise<{ threads: number; ms: number[] }> {
  const config = fileURLToPath(new URL("../deno.json", import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--config",
      config,
      self,
      "--child",
      `--threads=${threads}`,
      `--size=${size}`,
      `--reps=${reps}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `Expected the child with ${threads} threads to succeed but it failed:\n` +
        new TextDecoder().decode(out.stderr),
    );
  }
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Child side: times `reps` matMuls of two seeded `size`×`size` matrices. */
async function _child(
  threads: number,
  size: number,
  reps: number,
): Promise<void> {
  const info = await setupBackend({ threads, log: false });
  await setLstmThreads(info.threads);
  const a = tf.randomNormal([size, size], 0, 1, "float32", 1); // [S, S]
  const b = tf.randomNormal([size, size], 0, 1, "float32", 2); // [S, S]
  const ms: number[] = [];
  for (let i = 0; i < reps + 3; i++) {
    const fresh = tf.add(b, 0); // a right operand never multiplied before
    fresh.dataSync();
    const start = performance.now();
    const c = tf.matMul(a, fresh);
    c.dataSync();
    const elapsed = performance.now() - start;
    tf.dispose([c, fresh]);
    if (i >= 3) ms.push(elapsed);
  }
  await setLstmThreads(1);
  console.log(JSON.stringify({ threads: info.threads, ms }));
}

function _median(xs: readonly number[]): number {
  const s = xs.toSorted((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      child: { type: "boolean" },
      json: { type: "boolean" },
      threads: { type: "string" },
      size: { type: "string" },
      reps: { type: "string" },
      rounds: { type: "string" },
    },
  });
  const num = (
    s: string | undefined,
  ) => (s === undefined ? undefined : Number(s));
  if (values.child) {
    await _child(
      num(values.threads) ?? 1,
      num(values.size) ?? 1024,
      num(values.reps) ?? 15,
    );
  } else {
    const options: ThreadsBenchOptions = {};
    for (const key of ["size", "threads", "reps", "rounds"] as const) {
      const v = num(values[key]);
      if (v !== undefined) options[key] = v;
    }
    const r = await benchThreads(options);
    if (values.json) {
      console.log(JSON.stringify(r));
    } else {
      const row = (t: MatMulTiming) =>
        `threads ${t.threads}  median ${t.medianMs.toFixed(1)} ms  min ${
          t.minMs.toFixed(1)
        } ms  ` +
        `rounds ${t.roundMedianMs.map((x) => x.toFixed(1)).join(" ")}`;
      console.log(`matMul ${r.size}x${r.size}`);
      console.log(row(r.one));
      console.log(row(r.all));
      console.log(`speed-up ${r.speedup.toFixed(2)}x`);
    }
  }
}
