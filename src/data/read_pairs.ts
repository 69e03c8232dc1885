/**
 * Streams raw pair records from a `.tsv` or `.jsonl` file, validating every
 * line, in memory bounded by the longest line.
 *
 * TSV: `left<TAB>right` or `left<TAB>right<TAB>label`, with an optional first
 * line `left\tright` or `left\tright\tlabel`. No quoting: a field cannot hold
 * a tab. TSV sides are always text.
 *
 * JSONL: one object per line, `{"left": L, "right": R, "label"?: 0|1}`, where
 * a side is text or a non-empty array of integer token ids (pre-tokenized).
 *
 * Rules for both: the first record fixes the shape (label or not; text or ids
 * per side) and every later line must match it; sides may not be empty;
 * labels are exactly 0 or 1; blank lines (nothing but spaces: a tab makes a
 * record with empty fields) are allowed only at the end; a file
 * with no pairs is an error. Every problem is a {@link DataError}.
 *
 * @module
 */
import { DataError } from "./data_error.ts";
import { readLines } from "./read_lines.ts";
import { checkInteger } from "./_checks.ts";

/** The two supported file formats. */
export type PairFormat = "tsv" | "jsonl";

/** One side of a pair: text, or token ids when pre-tokenized. */
export type Side = string | number[];

/** One record as read, before tokenization. */
export interface RawPair {
  /** 1-based line number in the file. */
  line: number;
  /** Left text or token ids. */
  left: Side;
  /** Right text or token ids. */
  right: Side;
  /** 1 = similar, 0 = dissimilar; absent in unlabelled files. */
  label?: 0 | 1;
}

/** Options for {@link readPairs}. */
export interface ReadPairsOptions {
  /** The format. @default chosen by {@link pairFormatOf} from the extension */
  format?: PairFormat;
  /**
   * Vocabulary size: when set, token ids must also be below it.
   * @default unset: ids need only be non-negative integers
   */
  vocab?: number;
  /** The file name used in errors. @default the path */
  name?: string;
}

/**
 * The format a file name implies: `.tsv` or `.jsonl` (any case).
 *
 * @param path a file name
 * @returns its format
 * @throws {DataError} `data.csv: expected a file name ending in .tsv or .jsonl (or an explicit format) but found ".csv"`
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { pairFormatOf } from "./read_pairs.ts";
 * ok(pairFormatOf("runs/train.TSV") === "tsv");
 * ok(pairFormatOf("val.jsonl") === "jsonl");
 * ```
 */
export function pairFormatOf(path: string): PairFormat {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 ? base.slice(dot).toLowerCase() : "";
  if (ext === ".tsv") return "tsv";
  if (ext === ".jsonl") return "jsonl";
  throw new DataError({
    file: path,
    expected: "a file name ending in .tsv or .jsonl (or an explicit format)",
    value: ext,
  });
}

/**
 * Yields the validated records of a pair file, one line at a time.
 *
 * @param path the `.tsv` or `.jsonl` file
 * @param options see {@link ReadPairsOptions}
 * @returns an async iterator of {@link RawPair}
 * @throws {DataError} on the first bad line, e.g.
 *   `data.tsv:17: field "label": expected 0 or 1 but found "yes"`
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { readPairs } from "./read_pairs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".tsv" });
 * await Deno.writeTextFile(path, "left\tright\tlabel\nhi\thello\t1\n");
 * const pairs = [];
 * for await (const p of readPairs(path)) pairs.push(p);
 * ok(pairs.length === 1 && pairs[0]?.line === 2 && pairs[0]?.label === 1);
 * ```
 */
export async function* readPairs(
  path: string,
  options: ReadPairsOptions = {},
): AsyncGenerator<RawPair> {
  if (options.vocab !== undefined) checkInteger("vocab", options.vocab, 1);
  const file = options.name ?? path;
  const format = options.format ?? pairFormatOf(file);
  const parse = format === "tsv" ? parseTsv : parseJsonl;
  const state: ParseState = { file, vocab: options.vocab, shape: undefined };
  let blank: number | undefined; // first line of a run of blank lines
  let count = 0;
  for await (const { line, text } of readLines(path, { name: file })) {
    // a line of only tabs is not blank: it is a record with empty fields
    if (text.trim() === "" && !text.includes("\t")) {
      blank ??= line;
      continue;
    }
    if (blank !== undefined) {
      throw new DataError({
        file,
        line: blank,
        expected: "a pair (blank lines are allowed only at the end)",
        value: "",
      });
    }
    const pair = parse(text, line, state);
    if (pair === undefined) continue; // a header
    count++;
    yield pair;
  }
  if (count === 0) throw new DataError({ file, expected: "at least one pair" });
}

/** What the first record fixed, which every later record must match. */
interface Shape {
  line: number;
  labelled: boolean;
  leftIds: boolean;
  rightIds: boolean;
}

interface ParseState {
  file: string;
  vocab: number | undefined;
  shape: Shape | undefined;
}

const TSV_HEADERS = ["left\tright", "left\tright\tlabel"];

function parseTsv(
  text: string,
  line: number,
  state: ParseState,
): RawPair | undefined {
  const { file } = state;
  const columns = text.split("\t");
  if (state.shape === undefined) {
    if (columns.length !== 2 && columns.length !== 3) {
      throw new DataError({
        file,
        line,
        expected: "2 or 3 tab-separated columns (left, right, optional label)",
        value: text,
        found: String(columns.length),
      });
    }
    state.shape = {
      line,
      labelled: columns.length === 3,
      leftIds: false,
      rightIds: false,
    };
    if (line === 1 && TSV_HEADERS.includes(text)) return undefined;
  }
  const shape = state.shape;
  const expectedColumns = shape.labelled ? 3 : 2;
  if (columns.length !== expectedColumns) {
    throw new DataError({
      file,
      line,
      expected:
        `${expectedColumns} tab-separated columns as on line ${shape.line}`,
      value: text,
      found: String(columns.length),
    });
  }
  const [left = "", right = "", label] = columns;
  const pair: RawPair = {
    line,
    left: checkText(left, "left", line, file),
    right: checkText(right, "right", line, file),
  };
  if (label !== undefined) {
    pair.label = checkLabel(
      label === "0" ? 0 : label === "1" ? 1 : label,
      line,
      file,
    );
  }
  return pair;
}

function checkText(
  text: string,
  field: string,
  line: number,
  file: string,
): string {
  if (text.trim() === "") {
    throw new DataError({
      file,
      line,
      field,
      expected: "non-empty text",
      value: text,
    });
  }
  return text;
}

function checkLabel(value: unknown, line: number, file: string): 0 | 1 {
  if (value === 0 || value === 1) return value;
  throw new DataError({
    file,
    line,
    field: "label",
    expected: "0 or 1",
    value,
  });
}

const JSONL_KEYS = new Set(["left", "right", "label"]);

function parseJsonl(text: string, line: number, state: ParseState): RawPair {
  const { file } = state;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DataError({ file, line, expected: "valid JSON", value: text });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DataError({ file, line, expected: "a JSON object", value });
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!JSONL_KEYS.has(key)) {
      throw new DataError({
        file,
        line,
        expected: 'only the fields "left", "right" and "label"',
        value: key,
      });
    }
  }
  const left = checkSide(record.left, "left", line, state);
  const right = checkSide(record.right, "right", line, state);
  const labelled = "label" in record;
  state.shape ??= {
    line,
    labelled,
    leftIds: Array.isArray(left),
    rightIds: Array.isArray(right),
  };
  const shape = state.shape;
  checkSameKind(left, shape.leftIds, "left", line, state);
  checkSameKind(right, shape.rightIds, "right", line, state);
  if (labelled !== shape.labelled) {
    throw new DataError({
      file,
      line,
      field: "label",
      expected: shape.labelled
        ? `0 or 1 (line ${shape.line} has a label)`
        : `no label (line ${shape.line} has none)`,
      value: record.label,
    });
  }
  const pair: RawPair = { line, left, right };
  if (labelled) pair.label = checkLabel(record.label, line, file);
  return pair;
}

function checkSide(
  value: unknown,
  field: string,
  line: number,
  state: ParseState,
): Side {
  const { file, vocab } = state;
  if (typeof value === "string") return checkText(value, field, line, file);
  if (!Array.isArray(value) || value.length === 0) {
    throw new DataError({
      file,
      line,
      field,
      expected: "non-empty text or a non-empty array of token ids",
      value,
    });
  }
  const expected = vocab === undefined
    ? "an integer token id of at least 0"
    : `an integer token id in [0, ${vocab})`;
  value.forEach((id: unknown, i) => {
    if (
      typeof id !== "number" || !Number.isInteger(id) || id < 0 ||
      (vocab !== undefined && id >= vocab)
    ) {
      throw new DataError({
        file,
        line,
        field: `${field}[${i}]`,
        expected,
        value: id,
      });
    }
  });
  return value as number[];
}

function checkSameKind(
  side: Side,
  ids: boolean,
  field: string,
  line: number,
  state: ParseState,
): void {
  if (Array.isArray(side) === ids) return;
  const first = state.shape?.line ?? line;
  throw new DataError({
    file: state.file,
    line,
    field,
    expected: `${ids ? "token ids" : "text"} as on line ${first}`,
    value: side,
  });
}
