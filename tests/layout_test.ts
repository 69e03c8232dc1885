/**
 * The source layout's rules, checked: kernels are registered only in
 * src/backend, and imports (types too) flow one way, in the order of the
 * data: runtime, then data -> pairs -> model -> loss -> train loop ->
 * metrics -> files, then the commands.
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

/**
 * The folders in the order the data flows; a folder may import only from
 * itself and the folders before it.
 */
const ORDER = [
  "deps", // the npm packages, each pinned in one file
  "wasm", // the C module, its binary, loader and pool
  "backend", // tfjs's wasm backend and the kernels we register
  "io", // files: atomic writes, permissions, JSON key style
  "data", // read, validate, tokenize; seeded randomness
  "settings", // every setting, declared once
  "lexical", // the lexical channel (TF-IDF over token n-grams)
  "pairs", // negative pairing, batches
  "model", // branches: Embedding -> LSTM -> pooling -> Dense
  "loss", // contrastive and in-batch losses
  "metrics", // AUC, threshold, retrieval, collapse
  "infer", // embedding, scoring, evaluation of a model
  "train", // the step and the loop
  "run", // a run from data to files: format, checkpoint, metrics files
  "use", // a trained model from a program: texts in, vectors, scores, search
  "export", // a run for other runtimes: ONNX, stock tfjs-layers (Keras), tokenizer
  "cli", // the commands
];

Deno.test("every folder imports only from itself and the folders before it", async () => {
  const files = await sources(SRC);
  const folders = new Set(files.map((f) => f.split("/")[0]!));
  assert.deepEqual([...folders].sort(), [...ORDER].sort());
  for (const path of files) {
    const text = await Deno.readTextFile(new URL(path, SRC));
    const from = ORDER.indexOf(path.split("/")[0]!);
    const targets = [
      ...text.matchAll(/^(?:import|export)[^;]*? from "(\.[^"]+)";/gms),
    ].map((m) => new URL(m[1]!, new URL(path, SRC)).href.slice(SRC.href.length))
      .map((target) => target.split("/")[0]!);
    const later = targets.filter((t) => ORDER.indexOf(t) > from);
    assert.deepEqual(later, [], `${path} imports from a later folder`);
  }
});
