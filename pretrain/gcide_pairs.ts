/**
 * The pretraining text: headword -> definition pairs of GCIDE (Debian's
 * `dict-gcide`, the Collaborative International Dictionary of English, whose
 * core is Webster's Revised Unabridged Dictionary of 1913), read from its
 * dictd files by `bench/quality/dictd.ts`.
 *
 * GCIDE also carries entries taken from WordNet 1.5 (marked `[WordNet 1.5]`,
 * often with `+PJC`). WordNet is kept out of everything here (it is kept
 * aside for independent checks), so every entry whose text names WordNet or
 * PJC is dropped, not just the tag. Of the rest, {@link cleanGcide} removes
 * the source tags (`[1913 Webster]`, `[Webster 1913 Suppl.]`) and the tail of
 * the etymology that the dictd header leaves at the start.
 *
 * @module
 */
import type { DictPair, DictPairsResult } from "../bench/quality/dictd.ts";

const SOURCE_TAG = /\[(?:1913 Webster|Webster 1913 Suppl\.)\]/g;
const WORDNET = /WordNet|\bPJC\b/;

/**
 * One GCIDE definition without its source tags and without the etymology's
 * tail that the entry's header leaves before the first sense (text up to a
 * `]` within the first 80 characters, with no `[` before it).
 *
 * @param definition a definition as `cleanDefinition` returns it
 * @returns the cleaned text (single spaces, trimmed)
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { cleanGcide } from "./gcide_pairs.ts";
 * assert.equal(
 *   cleanGcide("Abrade.] 1. The act of abrading. [1913 Webster]"),
 *   "1. The act of abrading.",
 * );
 * assert.equal(cleanGcide("Capable of being conducted."), "Capable of being conducted.");
 * ```
 */
export function cleanGcide(definition: string): string {
  let text = definition.replace(SOURCE_TAG, " ");
  const close = text.indexOf("]");
  const open = text.indexOf("[");
  if (close >= 0 && close < 80 && (open < 0 || open > close)) {
    text = text.slice(close + 1);
  }
  return text.replace(/\s+/g, " ").trim();
}

/** What {@link gcidePairs} kept and dropped. */
export interface GcidePairs {
  /** The kept pairs, in index order, cleaned. */
  pairs: DictPair[];
  /** Dropped: entries from WordNet (their text names WordNet or PJC). */
  wordnet: number;
  /** Dropped: the dictionary's own `00-*` entries. */
  meta: number;
  /** Dropped: nothing left after cleaning. */
  empty: number;
}

/**
 * The pretraining pairs from GCIDE's dictd pairs: WordNet's entries and the
 * dictionary's own `00-*` entries dropped, the rest cleaned with
 * {@link cleanGcide}.
 *
 * @param read what `readDictd("gcide")` returns
 * @returns the kept pairs and the counts of what was dropped
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { gcidePairs } from "./gcide_pairs.ts";
 * const read = {
 *   pairs: [
 *     { term: "Aa", definition: "A river. [1913 Webster]" },
 *     { term: "Ab", definition: "a sense [WordNet 1.5]" },
 *     { term: "00-gcide-info", definition: "about" },
 *   ],
 *   indexLines: 3, meta: 0, duplicateTerms: 0, duplicateDefinitions: 0, empty: 0,
 * };
 * const r = gcidePairs(read);
 * assert.deepEqual(r.pairs, [{ term: "Aa", definition: "A river." }]);
 * assert.equal(r.wordnet, 1);
 * assert.equal(r.meta, 1);
 * ```
 */
export function gcidePairs(read: DictPairsResult): GcidePairs {
  const out: GcidePairs = { pairs: [], wordnet: 0, meta: 0, empty: 0 };
  for (const { term, definition } of read.pairs) {
    if (term.startsWith("00-")) {
      out.meta++;
    } else if (WORDNET.test(definition)) {
      out.wordnet++;
    } else {
      const clean = cleanGcide(definition);
      if (clean === "") out.empty++;
      else out.pairs.push({ term, definition: clean });
    }
  }
  return out;
}
