import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { Rng } from "../../src/data/rng.ts";
import { similarityMatrix } from "../../src/infer/evaluate.ts";
import { topK } from "../../src/use/top_k.ts";

await setupBackend({ log: false });

function random(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

Deno.test("topK() gives the same hits whatever the block size, as a full sort does", () => {
  const rng = new Rng(3);
  const dim = 5;
  const queries = { vectors: random(4 * dim, rng) };
  const corpus = { vectors: random(37 * dim, rng) };
  const full = similarityMatrix(queries.vectors, corpus.vectors, dim, "cosine");
  const opts = { distance: "cosine" as const, weight: 0 };
  const whole = topK(queries, corpus, dim, 6, { ...opts, blockSize: 100 });
  for (const blockSize of [1, 7, 36]) {
    assert.deepEqual(
      topK(queries, corpus, dim, 6, { ...opts, blockSize }),
      whole,
    );
  }
  whole.forEach((hits, q) => {
    const sorted = Array.from({ length: 37 }, (_, j) => j)
      .sort((a, b) => full[q * 37 + b]! - full[q * 37 + a]! || a - b)
      .slice(0, 6);
    assert.deepEqual(hits.map((h) => h.index), sorted);
    assert.deepEqual(
      hits.map((h) => h.score),
      sorted.map((j) => full[q * 37 + j]!),
    );
  });
});

Deno.test("topK() keeps equal scores in corpus order and mixes the lexical cosine", () => {
  const v = Float32Array.of(1, 0, 1, 0, 0, 1, 1, 0);
  const hits = topK({ vectors: Float32Array.of(1, 0) }, { vectors: v }, 2, 3, {
    distance: "cosine",
    weight: 0,
    blockSize: 2,
  });
  assert.deepEqual(hits[0]!.map((h) => h.index), [0, 1, 3]);
  const a = { ids: Float64Array.of(1), values: Float32Array.of(1) };
  const none = { ids: Float64Array.of(2), values: Float32Array.of(1) };
  const mixed = topK(
    { vectors: Float32Array.of(1, 0), lexical: [a] },
    { vectors: v, lexical: [none, none, a, a] },
    2,
    2,
    { distance: "cosine", weight: 0.5 },
  );
  // row 3: 0.5 * 1 + 0.5 * 1; row 2: 0.5 * 0 + 0.5 * 1; rows 0, 1: 0.5
  assert.deepEqual(mixed[0]!.map((h) => h.index), [3, 0]);
  assert.ok(Math.abs(mixed[0]![0]!.score - 1) < 1e-6);
});
