/**
 * Inference peers: the seed model exported to ONNX (`src/export/`) and run
 * by ONNX Runtime native CPU (onnxruntime-node) and ONNX Runtime Web
 * (onnxruntime-web: WebAssembly, SIMD, threads), against our inference of
 * the same model, same weights, same ids.
 *
 * Seed model: per branch Embedding(1000, 32, maskZero) -> LSTM(64) ->
 * Dense(256), pooling last; batch 32, left length 52, right length 600, all
 * steps valid (as in `lstm_bench.ts` and the PyTorch peer). One inference
 * batch = both branches forward, outputs read back.
 *
 *     deno run -A bench/onnx_peers.ts [--rounds N]         the comparison alone
 *     deno run -A bench/onnx_peers.ts --write DIR          export the model
 *     deno run -A bench/onnx_peers.ts --runtime ours|node|web --threads N --dir DIR [--reps N]
 *
 * The second form prints one JSON line `{runtime, threads, inferMs,
 * inferMinMs}` (median and fastest of the repetitions, ms per batch).
 *
 * @module
 */
import * as tf from "../src/deps/tfjs_core.ts";
import { parseArgs } from "@std/cli/parse-args";
import { startBackend } from "../src/cli/backend.ts";
import { setupBackend } from "../src/backend/setup.ts";
import { modelConfig } from "../src/model/config.ts";
import { buildSiamese, encode } from "../src/model/siamese.ts";
import { readBranch } from "../src/export/branch_weights.ts";
import { branchToOnnx } from "../src/export/onnx_branch.ts";

/** Batch and lengths of the seed model's inference batch. */
export const SEED_SHAPE = { batch: 32, left: 52, right: 600 } as const;
const SEED = 7;

/** Timing of one runtime in one process. */
export interface PeerTiming {
  runtime: string;
  threads: number;
  inferMs: number;
  inferMinMs: number;
}

/** Random ids in [1, 1000), every step valid, fixed by `seed`. */
function seedIds(rows: number, len: number, seed: number): Int32Array {
  let s = seed;
  return Int32Array.from({ length: rows * len }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return 1 + Math.floor((s / 2147483648) * 999);
  });
}

async function timed(reps: number, f: () => Promise<void>) {
  for (let i = 0; i < 3; i++) await f(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, min: ms[0]! };
}

async function writeModel(dir: string): Promise<void> {
  await setupBackend({ threads: 1, log: false });
  const m = buildSiamese(modelConfig({}), SEED);
  await Deno.mkdir(dir, { recursive: true });
  for (const side of ["left", "right"] as const) {
    const len = side === "left" ? SEED_SHAPE.left : SEED_SHAPE.right;
    await Deno.writeFile(
      `${dir}/${side}.onnx`,
      branchToOnnx(readBranch(m[side], side), { len, name: side }),
    );
  }
}

async function timeOurs(threads: number, reps: number) {
  await startBackend(threads);
  const m = buildSiamese(modelConfig({}), SEED);
  const { batch, left, right } = SEED_SHAPE;
  const ids = [
    tf.tensor2d(seedIds(batch, left, 1), [batch, left], "int32"),
    tf.tensor2d(seedIds(batch, right, 2), [batch, right], "int32"),
  ];
  return await timed(reps, () => {
    tf.tidy(() => {
      encode(m.left, ids[0] as tf.Tensor2D).dataSync();
      encode(m.right, ids[1] as tf.Tensor2D).dataSync();
    });
    return Promise.resolve();
  });
}

type Ort = typeof import("./peers/onnxruntime_node.ts");

async function timeOrt(
  ort: Ort,
  dir: string,
  threads: number,
  reps: number,
  options: Record<string, unknown>,
) {
  const { batch, left, right } = SEED_SHAPE;
  const sessions = await Promise.all(
    ["left", "right"].map(async (side) =>
      ort.InferenceSession.create(await Deno.readFile(`${dir}/${side}.onnx`), {
        graphOptimizationLevel: "all",
        executionMode: "sequential",
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        ...options,
      })
    ),
  );
  const inputs = [[left, 1], [right, 2]].map(([len, seed]) =>
    new ort.Tensor(
      "int64",
      BigInt64Array.from(seedIds(batch, len!, seed!), BigInt),
      [batch, len!],
    )
  );
  return await timed(reps, async () => {
    for (const [k, s] of sessions.entries()) {
      const out = await s.run({ ids: inputs[k]! });
      if (out.vector!.data.length !== batch * 256) {
        throw new Error("bad output");
      }
    }
  });
}

const here = new URL(".", import.meta.url).pathname;

/** The fastest process's median; failed processes (NaN) are left out. */
function bestMs(ts: PeerTiming[]): number {
  const ok = ts.map((t) => t.inferMs).filter((x) => !Number.isNaN(x));
  return ok.length === 0 ? NaN : Math.min(...ok);
}

/**
 * A child process's timing; undefined when it failed or did not finish in
 * `timeoutMs` (then it is killed). Seen here: an onnxruntime-web process
 * with 2 threads once spun for 21 minutes (its worker thread gone, the main
 * thread busy-waiting).
 */
async function child(
  args: string[],
  allow: string[],
  timeoutMs = 120_000,
): Promise<PeerTiming | undefined> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...allow, `${here}onnx_peers.ts`, ...args],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
  } catch {
    return undefined;
  }
  if (out.code !== 0) return undefined;
  const text = new TextDecoder().decode(out.stdout).trim();
  return JSON.parse(text.split("\n").at(-1)!) as PeerTiming;
}

/**
 * Times ours, ONNX Runtime native and ONNX Runtime Web on the seed model's
 * inference batch, 1 and `threads` threads, each setting in `rounds` fresh
 * processes (alternating), and prints each round, the best per setting and
 * the ratios ours / peer (best setting against best setting; goals: <= 0.8
 * against ONNX Runtime native, <= 0.3 against ONNX Runtime Web).
 *
 * @param rounds processes per setting
 * @param threads the larger thread count
 * @returns every timing, for the JSON report
 */
export async function runOnnxPeers(
  rounds: number,
  threads: number,
): Promise<Record<string, PeerTiming[]>> {
  const dir = await Deno.makeTempDir({ prefix: "siamese-onnx-bench-" });
  try {
    const wrote = await child(["--write", dir], [
      "--allow-read",
      `--allow-write=${dir}`,
    ]);
    if (wrote === undefined) throw new Error("exporting the seed model failed");
    const settings = [
      ["ours", []],
      ["node", ["--allow-ffi"]],
      ["web", []],
    ] as const;
    const counts = threads > 1 ? [1, threads] : [1];
    const all: Record<string, PeerTiming[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const [runtime, allow] of settings) {
        for (const n of counts) {
          const t = await child(
            ["--runtime", runtime, "--threads", `${n}`, "--dir", dir],
            ["--allow-read", ...allow],
          );
          console.log(
            `  round ${r + 1}  ${runtime} ${n} thread(s)  ${
              t === undefined
                ? "failed or hung (killed after 120 s)"
                : `${t.inferMs.toFixed(1)} ms`
            }`,
          );
          (all[`${runtime} ${n}`] ??= []).push(
            t ?? { runtime, threads: n, inferMs: NaN, inferMinMs: NaN },
          );
        }
      }
    }
    const names: Record<string, string> = {
      ours: "ours (tfjs wasm, fused LSTM)",
      node: "ONNX Runtime native CPU",
      web: "ONNX Runtime Web (wasm)",
    };
    const best: Record<string, number> = {};
    for (const [key, ts] of Object.entries(all)) {
      const [runtime, n] = key.split(" ");
      const b = bestMs(ts);
      best[runtime!] = Math.min(best[runtime!] ?? Infinity, b);
      console.log(
        `${
          `${names[runtime!]}, ${n} thread${n === "1" ? "" : "s"}`.padEnd(44)
        } infer ${b.toFixed(1).padStart(7)} ms   rounds ${
          ts.map((t) => t.inferMs.toFixed(0)).join(" / ")
        }`,
      );
    }
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    for (const n of counts) {
      const o = bestMs(all[`ours ${n}`]!);
      const nd = bestMs(all[`node ${n}`]!);
      const w = bestMs(all[`web ${n}`]!);
      console.log(
        `ours / ORT native, ${n} thread(s) each     ${
          x(o, nd)
        }   ours / ORT Web ${x(o, w)}`,
      );
    }
    console.log(
      `ours / ORT native, best setting of each  ${
        x(best.ours!, best.node!)
      }  (goal <= 0.80)`,
    );
    console.log(
      `ours / ORT Web, best setting of each     ${
        x(best.ours!, best.web!)
      }  (goal <= 0.30)`,
    );
    return all;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      write: { type: "string" },
      runtime: { type: "string" },
      threads: { type: "string", default: "1" },
      dir: { type: "string" },
      reps: { type: "string", default: "15" },
      rounds: { type: "string", default: "5" },
    },
  });
  if (values.write === undefined && values.runtime === undefined) {
    await runOnnxPeers(Number(values.rounds), 2);
    Deno.exit(0);
  }
  if (values.write !== undefined) {
    await writeModel(values.write);
    console.log("{}");
    Deno.exit(0);
  }
  const threads = Number(values.threads);
  const reps = Number(values.reps);
  let t: { median: number; min: number };
  if (values.runtime === "ours") {
    t = await timeOurs(threads, reps);
  } else if (values.runtime === "node") {
    const ort = await import("./peers/onnxruntime_node.ts");
    t = await timeOrt(ort, values.dir!, threads, reps, {});
  } else if (values.runtime === "web") {
    const ort = await import("./peers/onnxruntime_web.ts");
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.simd = true;
    t = await timeOrt(ort as unknown as Ort, values.dir!, threads, reps, {
      executionProviders: ["wasm"],
    });
  } else {
    throw new RangeError(
      `Expected --runtime ours, node or web but found ${values.runtime}`,
    );
  }
  const out: PeerTiming = {
    runtime: values.runtime,
    threads,
    inferMs: t.median,
    inferMinMs: t.min,
  };
  console.log(JSON.stringify(out));
  Deno.exit(0);
}
