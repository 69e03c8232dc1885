/**
 * What another runtime needs besides the ONNX graphs to reproduce `eval`'s
 * scores: `tokenizer.json` (text -> ids, per side) and `scoring.json` (the
 * score formula, the distance, the lexical channel's settings); the lexical
 * channel's document frequencies go in `lexical.json` as the run stores
 * them. The formats are documented in docs/export.md.
 *
 * @module
 */
import type { VocabularyJson } from "../data/tokenizer.ts";
import type { LoadedModel } from "../run/format.ts";

/** Format tag of `tokenizer.json`. */
export const TOKENIZER_FORMAT = "siamese-wasm/tokenizer@1";
/** Format tag of `scoring.json`. */
export const SCORING_FORMAT = "siamese-wasm/scoring@1";

const RULES: Record<string, { normalize: string[]; split: string }> = {
  word: {
    normalize: ["unicode NFC", "lowercase (locale-independent)"],
    split:
      "tokens are the maximal runs of /[\\p{L}\\p{M}\\p{N}]+/u (letters, marks, digits); the rest is dropped",
  },
  char: {
    normalize: ["unicode NFC", "lowercase (locale-independent)"],
    split: "one token per Unicode code point, spaces and punctuation included",
  },
  char3: {
    normalize: [
      "unicode NFC",
      "lowercase (locale-independent)",
      "runs of white space (/\\s+/u) become one space",
      "trim",
      "one space added at each end",
    ],
    split:
      "one token per code point of the trimmed text: that code point with its left and right neighbour (3 code points)",
  },
};

/**
 * One side's tokenizer: how text becomes `length` ids.
 *
 * @param vocabulary the side's vocabulary, undefined for pre-tokenized ids
 * @param length ids the encoder reads (the ONNX input's length)
 * @param lexicalLength ids the lexical channel reads (0 without one)
 * @returns the side's entry of `tokenizer.json`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { Vocabulary } from "../data/tokenizer.ts";
 * import { sideTokenizer } from "./tokenizer_json.ts";
 * const side = sideTokenizer(new Vocabulary("word", 5, ["a", "b"]).toJSON(), 4, 0);
 * assert.deepStrictEqual(side.vocab, { a: 2, b: 3 });
 * assert.equal(side.padding_id, 0);
 * ```
 */
export function sideTokenizer(
  vocabulary: VocabularyJson | undefined,
  length: number,
  lexicalLength: number,
): Record<string, unknown> {
  const common = {
    length,
    lexical_length: lexicalLength,
    padding_id: 0,
    unknown_id: 1,
    truncate: "keep the first `length` tokens",
    pad: "append padding_id up to `length`",
  };
  if (vocabulary === undefined) {
    return {
      kind: "ids",
      note: "pre-tokenized: the data gave token ids directly",
      ...common,
    };
  }
  const rules = RULES[vocabulary.kind]!;
  return {
    kind: vocabulary.kind,
    normalize: rules.normalize,
    split: rules.split,
    ...common,
    vocab_size: vocabulary.size,
    vocab: Object.fromEntries(vocabulary.tokens.map((t, i) => [t, i + 2])),
  };
}

/**
 * `tokenizer.json` and `scoring.json` of a loaded model, as objects.
 *
 * @param model a loaded run
 * @returns both files' contents
 */
export function exportJson(
  model: LoadedModel,
): { tokenizer: object; scoring: object } {
  const c = model.model;
  const lex = c.lexical.weight > 0;
  const lexLen = (len: number) => lex ? Math.max(len, c.lexical.len) : 0;
  const tokenizer = {
    format: TOKENIZER_FORMAT,
    shared_vocab: model.vocabularies.left !== undefined &&
      JSON.stringify(model.vocabularies.left) ===
        JSON.stringify(model.vocabularies.right),
    left: sideTokenizer(model.vocabularies.left, c.leftLen, lexLen(c.leftLen)),
    right: sideTokenizer(
      model.vocabularies.right,
      c.rightLen,
      lexLen(c.rightLen),
    ),
  };
  const distance = model.train.distance;
  const scoring = {
    format: SCORING_FORMAT,
    distance,
    model_score: distance === "cosine"
      ? "cos(u, v) = u.v / (|u| |v|), u = left.onnx(vector), v = right.onnx(vector)"
      : "-|u - v| (minus the euclidean distance)",
    threshold: model.threshold,
    lexical: lex
      ? {
        weight: c.lexical.weight,
        n: c.lexical.n,
        file: "lexical.json",
        score: "(1 - weight) * model_score + weight * lexical_cosine",
        grams:
          "row = the first lexical_length ids up to the first 0; for n >= 2 add one 0 at each end; " +
          "each window of n ids is one n-gram, id = sum ids[k] * vocab^(n-1-k)",
        weights:
          "tf * idf per n-gram, tf = count in the row, idf = ln((1 + documents) / (1 + df)) + 1 " +
          "(df 0 when the n-gram is not in lexical.json); the vector is L2-normalised",
        lexical_cosine:
          "dot product of the two rows' vectors (0 when either row is empty)",
      }
      : null,
  };
  return { tokenizer, scoring };
}
