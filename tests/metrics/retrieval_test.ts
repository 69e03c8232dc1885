import { deepStrictEqual, strictEqual, throws } from "@std/assert";
import {
  cosineSimilarity,
  retrievalFromEmbeddings,
  retrievalInBlocks,
  retrievalMetrics,
} from "../../src/metrics/retrieval.ts";
import { Rng } from "../../src/data/rng.ts";

const SIM = new Float32Array([
  0.9,
  0.1,
  0.5,
  0.0, // diagonal highest: rank 1
  0.8,
  0.3,
  0.2,
  0.1, // one above: rank 2
  0.4,
  0.4,
  0.4,
  0.4, // all tied: rank 4 (ties count against)
  0.7,
  0.6,
  0.9,
  0.5, // three above: rank 4
]);

Deno.test("retrievalMetrics() matches hand-computed ranks 1, 2, 4, 4", () => {
  deepStrictEqual(retrievalMetrics(SIM, { ks: [1, 2, 3, 10] }), {
    n: 4,
    ks: [1, 2, 3, 10],
    recall: [1 / 4, 2 / 4, 2 / 4, 1],
    mrr: (1 + 1 / 2 + 1 / 4 + 1 / 4) / 4,
  });
});

Deno.test("retrievalMetrics() defaults to recall@1 and recall@10", () => {
  deepStrictEqual(retrievalMetrics(SIM).ks, [1, 10]);
});

Deno.test("retrievalMetrics() scores a collapsed model at chance, not perfect", () => {
  const n = 5;
  const r = retrievalMetrics(new Float32Array(n * n).fill(0.7), { ks: [1] });
  deepStrictEqual(r.recall, [0]);
  strictEqual(r.mrr, 1 / n);
});

Deno.test("retrievalMetrics() rejects a matrix that is not square", () => {
  throws(() => retrievalMetrics(new Float32Array(6)), {
    message:
      "Expected similarity to have length N * N for some N >= 1 but found 6",
  });
  throws(() => retrievalMetrics([]), {
    message:
      "Expected similarity to have length N * N for some N >= 1 but found 0",
  });
});

Deno.test("retrievalMetrics() rejects NaN similarities", () => {
  throws(() => retrievalMetrics([1, NaN, 0, 1]), {
    message: "Expected similarity (0, 1) to be a number but found NaN",
  });
});

Deno.test("retrievalMetrics() rejects a k below 1", () => {
  throws(() => retrievalMetrics([1], { ks: [1, 0] }), {
    message:
      "Expected every k in ks to be an integer of at least 1 but found 0",
  });
});

Deno.test("retrievalFromEmbeddings() agrees with retrievalMetrics on the cosine matrix", () => {
  const rng = new Rng(11);
  const n = 30;
  const dim = 8;
  const left = Float32Array.from({ length: n * dim }, () => rng.normal());
  const right = left.map((x) => x + 1.5 * rng.normal());
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      sim[i * n + j] = cosineSimilarity(
        left.subarray(i * dim, (i + 1) * dim),
        right.subarray(j * dim, (j + 1) * dim),
      );
    }
  }
  const fromEmbeddings = retrievalFromEmbeddings({ data: left, dim }, {
    data: right,
    dim,
  }, {
    ks: [1, 5],
  });
  deepStrictEqual(fromEmbeddings, retrievalMetrics(sim, { ks: [1, 5] }));
  strictEqual(fromEmbeddings.recall[0]! > 1 / n, true);
});

Deno.test("retrievalFromEmbeddings() uses the given similarity", () => {
  const negDistance = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    -Math.abs(a[0]! - b[0]!);
  const r = retrievalFromEmbeddings({ data: [0, 10], dim: 1 }, {
    data: [9, 1],
    dim: 1,
  }, {
    similarity: negDistance,
    ks: [1],
  });
  deepStrictEqual(r, { n: 2, ks: [1], recall: [0], mrr: 0.5 });
});

Deno.test("retrievalFromEmbeddings() rejects sides of different sizes", () => {
  throws(
    () =>
      retrievalFromEmbeddings({ data: [1, 2, 3, 4], dim: 2 }, {
        data: [1, 2],
        dim: 2,
      }),
    {
      message: "Expected right.data to have length 4 as left.data but found 2",
    },
  );
  throws(
    () =>
      retrievalFromEmbeddings({ data: [1, 2], dim: 2 }, {
        data: [1, 2],
        dim: 1,
      }),
    {
      message: "Expected right.dim to be 2 as left.dim but found 1",
    },
  );
  throws(
    () =>
      retrievalFromEmbeddings({ data: [1, 2, 3], dim: 2 }, {
        data: [1, 2, 3],
        dim: 2,
      }),
    {
      message:
        "Expected left.data to have a non-zero length divisible by 2 but found 3",
    },
  );
});

Deno.test("cosineSimilarity() gives 0 for a zero vector", () => {
  strictEqual(cosineSimilarity([0, 0], [1, 1]), 0);
  strictEqual(cosineSimilarity([1, 1], [-2, -2]), -1);
});

Deno.test("retrievalInBlocks() gives retrievalMetrics' figures for any block of rows", () => {
  const rng = new Rng(3);
  const n = 23;
  // rounded, so that ties occur
  const sim = Float32Array.from(
    { length: n * n },
    () => Math.round(rng.normal() * 4) / 4,
  );
  const want = retrievalMetrics(sim, { ks: [1, 3, 10] });
  for (const blockRows of [1, 4, 7, 23, 100]) {
    const asked: number[] = [];
    const got = retrievalInBlocks(n, (start, end) => {
      asked.push(end - start);
      return sim.subarray(start * n, end * n);
    }, { ks: [1, 3, 10], blockRows });
    deepStrictEqual(got, want);
    strictEqual(Math.max(...asked), Math.min(blockRows, n));
  }
});

Deno.test("retrievalInBlocks() rejects a block of the wrong length", () => {
  throws(
    () => retrievalInBlocks(3, () => new Float32Array(4)),
    /Expected rows 0 to 3 to have length 9 but found 4/,
  );
  throws(
    () => retrievalInBlocks(3, () => new Float32Array(9), { blockRows: 0 }),
    /Expected blockRows to be an integer of at least 1 but found 0/,
  );
});
