/**
 * Footprint of the single-file bundle (`dist/siamese.js`, built by
 * `deno task bundle` if missing), every figure from child processes that run
 * the bundle alone in an empty directory with an empty `DENO_DIR` and only
 * the permissions the README lists:
 *
 * - size: bytes, and bytes after gzip (level of `CompressionStream`);
 * - start: wall time from spawning `deno run siamese.js train …` (a tiny
 *   model on the built-in data) until the line of the first training step
 *   appears on its stderr (the trainer prints it as soon as step 1 is done,
 *   also when stderr is not a terminal). "Cold" is the first run with an
 *   empty `DENO_DIR` (no V8 code cache); "warm" the next run with the cache
 *   the first one left. Both include data generation and model building;
 *   the tiny model keeps the step itself short;
 * - peak memory: the child's peak resident set (`ru_maxrss`, as reported
 *   by GNU `/usr/bin/time -f %M`; the same figure as `VmHWM`). For the seed scale (`train
 *   --epochs 1`, lengths 52/600, the built-in data) the run is cut by
 *   `--max-minutes` (default 1): it trains that long, then evaluates the
 *   1000 validation pairs and saves, so the figure covers training steps,
 *   evaluation and saving, not a whole epoch. For file input the same
 *   trainer reads TSVs of 2k, 20k and 200k pairs (numbers in words and
 *   digits, `examples/numbers.ts`; lengths 12/8) with `--max-minutes 0.2`
 *   and a fixed 1000-pair `--val` file, so the growth between them is the
 *   reader and the encoded pairs, not evaluation. The largest file runs once
 *   more with V8's old space capped (`--max-old-space-size=128`): the gap
 *   between the two is heap that V8 kept because nothing made it collect.
 *
 * Run: `deno run --allow-read --allow-write --allow-run bench/footprint.ts [--json]`
 * (needs GNU time at `/usr/bin/time`).
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { words } from "../examples/numbers.ts";

/** One measured child run. */
export interface ChildRun {
  /** Exit code of the child. */
  code: number;
  /** Wall time of the whole child, in seconds. */
  seconds: number;
  /** Peak resident set of the child (`ru_maxrss`), in bytes. */
  peakRssBytes: number;
  /** Milliseconds from spawn to the first-step line, if it appeared. */
  firstStepMs?: number;
}

/** What {@link measureFootprint} measured. */
export interface FootprintResult {
  /** Size of the bundle in bytes. */
  bundleBytes: number;
  /** Size of the bundle after gzip, in bytes. */
  bundleGzipBytes: number;
  /** Spawn to first training step, empty `DENO_DIR`, ms. */
  coldStartMs: number;
  /** Spawn to first training step, code cache from the cold run, ms. */
  warmStartMs: number;
  /** The seed-scale run (10,000 built-in pairs, lengths 52/600). */
  seed: ChildRun & { maxMinutes: number };
  /** File input, one run per size. */
  files: (ChildRun & {
    pairs: number;
    fileBytes: number;
    /** Bytes of the encoded Int32Array token ids: pairs × (12 + 8) × 4. */
    encodedBytes: number;
  })[];
  /** The largest file again with `--v8-flags=--max-old-space-size`. */
  capped?: ChildRun & { pairs: number; oldSpaceMiB: number };
  /** Threads of the wasm backend in every run. */
  threads: number;
}

/** Options for {@link measureFootprint}. */
export interface FootprintOptions {
  /** The bundle. @default "<repo>/dist/siamese.js", built if missing */
  bundle?: string;
  /** `--max-minutes` of the seed-scale run. @default 1 */
  seedMinutes?: number;
  /** Pairs of the file-input runs. @default [2000, 20000, 200000] */
  filePairs?: number[];
  /** Threads of the wasm backend. @default 1 */
  threads?: number;
  /** V8 old space, MiB, of the extra run of the largest file. @default 128 */
  cappedOldSpaceMiB?: number;
  /** Print each figure to stderr as it comes. @default true */
  log?: boolean;
}

const root = new URL("../", import.meta.url).pathname;

/**
 * Measures the bundle's size, start time and peak memory (see the module
 * documentation for what exactly). Needs `--allow-read`, `--allow-write`
 * (a temporary directory) and `--allow-run` (`deno`, `/usr/bin/time`), and
 * GNU time.
 *
 * @param options see {@link FootprintOptions}
 * @returns the figures
 */
export async function measureFootprint(
  options: FootprintOptions = {},
): Promise<FootprintResult> {
  const log = options.log ?? true;
  const say = (s: string) => log && console.error(s);
  const threads = options.threads ?? 1;
  const bundle = options.bundle ?? await buildBundle();
  const bytes = await Deno.readFile(bundle);
  const bundleGzipBytes = await gzipSize(bytes);
  say(`bundle ${bytes.length} bytes, gzip ${bundleGzipBytes}`);

  const dir = await Deno.makeTempDir({ prefix: "siamese-footprint-" });
  try {
    await Deno.copyFile(bundle, `${dir}/siamese.js`);
    await Deno.mkdir(`${dir}/.deno`);
    const settings = (name: string, json: unknown) =>
      Deno.writeTextFile(`${dir}/${name}`, JSON.stringify(json));
    await settings("tiny.json", {
      data: { pairs: 256, val_pairs: 16 },
      model: { lstm_units: 8, dense_units: 8 },
    });
    await settings("split.json", {
      data: { left_tokenizer: "word", right_tokenizer: "char" },
    });
    const tiny = [
      "train",
      "--config",
      "tiny.json",
      "--left-len",
      "8",
      "--right-len",
      "16",
      "--epochs",
      "1",
      "--threads",
      String(threads),
    ]; // deno-fmt-ignore
    const cold = await runChild(dir, [...tiny, "--out", "run/cold"]);
    const warm = await runChild(dir, [...tiny, "--out", "run/warm"]);
    if (cold.firstStepMs === undefined || warm.firstStepMs === undefined) {
      throw new Error("The tiny run printed no first-step line.");
    }
    say(`start cold ${cold.firstStepMs} ms, warm ${warm.firstStepMs} ms`);

    const seedMinutes = options.seedMinutes ?? 1;
    const seed = await runChild(dir, [
      "train",
      "--epochs",
      "1",
      "--max-minutes",
      String(seedMinutes),
      "--threads",
      String(threads),
      "--out",
      "run/seed",
    ]); // deno-fmt-ignore
    say(`seed scale: peak RSS ${mib(seed.peakRssBytes)} in ${seed.seconds} s`);

    await writeNumbers(`${dir}/val.tsv`, 1_000_000, 1000);
    const files = [];
    // one short training run on train_<pairs>.tsv, for the file rows
    const fileRun = (pairs: number, out: string) => [
      "train",
      "--data",
      `train_${pairs}.tsv`,
      "--val",
      "val.tsv",
      "--config",
      "split.json",
      "--left-len",
      "12",
      "--right-len",
      "8",
      "--epochs",
      "1",
      "--max-minutes",
      "0.2",
      "--threads",
      String(threads),
      "--out",
      out,
    ]; // deno-fmt-ignore
    for (const pairs of options.filePairs ?? [2000, 20000, 200000]) {
      const file = `${dir}/train_${pairs}.tsv`;
      await writeNumbers(file, 0, pairs);
      const run = await runChild(dir, fileRun(pairs, `run/file_${pairs}`));
      const fileBytes = (await Deno.stat(file)).size;
      files.push({ ...run, pairs, fileBytes, encodedBytes: pairs * 20 * 4 });
      say(`file ${pairs} pairs: peak RSS ${mib(run.peakRssBytes)}`);
    }
    // The largest file again with V8's old space capped: how much of the
    // growth is live data, and how much garbage V8 had no reason to collect.
    const largest = files.at(-1);
    let capped: FootprintResult["capped"];
    if (largest) {
      const oldSpaceMiB = options.cappedOldSpaceMiB ?? 128;
      const run = await runChild(dir, fileRun(largest.pairs, "run/capped"), [
        `--v8-flags=--max-old-space-size=${oldSpaceMiB}`,
      ]);
      capped = { ...run, pairs: largest.pairs, oldSpaceMiB };
      say(
        `file ${largest.pairs} pairs, old space ${oldSpaceMiB} MiB: peak RSS ${
          mib(run.peakRssBytes)
        }`,
      );
    }
    return {
      bundleBytes: bytes.length,
      bundleGzipBytes,
      coldStartMs: cold.firstStepMs,
      warmStartMs: warm.firstStepMs,
      seed: { ...seed, maxMinutes: seedMinutes },
      files,
      ...(capped ? { capped } : {}),
      threads,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The figures as a small table.
 *
 * @param r what {@link measureFootprint} returned
 * @returns lines of text
 */
export function footprintTable(r: FootprintResult): string {
  const rows: [string, string][] = [
    ["bundle size", `${r.bundleBytes} B (${mib(r.bundleBytes)})`],
    ["bundle size, gzip", `${r.bundleGzipBytes} B (${mib(r.bundleGzipBytes)})`],
    ["start to first step, cold", `${r.coldStartMs} ms (empty DENO_DIR)`],
    ["start to first step, warm", `${r.warmStartMs} ms (code cache)`],
    [
      "peak RSS, seed scale",
      `${mib(r.seed.peakRssBytes)} (10,000 pairs, 52/600, ` +
      `--max-minutes ${r.seed.maxMinutes}, ${r.seed.seconds} s, exit ${r.seed.code})`,
    ],
    ...r.files.map((f): [string, string] => [
      `peak RSS, file ${f.pairs} pairs`,
      `${mib(f.peakRssBytes)} (file ${mib(f.fileBytes)}, ` +
      `encoded ${mib(f.encodedBytes)}, ${f.seconds} s, exit ${f.code})`,
    ]),
    ...(r.capped
      ? [[
        `peak RSS, file ${r.capped.pairs} pairs, capped`,
        `${
          mib(r.capped.peakRssBytes)
        } (--max-old-space-size=${r.capped.oldSpaceMiB}, ` +
        `${r.capped.seconds} s, exit ${r.capped.code})`,
      ] as [string, string]]
      : []),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `footprint of dist/siamese.js  (threads ${r.threads})`,
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
  ].join("\n");
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

async function buildBundle(): Promise<string> {
  const path = `${root}dist/siamese.js`;
  const exists = await Deno.stat(path).then(() => true, () => false);
  if (!exists) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "bundle"],
      cwd: root,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (out.code !== 0) throw new Error("deno task bundle failed");
  }
  return path;
}

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function writeNumbers(path: string, from: number, count: number) {
  const lines = ["left\tright"];
  for (let n = from; n < from + count; n++) lines.push(`${words(n)}\t${n}`);
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/**
 * GNU time, which reports the child's peak resident set (`getrusage`
 * `ru_maxrss`, the same figure as `VmHWM` in `/proc/<pid>/status`). Deno
 * lets a process read another's `/proc/<pid>/status` only with
 * `--allow-all`, so the bench asks the kernel through `time` instead.
 */
const TIME = "/usr/bin/time";

/** Runs the bundle in `dir` under GNU time; resolves when it exits. */
async function runChild(
  dir: string,
  args: string[],
  denoFlags: string[] = [],
): Promise<ChildRun> {
  const report = `${dir}/time.txt`;
  const started = performance.now();
  const child = new Deno.Command(TIME, {
    args: [
      "-f",
      "%M",
      "-o",
      report,
      Deno.execPath(),
      "run",
      "--no-prompt",
      ...denoFlags,
      `--allow-read=${dir}`,
      `--allow-write=${dir}/run`,
      "siamese.js",
      ...args,
    ],
    cwd: dir,
    clearEnv: true,
    env: { DENO_DIR: `${dir}/.deno` },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let firstStepMs: number | undefined;
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    text += decoder.decode(chunk, { stream: true });
    if (firstStepMs === undefined && /^epoch \d+\/\d+ {2}1\/\d+ /m.test(text)) {
      firstStepMs = Math.round(performance.now() - started);
    }
  }
  const { code } = await child.status;
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  if (code !== 0) console.error(text);
  // The last line is the figure (time puts "Command exited with non-zero
  // status" before it when the child fails).
  const kib = Number(
    (await Deno.readTextFile(report)).trim().split("\n").at(-1),
  );
  return {
    code,
    seconds,
    peakRssBytes: kib * 1024,
    ...(firstStepMs !== undefined ? { firstStepMs } : {}),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      json: { type: "boolean", default: false },
      threads: { type: "string", default: "1" },
      "seed-minutes": { type: "string", default: "1" },
    },
  });
  const result = await measureFootprint({
    threads: Number(values.threads),
    seedMinutes: Number(values["seed-minutes"]),
  });
  console.log(values.json ? JSON.stringify(result) : footprintTable(result));
}
