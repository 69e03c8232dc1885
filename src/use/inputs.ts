/**
 * Turning what a user passes (texts, or arrays of token ids) into the padded
 * id rows a branch reads, exactly as `loadPairs` encodes a pair file for a
 * trained model: the side's saved vocabulary and tokenizer, the model's
 * sequence lengths (`dataShapes`), ids checked against the vocabulary size.
 *
 * @module
 */
import { Vocabulary } from "../data/tokenizer.ts";
import { dataShapes } from "../model/config.ts";
import type { SavedRun } from "../run/format.ts";

/** A text, or its token ids (each an integer in `[0, vocab)`, 0 = padding). */
export type TextInput = string | readonly number[];

/** Bad input: the message names the field and position, e.g. `texts[2][0]`. */
export class InputError extends Error {
  /** @param message what was wrong, and where */
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** Which branch: `left` (queries) or `right` (corpus). */
export type Side = "left" | "right";

/** How one side of a trained model reads its input. */
export interface SideEncoding {
  /** The saved vocabulary, absent when the side was trained on token ids. */
  vocabulary?: Vocabulary;
  /** Row length: longer inputs are cut, shorter padded with 0. */
  len: number;
  /** Vocabulary size V: every id is below it. */
  vocab: number;
}

/**
 * Each side's encoding for a saved run, as `loadPairsFor` reads a data file
 * for it.
 *
 * @param run the saved run's configs and vocabularies
 * @returns the left and right encodings
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { modelConfig } from "../model/config.ts";
 * import { sideEncodings } from "./inputs.ts";
 * const model = modelConfig({ vocab: 9, leftLen: 3, rightLen: 4, lexical: { weight: 0 } });
 * const e = sideEncodings({ model, vocabularies: {} });
 * assert.deepStrictEqual([e.left.len, e.right.len, e.left.vocabulary], [3, 4, undefined]);
 * ```
 */
export function sideEncodings(
  run: Pick<SavedRun, "model" | "vocabularies">,
): Record<Side, SideEncoding> {
  const shapes = dataShapes(run.model);
  const side = (s: Side): SideEncoding => {
    const json = run.vocabularies[s];
    return {
      ...(json ? { vocabulary: Vocabulary.fromJSON(json) } : {}),
      len: s === "left" ? shapes.leftLen : shapes.rightLen,
      vocab: shapes.vocab,
    };
  };
  return { left: side("left"), right: side("right") };
}

/**
 * Encodes inputs into padded rows `[N, len]`.
 *
 * @param inputs texts or id arrays, one per row
 * @param encoding the side's encoding
 * @param field the name used in errors, e.g. `texts` or `pairs[].left`
 * @param first the index errors give the first input (when `inputs` is a
 *   block of a longer list) @default 0
 * @returns row-major ids `[N, len]`
 * @throws {InputError} naming `field[i]` for a text given to a side trained
 *   on ids, or anything that is neither text nor ids; naming `field[i][j]`
 *   for an id outside `[0, vocab)`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { Vocabulary } from "../data/tokenizer.ts";
 * import { encodeInputs } from "./inputs.ts";
 * const vocabulary = new Vocabulary("word", 5, ["a", "b"]);
 * const ids = encodeInputs(["b a c", [3]], { vocabulary, len: 2, vocab: 5 }, "texts");
 * assert.deepStrictEqual(Array.from(ids), [3, 2, 3, 0]);
 * assert.throws(() => encodeInputs([[7]], { len: 2, vocab: 5 }, "texts"), /texts\[0\]\[0\]/);
 * assert.throws(() => encodeInputs([[7]], { len: 2, vocab: 5 }, "texts", 4), /texts\[4\]\[0\]/);
 * ```
 */
export function encodeInputs(
  inputs: readonly TextInput[],
  encoding: SideEncoding,
  field: string,
  first = 0,
): Int32Array {
  const { len, vocab, vocabulary } = encoding;
  const out = new Int32Array(inputs.length * len);
  inputs.forEach((input, i) => {
    if (typeof input === "string") {
      if (vocabulary === undefined) {
        throw new InputError(
          `${field}[${
            first + i
          }]: expected an array of token ids (this side of the model was trained ` +
            `on ids, it has no vocabulary) but found a text`,
        );
      }
      out.set(vocabulary.encode(input, len).ids, i * len);
      return;
    }
    if (!Array.isArray(input)) {
      throw new InputError(
        `${field}[${
          first + i
        }]: expected a text or an array of token ids but found ${
          JSON.stringify(input) ?? String(input)
        }`,
      );
    }
    const n = Math.min(input.length, len);
    for (let j = 0; j < input.length; j++) {
      const id = input[j];
      if (!Number.isInteger(id) || id! < 0 || id! >= vocab) {
        throw new InputError(
          `${field}[${
            first + i
          }][${j}]: expected an integer token id in [0, ${vocab}) but found ${
            JSON.stringify(id)
          }`,
        );
      }
      if (j < n) out[i * len + j] = id!;
    }
  });
  return out;
}
