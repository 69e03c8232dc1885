/**
 * `deno task train`: flags, data, model, loop, files.
 *
 * @module
 */
import { lexicalSetupProblem } from "../lexical/hybrid.ts";
import { defaultThreads } from "../backend/setup.ts";
import { startBackend } from "./backend.ts";
import { MAX_THREADS } from "../backend/threaded_wasm.ts";
import type { DataSpec } from "../data/dataset.ts";
import { TOKENIZER_KINDS, type TokenizerKind } from "../data/tokenizer.ts";
import { DISTANCE_KINDS, type DistanceKind } from "../loss/contrastive.ts";
import {
  DEFAULT_MODEL_CONFIG,
  type LstmKind,
  type ModelConfig,
  modelConfig,
  type PoolingKind,
} from "../model/config.ts";
import {
  DEFAULT_TRAIN_CONFIG,
  LEXICAL_LOSS_KINDS,
  type LexicalLossKind,
  LOSS_KINDS,
  type LossKind,
  type TrainConfig,
} from "../train/config.ts";
import { formatDuration } from "../train/progress.ts";
import { resumeRun, type RunResult, runTraining } from "../train/run.ts";
import { metricsRecord } from "../train/run_files.ts";
import {
  applyRecipe,
  givenFlags,
  type RecipeName,
  RECIPES,
} from "./recipes.ts";
import { ensureWritable } from "../io/permissions.ts";
import {
  type FlagTable,
  type FlagValues,
  helpText,
  parseFlags,
  threadsFlag,
  UsageError,
} from "./flags.ts";

const M = DEFAULT_MODEL_CONFIG;
const T = DEFAULT_TRAIN_CONFIG;

/** The flags of `deno task train`. */
export const TRAIN_FLAGS: FlagTable = {
  "threads": threadsFlag(defaultThreads(), MAX_THREADS),
  "recipe": {
    type: "enum",
    choices: Object.keys(RECIPES),
    help: "Flag values chosen together: seed (the seed's setup) or matcher " +
      "(best measured on real text); flags you give win (default: matcher with --data, else seed)",
  },
  "data": {
    type: "string",
    placeholder: "FILE",
    help:
      "Training pairs, .tsv or .jsonl (default: the built-in synthetic set)",
  },
  "val": {
    type: "string",
    placeholder: "FILE",
    help: "Validation pairs (default: split --val-fraction off --data)",
  },
  "val-fraction": {
    type: "float",
    default: 0.1,
    min: 0,
    exclusiveMin: true,
    help: "Share of --data held out for validation when there is no --val",
  },
  "tokenizer": {
    type: "enum",
    choices: [...TOKENIZER_KINDS],
    default: "word",
    help: "Tokenizer for text on both sides",
  },
  "left-tokenizer": {
    type: "enum",
    choices: [...TOKENIZER_KINDS],
    help: "Tokenizer for the left side (overrides --tokenizer)",
  },
  "right-tokenizer": {
    type: "enum",
    choices: [...TOKENIZER_KINDS],
    help: "Tokenizer for the right side (overrides --tokenizer)",
  },
  "shared-vocab": {
    type: "bool",
    help: "One vocabulary for both sides (text on both sides, one tokenizer)",
  },
  "pairs": {
    type: "int",
    default: 10000,
    min: 2,
    help: "Built-in data: training pairs",
  },
  "val-pairs": {
    type: "int",
    default: 1000,
    min: 2,
    help: "Built-in data: validation pairs",
  },
  "out": {
    type: "string",
    placeholder: "DIR",
    help:
      "Run directory for model, metrics and checkpoint (default runs/<timestamp>)",
  },
  "resume": {
    type: "string",
    placeholder: "DIR",
    help: "Continue the run in DIR from its checkpoint (its config is reused)",
  },
  "early-stop": {
    type: "int",
    min: 1,
    help: "Stop after N epochs without a better validation recall@10",
  },
  "epochs": {
    type: "int",
    default: T.epochs,
    min: 1,
    help:
      "Passes over the training pairs (with --max-minutes and no --epochs: as many as fit)",
  },
  "batch-size": {
    type: "int",
    default: T.batchSize,
    min: 1,
    help: "Pairs per step",
  },
  "learning-rate": {
    type: "float",
    default: T.learningRate,
    min: 0,
    exclusiveMin: true,
    help: "Adam step size",
  },
  "margin": {
    type: "float",
    default: T.margin,
    min: 0,
    exclusiveMin: true,
    help: "Contrastive margin (1 suits cosine distance)",
  },
  "distance": {
    type: "enum",
    choices: DISTANCE_KINDS,
    default: T.distance,
    help: "Distance the loss is applied to",
  },
  "negatives": {
    type: "int",
    default: T.negatives,
    min: 0,
    help:
      "Random negatives per positive per epoch (0 = positives only: collapses)",
  },
  "seed": {
    type: "int",
    default: T.seed,
    help: "Seed for weights, data, pairing and shuffling",
  },
  "vocab": {
    type: "int",
    default: M.vocab,
    min: 3,
    help: "Vocabulary size (0 = padding, 1 = unknown)",
  },
  "embedding-dim": {
    type: "int",
    default: M.embeddingDim,
    min: 1,
    help: "Embedding width",
  },
  "lstm-units": {
    type: "int",
    default: M.lstmUnits,
    min: 1,
    help: "LSTM units",
  },
  "dense-units": {
    type: "int",
    default: M.denseUnits,
    min: 1,
    help: "Output width per branch",
  },
  "left-len": {
    type: "int",
    default: M.leftLen,
    min: 1,
    help: "Left sequence length",
  },
  "right-len": {
    type: "int",
    default: M.rightLen,
    min: 1,
    help: "Right sequence length",
  },
  "share-weights": { type: "bool", help: "One encoder for both sides" },
  "pooling": {
    type: "enum",
    choices: ["last", "mean", "max"],
    default: M.pooling,
    help: "Keep the LSTM's last state, or pool its outputs over time (masked)",
  },
  "bidirectional": {
    type: "bool",
    help: "Add a second LSTM reading backwards",
  },
  "lexical-weight": {
    type: "float",
    default: M.lexicalWeight,
    min: 0,
    help:
      "Weight λ of the lexical channel: score = (1 - λ) cos(model) + λ cos(TF-IDF of token n-grams), " +
      "in validation, eval, score and embed (and the loss, see --lexical-loss); 0 = off (needs --shared-vocab)",
  },
  "lexical-loss": {
    type: "enum",
    choices: [...LEXICAL_LOSS_KINDS],
    default: T.lexicalLoss ?? "separate",
    help:
      "With a lexical channel, the loss is on: the LSTMs' own scores (separate), the mixed scores (residual), or both (joint)",
  },
  "lexical-len": {
    type: "int",
    default: M.lexicalLen,
    min: 0,
    help:
      "Tokens per side the lexical channel reads (the LSTMs still read --left-len/--right-len); 0 = those lengths",
  },
  "lexical-n": {
    type: "int",
    default: M.lexicalN,
    min: 1,
    help: "Tokens per n-gram of the lexical channel",
  },
  "loss": {
    type: "enum",
    choices: LOSS_KINDS,
    default: T.loss,
    help:
      "contrastive (random negatives) or an in-batch loss (all batch pairs)",
  },
  "temperature": {
    type: "float",
    default: T.temperature,
    min: 0,
    exclusiveMin: true,
    help: "Softmax temperature of --loss infonce",
  },
  "max-minutes": {
    type: "float",
    min: 0,
    exclusiveMin: true,
    help: "Stop training after this many minutes; the best model is kept",
  },
  "lstm": {
    type: "enum",
    choices: ["stock", "fused"],
    default: M.lstm,
    help: "LSTM implementation",
  },
  "json": {
    type: "bool",
    help: "Print the final report as one JSON object on stdout",
  },
};

/** The epoch bound with `--max-minutes` and no `--epochs`. */
const EPOCHS_UNTIL_TIME_IS_UP = 1000;

const SUMMARY =
  "Trains the two-branch (siamese) LSTM model with contrastive loss and " +
  "random negative pairing, on your pairs (--data) or the built-in synthetic set.";

const EXAMPLES = [
  "deno task train",
  "deno task train --data pairs.tsv --tokenizer char --epochs 10 --out runs/mine",
  "deno task train --resume runs/mine --epochs 20",
  "deno task train --distance euclidean --margin 2 --share-weights",
];

/**
 * Runs the train command.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runTrain(args: string[]): Promise<number> {
  const parsed = parseFlags(args, TRAIN_FLAGS);
  if (parsed.help) {
    console.log(helpText("train", SUMMARY, TRAIN_FLAGS, EXAMPLES));
    return 0;
  }
  const recipe = (parsed.recipe as RecipeName | undefined) ??
    (parsed.data === undefined ? "seed" : "matcher");
  const f = applyRecipe(parsed, args, recipe);
  if (
    f["max-minutes"] !== undefined && f.resume === undefined &&
    !givenFlags(args).has("epochs")
  ) {
    f.epochs = EPOCHS_UNTIL_TIME_IS_UP; // the time budget is the bound
  }
  if (f.resume === undefined) {
    checkLexicalFlags(f);
    console.error(`recipe ${recipe} (flags given on the command line win)`);
  }
  const resumeDir = f.resume as string | undefined;
  if (resumeDir !== undefined) {
    const allowed = new Set([
      "resume",
      "epochs",
      "early-stop",
      "max-minutes",
      "json",
    ]);
    const extra = args.filter((a) => a.startsWith("--"))
      .map((a) => a.slice(2).split("=")[0]!)
      .filter((name) => !allowed.has(name));
    if (extra.length > 0) {
      throw new UsageError(
        `--resume reuses the run's stored configuration, so --${
          extra[0]
        } cannot be given with it ` +
          "(only --epochs, --early-stop, --max-minutes and --json can).",
      );
    }
  }
  const out = resumeDir ?? (f.out as string | undefined) ?? defaultRunDir();
  await ensureWritable(out, resumeDir !== undefined ? "--resume" : "--out");
  const started = performance.now();
  const backend = await startBackend(f.threads as number);
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
    ...(f["early-stop"] !== undefined
      ? { earlyStop: f["early-stop"] as number }
      : {}),
    ...(f["max-minutes"] !== undefined
      ? { maxMinutes: f["max-minutes"] as number }
      : {}),
  };
  try {
    let result: RunResult;
    if (resumeDir !== undefined) {
      const epochs = args.some((a) =>
          a === "--epochs" || a.startsWith("--epochs=")
        )
        ? { epochs: f.epochs as number }
        : {};
      result = await resumeRun(resumeDir, { ...runtime, ...epochs });
    } else {
      result = await runTraining({
        ...runtime,
        out,
        model: modelFromFlags(f),
        train: trainFromFlags(f),
        data: dataFromFlags(f),
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
    console.error(`saved ${out}  (${formatDuration(seconds)} in all)`);
    if (f.json) {
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

/** The lexical channel compares ids of both sides and mixes cosines. */
function checkLexicalFlags(f: FlagValues): void {
  const weight = f["lexical-weight"] as number;
  if (!(weight > 0)) return;
  if (weight >= 1) {
    throw new UsageError(
      `--lexical-weight: expected a number at least 0 and below 1 but found ${weight}.`,
    );
  }
  const problem = lexicalSetupProblem(weight, {
    // the built-in data set has one id space
    sharedVocab: f.data === undefined || Boolean(f["shared-vocab"]),
    distance: f.distance as DistanceKind,
  });
  if (problem !== undefined) throw new UsageError(problem);
}

function modelFromFlags(f: FlagValues): ModelConfig {
  return modelConfig({
    vocab: f.vocab as number,
    embeddingDim: f["embedding-dim"] as number,
    lstmUnits: f["lstm-units"] as number,
    denseUnits: f["dense-units"] as number,
    leftLen: f["left-len"] as number,
    rightLen: f["right-len"] as number,
    shareWeights: f["share-weights"] as boolean,
    lstm: f.lstm as LstmKind,
    pooling: f.pooling as PoolingKind,
    bidirectional: f.bidirectional as boolean,
    lexicalWeight: f["lexical-weight"] as number,
    lexicalN: f["lexical-n"] as number,
    lexicalLen: f["lexical-len"] as number,
  });
}

function trainFromFlags(f: FlagValues): TrainConfig {
  return {
    epochs: f.epochs as number,
    batchSize: f["batch-size"] as number,
    learningRate: f["learning-rate"] as number,
    margin: f.margin as number,
    distance: f.distance as DistanceKind,
    negatives: f.negatives as number,
    seed: f.seed as number,
    loss: f.loss as LossKind,
    temperature: f.temperature as number,
    lexicalLoss: f["lexical-loss"] as LexicalLossKind,
  };
}

function dataFromFlags(f: FlagValues): DataSpec {
  const data = f.data as string | undefined;
  if (data === undefined) {
    if (f.val !== undefined) {
      throw new UsageError("--val needs --data: give the training file too.");
    }
    return {
      kind: "synthetic",
      pairs: f.pairs as number,
      valPairs: f["val-pairs"] as number,
    };
  }
  const fraction = f["val-fraction"] as number;
  if (!(fraction < 1)) {
    throw new UsageError(
      `--val-fraction: expected a number below 1 but found ${fraction}.`,
    );
  }
  const both = f.tokenizer as TokenizerKind;
  return {
    kind: "file",
    data,
    ...(f.val !== undefined ? { val: f.val as string } : {}),
    valFraction: fraction,
    leftTokenizer: (f["left-tokenizer"] as TokenizerKind | undefined) ?? both,
    rightTokenizer: (f["right-tokenizer"] as TokenizerKind | undefined) ?? both,
    ...(f["shared-vocab"] ? { sharedVocab: true } : {}),
  };
}

/** `runs/<UTC timestamp>`, e.g. `runs/2026-11-29T08-40-12`. */
function defaultRunDir(): string {
  return `runs/${new Date().toISOString().slice(0, 19).replaceAll(":", "-")}`;
}
