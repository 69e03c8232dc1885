import assert from "@std/assert";
import { pickRecipes, RECIPES } from "../../../bench/quality/recipes.ts";

Deno.test("RECIPES starts with the seed recipe and has unique, path-safe names", () => {
  assert.equal(RECIPES[0]?.name, "seed");
  const names = RECIPES.map((r) => r.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.ok(/^[a-z0-9-]+$/.test(name), name);
});

Deno.test("pickRecipes() keeps the order of the list", () => {
  const table = [
    { name: "a", note: "" },
    { name: "b", note: "" },
  ];
  assert.deepEqual(pickRecipes("b, a", table).map((r) => r.name), ["b", "a"]);
  assert.deepEqual(pickRecipes("", table), []);
});

Deno.test("pickRecipes() names an unknown recipe and the known ones", () => {
  const table = [{ name: "seed", note: "" }, { name: "b", note: "" }];
  assert.throws(() => pickRecipes("seed,nope", table), {
    message:
      'Expected a recipe name among seed, b (or all, none) but found "nope"',
  });
});

Deno.test("the bench's matcher row is the train command's matcher recipe", async () => {
  const { recipeValues } = await import("../../../src/settings/values.ts");
  const cli = recipeValues("matcher");
  const row = RECIPES.find((r) => r.name === "matcher")!;
  const m = row.model!;
  const t = row.train!;
  assert.deepStrictEqual(
    [
      m.shareWeights,
      m.pooling,
      m.lstmUnits,
      m.rightLen,
      m.lexical?.weight,
      m.lexical?.len,
      m.dropout,
    ],
    [
      cli["model.share_weights"],
      cli["model.pooling"],
      cli["model.lstm_units"],
      cli["model.right_len"],
      cli["model.lexical.weight"],
      cli["model.lexical.len"],
      cli["model.dropout"],
    ],
  ); // deno-fmt-ignore
  assert.deepStrictEqual(
    [t.loss, t.temperature, t.learningRate, t.tuneLexical, t.init, t.hardNegatives, row.data?.sharedVocab, row.data?.tokenizer ?? "char"],
    [
      cli["train.loss"], cli["train.temperature"], cli["train.learning_rate"],
      cli["train.tune_lexical"], cli["train.init"], cli["train.hard_negatives"], cli["data.shared_vocab"], cli["data.tokenizer"],
    ],
  ); // deno-fmt-ignore
});
