/**
 * Trains one recipe of the quality bench through the library's
 * `runTraining`, within a time budget, and measures retrieval on the test
 * file.
 *
 * The test file is passed as the run's validation file, so every finished
 * epoch is evaluated on all test pairs (`evaluate`, retrieval among the first
 * 2000) and the run keeps the epoch with the best test recall@10. The row
 * reports that epoch's figures: note that choosing the epoch on the test set
 * flatters a model slightly. When the budget ends the run before any epoch
 * finishes, the weights at that moment are loaded from the run's checkpoint
 * and evaluated on the test file instead.
 *
 * @module
 */
import * as tf from "../../src/deps/tfjs_core.ts";
import type { BackendInfo } from "../../src/backend/setup.ts";
import { type DataSpec, loadDataset } from "../../src/data/dataset.ts";
import { dataShapes, modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";
import {
  readCheckpointMeta,
  restoreCheckpoint,
} from "../../src/run/checkpoint.ts";
import { DEFAULT_TRAIN_CONFIG } from "../../src/train/config.ts";
import { type EvalReport, evaluate } from "../../src/infer/evaluate.ts";
import { fitLexical, runTraining } from "../../src/run/training.ts";
import { selectRows } from "../../src/data/subset.ts";
import { lexicalVectors } from "../../src/lexical/hybrid.ts";
import { sparseDotMatrix } from "../../src/lexical/sparse.ts";
import { type LoadedModel, loadModel } from "../../src/run/format.ts";
import { retrievalMetrics } from "../../src/metrics/retrieval.ts";
import { BENCH_MODEL, type Recipe } from "./recipes.ts";
import type { QualityRow } from "./table.ts";

/**
 * The best model a bench run saved, or undefined when it saved none (no
 * epoch finished).
 */
export async function savedModelOf(
  row: QualityRow,
): Promise<LoadedModel | undefined> {
  const dir = row.training?.dir;
  if (dir === undefined) return undefined;
  try {
    return await loadModel(dir);
  } catch {
    return undefined;
  }
}

/** Test pairs ranked by each evaluation. */
const MAX_RETRIEVAL = 2000;

/** The epoch bound when neither the recipe nor the caller sets one. */
const DEFAULT_EPOCHS = 100;

/** Options for {@link runRecipe}. */
export interface RecipeRunOptions {
  /** Training TSV (`left<TAB>right`). */
  train: string;
  /** Test TSV, used as the run's validation file unless `splitVal`. */
  test: string;
  /**
   * Choose the epoch on a validation split of the training file (10%, as
   * `deno task train --data` does) instead of on the test file; the row's
   * figures are then the validation split's (see `held_out.ts` for the
   * test file's). @default false
   */
  splitVal?: boolean;
  /** Training pairs in `train` (for the report). */
  trainPairs: number;
  /** Run directory; emptied first. */
  out: string;
  /** Wall-clock training budget in minutes; the run stops after the step in progress. */
  minutes: number;
  /** Upper bound on epochs. @default the recipe's, else 100 */
  epochs?: number;
  /** Also stops the run (e.g. Ctrl-C), like the budget. */
  signal?: AbortSignal;
  /** The set-up backend. */
  backend: BackendInfo;
  /** Progress on stderr. @default true */
  log?: boolean;
}

/**
 * Trains a recipe and measures it on the test file.
 *
 * @param recipe what to train
 * @param options see {@link RecipeRunOptions}
 * @returns its row of the results table
 */
export async function runRecipe(
  recipe: Recipe,
  options: RecipeRunOptions,
): Promise<QualityRow> {
  const model = modelConfig({ ...BENCH_MODEL, ...recipe.model });
  const train = {
    ...DEFAULT_TRAIN_CONFIG,
    epochs: DEFAULT_EPOCHS,
    ...recipe.train,
    ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
  };
  const data: DataSpec = {
    kind: "file",
    data: options.train,
    ...(options.splitVal ? {} : { val: options.test }),
    valFraction: 0.1, // unused when the test file is the validation file
    leftTokenizer: recipe.data?.tokenizer ?? "char",
    rightTokenizer: recipe.data?.tokenizer ?? "char",
    ...(recipe.data?.sharedVocab ? { sharedVocab: true } : {}),
  };
  await Deno.remove(options.out, { recursive: true }).catch(() => {});

  const t0 = performance.now();
  const result = await runTraining({
    out: options.out,
    model,
    train,
    data,
    backend: options.backend,
    // the budget cuts the last epoch short, which is then evaluated
    maxMinutes: options.minutes,
    ...(options.signal ? { signal: options.signal } : {}),
    log: options.log ?? true,
  });
  const minutes = (performance.now() - t0) / 60_000;

  const history = result.state.history;
  const steps = result.state.step;
  const historySteps = history.reduce((s, h) => s + h.steps, 0);
  const msPerStep = historySteps > 0
    ? history.reduce((s, h) => s + h.steps * h.msPerStep, 0) / historySteps
    : (minutes * 60_000) / Math.max(1, steps);
  let report: EvalReport | undefined = result.bestReport?.val;
  let source: string;
  if (report !== undefined) {
    source = options.splitVal
      ? `epoch ${
        result.bestReport!.epoch
      } of ${history.length} (best recall@10 ` +
        `on the validation split of the training file)`
      : `epoch ${result.bestReport!.epoch} of ${history.length} ` +
        `(best test recall@10), evaluated on the test file after that epoch`;
  } else if (steps > 0) {
    report = await evaluateCheckpoint(options.out);
    source = `weights after ${steps} steps (stopped before an epoch ` +
      `finished), loaded from the checkpoint and evaluated on the test file`;
  } else {
    source = "nothing measured: no training step finished";
  }
  return {
    name: recipe.name,
    note: recipe.note,
    testPairs: report ? Math.min(report.pairs, MAX_RETRIEVAL) : 0,
    recallAt1: report?.recallAt1 ?? null,
    recallAt10: report?.recallAt10 ?? null,
    mrr: report?.mrr ?? null,
    minutes,
    source,
    training: {
      pairs: options.trainPairs,
      epochs: history.length,
      steps,
      msPerStep,
      stoppedByBudget: result.interrupted,
      dir: options.out,
    },
  };
}

/**
 * Evaluates the weights in `<dir>/checkpoint` on the run's validation file.
 *
 * @param dir a run directory with a checkpoint
 * @returns the evaluation
 */
export async function evaluateCheckpoint(dir: string): Promise<EvalReport> {
  const meta = await readCheckpointMeta(dir);
  const data = await loadDataset(meta.data, dataShapes(meta.model), {
    seed: meta.train.seed,
    vocabularies: meta.vocabularies,
  });
  const model = buildSiamese(meta.model, meta.train.seed);
  if (meta.model.lexical.weight > 0) {
    model.lexical = fitLexical(data, meta.data, meta.model, meta.train);
  }
  const optimizer = tf.train.adam(meta.train.learningRate);
  try {
    await restoreCheckpoint(dir, { model, optimizer });
    return evaluate(model, data.val, {
      distance: meta.train.distance,
      margin: meta.train.margin,
      maxRetrieval: MAX_RETRIEVAL,
    });
  } finally {
    optimizer.dispose();
    model.left.dispose();
    if (model.right !== model.left) model.right.dispose();
  }
}

/**
 * The two parts of a hybrid run's best model, each scored alone on the
 * test file: the LSTM encoders (lexical weight set to 0) and the lexical
 * channel (TF-IDF over the model's token-id n-grams). They show what the
 * learned part adds to the n-gram overlap.
 *
 * @param row the hybrid run's row (its `training.dir` holds the best model)
 * @returns two rows, `<name>:model` and `<name>:lexical`; none when the
 *   run saved no model or has no lexical channel
 */
export async function hybridPartRows(row: QualityRow): Promise<QualityRow[]> {
  const loaded = await savedModelOf(row);
  if (loaded === undefined) return [];
  const { siamese } = loaded;
  try {
    const index = siamese.lexical;
    if (index === undefined) return [];
    const data = await loadDataset(loaded.data, dataShapes(loaded.model), {
      seed: loaded.train.seed,
      vocabularies: loaded.vocabularies,
    });
    const modelOnly = evaluate(
      {
        ...siamese,
        config: {
          ...siamese.config,
          lexical: { ...siamese.config.lexical, weight: 0 },
        },
      },
      data.val,
      {
        distance: loaded.train.distance,
        margin: loaded.train.margin,
        maxRetrieval: MAX_RETRIEVAL,
      },
    );
    const val = selectRows(
      data.val,
      Array.from(
        { length: Math.min(data.val.size, MAX_RETRIEVAL) },
        (_, i) => i,
      ),
    );
    const lex = lexicalVectors(index, val);
    const lexical = retrievalMetrics(sparseDotMatrix(lex.left, lex.right), {
      ks: [1, 10],
    });
    const part = (
      name: string,
      note: string,
      r: { recallAt1: number; recallAt10: number; mrr: number },
    ): QualityRow => ({
      name: `${row.name}:${name}`,
      note,
      testPairs: row.testPairs,
      recallAt1: r.recallAt1,
      recallAt10: r.recallAt10,
      mrr: r.mrr,
      minutes: 0,
      source: `the best model of ${row.name}, this part alone`,
    });
    return [
      part(
        "model",
        "its LSTM encoders alone (lexical weight 0)",
        modelOnly,
      ),
      part(
        "lexical",
        `its lexical channel alone (TF-IDF of ${index.n}-grams of the model's token ids)`,
        {
          recallAt1: lexical.recall[0]!,
          recallAt10: lexical.recall[1]!,
          mrr: lexical.mrr,
        },
      ),
    ];
  } finally {
    siamese.left.dispose();
    if (siamese.right !== siamese.left) siamese.right.dispose();
  }
}
