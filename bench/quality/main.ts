/**
 * The quality bench: retrieval on real text (dictionary term -> definition),
 * against the TF-IDF bar.
 *
 *     deno run -A bench/quality/main.ts [--minutes N] [--dict foldoc]
 *       [--pairs-limit N] [--recipes all|none|a,b] [--threads N] [--json-out FILE]
 *
 * 1. Makes `bench/.data/<dict>_{train,test}.tsv` if missing (make_data.ts).
 * 2. Baselines: TF-IDF over character 3-grams on the test pairs.
 * 3. Trains each recipe of `recipes.ts` for at most `--minutes` wall minutes
 *    and measures it on the test file (run_recipe.ts).
 *
 * Every row ranks, for each test left, all test rights (2000 by default):
 * recall@1, recall@10, MRR. Prints a table on stdout and writes the rows as
 * JSON to `bench/.data/quality.json` after each row.
 *
 * @module
 */
import { defaultThreads } from "../../src/backend/setup.ts";
import { startBackend } from "../../src/cli/backend.ts";
import { runMain } from "../../src/cli/main.ts";
import { helpText, parseFlags, UsageError } from "../../src/cli/flags.ts";
import { type DataInfo, describeData, makeData } from "./make_data.ts";
import { pickRecipes } from "./recipes.ts";
import { hybridPartRows, runRecipe } from "./run_recipe.ts";
import { heldOutRows } from "./held_out.ts";
import { formatTable, type QualityRow } from "./table.ts";
import { tfidfRetrieval } from "./tfidf.ts";
import { readTextPairs } from "./text_pairs.ts";

const FLAGS = {
  "dict": {
    type: "string",
    default: "foldoc",
    help:
      "dictd dictionary under /usr/share/dictd (foldoc, vera), or debian (package descriptions, docs/quality.md)",
  },
  "data-dir": {
    type: "string",
    default: "bench/.data",
    help: "where data, runs and results go (kept out of git)",
  },
  "test": {
    type: "int",
    default: 2000,
    min: 2,
    help: "held-out test pairs when making the data",
  },
  "minutes": {
    type: "float",
    default: 20,
    min: 0,
    exclusiveMin: true,
    help: "wall-clock training budget per recipe",
  },
  "epochs": {
    type: "int",
    min: 1,
    help: "upper bound on epochs per recipe (default: the recipe's, else 100)",
  },
  "pairs-limit": {
    type: "int",
    min: 2,
    help: "train on only the first N training pairs (a random sample)",
  },
  "recipes": {
    type: "string",
    default: "all",
    help: "recipes to train: all, none, or a comma-separated list",
  },
  "threads": {
    type: "int",
    min: 1,
    max: 8,
    help: "wasm and LSTM threads (default: the cores, at most 8)",
  },
  "val": {
    type: "string",
    default: "split",
    help:
      "where the epoch is chosen: split (10% of the training file, then the best model is scored on the test file) or test (the test file itself, as before session 6)",
  },
  "json-out": {
    type: "string",
    help: "results file (default <data-dir>/quality.json)",
  },
} as const;

/**
 * The TF-IDF rows. The IDF is fitted on the training file's lefts and rights
 * (nothing is learned from the test set); one variant with sublinear tf, and
 * one fitted on the test rights instead, to show how little the choice moves
 * the figures.
 *
 * @param train training pairs (IDF only)
 * @param test test pairs, ranked
 * @returns one row per variant
 */
export async function tfidfRows(
  train: string,
  test: string,
): Promise<QualityRow[]> {
  const trainPairs = await readTextPairs(train);
  const testPairs = await readTextPairs(test);
  const trainTexts = trainPairs.flatMap((p) => [p.left, p.right]);
  const variants = [
    {
      name: "tfidf-char3",
      note: "TF-IDF, char 3-grams, IDF from the training lefts and rights",
      fit: trainTexts,
      sublinearTf: false,
    },
    {
      name: "tfidf-char3-sublinear",
      note: "as tfidf-char3 with tf = 1 + ln(count)",
      fit: trainTexts,
      sublinearTf: true,
    },
    {
      name: "tfidf-char3-idf-test",
      note: "as tfidf-char3 with the IDF from the test rights",
      fit: testPairs.map((p) => p.right),
      sublinearTf: false,
    },
  ];
  return variants.map((v) => {
    const t0 = performance.now();
    const r = tfidfRetrieval(testPairs, v.fit, { sublinearTf: v.sublinearTf });
    return {
      name: v.name,
      note: v.note,
      testPairs: r.n,
      recallAt1: r.recall[0]!,
      recallAt10: r.recall[1]!,
      mrr: r.mrr,
      minutes: (performance.now() - t0) / 60_000,
      source: "all test pairs, no training",
    };
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Writes the header and the first `limit` pairs of a TSV to `out`. */
async function writePrefix(
  path: string,
  out: string,
  limit: number,
): Promise<number> {
  const lines = (await Deno.readTextFile(path)).split("\n");
  const rows = lines.slice(1).filter((l) => l !== "").slice(0, limit);
  await Deno.writeTextFile(out, [lines[0], ...rows].join("\n") + "\n");
  return rows.length;
}

/**
 * Runs the bench.
 *
 * @param args command-line arguments
 * @returns the exit code
 */
export async function runQualityBench(args: string[]): Promise<number> {
  const flags = parseFlags(args, FLAGS);
  if (flags.help) {
    console.log(
      helpText(
        "bench:quality",
        "Quality bench: retrieval on real text.",
        FLAGS,
        [
          "deno run -A bench/quality/main.ts --minutes 15 --pairs-limit 500",
        ],
      ).replace("deno task bench:quality", "deno run -A bench/quality/main.ts"),
    );
    return 0;
  }
  const dict = flags.dict as string;
  const dataDir = flags["data-dir"] as string;
  const jsonOut = (flags["json-out"] as string | undefined) ??
    `${dataDir}/quality.json`;
  const recipes = pickRecipes(flags.recipes as string);
  const val = flags.val as string;
  if (val !== "split" && val !== "test") {
    throw new UsageError(`Expected --val split or test but found "${val}"`);
  }

  // data
  const prefix = `${dataDir}/${dict}`;
  const files = { train: `${prefix}_train.tsv`, test: `${prefix}_test.tsv` };
  let info: DataInfo;
  if (
    await exists(files.train) && await exists(files.test) &&
    await exists(`${prefix}_info.json`)
  ) {
    info = JSON.parse(await Deno.readTextFile(`${prefix}_info.json`));
  } else {
    info = await makeData({ dict, out: prefix, test: flags.test as number });
  }
  console.error(describeData(info));

  const results = {
    date: new Date().toISOString(),
    dict,
    data: info,
    budgetMinutes: flags.minutes as number,
    threads: (flags.threads as number | undefined) ?? defaultThreads(),
    val,
    pairsLimit: (flags["pairs-limit"] as number | undefined) ?? null,
    rows: [] as QualityRow[],
  };
  const save = async () => {
    await Deno.writeTextFile(jsonOut, JSON.stringify(results, null, 2) + "\n");
  };

  // baselines
  results.rows.push(...await tfidfRows(files.train, files.test));
  await save();
  console.error(formatTable(results.rows));

  // recipes
  if (recipes.length > 0) {
    const backend = await startBackend(
      (flags.threads as number | undefined) ?? defaultThreads(),
    );
    let train = files.train;
    let trainPairs = info.trainPairs;
    const limit = flags["pairs-limit"] as number | undefined;
    if (limit !== undefined && limit < info.trainPairs) {
      train = `${prefix}_train_first${limit}.tsv`;
      trainPairs = await writePrefix(files.train, train, limit);
    }
    // Ctrl-C stops the recipe in progress (it is still measured) and the rest
    const interrupt = new AbortController();
    const onInterrupt = () => interrupt.abort();
    Deno.addSignalListener("SIGINT", onInterrupt);
    for (const recipe of recipes) {
      if (interrupt.signal.aborted) break;
      console.error(`recipe ${recipe.name}: ${recipe.note}`);
      const row = await runRecipe(recipe, {
        train,
        test: files.test,
        trainPairs,
        out: `${dataDir}/runs/${dict}-${recipe.name}`,
        minutes: flags.minutes as number,
        ...(flags.epochs === undefined
          ? {}
          : { epochs: flags.epochs as number }),
        signal: interrupt.signal,
        backend,
        splitVal: val === "split",
      });
      console.error(`${row.name}: ${row.source}`);
      if (val === "split") {
        const rows = await heldOutRows(row, files.test);
        results.rows.push(...(rows.length > 0 ? rows : [row]));
        console.error(formatTable(rows));
      } else {
        results.rows.push(row, ...await hybridPartRows(row));
      }
      await save();
    }
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  console.log(formatTable(results.rows));
  console.error(`results written to ${jsonOut}`);
  return 0;
}

if (import.meta.main) await runMain(() => runQualityBench(Deno.args));
