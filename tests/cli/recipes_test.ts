import assert from "@std/assert";
import { parseFlags } from "../../src/cli/flags.ts";
import { applyRecipe, RECIPES } from "../../src/cli/recipes.ts";
import { TRAIN_FLAGS } from "../../src/cli/train_command.ts";

const recipe = (args: string[], name: "seed" | "matcher") =>
  applyRecipe(parseFlags(args, TRAIN_FLAGS), args, name);

Deno.test("the seed recipe is the seed's setup", () => {
  const v = recipe([], "seed");
  assert.equal(v["share-weights"], false);
  assert.equal(v.pooling, "last");
  assert.equal(v.loss, "contrastive");
  assert.equal(v.negatives, 1);
  assert.equal(v["learning-rate"], 0.001);
  assert.equal(v["batch-size"], 32);
});

Deno.test("a recipe fills in every flag it names unless the flag was given", () => {
  const v = recipe(["--pooling=mean", "--learning-rate", "0.01"], "matcher");
  for (const [name, value] of Object.entries(RECIPES.matcher)) {
    if (name === "pooling" || name === "learning-rate") continue;
    assert.equal(v[name], value, name);
  }
  assert.equal(v.pooling, "mean");
  assert.equal(v["learning-rate"], 0.01);
});

Deno.test("the matcher recipe shares nothing across two different tokenizers", () => {
  const v = recipe(
    ["--left-tokenizer", "word", "--right-tokenizer", "char"],
    "matcher",
  );
  assert.equal(v["shared-vocab"], false);
  assert.equal(v["share-weights"], false);
  const same = recipe(["--tokenizer", "char"], "matcher");
  assert.equal(same["shared-vocab"], true);
  assert.equal(same["share-weights"], true);
});

Deno.test("the matcher recipe reads characters unless --tokenizer says otherwise", () => {
  assert.equal(recipe([], "matcher").tokenizer, "char");
  const words = recipe(["--tokenizer", "word"], "matcher");
  assert.equal(words.tokenizer, "word");
  assert.equal(words["shared-vocab"], true);
  // the seed recipe keeps the command's default
  assert.equal(recipe([], "seed").tokenizer, "word");
});

Deno.test("the matcher's lexical channel follows the tokenizers", () => {
  const chars = recipe([], "matcher");
  assert.ok((chars["lexical-weight"] as number) > 0);
  assert.strictEqual(chars["lexical-n"], 3); // character 3-grams
  // a word is already a unit of meaning: word unigrams
  assert.strictEqual(
    recipe(["--tokenizer", "word"], "matcher")["lexical-n"],
    1,
  );
  assert.strictEqual(
    recipe(["--tokenizer", "word", "--lexical-n", "2"], "matcher")["lexical-n"],
    2,
  );
  // two vocabularies: nothing to compare
  const split = recipe([
    "--left-tokenizer",
    "word",
    "--right-tokenizer",
    "char",
  ], "matcher");
  assert.strictEqual(split["lexical-weight"], 0);
  // the seed recipe has none
  assert.strictEqual(recipe([], "seed")["lexical-weight"], 0);
});
