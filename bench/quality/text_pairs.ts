/**
 * Reading a text pair file for the bench's non-neural baselines.
 *
 * @module
 */
import { readPairs } from "../../src/data/read_pairs.ts";
import type { TextPair } from "./tfidf.ts";

/**
 * Reads the pairs of a TSV (or JSONL) file whose sides are both text, through
 * the library's validating reader.
 *
 * @param path the file
 * @returns the pairs in file order
 * @throws {RangeError} when a side is pre-tokenized (token ids, not text)
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { readTextPairs } from "./text_pairs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".tsv" });
 * await Deno.writeTextFile(path, "left\tright\nab\tan a b\n");
 * assert.deepEqual(await readTextPairs(path), [{ left: "ab", right: "an a b" }]);
 * ```
 */
export async function readTextPairs(path: string): Promise<TextPair[]> {
  const out: TextPair[] = [];
  for await (const { left, right, line } of readPairs(path)) {
    if (typeof left !== "string" || typeof right !== "string") {
      throw new RangeError(
        `Expected text on both sides at ${path}:${line} but found token ids`,
      );
    }
    out.push({ left, right });
  }
  return out;
}
