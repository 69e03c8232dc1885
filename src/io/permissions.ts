/**
 * Early, clear permission checks for the paths a command will write. Deno's
 * own error comes late (after minutes of training, when the model is saved)
 * and names only the path; this one comes before any work and names the flag.
 *
 * @module
 */

/** Options for {@link ensureWritable}. */
export interface EnsureWritableOptions {
  /**
   * `path` is a file: check its directory, where it is written under a
   * temporary name and renamed (Deno's rename needs read and write on both
   * names). @default false
   */
  file?: boolean;
}

/**
 * Throws unless the process may read and write `path` (a directory that may
 * not exist yet, or with `file` the directory of a file). Asks the user only
 * where Deno would prompt anyway (a terminal without the permission flags);
 * otherwise it only queries.
 *
 * @param path the path a flag names, e.g. the run directory of `--out`
 * @param flag the flag that named it, e.g. `--out`
 * @param options see {@link EnsureWritableOptions}
 * @throws Error naming the flag, the path and how to allow it
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { ensureWritable } from "./permissions.ts";
 * // The doc tests run with --allow-read --allow-write.
 * const checked = ensureWritable("runs/x.jsonl", "--out", { file: true });
 * assert.ok(await checked === undefined); // resolves: runs/ may be written
 * ```
 */
export async function ensureWritable(
  path: string,
  flag: string,
  options: EnsureWritableOptions = {},
): Promise<void> {
  const dir = options.file ? dirname(path) : path;
  for (const name of ["write", "read"] as const) {
    const descriptor = { name, path: dir } as const;
    let { state } = await Deno.permissions.query(descriptor);
    if (state === "prompt") {
      state = (await Deno.permissions.request(descriptor)).state;
    }
    if (state !== "granted") {
      throw new Error(
        `${flag} ${path}: this process may not ${name} ${
          options.file ? `in the directory "${dir}"` : "there"
        }. ` +
          `Allow it (deno run --allow-read=${dir} --allow-write=${dir} ...) ` +
          `or choose a path under a directory it may write (the deno tasks allow runs/).`,
      );
    }
  }
}

/** The directory part of `path`: `"."` for a bare name. */
function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : trimmed.slice(0, slash);
}
