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
import { MAX_THREADS } from "../backend/threaded_wasm.ts";
import {
  flagName,
  type IgnoredWhen,
  settingName,
  type SettingSpec,
} from "./setting.ts";
import { LEXICAL_LOSS_KINDS, LSTM_KINDS, POOLING_KINDS } from "./kinds.ts";
import { TRAIN_SETTINGS } from "./train_table.ts";

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
    key: "dropout",
    type: "float",
    default: 0,
    min: 0,
    below: 1,
    recipes: { matcher: 0.3 },
    help:
      "Dropout rate on the pooled LSTM features before the Dense layer, in training only",
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
  // train: the loss, the optimizer and the loop (./train_table.ts)
  ...TRAIN_SETTINGS,
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
