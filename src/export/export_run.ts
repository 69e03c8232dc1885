/**
 * Writing a trained run's export directory.
 *
 *     <out>/left.onnx, right.onnx   one graph per side (two even when shared)
 *     <out>/tokenizer.json          text -> ids, per side
 *     <out>/scoring.json            distance, score formula, threshold
 *     <out>/lexical.json            document frequencies (lexical channel only)
 *
 * The directory is filled under a temporary name and swapped in, so it is
 * never half-written.
 *
 * @module
 */
import { writeDirAtomic } from "../io/file_io.ts";
import type { LoadedModel } from "../run/format.ts";
import { readBranch } from "./branch_weights.ts";
import { branchToOnnx } from "./onnx_branch.ts";
import { exportJson } from "./tokenizer_json.ts";

/**
 * The files of an ONNX export, by name.
 *
 * @param model a loaded run
 * @returns file name -> contents
 * @throws ExportError naming a part with no exact ONNX equivalent
 */
export function onnxFiles(
  model: LoadedModel,
): Map<string, Uint8Array | string> {
  const files = new Map<string, Uint8Array | string>();
  const { siamese, model: c } = model;
  files.set(
    "left.onnx",
    branchToOnnx(readBranch(siamese.left, "left"), {
      len: c.leftLen,
      name: "left",
    }),
  );
  files.set(
    "right.onnx",
    branchToOnnx(readBranch(siamese.right, "right"), {
      len: c.rightLen,
      name: "right",
    }),
  );
  const { tokenizer, scoring } = exportJson(model);
  files.set("tokenizer.json", JSON.stringify(tokenizer, null, 1) + "\n");
  files.set("scoring.json", JSON.stringify(scoring, null, 1) + "\n");
  if (siamese.lexical !== undefined) {
    files.set("lexical.json", JSON.stringify(siamese.lexical.toJSON()) + "\n");
  }
  return files;
}

/**
 * Writes `files` as the directory `dir`, replacing it atomically. A
 * directory that exists and holds no `tokenizer.json` (so is not an earlier
 * export) is refused rather than replaced.
 *
 * @param dir the output directory
 * @param files file name -> contents
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { writeExport } from "./export_run.ts";
 * const root = await Deno.makeTempDir();
 * await writeExport(`${root}/out`, new Map([["tokenizer.json", "{}"]]));
 * assert.equal(await Deno.readTextFile(`${root}/out/tokenizer.json`), "{}");
 * await Deno.writeTextFile(`${root}/other.txt`, "x");
 * await assert.rejects(() => writeExport(root, new Map()), /not an earlier export/);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function writeExport(
  dir: string,
  files: Map<string, Uint8Array | string>,
): Promise<void> {
  const entries: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) entries.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (entries.length > 0 && !entries.includes("tokenizer.json")) {
    throw new Error(
      `--out ${dir} exists and is not an earlier export (no tokenizer.json); ` +
        "pass a new or empty directory.",
    );
  }
  await writeDirAtomic(dir, async (tmp) => {
    for (const [name, data] of files) {
      const slash = name.lastIndexOf("/");
      if (slash > 0) {
        await Deno.mkdir(`${tmp}/${name.slice(0, slash)}`, { recursive: true });
      }
      if (typeof data === "string") {
        await Deno.writeTextFile(`${tmp}/${name}`, data);
      } else await Deno.writeFile(`${tmp}/${name}`, data);
    }
  });
}
