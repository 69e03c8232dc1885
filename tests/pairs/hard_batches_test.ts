import assert from "@std/assert";
import { Rng } from "../../src/data/rng.ts";
import { sparseDotMatrix } from "../../src/lexical/sparse.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import {
  groupedOrder,
  lexicalNeighbours,
} from "../../src/pairs/hard_batches.ts";

/** Random pairs over a small vocabulary, rows padded with zeros. */
function randomSet(size: number, seed: number) {
  const rng = new Rng(seed);
  const leftLen = 6;
  const rightLen = 12;
  const fill = (len: number) => {
    const out = new Int32Array(size * len);
    for (let r = 0; r < size; r++) {
      const used = 2 + rng.int(len - 1);
      for (let c = 0; c < used; c++) out[r * len + c] = 1 + rng.int(9);
    }
    return out;
  };
  return {
    size,
    leftLen,
    rightLen,
    left: fill(leftLen),
    right: fill(rightLen),
  };
}

Deno.test("lexicalNeighbours() are the k best rights by TF-IDF cosine when no n-gram is skipped", () => {
  const set = randomSet(40, 7);
  const k = 3;
  const nb = lexicalNeighbours(set, { k, n: 2, vocab: 10, maxDfFraction: 1 });
  const index = LexicalIndex.fit(set, { n: 2, vocab: 10 });
  const sim = sparseDotMatrix(
    index.vectors(set.left, set.leftLen),
    index.vectors(set.right, set.rightLen),
  );
  for (let i = 0; i < set.size; i++) {
    const expected = Array.from({ length: set.size }, (_, j) => j)
      .filter((j) => j !== i && sim[i * set.size + j]! > 0)
      .sort((a, b) => sim[i * set.size + b]! - sim[i * set.size + a]! || a - b)
      .slice(0, k);
    const got = [...nb.subarray(i * k, (i + 1) * k)].filter((j) => j >= 0);
    // equal scores may come out in float32 sums of another order: compare scores
    assert.deepEqual(
      got.map((j) => sim[i * set.size + j]!.toFixed(5)),
      expected.map((j) => sim[i * set.size + j]!.toFixed(5)),
      `row ${i}`,
    );
    assert.ok(!got.includes(i));
  }
});

Deno.test("lexicalNeighbours() skips n-grams found in more than maxDfFraction of the right sides", () => {
  // every row shares token 2; only rows 0 and 1 share token 3
  const set = {
    size: 3,
    leftLen: 2,
    rightLen: 2,
    left: Int32Array.of(2, 3, 2, 4, 2, 5),
    right: Int32Array.of(2, 6, 2, 3, 2, 7),
  };
  const all = lexicalNeighbours(set, {
    k: 2,
    n: 1,
    vocab: 10,
    maxDfFraction: 1,
  });
  assert.ok(all[2 * 2]! >= 0); // row 2 reaches others through token 2
  const rare = lexicalNeighbours(set, {
    k: 2,
    n: 1,
    vocab: 10,
    maxDfFraction: 0.5,
  });
  assert.deepEqual([...rare], [1, -1, -1, -1, -1, -1]);
});

Deno.test("groupedOrder() is a permutation of the rows that puts neighbours after their row", () => {
  const set = randomSet(50, 3);
  const k = 2;
  const nb = lexicalNeighbours(set, { k, n: 2, vocab: 10, maxDfFraction: 1 });
  const rows = Int32Array.from(new Rng(5).shuffle([...Array(50).keys()]));
  const order = groupedOrder(rows, nb, k);
  assert.deepEqual([...order].sort((a, b) => a - b), [...Array(50).keys()]);
  // the first row opens a group: its neighbours come right after it
  const first = order[0]!;
  const firstNb = [...nb.subarray(first * k, (first + 1) * k)].filter((j) =>
    j >= 0
  );
  assert.deepEqual([...order.subarray(1, 1 + firstNb.length)], firstNb);
  // rows not in the epoch are never added
  const some = groupedOrder(rows.subarray(0, 10), nb, k);
  assert.deepEqual(
    [...some].sort((a, b) => a - b),
    [...rows.subarray(0, 10)].sort((a, b) => a - b),
  );
});
