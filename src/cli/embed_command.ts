/**
 * `deno task embed`: one branch's output vector per input pair, or per text
 * of a `.txt` / `.jsonl` text file or stdin.
 *
 * @module
 */
import { lexicalOf } from "../lexical/hybrid.ts";
import { writeFileAtomic } from "../io/file_io.ts";
import { checkInput, checkOutputFile } from "../io/input_file.ts";
import { ensureWritable } from "../io/permissions.ts";
import { embedRows } from "../infer/embed.ts";
import { type FlagTable, helpText, parseFlags } from "./flags.ts";
import {
  loadPairsFor,
  modelDataFlags,
  modelDirFlag,
  requireFlag,
} from "./model_data.ts";
import { startBackend } from "./backend.ts";
import { type LoadedModel, loadModel } from "../run/format.ts";
import { encodeInputs, sideEncodings } from "../use/inputs.ts";
import { inputFormatOf, isPairJsonl, readInputs } from "../use/read_inputs.ts";

/** The flags of `deno task embed`. */
export const EMBED_FLAGS: FlagTable = {
  ...modelDataFlags(
    "Pairs (.tsv, .jsonl with left/right), texts (.txt: one per line; .jsonl: " +
      '{"text"} or {"ids"}, optional "id") or - for text lines on stdin; file',
  ),

  "side": {
    type: "enum",
    choices: ["left", "right"],
    default: "left",
    help: "Which branch",
  },
  "out": {
    type: "string",
    placeholder: "FILE",
    help: "Write the JSON lines here (atomically) instead of stdout",
  },
};

/**
 * Runs the embed command: prints `{"index": i, "vector": [...]}` per pair
 * or text (with `"id"` when the text has one).
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runEmbed(args: string[]): Promise<number> {
  const f = parseFlags(args, EMBED_FLAGS);
  if (f.help) {
    console.log(helpText(
      "embed",
      "Writes one JSON line per input pair or text (index = 0-based pair or line, and its " +
        '"id" when a JSONL text has one) with the chosen branch\'s output vector; with a ' +
        "lexical channel also its TF-IDF n-gram vector and weight λ (score = " +
        "(1 - λ) cos(vector) + λ (ids/values dot product)).",
      EMBED_FLAGS,
      [
        "deno task embed --model runs/mine --data pairs.tsv --side right --out right.jsonl",
        "deno task embed --model runs/mine --data corpus.txt --side right",
        'echo "forty two" | deno task embed --model runs/mine --data -',
      ],
    ));
    return 0;
  }
  if (f.out !== undefined) {
    await ensureWritable(f.out as string, "--out", { file: true });
    await checkOutputFile(f.out as string, "--out", "the vectors");
  }
  const dir = await modelDirFlag(f);
  const path = requireFlag(f.data, "data", "FILE");
  if (path !== "-") {
    await checkInput(path, "--data", {
      kind: "file",
      what: "a .tsv or .jsonl pair file, a .txt or .jsonl file of texts, or -",
    });
  }
  await startBackend(f.threads as number);
  const model = await loadModel(dir);
  const side = f.side as "left" | "right";
  const left = side === "left";
  const rows = await readRows(path, side, model);
  const { vectors, dim } = embedRows(
    left ? model.siamese.left : model.siamese.right,
    rows.ids,
    {
      len: rows.len,
      width: left ? model.model.leftLen : model.model.rightLen,
      n: rows.n,
    },
  );
  // with a lexical channel, each line also carries the TF-IDF n-gram vector
  const index = lexicalOf(model.siamese);
  const lex = index?.vectors(rows.ids, rows.len);
  const lines: string[] = [];
  for (let i = 0; i < rows.n; i++) {
    const v = Array.from(
      vectors.subarray(i * dim, (i + 1) * dim),
      (x) => +x.toPrecision(7),
    );
    const id = rows.keys[i];
    const line: Record<string, unknown> = {
      index: i,
      ...(id !== undefined ? { id } : {}),
      vector: v,
    };
    if (lex !== undefined) {
      line.lexical = {
        weight: model.model.lexical.weight,
        ids: Array.from(lex[i]!.ids),
        values: Array.from(lex[i]!.values, (x) => +x.toPrecision(7)),
      };
    }
    lines.push(JSON.stringify(line));
  }
  const text = lines.join("\n") + "\n";
  if (f.out !== undefined) {
    await writeFileAtomic(f.out as string, text);
    console.error(`wrote ${rows.n} vectors of ${dim} to ${f.out}`);
  } else {
    await Deno.stdout.write(new TextEncoder().encode(text));
  }
  return 0;
}

/** One side's padded id rows of a pair file, or of a text input. */
async function readRows(
  path: string,
  side: "left" | "right",
  model: LoadedModel,
): Promise<{
  ids: Int32Array;
  len: number;
  n: number;
  keys: (string | number | undefined)[];
}> {
  const format = inputFormatOf(path);
  if (format === "txt" || (format === "jsonl" && !await isPairJsonl(path))) {
    const encoding = sideEncodings(model)[side];
    const entries = await readInputs(path, {
      vocab: encoding.vocab,
      flag: "--data",
    });
    const name = path === "-" ? "stdin" : path;
    return {
      ids: encodeInputs(entries.map((e) => e.text), encoding, name),
      len: encoding.len,
      n: entries.length,
      keys: entries.map((e) => e.id),
    };
  }
  const { pairs } = await loadPairsFor(path, model);
  const left = side === "left";
  return {
    ids: left ? pairs.left : pairs.right,
    len: left ? pairs.leftLen : pairs.rightLen,
    n: pairs.size,
    keys: [],
  };
}
