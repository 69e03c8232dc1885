/**
 * Reading dictionaries in the dictd format (as installed by Debian's `dict-*`
 * packages under `/usr/share/dictd/`) into (term, definition) pairs.
 *
 * - `<name>.index`: one line per headword, `headword<TAB>offset<TAB>length`,
 *   offset and length in bytes of the uncompressed `.dict`, written in
 *   dictd's base64 (digits `A-Z a-z 0-9 + /` = 0..63, most significant first).
 *   Several headwords may point at the same entry (aliases).
 * - `<name>.dict.dz`: the entries, compressed with dictzip, which is gzip with
 *   an extra header field, so any gzip reader decompresses it.
 *
 * An entry starts with its headword(s) on unindented lines, then the indented
 * body. {@link cleanDefinition} drops that header block and tidies the body.
 *
 * @module
 */

const DIGITS =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** One line of a `.index` file. */
export interface IndexEntry {
  /** The headword as written in the index (dictd lowercases most). */
  headword: string;
  /** Byte offset of the entry in the uncompressed `.dict`. */
  offset: number;
  /** Byte length of the entry. */
  length: number;
}

/** A dictionary entry as a pair. */
export interface DictPair {
  /** The headword, in the case the entry itself spells it when found there. */
  term: string;
  /** The cleaned definition (see {@link cleanDefinition}). */
  definition: string;
}

/**
 * Decodes one dictd base64 number.
 *
 * @param text digits from `A-Z a-z 0-9 + /`, most significant first
 * @returns the number
 * @throws {RangeError} on an empty string or a character outside the alphabet
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { decodeBase64Number } from "./dictd.ts";
 * assert.equal(decodeBase64Number("A"), 0);
 * assert.equal(decodeBase64Number("BA"), 64);
 * assert.equal(decodeBase64Number("K5"), 10 * 64 + 57);
 * ```
 */
export function decodeBase64Number(text: string): number {
  if (text.length === 0) {
    throw new RangeError(
      "Expected a dictd base64 number but found an empty string",
    );
  }
  let n = 0;
  for (const ch of text) {
    const digit = DIGITS.indexOf(ch);
    if (digit < 0) {
      throw new RangeError(
        `Expected dictd base64 digits (A-Z a-z 0-9 + /) but found "${text}"`,
      );
    }
    n = n * 64 + digit;
  }
  return n;
}

/**
 * Parses the text of a `.index` file.
 *
 * @param text the whole file
 * @returns its lines in order
 * @throws {RangeError} naming the line that is not `headword<TAB>offset<TAB>length`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { parseIndex } from "./dictd.ts";
 * assert.deepEqual(parseIndex("lisp\tBA\tK\n"), [
 *   { headword: "lisp", offset: 64, length: 10 },
 * ]);
 * ```
 */
export function parseIndex(text: string): IndexEntry[] {
  const entries: IndexEntry[] = [];
  const lines = text.split("\n");
  lines.forEach((line, k) => {
    if (line === "") return;
    const fields = line.split("\t");
    if (fields.length !== 3) {
      throw new RangeError(
        `Expected index line ${
          k + 1
        } to be headword<TAB>offset<TAB>length but found "${line}"`,
      );
    }
    const [headword, offset, length] = fields as [string, string, string];
    entries.push({
      headword,
      offset: decodeBase64Number(offset),
      length: decodeBase64Number(length),
    });
  });
  return entries;
}

/**
 * Decompresses gzip (and so dictzip) bytes.
 *
 * @param bytes the compressed file
 * @returns the uncompressed bytes
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { gunzip } from "./dictd.ts";
 * const zipped = new Uint8Array(await new Response(
 *   new Blob(["hello"]).stream().pipeThrough(new CompressionStream("gzip")),
 * ).arrayBuffer());
 * assert.equal(new TextDecoder().decode(await gunzip(zipped)), "hello");
 * ```
 */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Cleans an entry's text: drops the header block (the unindented headword
 * lines at the top, the headword and any aliases), removes the braces of
 * `{cross references}` but keeps their text, and collapses all whitespace
 * to single spaces.
 *
 * @param entry the raw text of one entry
 * @returns the definition; empty when the entry has no body
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { cleanDefinition } from "./dictd.ts";
 * const raw = "Lisp\n\n   <language> A {functional}\n   language.\n\n   (1995-04-16)\n";
 * assert.equal(cleanDefinition(raw), "<language> A functional language. (1995-04-16)");
 * ```
 */
export function cleanDefinition(entry: string): string {
  const lines = entry.split("\n");
  let first = 0;
  while (first < lines.length && /^\S/.test(lines[first]!)) first++;
  return lines.slice(first).join(" ")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The headword as the entry spells it: the first header line equal to the
 * index headword ignoring case, else the index headword.
 */
function _termOf(headword: string, entry: string): string {
  const lower = headword.toLowerCase();
  for (const line of entry.split("\n")) {
    if (!/^\S/.test(line)) break;
    if (line.trim().toLowerCase() === lower) return line.trim();
  }
  return headword;
}

/** What {@link dictPairs} kept and skipped. */
export interface DictPairsResult {
  /** The kept pairs, in index order. */
  pairs: DictPair[];
  /** Index lines read. */
  indexLines: number;
  /** Skipped `00-database-*` meta entries (`00database*` in the index). */
  meta: number;
  /** Skipped: a term already kept (same term, ignoring case). */
  duplicateTerms: number;
  /** Skipped: a definition already kept under another term (an alias). */
  duplicateDefinitions: number;
  /** Skipped: entries with no body text. */
  empty: number;
}

/**
 * Turns an index and the uncompressed dictionary into (term, definition)
 * pairs. Skips the meta entries, entries without a body, repeated terms and
 * repeated definitions (aliases of an entry already taken, which would
 * otherwise put one definition under two terms, possibly one in training and
 * one in testing); the first in index order is kept.
 *
 * @param index the parsed `.index`
 * @param dict the uncompressed `.dict` bytes
 * @returns the pairs and the counts of what was skipped
 * @throws {RangeError} when an entry lies outside `dict`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { dictPairs } from "./dictd.ts";
 * const dict = new TextEncoder().encode("Ab\n   the a\n   b entry\n");
 * const { pairs } = dictPairs([{ headword: "ab", offset: 0, length: 23 }], dict);
 * assert.deepEqual(pairs, [{ term: "Ab", definition: "the a b entry" }]);
 * ```
 */
export function dictPairs(
  index: readonly IndexEntry[],
  dict: Uint8Array,
): DictPairsResult {
  const decoder = new TextDecoder("utf-8");
  const terms = new Set<string>();
  const definitions = new Set<string>();
  const result: DictPairsResult = {
    pairs: [],
    indexLines: index.length,
    meta: 0,
    duplicateTerms: 0,
    duplicateDefinitions: 0,
    empty: 0,
  };
  for (const { headword, offset, length } of index) {
    if (
      headword.startsWith("00database") || headword.startsWith("00-database")
    ) {
      result.meta++;
      continue;
    }
    if (offset + length > dict.length) {
      throw new RangeError(
        `Expected the entry of "${headword}" (bytes ${offset}..${
          offset + length
        }) to lie within the dictionary of ${dict.length} bytes but found it past the end`,
      );
    }
    const key = headword.toLowerCase();
    if (terms.has(key)) {
      result.duplicateTerms++;
      continue;
    }
    const entry = decoder.decode(dict.subarray(offset, offset + length));
    const definition = cleanDefinition(entry);
    if (definition === "") {
      result.empty++;
      continue;
    }
    if (definitions.has(definition)) {
      result.duplicateDefinitions++;
      continue;
    }
    terms.add(key);
    definitions.add(definition);
    result.pairs.push({ term: _termOf(headword, entry), definition });
  }
  return result;
}

/**
 * Reads `<dir>/<name>.index` and `<dir>/<name>.dict.dz` into pairs.
 *
 * @param name the dictionary, e.g. `foldoc` or `vera`
 * @param options `dir`, @default "/usr/share/dictd"
 * @returns see {@link dictPairs}
 *
 * @example
 * ```ts ignore
 * import { readDictd } from "./dictd.ts";
 * const { pairs } = await readDictd("foldoc");
 * ```
 */
export async function readDictd(
  name: string,
  options: { dir?: string } = {},
): Promise<DictPairsResult> {
  const dir = options.dir ?? "/usr/share/dictd";
  const index = parseIndex(await Deno.readTextFile(`${dir}/${name}.index`));
  const dict = await gunzip(await Deno.readFile(`${dir}/${name}.dict.dz`));
  return dictPairs(index, dict);
}
