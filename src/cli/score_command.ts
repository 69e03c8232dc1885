/**
 * `deno task score`: one similarity per pair, and the decision at the
 * threshold stored with the model.
 *
 * @module
 */
import { scorePairs } from "../infer/score.ts";
import { type FlagTable, helpText, parseFlags } from "./flags.ts";
import { modelDataFlags, openModelAndData } from "./model_data.ts";

/** The flags of `deno task score`. */
export const SCORE_FLAGS: FlagTable = {
  ...modelDataFlags("Pairs to score"),
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
        "as trained; mixed with the lexical cosine when the model has a lexical channel) " +
        "and 1/0 for similar/dissimilar at the threshold stored with the model.",
      SCORE_FLAGS,
      ["deno task score --model runs/mine --data new_pairs.tsv"],
    ));
    return 0;
  }
  const { model, data: { pairs } } = await openModelAndData(f);
  const threshold = model.threshold ?? Infinity;
  const scores = scorePairs(model.siamese, pairs, {
    distance: model.train.distance,
  });
  const lines: string[] = [];
  for (const s of scores) {
    lines.push(
      f.json
        ? JSON.stringify({ similarity: +s.toFixed(6), similar: s >= threshold })
        : `${s.toFixed(6)}\t${s >= threshold ? 1 : 0}`,
    );
  }
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  return 0;
}
