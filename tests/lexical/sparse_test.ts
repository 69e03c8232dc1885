import assert from "@std/assert";
import { Rng } from "../../src/data/rng.ts";
import {
  sparseDot,
  sparseDotMatrix,
  SparsePostings,
  type SparseVector,
} from "../../src/lexical/sparse.ts";

/** Random sparse vectors: ascending ids (some past 2^31), random values. */
function vectors(n: number, rng: Rng): SparseVector[] {
  return Array.from({ length: n }, () => {
    const ids = new Set<number>();
    const count = rng.int(12);
    while (ids.size < count) {
      ids.add(rng.int(40) * (rng.int(2) === 0 ? 1 : 2 ** 33 + 7));
    }
    const sorted = Float64Array.from([...ids].sort((a, b) => a - b));
    return {
      ids: sorted,
      values: Float32Array.from(sorted, () => rng.normal()),
    };
  });
}

Deno.test("SparsePostings.dotMatrix() equals the same sums over a Map of postings bit for bit", () => {
  const rng = new Rng(7);
  const lefts = vectors(30, rng), rights = vectors(25, rng);
  // the former index: per id, its vectors and values in the rights' order
  const map = new Map<number, { docs: number[]; values: number[] }>();
  rights.forEach((r, j) => {
    for (let k = 0; k < r.ids.length; k++) {
      const p = map.get(r.ids[k]!) ?? { docs: [], values: [] };
      map.set(r.ids[k]!, p);
      p.docs.push(j);
      p.values.push(r.values[k]!);
    }
  });
  const want = new Float32Array(lefts.length * rights.length);
  lefts.forEach((l, i) => {
    for (let k = 0; k < l.ids.length; k++) {
      const p = map.get(l.ids[k]!);
      for (let q = 0; p !== undefined && q < p.docs.length; q++) {
        want[i * rights.length + p.docs[q]!]! += l.values[k]! * p.values[q]!;
      }
    }
  });
  const got = new SparsePostings(rights).dotMatrix(lefts);
  assert.deepStrictEqual(got, want);
  assert.ok(got.some((x) => x !== 0), "some vectors share ids");
  // and each entry is the pair's dot product (to float32 rounding)
  const dot = sparseDot(lefts[3]!, rights[5]!);
  assert.ok(Math.abs(got[3 * rights.length + 5]! - dot) < 1e-5);
});

Deno.test("sparseDotMatrix() gives zeros for empty vectors and ids no right holds", () => {
  const v = (ids: number[], values: number[]) => ({ ids, values });
  const m = sparseDotMatrix([v([], []), v([5, 9], [1, 1])], [
    v([], []),
    v([1, 5], [2, 3]),
  ]);
  assert.deepStrictEqual([...m], [0, 0, 0, 3]);
  assert.strictEqual(new SparsePostings([]).dotMatrix([v([1], [1])]).length, 0);
});

Deno.test("SparsePostings keeps float64 values exact and indexes more than 65,536 vectors", () => {
  const v = (ids: number[], values: number[]) => ({ ids, values });
  // a value that is not a float32, and a product its float32 rounding changes
  const x = 0.6666666676666666;
  assert.notStrictEqual(Math.fround(7 * x), Math.fround(7 * Math.fround(x)));
  const m = sparseDotMatrix([v([1], [7])], [v([1], [x])]);
  assert.strictEqual(m[0], Math.fround(7 * x));
  const rights = Array.from({ length: 70_000 }, () => v([], []));
  rights[69_999] = v([5], [0.5]);
  const row = new SparsePostings(rights).dotMatrix([v([5], [4])]);
  assert.strictEqual(row.length, 70_000);
  assert.strictEqual(row[69_999], 2);
  assert.strictEqual(row[69_999 - 65_536], 0);
});
