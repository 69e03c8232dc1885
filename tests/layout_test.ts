/**
 * The source layout's rules, checked: kernels are registered only in
 * src/backend, and imports flow one way, src/wasm <- src/backend <-
 * src/model.
 */
import assert from "@std/assert";

const SRC = new URL("../src/", import.meta.url);

/** The `.ts` files under `dir`, as paths relative to src/. */
async function sources(dir: URL, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) {
      out.push(...await sources(new URL(`${entry.name}/`, dir), `${path}/`));
    } else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

Deno.test("no module outside src/backend registers or unregisters a kernel", async () => {
  for (const path of await sources(SRC)) {
    if (path.startsWith("backend/")) continue;
    const text = await Deno.readTextFile(new URL(path, SRC));
    assert.ok(!/\b(un)?registerKernel\(/.test(text), path);
  }
});

Deno.test("imports flow one way: src/wasm <- src/backend <- src/model", async () => {
  for (const path of await sources(SRC)) {
    const text = await Deno.readTextFile(new URL(path, SRC));
    // relative imports, as paths under src/ (outside it: "../...")
    const imports = [...text.matchAll(/^import[^;]*? from "(\.[^"]+)";/gms)]
      .map((m) => new URL(m[1]!, new URL(path, SRC)).href)
      .map((href) =>
        href.startsWith(SRC.href) ? href.slice(SRC.href.length) : `../${href}`
      );
    const bad = path.startsWith("wasm/")
      ? imports.filter((i) => !i.startsWith("wasm/"))
      : path.startsWith("backend/")
      ? imports.filter((i) => i.startsWith("model/"))
      : [];
    assert.deepEqual(bad, [], path);
  }
});
