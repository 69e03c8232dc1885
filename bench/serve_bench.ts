/**
 * `deno task bench:serve`: the service under load on the loopback, and
 * search time against corpus size.
 *
 *     deno task bench:serve [--model DIR] [--requests 2000] [--concurrency 8]
 *       [--corpus 10000] [--sizes 1000,10000,100000] [--threads N]
 *
 * 1. Search time per query (in this process, `TextModel.search`, one query
 *    at a time, and `searchMany` on 8 queries at once) for each corpus size,
 *    after embedding the corpus (its time is printed too).
 * 2. Load: `tasks/serve.ts` in its own process with a corpus of `--corpus`
 *    texts; `--concurrency` clients send `--requests` `/search` requests in
 *    all (k = 10), each waiting for its answer before the next. Prints
 *    errors, p50/p99 latency, requests per second, and how many forward
 *    passes served the requests (micro-batching). Then the same with one
 *    client, for the latency of a lone request.
 *
 * Corpus texts are numbers in digits, queries numbers in words (the
 * example's data). Clients and server share the machine's cores, and other
 * processes skew timings: the load average is printed.
 *
 * @module
 */
import { words } from "../examples/numbers.ts";
import { defaultThreads } from "../src/backend/setup.ts";
import { helpText, parseFlags } from "../src/cli/flags.ts";
import { runMain } from "../src/cli/main.ts";
import { loadTextModel } from "../src/use/text_model.ts";
import { startServe } from "./serve_process.ts";

const FLAGS = {
  "model": {
    type: "string",
    default: "examples/numbers_model",
    placeholder: "DIR",
    help: "Run directory of the model to serve",
  },
  "requests": { type: "int", default: 2000, min: 1, help: "Requests in all" },
  "concurrency": { type: "int", default: 8, min: 1, help: "Clients at once" },
  "corpus": { type: "int", default: 10000, min: 1, help: "Texts served" },
  "sizes": {
    type: "string",
    default: "1000,10000,100000",
    help: "Corpus sizes for search time per query",
  },
  "threads": {
    type: "int",
    default: defaultThreads(),
    min: 1,
    help: "Threads of the model, here and in the server",
  },
} as const;

function corpusText(i: number): string {
  return String(i * 7919 % 1_000_003);
}

function queryText(i: number): string {
  return words(i * 37 % 9973);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function loadavg(): string {
  try {
    return Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  } catch {
    return "n/a";
  }
}

async function searchTimes(dir: string, sizes: number[], threads: number) {
  const m = await loadTextModel(dir, { threads });
  console.log(`model ${dir}  output width ${m.dim}  threads ${threads}`);
  console.log("corpus  embed s   search ms/query (1 at a time)  (8 at once)");
  for (const n of sizes) {
    const t0 = performance.now();
    await m.index(Array.from({ length: n }, (_, i) => corpusText(i)));
    const embed = (performance.now() - t0) / 1000;
    const queries = Array.from({ length: 40 }, (_, i) => queryText(i));
    m.search(queries[0]!); // warm up
    const one: number[] = [];
    for (const q of queries) {
      const s = performance.now();
      m.search(q, 10);
      one.push(performance.now() - s);
    }
    one.sort((a, b) => a - b);
    const s = performance.now();
    for (let i = 0; i < queries.length; i += 8) {
      m.searchMany(queries.slice(i, i + 8), 10);
    }
    const many = (performance.now() - s) / queries.length;
    console.log(
      `${String(n).padStart(6)}  ${embed.toFixed(1).padStart(7)}   ` +
        `${percentile(one, 0.5).toFixed(2).padStart(8)} (p50)` +
        `${"".padStart(18)}${many.toFixed(2).padStart(6)}`,
    );
  }
  m.dispose();
}

async function load(url: string, requests: number, concurrency: number) {
  const before = (await (await fetch(`${url}/health`)).json()).batches.search;
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const client = async () => {
    while (next < requests) {
      const i = next++;
      const t = performance.now();
      try {
        const res = await fetch(`${url}/search`, {
          method: "POST",
          body: JSON.stringify({ query: queryText(i), k: 10 }),
        });
        const body = await res.json();
        if (res.status !== 200 || body.results?.length !== 10) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - start) / 1000;
  const after = (await (await fetch(`${url}/health`)).json()).batches.search;
  latencies.sort((a, b) => a - b);
  const passes = after.passes - before.passes;
  console.log(
    `concurrency ${concurrency}: ${requests} requests  errors ${errors}  ` +
      `p50 ${percentile(latencies, 0.5).toFixed(1)} ms  p99 ${
        percentile(latencies, 0.99).toFixed(1)
      } ms  ${(requests / seconds).toFixed(0)} req/s  ` +
      `${passes} forward passes (${
        (requests / passes).toFixed(2)
      } queries each)`,
  );
}

async function main(args: string[]): Promise<number> {
  const f = parseFlags(args, FLAGS);
  if (f.help) {
    console.log(helpText(
      "bench:serve",
      "Search time per query against corpus size, then the service under load on the " +
        "loopback: errors, p50/p99 latency, requests per second.",
      FLAGS,
      [
        "deno task bench:serve",
        "deno task bench:serve --model runs/mine --sizes 1000,10000",
      ],
    ));
    return 0;
  }
  const dir = f.model as string;
  const threads = f.threads as number;
  console.log(`load average ${loadavg()}`);
  const sizes = (f.sizes as string).split(",").map(Number);
  await searchTimes(dir, sizes, threads);

  const tmp = await Deno.makeTempDir({ prefix: "serve-bench-" });
  try {
    const corpus = `${tmp}/corpus.txt`;
    const n = f.corpus as number;
    await Deno.writeTextFile(
      corpus,
      Array.from({ length: n }, (_, i) => corpusText(i)).join("\n") + "\n",
    );
    const { child, url } = await startServe([
      "--model",
      dir,
      "--corpus",
      corpus,
      "--port",
      "0",
      "--threads",
      String(threads),
    ]);
    try {
      console.log(`serving ${n} texts at ${url}  load average ${loadavg()}`);
      await load(url, 50, f.concurrency as number); // warm up
      await load(url, f.requests as number, f.concurrency as number);
      await load(url, Math.min(500, f.requests as number), 1);
    } finally {
      child.kill("SIGINT");
      await child.status;
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  console.log(`load average ${loadavg()}`);
  return 0;
}

if (import.meta.main) await runMain(() => main(Deno.args));
