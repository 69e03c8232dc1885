/**
 * Early, clear permission checks for the paths a command will write. Deno's
 * own error comes late (after minutes of training, when the model is saved)
 * and names only the path; this one comes before any work and names the flag.
 *
 * @module
 */

/**
 * Throws unless the process may read and write `path` (a directory or file
 * that may not exist yet). Asks the user only where Deno would prompt anyway
 * (a terminal without the permission flags); otherwise it only queries.
 *
 * @param path the path a flag names, e.g. the run directory of `--out`
 * @param flag the flag that named it, e.g. `--out`
 * @throws Error naming the flag, the path and how to allow it
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { ensureWritable } from "./permissions.ts";
 * // The doc tests run with --allow-read --allow-write.
 * await ensureWritable("runs/example", "--out");
 * assert.ok(true);
 * ```
 */
export async function ensureWritable(
  path: string,
  flag: string,
): Promise<void> {
  for (const name of ["write", "read"] as const) {
    const descriptor = { name, path } as const;
    let { state } = await Deno.permissions.query(descriptor);
    if (state === "prompt") {
      state = (await Deno.permissions.request(descriptor)).state;
    }
    if (state !== "granted") {
      throw new Error(
        `${flag} ${path}: this process may not ${name} there. ` +
          `Allow it (deno run --allow-read=${path} --allow-write=${path} ...) ` +
          `or choose a path under a directory it may write (the deno tasks allow runs/).`,
      );
    }
  }
}
