/**
 * `deno task serve`: the model as a JSON HTTP service on `Deno.serve`
 * (routes in `src/use/http.ts`), stopped cleanly by Ctrl-C.
 *
 * @module
 */
import { MAX_BODY_BYTES, MAX_ITEMS, serviceHandler } from "../use/http.ts";
import { openCorpus } from "../use/open_corpus.ts";
import { loadTextModel } from "../use/text_model.ts";
import { startBackend } from "./backend.ts";
import { type FlagTable, helpText, parseFlags, UsageError } from "./flags.ts";
import { MODEL_FLAGS, modelDirFlag } from "./model_data.ts";

/** The flags of `deno task serve`. */
export const SERVE_FLAGS: FlagTable = {
  ...MODEL_FLAGS,
  "corpus": {
    type: "string",
    placeholder: "FILE",
    help: "Texts for /search, .txt or .jsonl (embedded at start)",
  },
  "index": {
    type: "string",
    placeholder: "FILE",
    help: "Or the corpus index written by deno task search --index",
  },
  "port": {
    type: "int",
    default: 8787,
    min: 0,
    max: 65535,
    help: "Port (0: any free one)",
  },
  "host": {
    type: "string",
    default: "127.0.0.1",
    placeholder: "HOST",
    help: "Address to listen on",
  },
};

/**
 * Runs the serve command until SIGINT or SIGTERM.
 *
 * @param args command-line arguments
 * @returns process exit code
 */
export async function runServe(args: string[]): Promise<number> {
  const f = parseFlags(args, SERVE_FLAGS);
  if (f.help) {
    console.log(helpText(
      "serve",
      "Serves the model over HTTP: GET /health; POST /embed {side, texts} -> {vectors}; " +
        "POST /score {pairs} -> {scores}; POST /search {query, k} -> {results: [{index, " +
        "score, text}]}. Texts may be token-id arrays. Concurrent requests share one forward " +
        `pass. Bodies above ${MAX_BODY_BYTES} bytes get 413; bad fields (and more than ` +
        `${MAX_ITEMS} texts or pairs) 400 naming the field. ` +
        "The process may use the network only for --host and --port: the task allows " +
        "127.0.0.1:8787; for others run deno run --allow-read --allow-net=HOST:PORT tasks/serve.ts.",
      SERVE_FLAGS,
      [
        "deno task serve --model runs/mine --corpus corpus.txt",
        'curl -s localhost:8787/search -d \'{"query": "forty two", "k": 3}\'',
      ],
    ));
    return 0;
  }
  const dir = await modelDirFlag(f);
  if (f.corpus !== undefined && f.index !== undefined) {
    throw new UsageError(
      "Pass --corpus FILE or --index FILE, not both (build an index with deno task search --index).",
    );
  }
  const host = f.host as string;
  const port = f.port as number;
  const net = { name: "net", host: `${host}:${port}` } as const;
  if ((await Deno.permissions.query(net)).state !== "granted") {
    throw new UsageError(
      `--host ${host} --port ${port}: this process may not listen there. Run it with ` +
        `--allow-net=${host}:${port}, e.g. deno run --allow-read --allow-net=${host}:${port} ` +
        "tasks/serve.ts ... (deno task serve allows 127.0.0.1:8787 only).",
    );
  }
  await startBackend(f.threads as number);
  const model = await loadTextModel(dir);
  if (f.corpus !== undefined || f.index !== undefined) {
    const { index } = await openCorpus(model, {
      ...(f.corpus !== undefined ? { corpus: f.corpus as string } : {}),
      ...(f.index !== undefined ? { index: f.index as string } : {}),
      write: false,
    });
    console.error(`corpus ${index.entries.length} texts`);
  }
  const { handler } = serviceHandler(model);
  const stop = new AbortController();
  const server = Deno.serve({
    hostname: host,
    port,
    signal: stop.signal,
    onListen: ({ hostname, port }) =>
      console.error(`listening on http://${hostname}:${port}`),
  }, handler);
  const signals = ["SIGINT", "SIGTERM"] as const;
  const onSignal = () => stop.abort();
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  await server.finished;
  for (const s of signals) Deno.removeSignalListener(s, onSignal);
  model.dispose();
  console.error("stopped");
  return 0;
}
