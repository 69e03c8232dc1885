import { deepStrictEqual, throws } from "@std/assert";
import {
  checkOverlap,
  DEFAULT_MIN_OVERLAP,
  overlapOf,
  tokenOverlap,
} from "../../src/data/overlap.ts";
import { Vocabulary } from "../../src/data/tokenizer.ts";

Deno.test("tokenOverlap() counts the tokens a vocabulary knows", async () => {
  const vocab = new Vocabulary("word", 10, ["cat", "dog"]);
  deepStrictEqual(await tokenOverlap(vocab, ["the cat", "a dog and a cat"]), {
    tokens: 7,
    known: 3,
    fraction: 3 / 7,
  });
});

Deno.test("overlapOf() gives fraction 0 when there are no tokens", () => {
  deepStrictEqual(overlapOf(0, 0), { tokens: 0, known: 0, fraction: 0 });
});

Deno.test("checkOverlap() accepts a fraction at the minimum", () => {
  checkOverlap(overlapOf(100, 1), "val.tsv");
  deepStrictEqual(DEFAULT_MIN_OVERLAP, 0.01);
});

Deno.test("checkOverlap() rejects a file sharing no vocabulary, naming it", () => {
  throws(() => checkOverlap(overlapOf(12, 0), "val.tsv", { field: "left" }), {
    name: "DataError",
    message:
      'val.tsv: field "left": expected at least 1% of tokens known to the vocabulary but found 0% (0 of 12)',
  });
});

Deno.test("checkOverlap() rejects a file without tokens", () => {
  throws(() => checkOverlap(overlapOf(0, 0), "val.tsv"), {
    message:
      "val.tsv: expected at least 1% of tokens known to the vocabulary but found 0% (0 of 0)",
  });
});

Deno.test("checkOverlap() applies the min option", () => {
  throws(() => checkOverlap(overlapOf(3, 1), "val.tsv", { min: 0.5 }), {
    message:
      "val.tsv: expected at least 50% of tokens known to the vocabulary but found 33.3% (1 of 3)",
  });
});
