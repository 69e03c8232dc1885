/**
 * Every setting of a training run, declared once: where it lives, its type,
 * default (the `seed` recipe), range, help, what the `matcher` recipe sets,
 * and when a setup ignores it. Flags, `--help`, recipes, validation
 * (`modelConfig()`, `trainConfig()`), `config.json`, `--config FILE` and the
 * first log line all derive from this table.
 *
 * Names follow Keras where it has one (`units` of an LSTM is `lstm_units`
 * here because a branch has two layers with units; `batch_size`, `epochs`,
 * `learning_rate`, `margin`, `temperature` as in Keras and Sentence
 * Transformers).
 *
 * It imports only from folders upstream of every config (`src/data`,
 * `src/backend`), so `src/model` and `src/train` read it without a cycle.
 *
 * @module
 */
import { TOKENIZER_KINDS } from "../data/tokenizer.ts";
import type { LossKind } from "./kinds.ts";
import { MAX_THREADS } from "../backend/threaded_wasm.ts";
import {
  flagName,
  type IgnoredWhen,
  settingName,
  type SettingSpec,
} from "./setting.ts";
import {
  DISTANCE_KINDS,
  LEXICAL_LOSS_KINDS,
  LOSS_KINDS,
  LSTM_KINDS,
  POOLING_KINDS,
} from "./kinds.ts";

const inBatch = (s: { values: Record<string, unknown> }) =>
  s.values["train.loss"] !== "contrastive";

const onlyWith = (loss: LossKind): IgnoredWhen => (s) =>
  s.values["train.loss"] === loss
    ? undefined
    : `it is used only by --loss ${loss} (the loss is ${
      s.values["train.loss"]
    })`;

const needsData: IgnoredWhen = (s) =>
  s.dataFile
    ? undefined
    : "it applies to pair files (--data); the built-in data set has token ids";

const builtInOnly: IgnoredWhen = (s) =>
  s.dataFile ? "it sizes the built-in data set, not --data" : undefined;

const needsLexical: IgnoredWhen = (s) =>
  (s.values["model.lexical.weight"] as number) > 0
    ? undefined
    : "the lexical channel is off (--lexical-weight 0)";

/** Every setting, in the order `--help` and the log list them. */
export const SETTINGS: readonly SettingSpec[] = [
  // data: what the pairs are and how text becomes ids
  {
    section: "data",
    key: "tokenizer",
    type: "enum",
    choices: TOKENIZER_KINDS,
    default: "word",
    recipes: { matcher: "char" },
    flag: true,
    help: "Tokenizer for text on both sides: word, char or char3 (3-grams)",
    ignoredWhen: (s) =>
      needsData(s) ??
        (s.values["data.left_tokenizer"] !== undefined &&
            s.values["data.right_tokenizer"] !== undefined
          ? "both sides have their own (data.left_tokenizer, data.right_tokenizer)"
          : undefined),
  },
  {
    section: "data",
    key: "leftTokenizer",
    type: "enum",
    choices: TOKENIZER_KINDS,
    unsetText: "as tokenizer",
    help: "Tokenizer for the left side only",
    ignoredWhen: needsData,
  },
  {
    section: "data",
    key: "rightTokenizer",
    type: "enum",
    choices: TOKENIZER_KINDS,
    unsetText: "as tokenizer",
    help: "Tokenizer for the right side only",
    ignoredWhen: needsData,
  },
  {
    section: "data",
    key: "sharedVocab",
    type: "bool",
    default: false,
    recipes: { matcher: true },
    help: "One vocabulary for both sides (text on both sides, one tokenizer)",
    ignoredWhen: needsData,
  },
  {
    section: "data",
    key: "valFraction",
    type: "float",
    default: 0.1,
    min: 0,
    exclusiveMin: true,
    below: 1,
    help: "Share of --data held out at random for validation",
    ignoredWhen: (s) =>
      needsData(s) ??
        (s.valFile ? "--val gives the validation pairs" : undefined),
  },
  {
    section: "data",
    key: "pairs",
    type: "int",
    default: 10000,
    min: 2,
    help: "Built-in data set: training pairs",
    ignoredWhen: builtInOnly,
  },
  {
    section: "data",
    key: "valPairs",
    type: "int",
    default: 1000,
    min: 2,
    help: "Built-in data set: validation pairs",
    ignoredWhen: builtInOnly,
  },
  // model: each branch is Embedding -> LSTM -> pooling -> Dense
  {
    section: "model",
    key: "vocab",
    type: "int",
    default: 1000,
    min: 3,
    help:
      "Vocabulary size V: ids 0 (padding), 1 (unknown) and the V - 2 most frequent tokens",
  },
  {
    section: "model",
    key: "embeddingDim",
    type: "int",
    default: 32,
    min: 1,
    help: "Embedding width (Keras output_dim)",
  },
  {
    section: "model",
    key: "lstmUnits",
    type: "int",
    default: 64,
    min: 1,
    recipes: { matcher: 128 },
    help: "LSTM width (Keras units)",
  },
  {
    section: "model",
    key: "denseUnits",
    type: "int",
    default: 256,
    min: 1,
    help: "Output width D of each branch's Dense layer",
  },
  {
    section: "model",
    key: "leftLen",
    type: "int",
    default: 52,
    min: 1,
    flag: true,
    help: "Left sequence length: longer sequences are cut, shorter padded",
  },
  {
    section: "model",
    key: "rightLen",
    type: "int",
    default: 600,
    min: 1,
    recipes: { matcher: 256 },
    flag: true,
    help: "Right sequence length",
  },
  {
    section: "model",
    key: "shareWeights",
    type: "bool",
    default: false,
    recipes: { matcher: true },
    help: "One encoder for both sides instead of one per side",
  },
  {
    section: "model",
    key: "pooling",
    type: "enum",
    choices: POOLING_KINDS,
    default: "last",
    recipes: { matcher: "max" },
    help: "Keep the LSTM's last state, or its mean or max over time (masked)",
  },
  {
    section: "model",
    key: "bidirectional",
    type: "bool",
    default: false,
    help: "Add a second LSTM reading each sequence backwards",
  },
  {
    section: "model",
    key: "lstm",
    type: "enum",
    choices: LSTM_KINDS,
    default: "fused",
    help:
      "LSTM implementation: fused (one wasm op per sequence) or stock (tfjs-layers, for comparison)",
  },
  {
    section: "model",
    key: "lexical.weight",
    type: "float",
    default: 0,
    min: 0,
    below: 1,
    recipes: { matcher: 0.8 },
    flag: true,
    help:
      "Weight λ of the lexical channel: score = (1 - λ) cos(model) + λ cos(TF-IDF of token n-grams); 0 = off",
  },
  {
    section: "model",
    key: "lexical.n",
    type: "int",
    default: 3,
    min: 1,
    help: "Tokens per n-gram of the lexical channel",
    ignoredWhen: needsLexical,
  },
  {
    section: "model",
    key: "lexical.len",
    type: "int",
    default: 0,
    min: 0,
    recipes: { matcher: 1000 },
    help:
      "Tokens per side the lexical channel reads; 0 = the sides' lengths (the LSTMs read those)",
    ignoredWhen: needsLexical,
  },
  {
    section: "model",
    key: "lexical.loss",
    type: "enum",
    choices: LEXICAL_LOSS_KINDS,
    default: "separate",
    help:
      "With a lexical channel the loss is on the LSTMs' own scores (separate), the mixed scores (residual) or both (joint)",
    ignoredWhen: needsLexical,
  },
  // train: the loss, the optimizer and the loop
  {
    section: "train",
    key: "epochs",
    type: "int",
    default: 3,
    min: 1,
    flag: true,
    help: "Passes over the training pairs (with --max-minutes: as many as fit)",
  },
  {
    section: "train",
    key: "batchSize",
    type: "int",
    default: 32,
    min: 1,
    flag: true,
    help: "Pairs per step",
  },
  {
    section: "train",
    key: "learningRate",
    type: "float",
    default: 0.001,
    min: 0,
    exclusiveMin: true,
    recipes: { matcher: 0.003 },
    flag: true,
    help: "Adam's step size",
  },
  {
    section: "train",
    key: "loss",
    type: "enum",
    choices: LOSS_KINDS,
    default: "contrastive",
    recipes: { matcher: "infonce" },
    flag: true,
    help:
      "contrastive (with random negatives), online-contrastive or infonce (in-batch: the batch's other pairs are the negatives)",
  },
  {
    section: "train",
    key: "negatives",
    type: "int",
    default: 1,
    min: 0,
    flag: true,
    help:
      "Random negatives per positive per epoch (0 = positives only: the model collapses)",
    ignoredWhen: (s) =>
      inBatch(s)
        ? `--loss ${s.values["train.loss"]} takes its negatives from the batch`
        : undefined,
  },
  {
    section: "train",
    key: "margin",
    type: "float",
    default: 1,
    min: 0,
    exclusiveMin: true,
    help:
      "Contrastive margin: negatives closer than this are pushed apart (1 suits cosine distance)",
    ignoredWhen: (s) =>
      s.values["train.loss"] === "infonce"
        ? "it is used only by the contrastive losses (the loss is infonce)"
        : undefined,
  },
  {
    section: "train",
    key: "distance",
    type: "enum",
    choices: DISTANCE_KINDS,
    default: "cosine",
    help: "Distance the loss and the scores use: cosine or euclidean",
  },
  {
    section: "train",
    key: "temperature",
    type: "float",
    default: 0.05,
    min: 0,
    exclusiveMin: true,
    help: "Softmax temperature of the infonce loss",
    ignoredWhen: onlyWith("infonce"),
  },
  {
    section: "train",
    key: "seed",
    type: "int",
    default: 1,
    flag: true,
    help: "Seed for weights, data split, pairing and shuffling",
  },
  // run: how this process runs; not part of the model
  {
    section: "run",
    key: "maxMinutes",
    type: "float",
    min: 0,
    exclusiveMin: true,
    unsetText: "no limit",
    flag: true,
    help: "Stop training after this many minutes; the best epoch is kept",
  },
  {
    section: "run",
    key: "earlyStop",
    type: "int",
    min: 1,
    unsetText: "off",
    help: "Stop after this many epochs without a better validation recall@10",
  },
  {
    section: "run",
    key: "threads",
    type: "int",
    min: 1,
    max: MAX_THREADS,
    unsetText: "the cores available",
    flag: true,
    help: `Threads of the wasm backend, 1 to ${MAX_THREADS}`,
  },
];

/** The settings by public name (`model.lstm_units`). */
export const SETTINGS_BY_NAME: ReadonlyMap<string, SettingSpec> = new Map(
  SETTINGS.map((s) => [settingName(s), s]),
);

/** The command-line settings by flag name (`lstm-units`). */
export const SETTINGS_BY_FLAG: ReadonlyMap<string, SettingSpec> = new Map(
  SETTINGS.filter((s) => s.flag).map((s) => [flagName(s), s]),
);
