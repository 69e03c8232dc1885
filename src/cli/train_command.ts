/**
 * `deno task train`: settings, data, model, loop, files.
 *
 * @module
 */
import { defaultThreads } from "../backend/setup.ts";
import { startBackend } from "./backend.ts";
import type { DataSpec } from "../data/dataset.ts";
import type { TokenizerKind } from "../data/tokenizer.ts";
import { type ModelConfig, modelConfig } from "../model/config.ts";
import { type TrainConfig, trainConfig } from "../train/config.ts";
import { formatDuration } from "../train/progress.ts";
import { resumeRun, type RunResult, runTraining } from "../run/training.ts";
import { metricsRecord } from "../run/metrics.ts";
import {
  checkpointPlace,
  describePlace,
  type OpenRunDir,
  openRunDir,
  RunDirError,
} from "../run/run_dir.ts";
import { ensureWritable } from "../io/permissions.ts";
import { sectionObject } from "../settings/values.ts";
import { RECIPE_NAMES, type RecipeName } from "../settings/setting.ts";
import { SETTINGS_BY_FLAG } from "../settings/table.ts";
import {
  type FlagTable,
  type FlagValues,
  parseFlags,
  UsageError,
} from "./flags.ts";
import { trainHelp } from "./train_help.ts";
import {
  changedSettings,
  type ResolvedSettings,
  resolveSettings,
} from "./train_settings.ts";

/** The train command's own flags; its settings come from the settings table. */
export const TRAIN_OPTIONS: FlagTable = {
  "data": {
    type: "string",
    placeholder: "FILE",
    help:
      "Training pairs, .tsv or .jsonl (default: the built-in synthetic set)",
  },
  "val": {
    type: "string",
    placeholder: "FILE",
    help: "Validation pairs (default: a share of --data held out at random)",
  },
  "recipe": {
    type: "enum",
    choices: RECIPE_NAMES,
    help:
      "Settings chosen together: seed (the seed's setup; default without --data) " +
      "or matcher (best measured on real text; default with --data)",
  },
  "config": {
    type: "string",
    placeholder: "FILE",
    help: "More settings as JSON (listed below); flags win over it",
  },
  "out": {
    type: "string",
    placeholder: "DIR",
    help: "Run directory (default runs/<timestamp>)",
  },
  "resume": {
    type: "string",
    placeholder: "DIR",
    help: "Continue the run in DIR from its checkpoint, with its settings",
  },
  "force": {
    type: "bool",
    help:
      "Replace the run already in --out DIR (kept until the new run's first checkpoint)",
  },
  "json": {
    type: "bool",
    help: "Print the final report as one JSON object on stdout",
  },
};

/** What may be given with `--resume`: the run's own settings are reused. */
const RESUME_ALLOWS = new Set([
  "resume",
  "epochs",
  "max-minutes",
  "threads",
  "json",
]);

/**
 * Runs the train command.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runTrain(args: string[]): Promise<number> {
  const parsed = parseFlags(args, flagTable());
  const settingFlags: Record<string, string | boolean> = {};
  for (const name of SETTINGS_BY_FLAG.keys()) {
    const v = parsed[name];
    if (v !== undefined) settingFlags[name] = v as string | boolean;
  }
  const resumeDir = parsed.resume as string | undefined;
  if (resumeDir !== undefined) {
    const extra = givenFlagNames(args).find((n) => !RESUME_ALLOWS.has(n));
    if (extra !== undefined) {
      throw new UsageError(
        `--resume reuses the run's stored settings, so --${extra} cannot be given with it ` +
          "(only --epochs, --max-minutes, --threads and --json can).",
      );
    }
  }
  const config = parsed.config === undefined
    ? undefined
    : await readConfigFile(parsed.config as string);
  const r = resolveSettings({
    flags: settingFlags,
    ...(config ? { config } : {}),
    ...(parsed.recipe !== undefined
      ? { recipe: parsed.recipe as RecipeName }
      : {}),
    dataFile: parsed.data !== undefined,
    valFile: parsed.val !== undefined,
  }, { check: !parsed.help && resumeDir === undefined });
  if (parsed.help) {
    console.log(trainHelp(TRAIN_OPTIONS, r));
    return 0;
  }
  if (resumeDir === undefined) {
    console.error(`recipe ${r.recipe}  ${changedSettings(r)}`);
  }
  const run = sectionObject("run", r.values) as {
    maxMinutes?: number;
    earlyStop?: number;
    threads?: number;
  };
  const out = resumeDir ?? (parsed.out as string | undefined) ??
    defaultRunDir();
  await ensureWritable(out, resumeDir !== undefined ? "--resume" : "--out");
  if (parsed.force) {
    // --force trains into a sibling of the run directory first
    await ensureWritable(out, "--force --out", { file: true });
  }
  const opened = await openForTraining(
    out,
    resumeDir !== undefined ? "resume" : parsed.force ? "force" : "new",
  );
  try {
    return await trainIn(opened, parsed, r, run, settingFlags);
  } finally {
    // a --force run that ended before its first checkpoint leaves no staging
    if (opened.replacing) {
      await Deno.remove(opened.replacing.staging, { recursive: true })
        .catch(() => {});
    }
    await opened.lock.release();
    // a run that failed before writing anything leaves no empty directory
    if (opened.state.kind === "absent") await Deno.remove(out).catch(() => {});
  }
}

/** Opens the run directory; a refusal is a usage error (exit 2). */
async function openForTraining(
  out: string,
  mode: "new" | "force" | "resume",
): Promise<OpenRunDir> {
  try {
    const opened = await openRunDir(out, mode);
    for (const note of opened.notes) console.error(note);
    return opened;
  } catch (e) {
    if (e instanceof RunDirError) throw new UsageError(e.message);
    throw e;
  }
}

/** Trains in an opened run directory. */
async function trainIn(
  opened: OpenRunDir,
  parsed: FlagValues,
  r: ResolvedSettings,
  run: { maxMinutes?: number; earlyStop?: number; threads?: number },
  settingFlags: Record<string, string | boolean>,
): Promise<number> {
  const out = opened.dir;
  const resumeDir = parsed.resume as string | undefined;
  const started = performance.now();
  const backend = await startBackend(run.threads ?? defaultThreads());
  const controller = new AbortController();
  const onSigint = () => {
    console.error(
      "\nCtrl-C: stopping after this step and writing a checkpoint",
    );
    Deno.removeSignalListener("SIGINT", onSigint);
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  const runtime = {
    backend,
    signal: controller.signal,
    ...(run.earlyStop !== undefined ? { earlyStop: run.earlyStop } : {}),
    ...(run.maxMinutes !== undefined ? { maxMinutes: run.maxMinutes } : {}),
  };
  try {
    let result: RunResult;
    if (resumeDir !== undefined) {
      const epochs = settingFlags.epochs !== undefined
        ? { epochs: r.values["train.epochs"] as number }
        : {};
      result = await resumeRun(resumeDir, { ...runtime, ...epochs });
    } else {
      result = await runTraining({
        ...runtime,
        out,
        model: modelConfig(
          sectionObject("model", r.values) as unknown as ModelConfig,
        ),
        train: trainConfig(
          sectionObject("train", r.values) as unknown as TrainConfig,
        ),
        data: dataSpec(parsed, r),
        ...(opened.replacing ? { replacing: opened.replacing } : {}),
      });
    }
    const seconds = (performance.now() - started) / 1000;
    const best = result.bestReport;
    if (best?.val) {
      const v = best.val;
      console.error(
        `best epoch ${best.epoch}: val auc ${v.auc.toFixed(3)}  recall@1 ${
          v.recallAt1.toFixed(3)
        }  recall@10 ${v.recallAt10.toFixed(3)}  (chance ${
          (10 / v.pairs).toFixed(3)
        })`,
      );
    }
    const place = await checkpointPlace(out);
    const took = `(${formatDuration(seconds)} in all)`;
    console.error(
      result.best !== undefined
        ? `saved ${out}  ${took}`
        : place !== undefined
        ? `${out} holds only a checkpoint (${
          describePlace(place)
        }), no model yet: continue it with --resume ${out}  ${took}`
        : `nothing saved in ${out}  ${took}`,
    );
    if (parsed.json) {
      console.log(JSON.stringify({
        out,
        seconds,
        epochs: result.state.epoch,
        steps: result.state.step,
        interrupted: result.interrupted,
        stopped_early: result.stoppedEarly,
        best: best ? metricsRecord(best) : null,
      }));
    }
    return result.interrupted ? 130 : 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

/** The command's own flags and its settings' flags, for parsing. */
function flagTable(): FlagTable {
  const table: FlagTable = { ...TRAIN_OPTIONS };
  for (const [name, s] of SETTINGS_BY_FLAG) {
    table[name] = s.type === "bool"
      ? { type: "bool", help: s.help }
      : { type: "string", help: s.help };
  }
  return table;
}

function givenFlagNames(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith("--")).map((a) =>
    a.slice(2).split("=")[0]!
  );
}

/** Reads `--config FILE`: JSON, errors name the flag and the path. */
async function readConfigFile(
  path: string,
): Promise<{ path: string; json: unknown }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new UsageError(
      `--config ${path}: cannot read the file (${(e as Error).message}).`,
    );
  }
  try {
    return { path, json: JSON.parse(text) };
  } catch (e) {
    throw new UsageError(
      `--config ${path}: expected JSON such as {"model": {"lstm_units": 128}} but it does not parse (${
        (e as Error).message
      }).`,
    );
  }
}

function dataSpec(parsed: FlagValues, r: ResolvedSettings): DataSpec {
  const d = sectionObject("data", r.values) as {
    tokenizer: TokenizerKind;
    leftTokenizer?: TokenizerKind;
    rightTokenizer?: TokenizerKind;
    sharedVocab: boolean;
    valFraction: number;
    pairs: number;
    valPairs: number;
  };
  const data = parsed.data as string | undefined;
  if (data === undefined) {
    if (parsed.val !== undefined) {
      throw new UsageError("--val needs --data: give the training file too.");
    }
    return { kind: "synthetic", pairs: d.pairs, valPairs: d.valPairs };
  }
  return {
    kind: "file",
    data,
    ...(parsed.val !== undefined ? { val: parsed.val as string } : {}),
    valFraction: d.valFraction,
    leftTokenizer: d.leftTokenizer ?? d.tokenizer,
    rightTokenizer: d.rightTokenizer ?? d.tokenizer,
    ...(d.sharedVocab ? { sharedVocab: true } : {}),
  };
}

/** `runs/<UTC timestamp>`, e.g. `runs/2026-11-29T08-40-12`. */
function defaultRunDir(): string {
  return `runs/${new Date().toISOString().slice(0, 19).replaceAll(":", "-")}`;
}
