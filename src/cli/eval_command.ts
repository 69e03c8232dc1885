/**
 * `deno task eval`: how good a trained model is on a pair file.
 *
 * @module
 */
import { blockSizeOf, Evaluation } from "../infer/evaluate.ts";
import { type FlagTable, helpText, parseFlags } from "./flags.ts";
import { modelDataFlags, openModelAndBlocks } from "./model_data.ts";

/** The flags of `deno task eval`. */
export const EVAL_FLAGS: FlagTable = {
  ...modelDataFlags("Pairs to evaluate"),

  "seed": {
    type: "int",
    default: 12345,
    help: "Seed of the random negatives drawn for positives-only files",
  },
  "json": { type: "bool", help: "Print one JSON object on stdout" },
};

/**
 * Runs the eval command.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runEval(args: string[]): Promise<number> {
  const f = parseFlags(args, EVAL_FLAGS);
  if (f.help) {
    console.log(helpText(
      "eval",
      "Evaluates a trained model on a pair file: ROC AUC, accuracy and F1 at the threshold " +
        "stored with the model, and retrieval (for every left, rank all rights in the file): " +
        "recall@1, recall@10, MRR. Positives-only files get one random negative per pair.",
      EVAL_FLAGS,
      [
        "deno task eval --model runs/mine --data test.tsv",
        "deno task eval --model runs/mine --data test.tsv --json",
      ],
    ));
    return 0;
  }
  // the file in blocks: memory grows with the outputs, not the padded rows
  const blockSize = blockSizeOf({});
  const { model, data, path } = await openModelAndBlocks(f, blockSize);
  console.error(
    `data ${path}  ${data.size} pairs${data.labelled ? " (labelled)" : ""}`,
  );
  const evaluation = new Evaluation(model.siamese, data, {
    distance: model.train.distance,
    margin: model.train.margin,
    seed: f.seed as number,
    ...(model.threshold !== null ? { threshold: model.threshold } : {}),
  });
  for await (const block of data.blocks) evaluation.add(block);
  const r = evaluation.finish();
  const out = {
    auc: r.auc,
    accuracy: r.accuracy,
    f1: r.f1,
    threshold: r.threshold,
    recall_at_1: r.recallAt1,
    recall_at_10: r.recallAt10,
    mrr: r.mrr,
    pairs: r.pairs,
  };
  if (f.json) {
    console.log(JSON.stringify(out));
  } else {
    const width = Math.max(...Object.keys(out).map((k) => k.length));
    for (const [k, v] of Object.entries(out)) {
      console.log(
        `${k.padEnd(width)}  ${Number.isInteger(v) ? v : v.toFixed(4)}`,
      );
    }
  }
  return 0;
}
