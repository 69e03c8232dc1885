/**
 * The one error type for bad input data: it names the file, the line, the
 * field, what was expected and what was found, so a user can fix the file.
 *
 * @module
 */

/** Longest value shown in a message, in characters, before `…`. */
const MAX_SHOWN = 40;

/** What a {@link DataError} reports. */
export interface DataErrorInit {
  /** The file as the user named it, e.g. `data.tsv`. */
  file: string;
  /** 1-based line number; absent when the problem is the whole file. */
  line?: number;
  /** The field, e.g. `label` or `left[3]`; absent when the whole line is at fault. */
  field?: string;
  /** What was expected, e.g. `0 or 1`. */
  expected: string;
  /** What was found; `undefined` is shown as `nothing`. */
  value?: unknown;
  /** Overrides how {@link DataErrorInit.value} is shown, e.g. `3 columns`. */
  found?: string;
}

/**
 * A problem in an input data file, with a message of the form
 * `data.tsv:17: field "label": expected 0 or 1 but found "yes"`.
 * Parts without a line or field are left out:
 * `data.tsv: expected at least one pair but found nothing`.
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { DataError } from "./data_error.ts";
 * const e = new DataError({
 *   file: "data.tsv", line: 17, field: "label", expected: "0 or 1", value: "yes",
 * });
 * ok(e.message === 'data.tsv:17: field "label": expected 0 or 1 but found "yes"');
 * ok(e.line === 17 && e.value === "yes");
 * ```
 */
export class DataError extends Error {
  override name = "DataError";
  /** The file as the user named it. */
  readonly file: string;
  /** 1-based line number, or `undefined` for the whole file. */
  readonly line: number | undefined;
  /** The field at fault, or `undefined` for the whole line or file. */
  readonly field: string | undefined;
  /** The offending value as read (not truncated). */
  readonly value: unknown;
  /** What was expected. */
  readonly expected: string;

  /** @param init see {@link DataErrorInit} */
  constructor(init: DataErrorInit) {
    const where = init.line === undefined
      ? init.file
      : `${init.file}:${init.line}`;
    const field = init.field === undefined ? "" : ` field "${init.field}":`;
    const found = init.found ?? showValue(init.value);
    super(`${where}:${field} expected ${init.expected} but found ${found}`);
    this.file = init.file;
    this.line = init.line;
    this.field = init.field;
    this.value = init.value;
    this.expected = init.expected;
  }
}

/**
 * How a value appears in a {@link DataError} message: strings JSON-quoted
 * (so tabs and control characters are visible), other values as JSON,
 * `undefined` as `nothing`; cut to about 40 characters with `…`.
 *
 * @param value any value read from a file
 * @returns its short printable form
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { showValue } from "./data_error.ts";
 * ok(showValue("a\tb") === '"a\\tb"');
 * ok(showValue([1, 2]) === "[1,2]");
 * ok(showValue(undefined) === "nothing");
 * ok(showValue("x".repeat(50)) === `"${"x".repeat(40)}…"`);
 * ```
 */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") {
    const cut = [...value];
    const short = cut.length > MAX_SHOWN
      ? cut.slice(0, MAX_SHOWN).join("")
      : value;
    const quoted = JSON.stringify(short);
    return cut.length > MAX_SHOWN ? `${quoted.slice(0, -1)}…"` : quoted;
  }
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}…` : json;
}
