/**
 * Checks on the paths a command's flags name, before any work: the message
 * names the flag, the path and what was expected, instead of Deno's
 * `No such file or directory (os error 2): open 'x'`.
 *
 * @module
 */

/** What a flag's path must be. */
export interface InputExpectation {
  /** A file or a directory. */
  kind: "file" | "directory";
  /** What it should hold, for messages, e.g. `a .tsv or .jsonl pair file`. */
  what: string;
}

/**
 * Throws unless `path` exists, is of the expected kind and can be read.
 *
 * @param path the path a flag named
 * @param flag the flag, e.g. `--data`
 * @param expect what it must be
 * @throws Error such as `--data x.tsv: no such file; expected a .tsv or .jsonl pair file.`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { checkInput } from "./input_file.ts";
 * const dir = await Deno.makeTempDir();
 * await assert.rejects(
 *   () => checkInput(`${dir}/x.tsv`, "--data", { kind: "file", what: "a pair file" }),
 *   { message: `--data ${dir}/x.tsv: no such file; expected a pair file.` },
 * );
 * await assert.rejects(
 *   () => checkInput(dir, "--data", { kind: "file", what: "a pair file" }),
 *   { message: `--data ${dir}: is a directory; expected a pair file.` },
 * );
 * ```
 */
export async function checkInput(
  path: string,
  flag: string,
  expect: InputExpectation,
): Promise<void> {
  const fail = (found: string) =>
    new Error(`${flag} ${path}: ${found}; expected ${expect.what}.`);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw fail(`no such ${expect.kind}`);
    }
    throw fail(`cannot be read (${(e as Error).message})`);
  }
  if (expect.kind === "file" && info.isDirectory) {
    throw fail("is a directory");
  }
  if (expect.kind === "directory" && !info.isDirectory) {
    throw fail("is a file, not a directory");
  }
  try {
    if (info.isDirectory) {
      for await (const _ of Deno.readDir(path)) break;
    } else {
      (await Deno.open(path, { read: true })).close();
    }
  } catch (e) {
    throw fail(`cannot be read (${(e as Error).message})`);
  }
}
