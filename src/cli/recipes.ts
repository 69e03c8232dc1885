/**
 * Named training recipes: sets of flag values chosen together. A flag given
 * on the command line always wins over its recipe's value.
 *
 * - `seed`: the seed's setup: separate encoders and vocabularies, the LSTM's
 *   last state, contrastive loss with one random negative per positive,
 *   Adam 1e-3. The default for the built-in data set.
 * - `matcher`: what measured best on real text (`bench/quality`, FOLDOC):
 *   one encoder and one vocabulary for both sides, masked max pooling over
 *   the LSTM's outputs, in-batch softmax loss, Adam 3e-3, character tokens
 *   (word and character 3-gram tokens overfit sooner), 128 LSTM units (64
 *   levelled off lower), right side cut to 256 tokens (the cut gave more per
 *   minute than it cost), and a lexical channel of weight 0.8 reading 1000
 *   tokens per side: pairs score `0.2 cos(LSTM vectors) + 0.8 cos(TF-IDF of
 *   character 3-grams)`, in training too, so the LSTMs learn what the n-gram
 *   overlap misses (without it the LSTMs alone stay far below TF-IDF). The
 *   default with `--data`.
 *
 * @module
 */
import type { FlagValues } from "./flags.ts";

/** Recipe names. */
export type RecipeName = "seed" | "matcher";

/** The recipes, as flag values. */
export const RECIPES: Readonly<Record<RecipeName, Readonly<FlagValues>>> = {
  seed: {
    "share-weights": false,
    "shared-vocab": false,
    "pooling": "last",
    "bidirectional": false,
    "loss": "contrastive",
    "negatives": 1,
    "learning-rate": 0.001,
    "batch-size": 32,
    "left-len": 52,
    "right-len": 600,
    "lexical-weight": 0,
  },
  matcher: {
    "tokenizer": "char",
    "share-weights": true,
    "shared-vocab": true,
    "pooling": "max",
    "bidirectional": false,
    "lstm-units": 128,
    "loss": "infonce",
    "temperature": 0.05,
    "learning-rate": 0.003,
    "batch-size": 32,
    "right-len": 256,
    "lexical-weight": 0.8,
    "lexical-len": 1000,
  },
};

/**
 * The long flag names present in `args` (`--epochs 3` and `--epochs=3` both
 * give `epochs`).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { givenFlags } from "./recipes.ts";
 * assert.deepEqual([...givenFlags(["--epochs=3", "--seed", "4"])], ["epochs", "seed"]);
 * ```
 */
export function givenFlags(args: readonly string[]): Set<string> {
  return new Set(
    args.filter((a) => a.startsWith("--")).map((a) =>
      a.slice(2).split("=")[0]!
    ),
  );
}

/**
 * Flag values with a recipe applied: the recipe's value for every flag the
 * user did not give. A shared vocabulary is dropped when the two sides use
 * different tokenizers (it needs one), and with it the shared encoder.
 *
 * @param values parsed flags (defaults filled in)
 * @param args the raw arguments, to tell given flags from defaults
 * @param recipe the recipe
 * @returns a new object
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { applyRecipe } from "./recipes.ts";
 * const v = applyRecipe({ pooling: "last", loss: "contrastive" }, ["--loss", "contrastive"], "matcher");
 * assert.equal(v.pooling, "max");
 * assert.equal(v.loss, "contrastive");
 * ```
 */
export function applyRecipe(
  values: FlagValues,
  args: readonly string[],
  recipe: RecipeName,
): FlagValues {
  const given = givenFlags(args);
  const out: FlagValues = { ...values };
  for (const [name, value] of Object.entries(RECIPES[recipe])) {
    if (!given.has(name)) out[name] = value;
  }
  const left = out["left-tokenizer"] ?? out.tokenizer;
  const right = out["right-tokenizer"] ?? out.tokenizer;
  if (left !== right) {
    // one encoder over two vocabularies would mix unrelated ids, and the
    // lexical channel would compare them
    if (!given.has("shared-vocab")) out["shared-vocab"] = false;
    if (!given.has("share-weights")) out["share-weights"] = false;
    if (!given.has("lexical-weight")) out["lexical-weight"] = 0;
  }
  if (
    (out["lexical-weight"] as number) > 0 && left !== "char" &&
    !given.has("lexical-n")
  ) {
    // a word or char3 token already is what a character 3-gram is for chars
    out["lexical-n"] = 1;
  }
  return out;
}
