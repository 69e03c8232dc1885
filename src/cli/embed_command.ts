/**
 * `deno task embed`: one branch's output vector per input pair.
 *
 * @module
 */
import { lexicalOf } from "../lexical/hybrid.ts";
import { writeFileAtomic } from "../io/file_io.ts";
import { checkOutputFile } from "../io/input_file.ts";
import { ensureWritable } from "../io/permissions.ts";
import { embedRows } from "../infer/embed.ts";
import { type FlagTable, helpText, parseFlags } from "./flags.ts";
import { modelDataFlags, openModelAndData } from "./model_data.ts";

/** The flags of `deno task embed`. */
export const EMBED_FLAGS: FlagTable = {
  ...modelDataFlags("Pairs"),

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
 * Runs the embed command: prints `{"index": i, "vector": [...]}` per pair.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runEmbed(args: string[]): Promise<number> {
  const f = parseFlags(args, EMBED_FLAGS);
  if (f.help) {
    console.log(helpText(
      "embed",
      "Writes one JSON line per input pair with the chosen branch's output vector; with a " +
        "lexical channel also its TF-IDF n-gram vector and weight λ (score = " +
        "(1 - λ) cos(vector) + λ (ids/values dot product)).",
      EMBED_FLAGS,
      ["deno task embed --model runs/mine --data pairs.tsv --side right --out right.jsonl"],
    ));
    return 0;
  }
  if (f.out !== undefined) {
    await ensureWritable(f.out as string, "--out", { file: true });
    await checkOutputFile(f.out as string, "--out", "the vectors");
  }
  const { model, data: { pairs } } = await openModelAndData(f);
  const left = f.side === "left";
  const { vectors, dim } = embedRows(
    left ? model.siamese.left : model.siamese.right,
    left ? pairs.left : pairs.right,
    {
      len: left ? pairs.leftLen : pairs.rightLen,
      width: left ? model.model.leftLen : model.model.rightLen,
      n: pairs.size,
    },
  );
  // with a lexical channel, each line also carries the TF-IDF n-gram vector
  const index = lexicalOf(model.siamese);
  const lex = index?.vectors(
    left ? pairs.left : pairs.right,
    left ? pairs.leftLen : pairs.rightLen,
  );
  const lines: string[] = [];
  for (let i = 0; i < pairs.size; i++) {
    const v = Array.from(
      vectors.subarray(i * dim, (i + 1) * dim),
      (x) => +x.toPrecision(7),
    );
    const line: Record<string, unknown> = { index: i, vector: v };
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
    console.error(`wrote ${pairs.size} vectors of ${dim} to ${f.out}`);
  } else {
    await Deno.stdout.write(new TextEncoder().encode(text));
  }
  return 0;
}
