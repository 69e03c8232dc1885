/**
 * How much of a text set a vocabulary knows, and a check that rejects a file
 * that shares (almost) no vocabulary with the training data, such as a
 * `--val` file from another data set or with its columns swapped.
 *
 * @module
 */
import { DataError } from "./data_error.ts";
import { UNKNOWN_ID, type Vocabulary } from "./tokenizer.ts";

/** Known-token counts, see {@link tokenOverlap}. */
export interface Overlap {
  /** Tokens in the texts. */
  tokens: number;
  /** Of those, how many the vocabulary knows. */
  known: number;
  /** `known / tokens`, or 0 when there are no tokens. */
  fraction: number;
}

/** Below this share of known tokens a file is rejected: 1%. */
export const DEFAULT_MIN_OVERLAP = 0.01;

/**
 * Counts the tokens of `texts` that `vocab` knows.
 *
 * @param vocab the vocabulary, e.g. built on the training file
 * @param texts the texts, e.g. the left sides of the validation file
 * @returns the counts and their fraction
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { Vocabulary } from "./tokenizer.ts";
 * import { tokenOverlap } from "./overlap.ts";
 * const vocab = new Vocabulary("word", 10, ["a", "b"]);
 * const o = await tokenOverlap(vocab, ["a c", "b d"]);
 * ok(o.known === 2 && o.tokens === 4 && o.fraction === 0.5);
 * ```
 */
export async function tokenOverlap(
  vocab: Vocabulary,
  texts: Iterable<string> | AsyncIterable<string>,
): Promise<Overlap> {
  let tokens = 0;
  let known = 0;
  for await (const text of texts) {
    for (const token of vocab.tokenize(text)) {
      tokens++;
      if (vocab.idOf(token) !== UNKNOWN_ID) known++;
    }
  }
  return overlapOf(tokens, known);
}

/**
 * An {@link Overlap} from counts.
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { overlapOf } from "./overlap.ts";
 * ok(overlapOf(4, 1).fraction === 0.25 && overlapOf(0, 0).fraction === 0);
 * ```
 */
export function overlapOf(tokens: number, known: number): Overlap {
  return { tokens, known, fraction: tokens === 0 ? 0 : known / tokens };
}

/** Options for {@link checkOverlap}. */
export interface CheckOverlapOptions {
  /** The side, e.g. `left`, named in the error. @default unset */
  field?: string;
  /** The least fraction of known tokens accepted. @default {@link DEFAULT_MIN_OVERLAP} */
  min?: number;
}

/**
 * Throws a {@link DataError} naming the file when too few tokens are known.
 *
 * @param overlap counts from {@link tokenOverlap} or {@link overlapOf}
 * @param file the file the texts came from
 * @param options see {@link CheckOverlapOptions}
 * @throws {DataError} `val.tsv: field "left": expected at least 1% of tokens known to the vocabulary but found 0% (0 of 12)`
 *
 * @example
 * ```ts
 * import { throws } from "@std/assert";
 * import { checkOverlap, overlapOf } from "./overlap.ts";
 * checkOverlap(overlapOf(10, 5), "val.tsv");
 * throws(() => checkOverlap(overlapOf(12, 0), "val.tsv", { field: "left" }), {
 *   message: 'val.tsv: field "left": expected at least 1% of tokens known to the vocabulary but found 0% (0 of 12)',
 * });
 * ```
 */
export function checkOverlap(
  overlap: Overlap,
  file: string,
  options: CheckOverlapOptions = {},
): void {
  const min = options.min ?? DEFAULT_MIN_OVERLAP;
  if (overlap.fraction >= min && overlap.tokens > 0) return;
  const init = {
    file,
    expected: `at least ${percent(min)} of tokens known to the vocabulary`,
    value: overlap.fraction,
    found: `${
      percent(overlap.fraction)
    } (${overlap.known} of ${overlap.tokens})`,
  };
  throw new DataError(
    options.field === undefined ? init : { ...init, field: options.field },
  );
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
