/**
 * Streams the lines of a UTF-8 text file in bounded memory, with line
 * numbers, rejecting invalid UTF-8 with the line it is on.
 *
 * @module
 */
import { DataError } from "./data_error.ts";

/** Bytes read from the file at a time. */
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** One line of a text file. */
export interface Line {
  /** 1-based line number. */
  line: number;
  /** The text, without its `\n` or `\r\n`. */
  text: string;
}

/** Options for {@link readLines}. */
export interface ReadLinesOptions {
  /** The file name used in errors. @default the path */
  name?: string;
}

/**
 * Yields each line of a UTF-8 file with its 1-based number. Memory is one
 * 64 KiB buffer plus the current line. Lines end at `\n`; a `\r` before it is
 * dropped; a byte order mark at the start of a line is dropped. A final newline does not
 * start another line. Each line is decoded on its own with a fatal decoder,
 * so invalid UTF-8 is reported with its line number (a newline byte never
 * occurs inside a UTF-8 sequence, so splitting bytes first is safe).
 *
 * @param path the file to read
 * @param options see {@link ReadLinesOptions}
 * @returns an async iterator of lines; breaking out of it closes the file
 * @throws {DataError} `data.tsv:4: expected valid UTF-8 text but found "caf\uFFFD"`
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { readLines } from "./read_lines.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "one\r\ntwo\n");
 * const lines = [];
 * for await (const l of readLines(path)) lines.push(`${l.line}:${l.text}`);
 * ok(lines.join() === "1:one,2:two");
 * ```
 */
export async function* readLines(
  path: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<Line> {
  const name = options.name ?? path;
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(CHUNK_BYTES);
  let carry: Uint8Array[] = []; // start of the current line, copied
  let line = 0;
  while (true) {
    const n = await file.read(buffer);
    if (n === null) break;
    const chunk = buffer.subarray(0, n);
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end >= 0) {
      line++;
      yield {
        line,
        text: decodeLine(join(carry, chunk.subarray(start, end)), name, line),
      };
      carry = [];
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < n) carry.push(chunk.slice(start));
  }
  if (carry.length > 0) {
    line++;
    yield { line, text: decodeLine(join(carry, new Uint8Array()), name, line) };
  }
}

function join(parts: Uint8Array[], last: Uint8Array): Uint8Array {
  if (parts.length === 0) return last;
  let size = last.length;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(last, at);
  return out;
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

function decodeLine(bytes: Uint8Array, file: string, line: number): string {
  const body = bytes.at(-1) === CARRIAGE_RETURN ? bytes.subarray(0, -1) : bytes;
  try {
    return strict.decode(body);
  } catch {
    throw new DataError({
      file,
      line,
      expected: "valid UTF-8 text",
      value: lenient.decode(body),
    });
  }
}
