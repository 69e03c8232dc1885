/**
 * `deno task train`: flags, data, model, loop, files.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { setupBackend } from "../backend/setup.ts";
import { makeSyntheticPairs } from "../data/synthetic.ts";
import type { PairSet } from "../data/types.ts";
import { DISTANCE_KINDS, type DistanceKind } from "../loss/contrastive.ts";
import {
  DEFAULT_MODEL_CONFIG,
  type LstmKind,
  modelConfig,
} from "../model/config.ts";
import { buildSiamese } from "../model/siamese.ts";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../train/config.ts";
import { type EpochReport, train } from "../train/loop.ts";
import { saveRun } from "../train/save.ts";
import { formatDuration } from "../train/progress.ts";
import { type FlagTable, helpText, parseFlags, UsageError } from "./flags.ts";

const M = DEFAULT_MODEL_CONFIG;
const T = DEFAULT_TRAIN_CONFIG;

/** The flags of `deno task train`. */
export const TRAIN_FLAGS: FlagTable = {
  "pairs": {
    type: "int",
    default: 2000,
    min: 2,
    help: "Built-in data: training pairs",
  },
  "val-pairs": {
    type: "int",
    default: 500,
    min: 2,
    help: "Built-in data: validation pairs",
  },
  "out": {
    type: "string",
    placeholder: "DIR",
    help:
      "Run directory for model, config and metrics (default runs/<timestamp>)",
  },
  "epochs": {
    type: "int",
    default: T.epochs,
    min: 1,
    help: "Passes over the training pairs",
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
    min: 2,
    help: "Vocabulary size (0 = padding)",
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

const SUMMARY =
  "Trains the two-branch (siamese) LSTM model with contrastive loss and " +
  "random negative pairing, on the built-in synthetic data set.";

const EXAMPLES = [
  "deno task train",
  "deno task train --epochs 2 --pairs 500 --out runs/small",
  "deno task train --distance euclidean --margin 2 --share-weights",
];

/**
 * Runs the train command.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runTrain(args: string[]): Promise<number> {
  const f = parseFlags(args, TRAIN_FLAGS);
  if (f.help) {
    console.log(helpText("train", SUMMARY, TRAIN_FLAGS, EXAMPLES));
    return 0;
  }
  const model = modelConfig({
    vocab: f.vocab as number,
    embeddingDim: f["embedding-dim"] as number,
    lstmUnits: f["lstm-units"] as number,
    denseUnits: f["dense-units"] as number,
    leftLen: f["left-len"] as number,
    rightLen: f["right-len"] as number,
    shareWeights: f["share-weights"] as boolean,
    lstm: f.lstm as LstmKind,
  });
  const config: TrainConfig = {
    epochs: f.epochs as number,
    batchSize: f["batch-size"] as number,
    learningRate: f["learning-rate"] as number,
    margin: f.margin as number,
    distance: f.distance as DistanceKind,
    negatives: f.negatives as number,
    seed: f.seed as number,
  };
  const out = (f.out as string | undefined) ?? defaultRunDir();
  const started = performance.now();
  const backend = await setupBackend();

  const synth = {
    leftLen: model.leftLen,
    rightLen: model.rightLen,
    vocab: model.vocab,
  };
  const all = makeSyntheticPairs(
    (f.pairs as number) + (f["val-pairs"] as number),
    {
      ...synth,
      seed: config.seed,
    },
  );
  const [trainSet, valSet] = splitPairs(all, f.pairs as number);
  console.error(
    `data built-in synthetic  train ${trainSet.size} pairs  val ${valSet.size} pairs  ` +
      `lengths ${model.leftLen}/${model.rightLen}  vocab ${model.vocab}`,
  );

  const siamese = buildSiamese(model, config.seed);
  const controller = new AbortController();
  const onSigint = () => {
    console.error(
      "\nCtrl-C: stopping after this step (press again to quit at once)",
    );
    Deno.removeSignalListener("SIGINT", onSigint);
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  let last: EpochReport | undefined;
  try {
    const result = await train(siamese, {
      config,
      train: trainSet,
      val: valSet,
      signal: controller.signal,
      onEpoch: (r) => {
        last = r;
      },
    });
    await saveRun(out, siamese, {
      model,
      train: config,
      backend,
      history: result.state.history,
    });
    const seconds = (performance.now() - started) / 1000;
    console.error(`saved ${out}  (${formatDuration(seconds)} in all)`);
    if (f.json) {
      console.log(
        JSON.stringify({ out, seconds, epochs: result.state.epoch, last }),
      );
    }
    return result.interrupted ? 130 : 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    tf.disposeVariables();
  }
}

/** `runs/<UTC timestamp>`, e.g. `runs/2026-11-29T08-40-12`. */
function defaultRunDir(): string {
  return `runs/${new Date().toISOString().slice(0, 19).replaceAll(":", "-")}`;
}

/** First `n` pairs and the rest, as two sets (views, not copies). */
function splitPairs(set: PairSet, n: number): [PairSet, PairSet] {
  if (n >= set.size) {
    throw new UsageError(`Cannot split ${set.size} pairs at ${n}`);
  }
  const part = (from: number, to: number): PairSet => ({
    size: to - from,
    leftLen: set.leftLen,
    rightLen: set.rightLen,
    left: set.left.subarray(from * set.leftLen, to * set.leftLen),
    right: set.right.subarray(from * set.rightLen, to * set.rightLen),
    ...(set.labels ? { labels: set.labels.subarray(from, to) } : {}),
  });
  return [part(0, n), part(n, set.size)];
}
