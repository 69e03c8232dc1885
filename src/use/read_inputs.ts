/**
 * Reading texts to embed or search: one text per line (`.txt`), JSON lines
 * with `text` or `ids` and an optional `id` (`.jsonl`), or text lines from
 * stdin (`-`).
 *
 * @module
 */
import { DataError } from "../data/data_error.ts";
import { checkInput } from "../io/input_file.ts";
import { type Line, readLines } from "../data/read_lines.ts";
import type { CorpusEntry } from "./corpus_index.ts";

/** The formats {@link readInputs} reads. */
export type InputFormat = "txt" | "jsonl";

/**
 * The format a file name implies: `.txt`, `.jsonl` or `-` (stdin, text
 * lines); undefined for others (e.g. a `.tsv` pair file).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { inputFormatOf } from "./read_inputs.ts";
 * assert.deepStrictEqual(["a.TXT", "-", "b.jsonl", "c.tsv"].map(inputFormatOf), ["txt", "txt", "jsonl", undefined]);
 * ```
 */
export function inputFormatOf(path: string): InputFormat | undefined {
  if (path === "-") return "txt";
  const lower = path.toLowerCase();
  if (lower.endsWith(".txt")) return "txt";
  if (lower.endsWith(".jsonl")) return "jsonl";
  return undefined;
}

/**
 * Whether a `.jsonl` file holds pairs (`left`/`right`) rather than texts:
 * decided by its first record.
 *
 * @param path the file
 * @returns true for a pair file
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { isPairJsonl } from "./read_inputs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"left": "a", "right": "b"}\n');
 * assert.ok(await isPairJsonl(path));
 * await Deno.writeTextFile(path, '{"text": "a"}\n');
 * assert.ok(!await isPairJsonl(path));
 * ```
 */
export async function isPairJsonl(path: string): Promise<boolean> {
  for await (const { text } of readLines(path)) {
    if (text.trim() === "") continue;
    try {
      const record = JSON.parse(text);
      return typeof record === "object" && record !== null &&
        "left" in record;
    } catch {
      return false; // readInputs reports the line
    }
  }
  return false;
}

/**
 * Reads every entry of a text or JSONL input; `-` reads text lines from
 * stdin. Entry i is line i + 1 of the file (no header); blank lines are
 * allowed only at the end.
 *
 * @param path the file, or `-`
 * @param options `format` (default from the name), `vocab` (ids must be
 *   below it), `flag` (the flag that named `path`, e.g. `--corpus`: a missing
 *   file, a directory or a name of another format is then reported with it)
 * @returns the entries, in order
 * @throws {DataError} naming file, line and field, e.g.
 *   `texts.jsonl:2: field "text": expected a string but found 5`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { readInputs } from "./read_inputs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"text": "a b", "id": "x"}\n{"ids": [3, 4]}\n');
 * assert.deepStrictEqual(await readInputs(path), [{ text: "a b", id: "x" }, { text: [3, 4] }]);
 * ```
 */
export async function readInputs(
  path: string,
  options: { format?: InputFormat; vocab?: number; flag?: string } = {},
): Promise<CorpusEntry[]> {
  const name = path === "-" ? "stdin" : path;
  const format = options.format ?? inputFormatOf(path);
  const what = "a .txt file (one text per line) or a .jsonl file";
  if (options.flag !== undefined && path !== "-") {
    if (format === undefined) {
      throw new Error(
        `${options.flag} ${path}: expected ${what}, or - for stdin.`,
      );
    }
    await checkInput(path, options.flag, { kind: "file", what });
  }
  if (format === undefined) {
    throw new DataError({
      file: name,
      expected: "a file name ending in .txt or .jsonl, or - for stdin",
      value: path,
    });
  }
  const entries: CorpusEntry[] = [];
  let blank: number | undefined;
  const lines = path === "-" ? stdinLines() : readLines(path, { name });
  for await (const { line, text } of lines) {
    if (text.trim() === "") {
      blank ??= line;
      continue;
    }
    if (blank !== undefined) {
      throw new DataError({
        file: name,
        line: blank,
        expected: "a text (blank lines are allowed only at the end)",
        value: "",
      });
    }
    entries.push(
      format === "txt" ? { text } : parseRecord(text, name, line, options),
    );
  }
  if (entries.length === 0) {
    throw new DataError({
      file: name,
      expected: "at least one text",
      found: "none",
    });
  }
  return entries;
}

function parseRecord(
  text: string,
  file: string,
  line: number,
  options: { vocab?: number },
): CorpusEntry {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (e) {
    throw new DataError({
      file,
      line,
      expected: `a JSON object (${(e as Error).message})`,
      value: text,
    });
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new DataError({
      file,
      line,
      expected: "a JSON object",
      value: record,
    });
  }
  const r = record as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!["text", "ids", "id"].includes(key)) {
      throw new DataError({
        file,
        line,
        field: key,
        expected: 'only the keys "text" or "ids", and "id"',
        value: r[key],
      });
    }
  }
  const id = r.id;
  if (id !== undefined && typeof id !== "string" && typeof id !== "number") {
    throw new DataError({
      file,
      line,
      field: "id",
      expected: "a string or number",
      value: id,
    });
  }
  const withId = id === undefined ? {} : { id };
  if ("text" in r === "ids" in r) {
    throw new DataError({
      file,
      line,
      field: "text",
      expected: 'exactly one of "text" (a string) and "ids" (token ids)',
      found: "text" in r ? "both" : "neither",
    });
  }
  if ("text" in r) {
    if (typeof r.text !== "string") {
      throw new DataError({
        file,
        line,
        field: "text",
        expected: "a string",
        value: r.text,
      });
    }
    return { text: r.text, ...withId };
  }
  if (!Array.isArray(r.ids)) {
    throw new DataError({
      file,
      line,
      field: "ids",
      expected: "an array of integer token ids",
      value: r.ids,
    });
  }
  const vocab = options.vocab ?? Infinity;
  r.ids.forEach((x, j) => {
    if (!Number.isInteger(x) || x < 0 || x >= vocab) {
      throw new DataError({
        file,
        line,
        field: `ids[${j}]`,
        expected: `an integer token id in [0, ${vocab})`,
        value: x,
      });
    }
  });
  return { text: r.ids as number[], ...withId };
}

async function* stdinLines(): AsyncGenerator<Line> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let rest = "";
  let line = 0;
  for await (const chunk of Deno.stdin.readable) {
    rest += decoder.decode(chunk, { stream: true });
    let end = rest.indexOf("\n");
    while (end >= 0) {
      yield { line: ++line, text: rest.slice(0, end).replace(/\r$/, "") };
      rest = rest.slice(end + 1);
      end = rest.indexOf("\n");
    }
  }
  rest += decoder.decode();
  if (rest !== "") yield { line: ++line, text: rest.replace(/\r$/, "") };
}
