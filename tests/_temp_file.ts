/**
 * Test helpers for temporary files. Everything lives under one directory per
 * test process, removed when the process ends.
 *
 * @module
 */

let root: string | undefined;

function rootDir(): string {
  if (root === undefined) {
    const dir = Deno.makeTempDirSync({ prefix: "siamese-test-" });
    globalThis.addEventListener(
      "unload",
      () => Deno.removeSync(dir, { recursive: true }),
    );
    root = dir;
  }
  return root;
}

/** A new empty directory. */
export function tempDir(): Promise<string> {
  return Deno.makeTempDir({ dir: rootDir() });
}

/** Writes `content` to a new file named `name` in a new directory. */
export async function tempFile(
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  const path = `${await tempDir()}/${name}`;
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  return path;
}
