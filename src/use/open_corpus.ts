/**
 * The corpus a command searches: read from `--corpus`, loaded from
 * `--index`, or both (the index is built from the corpus once, then reused
 * while model and corpus are unchanged).
 *
 * @module
 */
import { ensureWritable } from "../io/permissions.ts";
import { type CorpusIndex, readIndex, writeIndex } from "./corpus_index.ts";
import { jsonFingerprint } from "./fingerprint.ts";
import { readInputs } from "./read_inputs.ts";
import type { TextModel } from "./text_model.ts";

/** Where the corpus comes from. */
export interface CorpusSource {
  /** A `.txt` (one text per line) or `.jsonl` (`{"id"?, "text"}`) file. */
  corpus?: string;
  /** An index file: used when it exists, else built from `corpus`. */
  index?: string;
  /** Whether a missing index may be written. @default true */
  write?: boolean;
}

/**
 * Makes the corpus of `source` the one `model` searches.
 *
 * @param model the loaded model
 * @param source see {@link CorpusSource}
 * @returns the index and what was done (`read`, `built`, or `built` and `written`)
 * @throws Error when the index was built by another model or from another
 *   corpus, naming the file
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { loadTextModel } from "./text_model.ts";
 * import { openCorpus } from "./open_corpus.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/c.txt`, "42\n342\n");
 * const m = await loadTextModel("examples/numbers_model");
 * const source = { corpus: `${dir}/c.txt`, index: `${dir}/c.index` };
 * assert.equal((await openCorpus(m, source)).action, "written");
 * assert.equal((await openCorpus(m, source)).action, "read");
 * m.dispose();
 * ```
 */
export async function openCorpus(
  model: TextModel,
  source: CorpusSource,
): Promise<{ index: CorpusIndex; action: "read" | "built" | "written" }> {
  const entries = source.corpus === undefined
    ? undefined
    : await readInputs(source.corpus, {
      vocab: model.run.model.vocab,
      flag: "--corpus",
    });
  if (source.index !== undefined) {
    let saved: CorpusIndex | undefined;
    try {
      saved = await readIndex(source.index);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (saved !== undefined) {
      model.useIndex(saved, `--index ${source.index}`);
      if (
        entries !== undefined &&
        await jsonFingerprint(entries) !== saved.corpus
      ) {
        throw new Error(
          `--index ${source.index} was built from another corpus than --corpus ${source.corpus} ` +
            "(its texts or ids differ): delete the index to build it again, or pass another --index.",
        );
      }
      return { index: saved, action: "read" };
    }
    if (entries === undefined) {
      throw new Error(
        `--index ${source.index}: no such file; pass --corpus FILE to build it.`,
      );
    }
    if (source.write === false) {
      throw new Error(
        `--index ${source.index}: no such file; build it with deno task search --index, or pass --corpus alone.`,
      );
    }
    await ensureWritable(source.index, "--index", { file: true });
    const index = await model.index(entries);
    await writeIndex(source.index, index);
    return { index, action: "written" };
  }
  if (entries === undefined) {
    throw new Error("--corpus FILE or --index FILE is required.");
  }
  return { index: await model.index(entries), action: "built" };
}
