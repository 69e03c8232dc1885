/**
 * `deno task score`: one similarity per pair, and the decision at the
 * threshold stored with the model.
 *
 * @module
 */
import { defaultThreads, setupBackend } from "../backend/setup.ts";
import { MAX_THREADS } from "../backend/threads.ts";
import { loadModel } from "../model/load.ts";
import { embedRows } from "../train/embed.ts";
import { vectorSimilarity } from "../train/evaluate.ts";
import { requireFlag } from "./eval_command.ts";
import { type FlagTable, helpText, parseFlags, threadsFlag } from "./flags.ts";
import { loadPairsFor } from "./model_data.ts";

/** The flags of `deno task score`. */
export const SCORE_FLAGS: FlagTable = {
  "threads": threadsFlag(defaultThreads(), MAX_THREADS),
  "model": {
    type: "string",
    placeholder: "DIR",
    help: "Run directory of a trained model",
  },
  "data": {
    type: "string",
    placeholder: "FILE",
    help: "Pairs to score, .tsv or .jsonl",
  },
  "json": {
    type: "bool",
    help: 'JSON lines {"similarity", "similar"} instead of TSV',
  },
};

/**
 * Runs the score command: prints `similarity<TAB>similar` per pair, where
 * `similar` is 1 when the similarity reaches the stored threshold.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runScore(args: string[]): Promise<number> {
  const f = parseFlags(args, SCORE_FLAGS);
  if (f.help) {
    console.log(helpText(
      "score",
      "Prints one line per pair: the similarity (cosine, or minus the euclidean distance, " +
        "as trained) and 1/0 for similar/dissimilar at the threshold stored with the model.",
      SCORE_FLAGS,
      ["deno task score --model runs/mine --data new_pairs.tsv"],
    ));
    return 0;
  }
  const dir = requireFlag(f.model, "model", "DIR");
  const path = requireFlag(f.data, "data", "FILE");
  await setupBackend({ threads: f.threads as number });
  const model = await loadModel(dir);
  const { pairs } = await loadPairsFor(path, model);
  const n = pairs.size;
  const l = embedRows(model.siamese.left, pairs.left, {
    len: pairs.leftLen,
    n,
  });
  const r = embedRows(model.siamese.right, pairs.right, {
    len: pairs.rightLen,
    n,
  });
  const d = l.dim;
  const threshold = model.threshold ?? Infinity;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = vectorSimilarity(
      l.vectors.subarray(i * d, (i + 1) * d),
      r.vectors.subarray(i * d, (i + 1) * d),
      model.train.distance,
    );
    lines.push(
      f.json
        ? JSON.stringify({ similarity: +s.toFixed(6), similar: s >= threshold })
        : `${s.toFixed(6)}\t${s >= threshold ? 1 : 0}`,
    );
  }
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  return 0;
}
