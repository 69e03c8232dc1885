/**
 * The `train` section of the settings table (`./table.ts`): the loss, the
 * optimizer and the loop. Kept in its own file so the table stays short.
 *
 * @module
 */
import type { LossKind } from "./kinds.ts";
import type { IgnoredWhen, SettingSpec } from "./setting.ts";
import {
  DISTANCE_KINDS,
  INIT_KINDS,
  LOSS_KINDS,
  PRETRAINED_SHAPE,
} from "./kinds.ts";

const inBatch = (s: { values: Record<string, unknown> }) =>
  s.values["train.loss"] !== "contrastive";

const onlyWith = (loss: LossKind): IgnoredWhen => (s) =>
  s.values["train.loss"] === loss
    ? undefined
    : `it is used only by --loss ${loss} (the loss is ${
      s.values["train.loss"]
    })`;

/** Why the shipped pretrained encoder cannot start this model, if it can't. */
const pretrainedMisfit: IgnoredWhen = (s) => {
  if (!s.dataFile) {
    return "the built-in data set has token ids, not characters";
  }
  const v = s.values;
  for (const side of ["left", "right"]) {
    const kind = v[`data.${side}_tokenizer`] ?? v["data.tokenizer"];
    if (kind !== "char") {
      return `it reads characters and the ${side} side's tokenizer is ${kind}`;
    }
  }
  for (const [name, want] of Object.entries(PRETRAINED_SHAPE)) {
    if (v[name] !== want) {
      return `it was pretrained with ${name} ${want} and this model has ${
        v[name]
      }`;
    }
  }
  return undefined;
};

/** The training settings, in the order `--help` and the log list them. */
export const TRAIN_SETTINGS: readonly SettingSpec[] = [
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
    key: "hardNegatives",
    type: "int",
    default: 0,
    min: 0,
    max: 255,
    recipes: { matcher: 7 },
    help:
      "Hard negatives per pair: each epoch's batches are made of groups, a pair and up to this many pairs whose rights the model (with its lexical channel) scores closest to its left, mined at the start of the epoch; 0 = random batches",
    ignoredWhen: (s) =>
      inBatch(s)
        ? undefined
        : "it is used only by the in-batch losses (the loss is contrastive)",
  },
  {
    section: "train",
    key: "tuneLexical",
    type: "bool",
    default: false,
    recipes: { matcher: true },
    help:
      "After each epoch, choose the lexical weight λ (0, 0.05, ..., 0.95) with the best validation recall@10; the kept model scores with it, and its epoch is the best at its own λ",
    ignoredWhen: (s) =>
      (s.values["model.lexical.weight"] as number) > 0
        ? undefined
        : "the lexical channel is off (--lexical-weight 0)",
  },
  {
    section: "train",
    key: "init",
    type: "enum",
    choices: INIT_KINDS,
    default: "none",
    recipes: { matcher: "gcide" },
    help:
      "Start from random weights (none) or from the character encoder pretrained on GCIDE's definitions that ships with the project (gcide; needs the matcher's architecture and char tokens)",
    ignoredWhen: pretrainedMisfit,
  },
  {
    section: "train",
    key: "seed",
    type: "int",
    default: 1,
    flag: true,
    help: "Seed for weights, data split, pairing and shuffling",
  },
];
