/**
 * tokenizer.json describes the tokenizers exactly: a reimplementation from
 * its words (tests/export/_reference.ts) splits like src/data/tokenizer.ts.
 */
import assert from "@std/assert";
import { tokenize, Vocabulary } from "../../src/data/tokenizer.ts";
import { sideTokenizer } from "../../src/export/tokenizer_json.ts";
import { tokens } from "./_reference.ts";

const TEXTS = [
  "Héllo, WÖRLD 42!",
  "Cafe\u0301 CAFÉ café", // decomposed and composed é
  "  tabs\tand\n\nnew  lines  ",
  "नमस्ते दुनिया", // Devanagari: combining marks inside words
  "a",
  "",
  "İstanbul ΣΟΦΟΣ", // lowercasing beyond ASCII
  "x_y-z.w",
];

for (const kind of ["word", "char", "char3"] as const) {
  Deno.test(`tokenizer.json's ${kind} rules split as the trainer does`, () => {
    for (const text of TEXTS) {
      assert.deepStrictEqual(tokens(text, kind), tokenize(text, kind), text);
    }
  });
}

Deno.test("sideTokenizer() maps each token to its id, 2 up, and names the reserved ids", () => {
  const v = new Vocabulary("char3", 6, [" ab", "ab ", "b c"]);
  const side = sideTokenizer(v.toJSON(), 8, 20);
  assert.deepStrictEqual(side.vocab, { " ab": 2, "ab ": 3, "b c": 4 });
  assert.equal(side.kind, "char3");
  assert.deepStrictEqual([side.length, side.lexical_length], [8, 20]);
  assert.deepStrictEqual([side.padding_id, side.unknown_id], [0, 1]);
  const ids = sideTokenizer(undefined, 5, 0);
  assert.equal(ids.kind, "ids");
  assert.equal("vocab" in ids, false);
});
