/**
 * A whole training run, with its files: data in, then per epoch the metrics
 * files, the best model so far and a resumable checkpoint.
 *
 *     <out>/config.json, left/, right/   the best model (validation recall@10, ties by MRR)
 *     <out>/metrics.jsonl, curves.svg    one record per epoch
 *     <out>/checkpoint/                  resumable state (see src/run/checkpoint.ts)
 *
 * @module
 */
import type { BackendInfo } from "../backend/setup.ts";
import { type Dataset, type DataSpec, loadDataset } from "../data/dataset.ts";
import { dataShapes, type ModelConfig } from "../model/config.ts";
import { buildSiamese, type Siamese } from "../model/siamese.ts";
import { pretrainedEncoder, startFromPretrained } from "../model/pretrained.ts";
import type { InitKind } from "../settings/kinds.ts";
import { LexicalIndex } from "../lexical/ngram_tfidf.ts";
import { lexicalSetupProblem } from "../lexical/hybrid.ts";
import {
  beatsBest,
  type Best,
  type CheckpointMeta,
  type DataFingerprints,
  readCheckpointMeta,
  restoreCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
import type { TrainConfig } from "../train/config.ts";
import { type EpochReport, train, type TrainState } from "../train/loop.ts";
import { FusedAdam } from "../train/fused_adam.ts";
import { writeRunMetrics } from "./metrics.ts";
import { chooseLexicalWeight } from "../infer/lexical_weight.ts";
import { evaluate } from "../infer/evaluate.ts";
import { lossOptionsOf } from "../loss/choose.ts";
import { readSavedRun, saveRun } from "./format.ts";
import { type CheckpointPlace, describePlace } from "./run_dir.ts";
import { checkInput, fileFingerprint } from "../io/input_file.ts";

/**
 * The data files exist and can be read (errors name the flag and path), and
 * on resume are the files the checkpoint was trained on.
 *
 * @returns their fingerprints, for the checkpoint
 */
async function checkDataFiles(
  spec: DataSpec,
  resume: CheckpointMeta | undefined,
): Promise<DataFingerprints | undefined> {
  if (spec.kind !== "file") return undefined;
  const stored = resume ? " (the path stored in the run)" : "";
  const what = `a .tsv or .jsonl pair file${stored}`;
  const files = [["data", spec.data], ["val", spec.val]] as const;
  const prints: DataFingerprints = {};
  for (const [name, path] of files) {
    if (path === undefined) continue;
    await checkInput(path, `--${name}`, { kind: "file", what });
    const now = await fileFingerprint(path);
    const then = resume?.dataFiles?.[name];
    if (then && (then.bytes !== now.bytes || then.fnv1a !== now.fnv1a)) {
      throw new Error(
        `--${name} ${path}${stored} has changed since the checkpoint: ${now.bytes} bytes ` +
          `(FNV-1a ${now.fnv1a}) where the checkpoint recorded ${then.bytes} bytes (${then.fnv1a}), ` +
          "so resuming would not continue the same run. Put the original file back, " +
          "or start a new run with --out and --force.",
      );
    }
    prints[name] = now;
  }
  return prints;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** What to run. */
export interface RunOptions {
  /** Run directory. */
  out: string;
  model: ModelConfig;
  train: TrainConfig;
  data: DataSpec;
  backend: BackendInfo;
  /** Stop after this many epochs without a better validation figure. */
  earlyStop?: number;
  /** Stop training after this many minutes (the best model is kept). */
  maxMinutes?: number;
  /** Stops after the current step (Ctrl-C); a checkpoint is written. */
  signal?: AbortSignal;
  /** Progress on stderr. @default true */
  log?: boolean;
  /**
   * Replace what `out` holds (`--force`): write into `staging` until the
   * first checkpoint is there, then `commit` moves it to `out`, so nothing
   * of the old run is lost if the new one fails before that.
   */
  replacing?: { staging: string; commit: () => Promise<void> };
}

/** How a run ended. */
export interface RunResult {
  state: TrainState;
  best?: Best;
  /** The report of the best epoch. */
  bestReport?: EpochReport;
  interrupted: boolean;
  stoppedEarly: boolean;
  /** Log lines describing the data. */
  data: string[];
}

/**
 * Continues a run from `<dir>/checkpoint`, with the configuration stored
 * there (the number of epochs may be raised). A run stopped while writing
 * its first checkpoint (it has a model but no checkpoint) starts again
 * from the beginning with the settings stored with its model.
 *
 * @param dir the run directory
 * @param options what may change: `epochs`, and the runtime parts
 */
export async function resumeRun(
  dir: string,
  options:
    & Pick<
      RunOptions,
      "backend" | "signal" | "log" | "earlyStop" | "maxMinutes"
    >
    & { epochs?: number },
): Promise<RunResult> {
  if (
    !(await exists(`${dir}/checkpoint`)) && await exists(`${dir}/config.json`)
  ) {
    // killed while writing its first checkpoint, after its first model:
    // start again with the stored settings (deterministic: the same run)
    const saved = await readSavedRun(dir);
    const { epochs: _, ...runtime } = options;
    return await runTraining({
      ...runtime,
      out: dir,
      model: saved.model,
      train: {
        ...saved.train,
        ...(options.epochs ? { epochs: options.epochs } : {}),
      },
      data: saved.data,
    });
  }
  const meta = await readCheckpointMeta(dir);
  return await runTraining(
    {
      out: dir,
      model: meta.model,
      train: {
        ...meta.train,
        ...(options.epochs ? { epochs: options.epochs } : {}),
      },
      data: meta.data,
      backend: options.backend,
      ...(options.earlyStop !== undefined
        ? { earlyStop: options.earlyStop }
        : {}),
      ...(options.maxMinutes !== undefined
        ? { maxMinutes: options.maxMinutes }
        : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.log !== undefined ? { log: options.log } : {}),
    },
    meta,
  );
}

/**
 * Trains from scratch (or from `resume`), writing the run's files.
 *
 * @param options see {@link RunOptions}
 * @param resume checkpoint metadata to continue from
 */
export async function runTraining(
  options: RunOptions,
  resume?: CheckpointMeta,
): Promise<RunResult> {
  const log = options.log ?? true;
  const { out, model: modelConfig, train: config } = options;
  const dataFiles = await checkDataFiles(options.data, resume);
  const data: Dataset = await loadDataset(
    options.data,
    dataShapes(modelConfig),
    {
      seed: config.seed,
      ...(resume ? { vocabularies: resume.vocabularies } : {}),
    },
  );
  if (log) { for (const line of data.description) console.error(line); }
  // where files go: the staging directory until the first checkpoint
  let dir = options.replacing?.staging ?? out;
  await Deno.mkdir(dir, { recursive: true });

  const model = buildSiamese(modelConfig, config.seed);
  if (config.init !== "none" && !resume) {
    startPretrained(model, data, config.init, log);
  }
  if (modelConfig.lexical.weight > 0) {
    model.lexical = fitLexical(data, options.data, modelConfig, config);
    if (log) {
      console.error(
        `lexical channel: weight ${modelConfig.lexical.weight}, ${modelConfig.lexical.n}-grams of token ids, ` +
          `${model.lexical.size} n-grams in ${model.lexical.documents} training rows`,
      );
    }
  }
  // tfjs's Adam, each variable's update one kernel call (bit-identical)
  const optimizer = new FusedAdam(config.learningRate);
  if (resume) {
    await restoreCheckpoint(out, {
      model,
      optimizer,
      ...(resume.sha256 ? { sha256: resume.sha256 } : {}),
    });
    if (log) {
      console.error(
        `resumed ${out} at epoch ${resume.state.epoch} step ${resume.state.step}`,
      );
    }
  }
  let best = resume?.best;
  let stale = resume?.stale ?? 0;
  let bestReport = best
    ? resume?.state.history.find((h) => h.epoch === best!.epoch)
    : undefined;

  const meta = (state: TrainState): CheckpointMeta => ({
    model: modelConfig,
    train: config,
    data: options.data,
    ...(dataFiles ? { dataFiles } : {}),
    vocabularies: data.vocabularies,
    state,
    ...(best ? { best } : {}),
    stale,
  });
  // where the last checkpoint on disk stands, for messages
  let saved: CheckpointPlace | undefined = resume?.state;
  // writes a checkpoint; the first one of a replacing run then moves in
  const checkpoint = async (state: TrainState) => {
    await saving(
      "the checkpoint",
      () => saveCheckpoint(dir, { model, optimizer, meta: meta(state) }),
    );
    saved = state;
    if (dir !== out) {
      await options.replacing!.commit();
      dir = out;
    }
  };
  // a failed save says what it left and how to go on
  const saving = async (what: string, write: () => Promise<void>) => {
    try {
      await write();
    } catch (e) {
      const left = dir !== out
        ? `The run that was in ${out} is untouched (--force replaces it only at the first checkpoint).`
        : saved === undefined
        ? `No checkpoint was written yet: start again with --out ${out} --force.`
        : `The checkpoint saved ${
          describePlace(saved)
        } is intact: fix the cause and continue with --resume ${out}.`;
      throw new Error(
        `Saving ${what} in ${dir} failed: ${(e as Error).message}. ${left}`,
      );
    }
  };

  try {
    const result = await train(model, {
      config,
      train: data.train,
      val: data.val,
      optimizer,
      ...(resume ? { resume: resume.state } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      log,
      ...(options.maxMinutes !== undefined
        ? { deadline: performance.now() + options.maxMinutes * 60_000 }
        : {}),
      onEpoch: async (report, state) => {
        let figure = report.val?.recallAt10 ?? -report.loss;
        let mrr = report.val?.mrr;
        let saved = modelConfig;
        if (config.tuneLexical && model.lexical && report.val) {
          const c = chooseLexicalWeight(model, data.val);
          figure = c.recallAt10;
          mrr = c.mrr;
          saved = {
            ...modelConfig,
            lexical: { ...modelConfig.lexical, weight: c.weight },
          };
          if (log) {
            console.error(
              `  lexical weight chosen on val: λ ${c.weight}  recall@10 ${
                c.recallAt10.toFixed(3)
              }  mrr ${
                c.mrr.toFixed(3)
              }  (at λ ${modelConfig.lexical.weight}: ${
                c.atModelWeight.recallAt10.toFixed(3)
              })`,
            );
          }
        }
        if (beatsBest(best, figure, mrr)) {
          best = {
            value: figure,
            epoch: report.epoch,
            ...(mrr !== undefined ? { mrr } : {}),
          };
          bestReport = report;
          if (saved !== modelConfig && report.val) {
            // the kept model's own figures: at the chosen λ
            const tuned = { ...model, config: saved };
            bestReport = {
              ...report,
              val: evaluate(tuned, data.val, {
                distance: config.distance,
                loss: lossOptionsOf(config, saved),
                batchSize: config.batchSize,
              }),
            };
          }
          stale = 0;
          await saving("the model", () =>
            saveRun(dir, model, {
              model: saved,
              train: config,
              backend: options.backend,
              history: state.history,
              extra: {
                data: options.data,
                vocabularies: data.vocabularies,
                threshold: report.val?.threshold ?? null,
                best,
              },
            }));
        } else {
          stale++;
        }
        await saving("the metrics", () =>
          writeRunMetrics(dir, state.history, {
            ...(best ? { bestEpoch: best.epoch } : {}),
          }));
        await checkpoint(state);
        return options.earlyStop !== undefined && stale >= options.earlyStop;
      },
    });
    if (result.interrupted && result.state.step === (resume?.state.step ?? 0)) {
      // stopped before its first step: nothing new to keep (and a --force
      // run leaves the run it would replace as it was)
      if (log) {
        console.error("stopped before the first step: nothing new to save");
      }
    } else if (result.interrupted) {
      await checkpoint(result.state);
      if (log) console.error(`checkpoint written: resume with --resume ${out}`);
    }
    if (result.stoppedEarly && log) {
      const early = options.earlyStop !== undefined &&
        stale >= options.earlyStop;
      console.error(
        early
          ? `early stop: no better validation recall@10 for ${stale} epochs; best was epoch ${best?.epoch}`
          : `time limit of ${options.maxMinutes} minutes reached; best was epoch ${best?.epoch}`,
      );
    }
    return {
      state: result.state,
      ...(best ? { best } : {}),
      ...(bestReport ? { bestReport } : {}),
      interrupted: result.interrupted,
      stoppedEarly: result.stoppedEarly,
      data: data.description,
    };
  } finally {
    optimizer.dispose();
    model.left.dispose();
    if (model.right !== model.left) model.right.dispose();
  }
}

/**
 * Starts both branches from the shipped pretrained encoder, each through
 * its own side's vocabulary, and logs what was carried over.
 */
function startPretrained(
  model: Siamese,
  data: Dataset,
  kind: Exclude<InitKind, "none">,
  log: boolean,
): void {
  const encoder = pretrainedEncoder(kind);
  const sides = model.right === model.left
    ? [["left", model.left]] as const
    : [["left", model.left], ["right", model.right]] as const;
  const idSide = sides.find(([side]) => data.vocabularies[side] === undefined);
  if (idSide !== undefined) {
    // a file of token ids: there are no characters to map
    if (log) {
      console.error(
        `start: random weights, not the pretrained ${kind} encoder (train.init): it reads characters and the ${
          idSide[0]
        } side of the data holds token ids`,
      );
    }
    return;
  }
  for (const [side, branch] of sides) {
    const s = startFromPretrained(branch, data.vocabularies[side]!, encoder);
    if (log) {
      console.error(
        `start: the pretrained ${kind} encoder (${encoder.summary}) for the ${
          sides.length === 1 ? "shared" : side
        } branch; it knows ${s.known} of the ${s.tokens} tokens of ${
          sides.length === 1 ? "the data" : `the ${side} side`
        }`,
      );
    }
  }
}

/**
 * The lexical index of a run, fitted on its training pairs (the same on
 * resume: same data, same vocabularies).
 *
 * @param data the loaded data set
 * @param spec where it came from (a file needs one vocabulary for both sides)
 * @param model the model config (`lexical.n`, `vocab`)
 * @param train the training config (the distance must be cosine)
 * @throws RangeError when the two sides have separate vocabularies or the
 *   distance is not cosine
 */
export function fitLexical(
  data: Dataset,
  spec: DataSpec,
  model: ModelConfig,
  train: TrainConfig,
): LexicalIndex {
  const problem = lexicalSetupProblem(model.lexical.weight, {
    sharedVocab: spec.kind !== "file" || Boolean(spec.sharedVocab),
    distance: train.distance,
  });
  if (problem !== undefined) throw new RangeError(problem);
  return LexicalIndex.fit(data.train, {
    n: model.lexical.n,
    vocab: model.vocab,
  });
}
