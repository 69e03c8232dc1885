/**
 * The recipes the quality bench trains: one row of the results table each.
 * To add a row, add an entry to {@link RECIPES}: a name, a one-line note, and
 * what it changes from the bench's model ({@link BENCH_MODEL}) and the seed's
 * training setup (`DEFAULT_TRAIN_CONFIG`).
 *
 * @module
 */
import type { TokenizerKind } from "../../src/data/tokenizer.ts";
import type { ModelConfig, ModelConfigInput } from "../../src/model/config.ts";
import type { TrainConfig } from "../../src/train/config.ts";

/** One trainable row of the bench. */
export interface Recipe {
  /** Short name, also the run directory's name (letters, digits, `-`). */
  name: string;
  /** What the recipe is, in one line. */
  note: string;
  /** Changes to {@link BENCH_MODEL}. */
  model?: ModelConfigInput;
  /** Tokens (default char) and one vocabulary for both sides. */
  data?: { tokenizer?: TokenizerKind; sharedVocab?: boolean };
  /**
   * Changes to the seed's training setup. `epochs` is an upper bound: the
   * time budget (`--minutes`) usually ends a run first.
   */
  train?: Partial<TrainConfig>;
}

/**
 * The model every recipe starts from: the seed's sizes, with character
 * tokens on both sides (a character vocabulary is far below 1000).
 */
export const BENCH_MODEL: Readonly<Partial<ModelConfig>> = Object.freeze({
  vocab: 1000,
  leftLen: 52,
  rightLen: 600,
});

/**
 * The matcher recipe at the seed's 64 units: shared encoder and character
 * vocabulary, masked max pooling, in-batch softmax (t 0.05), Adam 3e-3,
 * definitions cut at 256. The `matcher-*` rows change one thing of it.
 */
const MATCHER_H64 = {
  model: { shareWeights: true, pooling: "max", rightLen: 256 },
  train: { loss: "infonce", temperature: 0.05, learningRate: 3e-3 },
  data: { sharedVocab: true },
} as const satisfies Omit<Recipe, "name" | "note">;

/** `base` with each part of `change` laid over the same part of it. */
function matcherVariant(
  base: Omit<Recipe, "name" | "note">,
  change: Recipe,
): Recipe {
  return {
    name: change.name,
    note: change.note,
    model: { ...base.model, ...change.model },
    train: { ...base.train, ...change.train },
    data: { ...base.data, ...change.data },
  };
}

/** The matcher recipe of session 11: random batches. */
const MATCHER_S11 = matcherVariant(MATCHER_H64, {
  name: "matcher-random-batches",
  note:
    "the matcher recipe of session 11: as matcher-nodrop, with dropout 0.3 on the pooled features in training (model.dropout); random batches",
  model: {
    lstmUnits: 128,
    dropout: 0.3,
    lexical: { weight: 0.8, len: 1000 },
  },
  train: { tuneLexical: true, init: "gcide" },
});

/** The train command's `--recipe matcher`, the row other variants change. */
const MATCHER = matcherVariant(MATCHER_S11, {
  name: "matcher",
  note:
    "the train command's --recipe matcher: as matcher-random-batches, with 7 hard negatives per pair (train.hard_negatives): batches of groups, a pair and the pairs whose rights the model with its lexical channel scores closest to its left, mined each epoch",
  train: { hardNegatives: 7 },
});

/** The rows, in table order. */
export const RECIPES: readonly Recipe[] = [
  {
    name: "seed",
    note: "seed recipe: char tokens, separate branches, cosine contrastive " +
      "loss, 1 random negative, Adam 1e-3, batch 32",
  },
  {
    name: "shared-mean-infonce",
    note:
      "shared encoder and char vocabulary, masked mean pooling, in-batch softmax (t 0.05)",
    model: { shareWeights: true, pooling: "mean" },
    train: { loss: "infonce", temperature: 0.05 },
    data: { sharedVocab: true },
  },
  {
    name: "shared-max-infonce",
    note:
      "shared encoder and char vocabulary, masked max pooling, in-batch softmax (t 0.05)",
    model: { shareWeights: true, pooling: "max" },
    train: { loss: "infonce", temperature: 0.05 },
    data: { sharedVocab: true },
  },
  MATCHER,
  MATCHER_S11,
  matcherVariant(MATCHER, {
    name: "matcher-hard-lex03",
    note:
      "as matcher, mining with the channel at λ 0.3 (training is the same: the loss reads the LSTMs' own scores; λ is chosen on validation after each epoch)",
    model: { lexical: { weight: 0.3, len: 1000 } },
  }),
  matcherVariant(MATCHER_S11, {
    name: "matcher-drop05",
    note: "as matcher-random-batches with dropout 0.5",
    model: { dropout: 0.5 },
  }),
  matcherVariant(MATCHER_S11, {
    name: "matcher-drop-scratch",
    note: "as matcher-random-batches from random weights (train.init none)",
    train: { init: "none" },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-nodrop",
    note:
      "the matcher recipe of sessions 7-10: as matcher-scratch, starting from the shipped encoder pretrained on GCIDE (train.init gcide)",
    model: { lstmUnits: 128, lexical: { weight: 0.8, len: 1000 } },
    train: { tuneLexical: true, init: "gcide" },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-pre-residual",
    note:
      "as matcher with the loss on the mixed scores (--lexical-loss residual): the pretrained start gives the LSTMs scores worth mixing from the first step",
    model: {
      lstmUnits: 128,
      lexical: { weight: 0.8, len: 1000, loss: "residual" },
    },
    train: { tuneLexical: true, init: "gcide" },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-pre-lr1e3",
    note:
      "as matcher with Adam 1e-3 (fine-tuning the pretrained encoder gently)",
    model: { lstmUnits: 128, lexical: { weight: 0.8, len: 1000 } },
    train: { tuneLexical: true, init: "gcide", learningRate: 1e-3 },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-scratch",
    note:
      "the matcher recipe before session 7: as matcher-lstm, scored with a lexical channel reading 1000 tokens, its weight λ chosen on validation after each epoch (from 0.8); random initial weights",
    model: { lstmUnits: 128, lexical: { weight: 0.8, len: 1000 } },
    train: { tuneLexical: true },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-fixed",
    note:
      "the matcher recipe before session 6: as matcher with λ fixed at 0.8 (train.tune_lexical false)",
    model: { lstmUnits: 128, lexical: { weight: 0.8, len: 1000 } },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-residual",
    note:
      "as matcher-fixed with the loss on the mixed scores (--lexical-loss residual)",
    model: {
      lstmUnits: 128,
      lexical: { weight: 0.8, len: 1000, loss: "residual" },
    },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-joint",
    note: "as matcher-fixed with both losses added (--lexical-loss joint)",
    model: {
      lstmUnits: 128,
      lexical: { weight: 0.8, len: 1000, loss: "joint" },
    },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-lstm",
    note:
      "the LSTMs alone: as shared-max-infonce with Adam 3e-3, 128 LSTM units, definitions cut at 256",
    model: { lstmUnits: 128 },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-lex07",
    note: "as matcher-residual with lexical weight 0.7",
    model: {
      lstmUnits: 128,
      lexical: { weight: 0.7, len: 1000, loss: "residual" },
    },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-lex09",
    note: "as matcher-residual with lexical weight 0.9",
    model: {
      lstmUnits: 128,
      lexical: { weight: 0.9, len: 1000, loss: "residual" },
    },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-lex-256",
    note:
      "as matcher-residual with the lexical channel reading only the LSTM's 256 tokens",
    model: { lstmUnits: 128, lexical: { weight: 0.8, loss: "residual" } },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-words",
    note:
      "as matcher-h64 with word tokens (20,000 words), terms cut at 16 words, definitions at 128",
    model: { vocab: 20000, leftLen: 16, rightLen: 128 },
    data: { tokenizer: "word" },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-char3",
    note:
      "as matcher-h64 with character 3-gram tokens (8,000 most frequent), one per character",
    model: { vocab: 8000 },
    data: { tokenizer: "char3" },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-h256",
    note: "as matcher-lstm with 256 LSTM units",
    model: { lstmUnits: 256 },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-t01",
    note: "as matcher-lstm with softmax temperature 0.1",
    model: { lstmUnits: 128 },
    train: { temperature: 0.1 },
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-h64",
    note: "as matcher-lstm with 64 LSTM units (the seed's size)",
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-bidirectional",
    note: "as matcher-h64 with a second LSTM reading backwards",
    model: { bidirectional: true },
  }),
  {
    name: "matcher-online",
    note:
      "as matcher-h64 with the in-batch online contrastive loss (margin 0.5) instead of infonce",
    model: MATCHER_H64.model,
    train: { loss: "online-contrastive", margin: 0.5, learningRate: 3e-3 },
    data: MATCHER_H64.data,
  },
  matcherVariant(MATCHER_H64, {
    name: "matcher-600",
    note:
      "as matcher-h64 with definitions cut at 600 characters (the seed's length)",
    model: { rightLen: 600 }, // BENCH_MODEL's
  }),
  matcherVariant(MATCHER_H64, {
    name: "matcher-b64",
    note:
      "as matcher-lstm with batches of 64 (63 in-batch negatives per positive)",
    model: { lstmUnits: 128 },
    train: { batchSize: 64 },
  }),
  {
    name: "shared-mean-online",
    note:
      "shared encoder and char vocabulary, masked mean pooling, in-batch online contrastive",
    model: { shareWeights: true, pooling: "mean" },
    train: { loss: "online-contrastive", margin: 0.5 },
    data: { sharedVocab: true },
  },
  {
    name: "shared-last-infonce",
    note:
      "shared encoder and char vocabulary, last state, in-batch softmax (t 0.05)",
    model: { shareWeights: true },
    train: { loss: "infonce", temperature: 0.05 },
    data: { sharedVocab: true },
  },
  {
    name: "separate-mean-infonce",
    note:
      "separate encoders and vocabularies, masked mean pooling, in-batch softmax (t 0.05)",
    model: { pooling: "mean" },
    train: { loss: "infonce", temperature: 0.05 },
  },
];

/**
 * The recipes named in a comma-separated list (`all` = every recipe,
 * `none` or empty = no recipe).
 *
 * @param list e.g. `"seed"` or `"seed,shared"`
 * @param recipes the table to pick from @default RECIPES
 * @returns the recipes, in the order of the list
 * @throws {RangeError} naming an unknown recipe and the known ones
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { pickRecipes, RECIPES } from "./recipes.ts";
 * assert.equal(pickRecipes("all").length, RECIPES.length);
 * assert.deepEqual(pickRecipes("seed").map((r) => r.name), ["seed"]);
 * assert.deepEqual(pickRecipes("none"), []);
 * ```
 */
export function pickRecipes(
  list: string,
  recipes: readonly Recipe[] = RECIPES,
): Recipe[] {
  if (list === "all") return recipes.slice();
  const names = list.split(",").map((s) => s.trim()).filter((s) =>
    s !== "" && s !== "none"
  );
  return names.map((name) => {
    const recipe = recipes.find((r) => r.name === name);
    if (recipe === undefined) {
      throw new RangeError(
        `Expected a recipe name among ${
          recipes.map((r) => r.name).join(", ")
        } (or all, none) but found "${name}"`,
      );
    }
    return recipe;
  });
}
