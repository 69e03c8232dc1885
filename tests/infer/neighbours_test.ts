import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { makeSyntheticPairs } from "../../src/data/synthetic.ts";
import { embedRows } from "../../src/infer/embed.ts";
import { mineNeighbours } from "../../src/infer/neighbours.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { sparseDotMatrix } from "../../src/lexical/sparse.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";

await setupBackend({ log: false });

const shapes = { vocab: 12, leftLen: 4, rightLen: 6 };

/** A model with a lexical channel of weight 0.4, its data and pair rows. */
function setup(n: number) {
  const config = modelConfig({
    ...shapes,
    embeddingDim: 3,
    lstmUnits: 5,
    denseUnits: 6,
    lexical: { weight: 0.4, n: 2, len: 0, loss: "separate" },
  });
  const model = buildSiamese(config, 2);
  const set = { ...makeSyntheticPairs(n, shapes), size: n };
  model.lexical = LexicalIndex.fit(set, { n: 2, vocab: shapes.vocab });
  // the epoch's pairs in some order other than the rows'
  const rows = Int32Array.from({ length: n }, (_, i) => (i * 7) % n);
  return { model, set, rows: { left: rows, right: rows } };
}

/** Top k of every row by brute force: cosines mixed with the channel, one rule for ties. */
function bruteForce(
  { model, set, rows }: ReturnType<typeof setup>,
  k: number,
  pool: number,
  same: (i: number, j: number) => boolean,
): number[][] {
  const ids = (data: Int32Array, len: number) =>
    Int32Array.from(
      { length: rows.left.length * len },
      (_, q) => data[rows.left[Math.floor(q / len)]! * len + (q % len)]!,
    );
  const l = embedRows(model.left, ids(set.left, set.leftLen), {
    len: set.leftLen,
  });
  const r = embedRows(model.right, ids(set.right, set.rightLen), {
    len: set.rightLen,
  });
  const unit = (v: Float32Array, i: number) => {
    const x = Array.from(v.subarray(i * l.dim, (i + 1) * l.dim));
    const norm = Math.hypot(...x);
    return x.map((a) => a / norm);
  };
  const index = model.lexical!;
  const lex = sparseDotMatrix(
    Array.from(rows.left, (row) => index.rowVector(set.left, set.leftLen, row)),
    Array.from(
      rows.right,
      (row) => index.rowVector(set.right, set.rightLen, row),
    ),
  );
  const n = rows.left.length;
  return Array.from({ length: n }, (_, i) => {
    const a = unit(l.vectors, i);
    const p0 = Math.floor(i / pool) * pool;
    const scored = [];
    for (let j = p0; j < Math.min(n, p0 + pool); j++) {
      if (same(i, j)) continue;
      const b = unit(r.vectors, j);
      const cos = a.reduce((s, x, d) => s + x * b[d]!, 0);
      scored.push({ j, s: 0.6 * cos + 0.4 * lex[i * n + j]! });
    }
    scored.sort((x, y) => y.s - x.s || x.j - y.j);
    return scored.slice(0, k).map((x) => x.j);
  });
}

Deno.test("mineNeighbours() gives each pair the k best others of its pool by the mixed score", () => {
  const s = setup(40);
  const k = 5;
  const got = mineNeighbours(s.model, s.set, s.rows, {
    k,
    distance: "cosine",
    blockRows: 7,
    poolSize: 16,
  });
  const want = bruteForce(s, k, 16, (i, j) => i === j);
  for (let i = 0; i < 40; i++) {
    const row = Array.from(got.subarray(i * k, (i + 1) * k));
    assert.deepStrictEqual(row, want[i], `row ${i}`);
    assert.ok(row.every((j) => Math.floor(j / 16) === Math.floor(i / 16)));
  }
  s.model.left.dispose();
});

Deno.test("mineNeighbours() never lists a pair with the same left or right text, and pads with -1", () => {
  const s = setup(6);
  // pair 2's left is pair 0's, pair 3's right is pair 1's
  const { set } = s;
  set.left.copyWithin(2 * set.leftLen, 0, set.leftLen);
  set.right.copyWithin(3 * set.rightLen, set.rightLen, 2 * set.rightLen);
  const rows = Int32Array.of(0, 1, 2, 3, 4, 5);
  const k = 5;
  const near = mineNeighbours(s.model, set, { left: rows, right: rows }, {
    k,
    distance: "cosine",
  });
  const list = (i: number) => Array.from(near.subarray(i * k, (i + 1) * k));
  assert.deepStrictEqual(list(0).toSorted(), [-1, 1, 3, 4, 5]);
  assert.deepStrictEqual(list(2).toSorted(), [-1, 1, 3, 4, 5]);
  assert.deepStrictEqual(list(1).toSorted(), [-1, 0, 2, 4, 5]);
  assert.deepStrictEqual(list(3).toSorted(), [-1, 0, 2, 4, 5]);
  assert.deepStrictEqual(list(4).toSorted(), [0, 1, 2, 3, 5]);
  assert.strictEqual(list(0).at(-1), -1);
  s.model.left.dispose();
});

Deno.test("mineNeighbours() refuses a lexical channel with euclidean distance", () => {
  const s = setup(4);
  assert.throws(
    () =>
      mineNeighbours(s.model, s.set, s.rows, { k: 2, distance: "euclidean" }),
    /cosine/,
  );
  s.model.left.dispose();
});
