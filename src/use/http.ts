/**
 * The JSON HTTP service over a {@link TextModel}, as a `Deno.serve` handler:
 *
 *     GET  /health                                   {"status": "ok", ...}
 *     POST /embed  {"side": "left"|"right", "texts": [...]}  {"vectors": [[...]]}
 *     POST /score  {"pairs": [[left, right], ...]}           {"scores": [...]}
 *     POST /search {"query": text, "k": n}                   {"results": [{"index", "score", "text"}]}
 *
 * Texts may also be arrays of token ids. Concurrent requests of one kind are
 * joined into one forward pass (`./batcher.ts`). Every bad request gets a 4xx
 * with `{"error": message}` naming the field; nothing a client sends throws
 * out of the handler.
 *
 * @module
 */
import { MicroBatcher } from "./batcher.ts";
import { InputError, type Side, type TextInput } from "./inputs.ts";
import type { SearchResult, TextModel } from "./text_model.ts";

/** The largest request body accepted, in bytes: 1 MiB. */
export const MAX_BODY_BYTES = 1 << 20;

/** The most texts (or pairs) in one `/embed` (or `/score`) request. */
export const MAX_ITEMS = 1024;

/** The largest `k` of a search request. */
export const MAX_K = 1000;

/** Options for {@link serviceHandler}. */
export interface ServiceOptions {
  /** Larger bodies get 413. @default MAX_BODY_BYTES */
  maxBodyBytes?: number;
}

/** A request the service refuses: a status and a message. */
class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const ROUTES: Record<string, string> = {
  "/health": "GET",
  "/embed": "POST",
  "/score": "POST",
  "/search": "POST",
};

/**
 * The service's request handler.
 *
 * @param model the loaded model (with its corpus indexed for `/search`)
 * @param options see {@link ServiceOptions}
 * @returns a handler for `Deno.serve`, and the batchers' counts
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { loadTextModel } from "./text_model.ts";
 * import { serviceHandler } from "./http.ts";
 * const m = await loadTextModel("examples/numbers_model");
 * await m.index(["42", "342"]);
 * const { handler } = serviceHandler(m);
 * const res = await handler(new Request("http://x/search", {
 *   method: "POST", body: JSON.stringify({ query: "three hundred forty two", k: 1 }) }));
 * assert.equal((await res.json()).results[0].text, "342");
 * const bad = await handler(new Request("http://x/search", { method: "POST", body: '{"k": 0}' }));
 * assert.equal(bad.status, 400);
 * m.dispose();
 * ```
 */
export function serviceHandler(
  model: TextModel,
  options: ServiceOptions = {},
): {
  handler: (request: Request) => Promise<Response>;
  stats: () => Record<string, { requests: number; passes: number }>;
} {
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const embedders = {
    left: new MicroBatcher((xs: TextInput[]) => model.embed("left", xs)),
    right: new MicroBatcher((xs: TextInput[]) => model.embed("right", xs)),
  };
  const scorer = new MicroBatcher((
    pairs: (readonly [TextInput, TextInput])[],
  ) => model.score(pairs));
  const searcher = new MicroBatcher(
    (qs: { query: TextInput; k: number }[]) => {
      const k = Math.max(...qs.map((q) => q.k));
      return model.searchMany(qs.map((q) => q.query), k)
        .map((r, i) => r.slice(0, qs[i]!.k));
    },
    64,
  );
  const stats = () => ({
    embed_left: { ...embedders.left.stats },
    embed_right: { ...embedders.right.stats },
    score: { ...scorer.stats },
    search: { ...searcher.stats },
  });

  async function route(request: Request): Promise<unknown> {
    const path = new URL(request.url).pathname;
    const method = ROUTES[path];
    if (method === undefined) {
      throw new HttpError(
        404,
        `No route ${path}: expected one of ${Object.keys(ROUTES).join(", ")}`,
      );
    }
    if (request.method !== method) {
      throw new HttpError(
        405,
        `${path} takes ${method} but found ${request.method}`,
      );
    }
    if (path === "/health") {
      return {
        status: "ok",
        model: model.fingerprint,
        dim: model.dim,
        corpus: model.corpus?.entries.length ?? null,
        batches: stats(),
      };
    }
    const body = await readJson(request, maxBody);
    if (path === "/embed") {
      only(body, ["side", "texts"]);
      const side = body.side;
      if (side !== "left" && side !== "right") {
        throw field("side", '"left" or "right"', side);
      }
      const texts = inputs(body.texts, "texts");
      const vectors = await embedders[side as Side].add(texts);
      return { vectors: vectors.map((v) => Array.from(v)) };
    }
    if (path === "/score") {
      only(body, ["pairs"]);
      if (!Array.isArray(body.pairs)) {
        throw field("pairs", "an array of [left, right] pairs", body.pairs);
      }
      if (body.pairs.length > MAX_ITEMS) {
        throw field("pairs", `at most ${MAX_ITEMS} pairs`, body.pairs.length);
      }
      const pairs = body.pairs.map((p: unknown, i: number) => {
        if (!Array.isArray(p) || p.length !== 2) {
          throw field(`pairs[${i}]`, "[left, right]", p);
        }
        inputs([p[0]], `pairs[${i}][0]`);
        inputs([p[1]], `pairs[${i}][1]`);
        return p as [TextInput, TextInput];
      });
      return { scores: await scorer.add(pairs) };
    }
    only(body, ["query", "k"]);
    const [query] = inputs([body.query], "query");
    const k = body.k ?? 10;
    if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > MAX_K) {
      throw field("k", `an integer from 1 to ${MAX_K}`, k);
    }
    if (model.corpus === undefined) {
      throw new HttpError(
        409,
        "No corpus to search: start the server with --corpus FILE or --index FILE",
      );
    }
    const [results] = await searcher.add([{ query: query!, k: k as number }]);
    return {
      results: results!.map((r: SearchResult) => ({
        index: r.index,
        score: r.score,
        text: r.text,
        ...(r.id !== undefined ? { id: r.id } : {}),
      })),
    };
  }

  async function handler(request: Request): Promise<Response> {
    try {
      return json(200, await route(request));
    } catch (e) {
      if (e instanceof HttpError) {
        return json(
          e.status,
          { error: e.message },
          e.status === 405
            ? { allow: ROUTES[new URL(request.url).pathname]! }
            : {},
        );
      }
      if (e instanceof InputError) {
        // a text for an id side, an id out of range
        return json(400, { error: e.message });
      }
      return json(500, { error: `internal error: ${(e as Error).message}` });
    }
  }

  return { handler, stats };
}

function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function field(name: string, expected: string, found: unknown): HttpError {
  const shown = found === undefined ? "nothing" : JSON.stringify(found);
  return new HttpError(
    400,
    `field "${name}": expected ${expected} but found ${
      shown.length > 60 ? shown.slice(0, 60) + "…" : shown
    }`,
  );
}

function only(body: Record<string, unknown>, keys: string[]): void {
  for (const key of Object.keys(body)) {
    if (!keys.includes(key)) {
      throw field(key, `only the fields ${keys.join(", ")}`, body[key]);
    }
  }
}

/**
 * Checks the shape of texts (strings or arrays of integers; their range is
 * checked by `encodeInputs`): `value` is the `texts` array, or for another
 * name one input wrapped in an array.
 */
function inputs(value: unknown, name: string): TextInput[] {
  if (name === "texts" && !Array.isArray(value)) {
    throw field(name, "an array of texts (strings or token-id arrays)", value);
  }
  if (name === "texts" && (value as unknown[]).length > MAX_ITEMS) {
    throw field(
      name,
      `at most ${MAX_ITEMS} texts`,
      (value as unknown[]).length,
    );
  }
  const list = value as unknown[]; // texts, or one input wrapped by the caller
  list.forEach((x, i) => {
    const where = name === "texts" ? `texts[${i}]` : name;
    if (typeof x === "string") return;
    if (Array.isArray(x) && x.every((id) => Number.isInteger(id))) return;
    throw field(where, "a string or an array of integer token ids", x);
  });
  return list as TextInput[];
}

async function readJson(
  request: Request,
  limit: number,
): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) {
    throw new HttpError(
      413,
      `body: expected at most ${limit} bytes but found ${declared}`,
    );
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel();
        throw new HttpError(
          413,
          `body: expected at most ${limit} bytes but found more`,
        );
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new HttpError(
      400,
      `body: expected a JSON object but could not parse it (${
        (e as Error).message
      })`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(
      400,
      `body: expected a JSON object but found ${
        Array.isArray(value) ? "an array" : JSON.stringify(value)
      }`,
    );
  }
  return value as Record<string, unknown>;
}
