import assert from "@std/assert";
import * as tf from "../../src/deps/tfjs_core.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import { Rng } from "../../src/data/rng.ts";
import { similarityMatrix } from "../../src/infer/evaluate.ts";
import { CorpusMatrix, topK } from "../../src/use/top_k.ts";

await setupBackend({ log: false });

function random(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

for (const distance of ["cosine", "euclidean"] as const) {
  Deno.test(`topK() gives the same hits whatever the block size, as a full sort of similarityMatrix (${distance})`, () => {
    const rng = new Rng(3);
    const dim = 5;
    const queries = { vectors: random(4 * dim, rng) };
    const vectors = random(37 * dim, rng);
    const full = similarityMatrix(queries.vectors, vectors, dim, distance);
    const tensors = tf.memory().numTensors;
    const run = (blockSize: number) => {
      const corpus = new CorpusMatrix({ vectors }, dim, {
        distance,
        blockSize,
      });
      const hits = topK(queries, corpus, 6, 0);
      corpus.dispose();
      return hits;
    };
    const whole = run(100);
    for (const blockSize of [1, 7, 36]) assert.deepEqual(run(blockSize), whole);
    assert.equal(tf.memory().numTensors, tensors);
    whole.forEach((hits, q) => {
      const sorted = Array.from({ length: 37 }, (_, j) => j)
        .sort((a, b) => full[q * 37 + b]! - full[q * 37 + a]! || a - b)
        .slice(0, 6);
      assert.deepEqual(hits.map((h) => h.index), sorted);
      hits.forEach((h, r) =>
        assert.ok(Math.abs(h.score - full[q * 37 + sorted[r]!]!) < 1e-6)
      );
    });
  });
}

Deno.test("topK() keeps equal scores in corpus order and mixes the lexical cosine", () => {
  const v = Float32Array.of(1, 0, 1, 0, 0, 1, 1, 0);
  const plain = new CorpusMatrix({ vectors: v }, 2, {
    distance: "cosine",
    blockSize: 2,
  });
  const hits = topK({ vectors: Float32Array.of(1, 0) }, plain, 3, 0);
  assert.deepEqual(hits[0]!.map((h) => h.index), [0, 1, 3]);
  plain.dispose();
  const a = { ids: Float64Array.of(1), values: Float32Array.of(1) };
  const none = { ids: Float64Array.of(2), values: Float32Array.of(1) };
  const corpus = new CorpusMatrix(
    { vectors: v, lexical: [none, none, a, a] },
    2,
    {
      distance: "cosine",
    },
  );
  const mixed = topK(
    { vectors: Float32Array.of(1, 0), lexical: [a] },
    corpus,
    2,
    0.5,
  );
  // row 3: 0.5 * 1 + 0.5 * 1; row 2: 0.5 * 0 + 0.5 * 1; rows 0, 1: 0.5
  assert.deepEqual(mixed[0]!.map((h) => h.index), [3, 0]);
  assert.ok(Math.abs(mixed[0]![0]!.score - 1) < 1e-6);
  assert.throws(
    () => topK({ vectors: Float32Array.of(1, 0) }, corpus, 0, 0),
    /k to be an integer >= 1 but found 0/,
  );
  corpus.dispose();
});

Deno.test("CorpusMatrix takes the lexical vectors a block at a time and ranks as with all of them", () => {
  const rng = new Rng(5);
  const dim = 3, n = 11;
  const vectors = random(n * dim, rng);
  const lexical = Array.from({ length: n }, (_, i) => ({
    ids: Float64Array.of(i % 3, 3 + (i % 4)),
    values: Float32Array.of(0.6, 0.8),
  }));
  const queries = {
    vectors: random(2 * dim, rng),
    lexical: [lexical[1]!, lexical[6]!],
  };
  const all = new CorpusMatrix({ vectors, lexical }, dim, {
    distance: "cosine",
    blockSize: 4,
  });
  const asked: [number, number][] = [];
  const blocks = new CorpusMatrix(
    {
      vectors,
      lexical: (start, end) => {
        asked.push([start, end]);
        return lexical.slice(start, end);
      },
    },
    dim,
    { distance: "cosine", blockSize: 4 },
  );
  assert.deepEqual(asked, [[0, 4], [4, 8], [8, 11]]);
  const want = topK(queries, all, 5, 0.7);
  assert.deepEqual(topK(queries, blocks, 5, 0.7), want);
  assert.equal(want[0]![0]!.index % 3, 1, "the lexical match ranks first");
  all.dispose();
  blocks.dispose();
});
