import assert from "@std/assert";
import { loadTextModel } from "../../src/use/text_model.ts";
import { serviceHandler } from "../../src/use/http.ts";

const MODEL = new URL("../../examples/numbers_model", import.meta.url).pathname;

function post(path: string, body: string | object, init: RequestInit = {}) {
  return new Request(`http://localhost${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

Deno.test("serviceHandler() answers every bad request with a 4xx naming the field", async () => {
  const m = await loadTextModel(MODEL);
  await m.index(["42", "342"]);
  const { handler } = serviceHandler(m, { maxBodyBytes: 200 });
  const cases: [Request, number, RegExp][] = [
    [
      post("/embed", "{"),
      400,
      /^body: expected a JSON object but could not parse it/,
    ],
    [
      post("/embed", "[1]"),
      400,
      /^body: expected a JSON object but found an array/,
    ],
    [
      post("/embed", { texts: ["a"] }),
      400,
      /^field "side": expected "left" or "right" but found nothing/,
    ],
    [
      post("/embed", { side: "up", texts: [] }),
      400,
      /^field "side": .* found "up"/,
    ],
    [
      post("/embed", { side: "left" }),
      400,
      /^field "texts": expected an array of texts/,
    ],
    [
      post("/embed", { side: "left", texts: "a" }),
      400,
      /^field "texts": expected an array/,
    ],
    [
      post("/embed", { side: "left", texts: ["a", 3] }),
      400,
      /^field "texts\[1\]": expected a string or an array of integer token ids but found 3/,
    ],
    [
      post("/embed", { side: "left", texts: [[1, 500]] }),
      400,
      /^texts\[0\]\[1\]: expected an integer token id in \[0, 100\) but found 500/,
    ],
    [
      post("/embed", { side: "left", texts: [], extra: 1 }),
      400,
      /^field "extra": expected only the fields side, texts/,
    ],
    [
      post("/score", { pairs: "x" }),
      400,
      /^field "pairs": expected an array of \[left, right\] pairs/,
    ],
    [
      post("/score", { pairs: [["a", "b"], ["a"]] }),
      400,
      /^field "pairs\[1\]": expected \[left, right\] but found \["a"\]/,
    ],
    [
      post("/score", { pairs: [["a", null]] }),
      400,
      /^field "pairs\[0\]\[1\]": expected a string/,
    ],
    [
      post("/search", { k: 3 }),
      400,
      /^field "query": expected a string or an array of integer token ids but found nothing/,
    ],
    [
      post("/search", { query: "a", k: 0 }),
      400,
      /^field "k": expected an integer from 1 to 1000 but found 0/,
    ],
    [post("/search", { query: "a", k: "5" }), 400, /^field "k": .* found "5"/],
    [post("/search", { query: "a", k: 2.5 }), 400, /^field "k": .* found 2\.5/],
    [
      post("/search", "x".repeat(300)),
      413,
      /^body: expected at most 200 bytes but found (300|more)$/,
    ],
    [
      post("/nowhere", {}),
      404,
      /^No route \/nowhere: expected one of \/health, \/embed, \/score, \/search/,
    ],
    [
      new Request("http://localhost/search"),
      405,
      /^\/search takes POST but found GET/,
    ],
    [post("/health", {}), 405, /^\/health takes GET but found POST/],
  ];
  for (const [request, status, message] of cases) {
    const res = await handler(request);
    const body = await res.json();
    assert.equal(res.status, status, `${request.url} ${body.error}`);
    assert.match(body.error, message);
  }
  // still serving
  const ok = await handler(
    post("/search", { query: "three hundred forty two", k: 1 }),
  );
  assert.equal((await ok.json()).results[0].text, "342");
  m.dispose();
});

Deno.test("serviceHandler() joins concurrent requests into one forward pass, same answers", async () => {
  const m = await loadTextModel(MODEL);
  await m.index(["42", "342", "7", "17", "900"]);
  const { handler, stats } = serviceHandler(m);
  const queries = [
    "seven",
    "forty two",
    "nine hundred",
    "seventeen",
    "three hundred forty two",
  ];
  const answers = await Promise.all(
    queries.map((query, i) =>
      handler(post("/search", { query, k: i + 1 })).then((r) => r.json())
    ),
  );
  assert.deepEqual(stats().search, { requests: 5, passes: 1 });
  answers.forEach((a, i) => {
    const alone = m.search(queries[i]!, i + 1);
    assert.deepEqual(
      a.results,
      alone.map(({ index, score, text }) => ({ index, score, text })),
    );
  });
  // one bad request in a batch fails alone
  const [good, bad] = await Promise.all([
    handler(post("/embed", { side: "right", texts: ["42"] })),
    handler(post("/embed", { side: "right", texts: [[999]] })),
  ]);
  assert.equal(good.status, 200);
  assert.deepEqual(
    (await good.json()).vectors[0],
    Array.from(m.embed("right", ["42"])[0]!),
  );
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /texts\[0\]\[0\]/);
  m.dispose();
});

Deno.test("serviceHandler() /search without a corpus is a 409", async () => {
  const m = await loadTextModel(MODEL);
  const { handler } = serviceHandler(m);
  const res = await handler(post("/search", { query: "a" }));
  assert.equal(res.status, 409);
  assert.match((await res.json()).error, /--corpus FILE or --index FILE/);
  const health = await (await handler(new Request("http://localhost/health")))
    .json();
  assert.equal(health.corpus, null);
  assert.equal(health.dim, 64);
  m.dispose();
});

Deno.test("serviceHandler() refuses more than 1024 texts or pairs in a request", async () => {
  const m = await loadTextModel(MODEL);
  const { handler } = serviceHandler(m);
  const texts = await handler(
    post("/embed", { side: "left", texts: Array(1025).fill("a") }),
  );
  assert.equal(texts.status, 400);
  assert.match(
    (await texts.json()).error,
    /^field "texts": expected at most 1024 texts but found 1025$/,
  );
  const pairs = await handler(
    post("/score", { pairs: Array(1025).fill(["a", "b"]) }),
  );
  assert.equal(pairs.status, 400);
  assert.match(
    (await pairs.json()).error,
    /^field "pairs": expected at most 1024 pairs but found 1025$/,
  );
  const ok = await handler(
    post("/embed", { side: "left", texts: Array(1024).fill("a") }),
  );
  assert.equal((await ok.json()).vectors.length, 1024);
  m.dispose();
});
