/**
 * `deno task search`: the top-k lines of a corpus for each query, by the
 * hybrid score `eval` ranks with.
 *
 * @module
 */
import { openCorpus } from "../use/open_corpus.ts";
import { readInputs } from "../use/read_inputs.ts";
import { loadTextModel, type SearchResult } from "../use/text_model.ts";
import type { TextInput } from "../use/inputs.ts";
import { startBackend } from "./backend.ts";
import { type FlagTable, helpText, parseFlags, UsageError } from "./flags.ts";
import { MODEL_FLAGS, modelDirFlag } from "./model_data.ts";

/** Queries searched together: one forward pass and one corpus scan each. */
const QUERY_BATCH = 64;

/** The flags of `deno task search`. */
export const SEARCH_FLAGS: FlagTable = {
  ...MODEL_FLAGS,
  "corpus": {
    type: "string",
    placeholder: "FILE",
    help:
      'Texts to rank: .txt (one per line) or .jsonl ({"text"} or {"ids"}, optional "id")',
  },
  "index": {
    type: "string",
    placeholder: "FILE",
    help:
      "Corpus vectors saved once: read if it exists (refused if another model or corpus " +
      "built it), else built from --corpus and written atomically",
  },
  "query": { type: "string", placeholder: "TEXT", help: "One query" },
  "queries": {
    type: "string",
    placeholder: "FILE",
    help: "Queries, .txt or .jsonl like --corpus, or - for stdin",
  },
  "k": { type: "int", default: 10, min: 1, help: "Results per query" },
  "json": {
    type: "bool",
    help:
      'One JSON line per query: {"query", "results": [{"index", "score", "text"}]}',
  },
};

/**
 * Runs the search command: per query, `index<TAB>score<TAB>text` lines, best
 * first (with `--queries`, each line starts with the query's index).
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runSearch(args: string[]): Promise<number> {
  const f = parseFlags(args, SEARCH_FLAGS);
  if (f.help) {
    console.log(helpText(
      "search",
      "Ranks the corpus for each query by the score eval ranks with (the left branch on the " +
        "query, the right on the corpus, mixed with the lexical cosine when the model has a " +
        "lexical channel); prints the top k as index (0-based corpus line), score and text. " +
        "Equal scores keep corpus order.",
      SEARCH_FLAGS,
      [
        'deno task search --model runs/mine --corpus corpus.txt --query "forty two" --k 5',
        "deno task search --model runs/mine --corpus corpus.txt --index runs/mine/corpus.index --queries q.txt --json",
      ],
    ));
    return 0;
  }
  const dir = await modelDirFlag(f);
  if (f.corpus === undefined && f.index === undefined) {
    throw new UsageError("--corpus FILE or --index FILE is required.");
  }
  if ((f.query === undefined) === (f.queries === undefined)) {
    throw new UsageError(
      "Exactly one of --query TEXT and --queries FILE is required.",
    );
  }
  await startBackend(f.threads as number);
  const model = await loadTextModel(dir);
  const { index, action } = await openCorpus(model, {
    ...(f.corpus !== undefined ? { corpus: f.corpus as string } : {}),
    ...(f.index !== undefined ? { index: f.index as string } : {}),
  });
  console.error(
    `corpus ${index.entries.length} texts` +
      (action === "read"
        ? ` from ${f.index}`
        : action === "written"
        ? `, index written to ${f.index}`
        : ""),
  );
  const queries: TextInput[] = f.query !== undefined
    ? [f.query as string]
    : (await readInputs(f.queries as string, {
      vocab: model.run.model.vocab,
      flag: "--queries",
    }))
      .map((e) => e.text);
  const k = f.k as number;
  const many = f.queries !== undefined;
  const out: string[] = [];
  for (let start = 0; start < queries.length; start += QUERY_BATCH) {
    const batch = queries.slice(start, start + QUERY_BATCH);
    model.searchMany(batch, k).forEach((results, i) => {
      out.push(...format(start + i, results, { json: f.json === true, many }));
    });
  }
  await Deno.stdout.write(new TextEncoder().encode(out.join("\n") + "\n"));
  return 0;
}

function format(
  query: number,
  results: SearchResult[],
  options: { json: boolean; many: boolean },
): string[] {
  const rounded = results.map((r) => ({ ...r, score: +r.score.toFixed(6) }));
  if (options.json) return [JSON.stringify({ query, results: rounded })];
  return rounded.map((r) =>
    [
      ...(options.many ? [query] : []),
      r.index,
      r.score.toFixed(6),
      typeof r.text === "string" ? r.text : JSON.stringify(r.text),
    ].join("\t")
  );
}
