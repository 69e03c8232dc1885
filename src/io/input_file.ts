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

/** A file's size and a hash of its bytes, to tell whether it changed. */
export interface FileFingerprint {
  /** Size in bytes. */
  bytes: number;
  /** 32-bit FNV-1a of the content, 8 hex digits. */
  fnv1a: string;
}

/**
 * The fingerprint of a file, read in 64 KiB chunks (memory stays bounded for
 * any size; about 0.3 s per 100 MB).
 *
 * @param path the file
 * @returns its size and content hash
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { fileFingerprint } from "./input_file.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "a");
 * assert.deepStrictEqual(await fileFingerprint(path), { bytes: 1, fnv1a: "e40c292c" });
 * ```
 */
export async function fileFingerprint(path: string): Promise<FileFingerprint> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(64 * 1024);
  let hash = 0x811c9dc5;
  let bytes = 0;
  while (true) {
    const n = await file.read(buffer);
    if (n === null) break;
    for (let i = 0; i < n; i++) {
      hash = Math.imul(hash ^ buffer[i]!, 0x01000193);
    }
    bytes += n;
  }
  return { bytes, fnv1a: (hash >>> 0).toString(16).padStart(8, "0") };
}

/**
 * Throws unless `path` can be written as a new or replaced file: its
 * directory exists, and it is not a directory itself.
 *
 * @param path the file a flag names
 * @param flag the flag, e.g. `--out`
 * @param what what will be written, for messages
 * @throws Error such as `--out runs: is a directory; expected a file path for the vectors.`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { checkOutputFile } from "./input_file.ts";
 * const dir = await Deno.makeTempDir();
 * await checkOutputFile(`${dir}/a.jsonl`, "--out", "the vectors");
 * await assert.rejects(() => checkOutputFile(dir, "--out", "the vectors"), {
 *   message: `--out ${dir}: is a directory; expected a file path for the vectors.`,
 * });
 * ```
 */
export async function checkOutputFile(
  path: string,
  flag: string,
  what: string,
): Promise<void> {
  const fail = (found: string) =>
    new Error(`${flag} ${path}: ${found}; expected a file path for ${what}.`);
  const info = await Deno.stat(path).catch(() => undefined);
  if (info?.isDirectory) throw fail("is a directory");
  const slash = path.replace(/\/+$/, "").lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  const parent = await Deno.stat(dir).catch(() => undefined);
  if (parent === undefined) throw fail(`its directory ${dir} does not exist`);
  if (!parent.isDirectory) throw fail(`${dir} is not a directory`);
}
