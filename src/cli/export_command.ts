/**
 * `deno task export`: a trained run as files another runtime can use.
 *
 * @module
 */
import { ensureWritable } from "../io/permissions.ts";
import { loadModel } from "../run/format.ts";
import { onnxFiles, writeExport } from "../export/export_run.ts";
import { kerasFiles } from "../export/keras.ts";
import { startBackend } from "./backend.ts";
import { type FlagTable, helpText, parseFlags } from "./flags.ts";
import { modelDirFlag, requireFlag } from "./model_data.ts";

/** The flags of `deno task export`. */
export const EXPORT_FLAGS: FlagTable = {
  "model": {
    type: "string",
    placeholder: "DIR",
    help: "Run directory of a trained model",
  },
  "format": {
    type: "enum",
    choices: ["onnx", "keras"],
    default: "onnx",
    help:
      "onnx: left.onnx, right.onnx (standard ops, opset 17); keras: a stock TensorFlow.js " +
      "layers model per side (left/, right/); both with tokenizer.json and scoring.json",
  },
  "out": {
    type: "string",
    placeholder: "DIR",
    help:
      "Output directory (new, empty, or an earlier export; replaced atomically)",
  },
};

/**
 * Runs the export command.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runExport(args: string[]): Promise<number> {
  const f = parseFlags(args, EXPORT_FLAGS);
  if (f.help) {
    console.log(helpText(
      "export",
      "Writes a trained model for other runtimes: per side an ONNX graph (input ids int64 " +
        "[batch, len], output vector float32 [batch, D], as `embed` prints) or a stock " +
        "TensorFlow.js layers model, plus tokenizer.json, scoring.json and the lexical " +
        "channel's lexical.json; see docs/export.md. A part with no exact equivalent is " +
        "refused, by name.",
      EXPORT_FLAGS,
      [
        "deno task export --model runs/mine --out runs/mine_onnx",
        "deno task export --model runs/mine --format keras --out runs/mine_keras",
      ],
    ));
    return 0;
  }
  const dir = await modelDirFlag(f);
  const out = requireFlag(f.out, "out", "DIR");
  await ensureWritable(out, "--out", { file: true });
  await startBackend(1);
  const model = await loadModel(dir);
  const files = f.format === "keras"
    ? await kerasFiles(model)
    : onnxFiles(model);
  await writeExport(out, files);
  console.error(`wrote ${[...files.keys()].join(", ")} to ${out}`);
  return 0;
}
