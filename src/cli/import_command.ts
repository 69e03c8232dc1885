/**
 * `deno task import`: weights trained elsewhere (a stock layers model, e.g.
 * converted back from Keras) into a run directory.
 *
 * @module
 */
import { checkInput } from "../io/input_file.ts";
import { ensureWritable } from "../io/permissions.ts";
import { importRun } from "../export/import_run.ts";
import { startBackend } from "./backend.ts";
import { type FlagTable, helpText, parseFlags } from "./flags.ts";
import { modelDirFlag, requireFlag } from "./model_data.ts";

/** The flags of `deno task import`. */
export const IMPORT_FLAGS: FlagTable = {
  "model": {
    type: "string",
    placeholder: "DIR",
    help:
      "The run the weights were exported from (configs, tokenizer, lexical index)",
  },
  "from": {
    type: "string",
    placeholder: "DIR",
    help:
      "Stock TensorFlow.js layers models in DIR/left and DIR/right (as --format keras writes them)",
  },
  "out": {
    type: "string",
    placeholder: "DIR",
    help: "The new run directory",
  },
};

/**
 * Runs the import command.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runImport(args: string[]): Promise<number> {
  const f = parseFlags(args, IMPORT_FLAGS);
  if (f.help) {
    console.log(helpText(
      "import",
      "Writes a new run directory: the --model run's configs, vocabularies and lexical " +
        "index with the branch weights of the stock layers models in --from (the way back " +
        "from `deno task export --format keras`, see docs/scale.md). Every size is checked " +
        "against the run's config.",
      IMPORT_FLAGS,
      [
        "deno task import --model runs/mine --from runs/mine_keras --out runs/mine_from_keras",
      ],
    ));
    return 0;
  }
  const model = await modelDirFlag(f);
  const from = requireFlag(f.from, "from", "DIR");
  await checkInput(from, "--from", {
    kind: "directory",
    what: "a --format keras export (left/ and right/ layers models)",
  });
  const out = requireFlag(f.out, "out", "DIR");
  await ensureWritable(out, "--out", { file: true });
  await startBackend(1);
  await importRun(model, from, out);
  console.error(`wrote ${out}`);
  return 0;
}
