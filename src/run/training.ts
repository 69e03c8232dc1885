/**
 * A whole training run, with its files: data in, then per epoch the metrics
 * files, the best model so far and a resumable checkpoint.
 *
 *     <out>/config.json, left/, right/   the best model (by validation recall@10)
 *     <out>/metrics.jsonl, curves.svg    one record per epoch
 *     <out>/checkpoint/                  resumable state (see src/run/checkpoint.ts)
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { BackendInfo } from "../backend/setup.ts";
import { type Dataset, type DataSpec, loadDataset } from "../data/dataset.ts";
import { dataShapes, type ModelConfig } from "../model/config.ts";
import { buildSiamese } from "../model/siamese.ts";
import { LexicalIndex } from "../lexical/ngram_tfidf.ts";
import { lexicalSetupProblem } from "../lexical/hybrid.ts";
import {
  type Best,
  type CheckpointMeta,
  readCheckpointMeta,
  restoreCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
import type { TrainConfig } from "../train/config.ts";
import { type EpochReport, train, type TrainState } from "../train/loop.ts";
import { writeRunMetrics } from "./metrics.ts";
import { chooseLexicalWeight } from "../infer/lexical_weight.ts";
import { evaluate } from "../infer/evaluate.ts";
import { lossOptionsOf } from "../loss/choose.ts";
import { saveRun } from "./format.ts";

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
 * there (the number of epochs may be raised).
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
  const data: Dataset = await loadDataset(
    options.data,
    dataShapes(modelConfig),
    {
      seed: config.seed,
      ...(resume ? { vocabularies: resume.vocabularies } : {}),
    },
  );
  if (log) { for (const line of data.description) console.error(line); }
  await Deno.mkdir(out, { recursive: true });

  const model = buildSiamese(modelConfig, config.seed);
  if (modelConfig.lexical.weight > 0) {
    model.lexical = fitLexical(data, options.data, modelConfig, config);
    if (log) {
      console.error(
        `lexical channel: weight ${modelConfig.lexical.weight}, ${modelConfig.lexical.n}-grams of token ids, ` +
          `${model.lexical.size} n-grams in ${model.lexical.documents} training rows`,
      );
    }
  }
  const optimizer = tf.train.adam(config.learningRate);
  if (resume) {
    await restoreCheckpoint(out, { model, optimizer });
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
    vocabularies: data.vocabularies,
    state,
    ...(best ? { best } : {}),
    stale,
  });

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
        let saved = modelConfig;
        if (config.tuneLexical && model.lexical && report.val) {
          const c = chooseLexicalWeight(model, data.val);
          figure = c.recallAt10;
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
        if (best === undefined || figure > best.value) {
          best = { value: figure, epoch: report.epoch };
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
          await saveRun(out, model, {
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
          });
        } else {
          stale++;
        }
        await writeRunMetrics(out, state.history, {
          ...(best ? { bestEpoch: best.epoch } : {}),
        });
        await saveCheckpoint(out, { model, optimizer, meta: meta(state) });
        return options.earlyStop !== undefined && stale >= options.earlyStop;
      },
    });
    if (result.interrupted) {
      await saveCheckpoint(out, { model, optimizer, meta: meta(result.state) });
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
