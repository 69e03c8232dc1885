import assert from "@std/assert";
import { Channel } from "../../../bench/quality/channels.ts";
import { Rng } from "../../../src/data/rng.ts";
import { LexicalIndex } from "../../../src/lexical/ngram_tfidf.ts";
import { sparseDotMatrix } from "../../../src/lexical/sparse.ts";

function randomSet(size: number, seed: number) {
  const rng = new Rng(seed);
  const fill = (len: number) => {
    const out = new Int32Array(size * len);
    for (let r = 0; r < size; r++) {
      const used = 1 + rng.int(len);
      for (let c = 0; c < used; c++) out[r * len + c] = 1 + rng.int(6);
    }
    return out;
  };
  return { size, leftLen: 5, rightLen: 9, left: fill(5), right: fill(9) };
}

Deno.test("Channel with raw tf scores as the train command's lexical channel", () => {
  const train = randomSet(30, 1);
  const test = randomSet(12, 2);
  for (const n of [1, 2, 3]) {
    const index = LexicalIndex.fit(train, { n, vocab: 7 });
    const expected = sparseDotMatrix(
      index.vectors(test.left, test.leftLen),
      index.vectors(test.right, test.rightLen),
    );
    const got = new Channel(train, { n, vocab: 7, tf: "raw" }).cosines(test);
    assert.equal(got.length, expected.length);
    for (let k = 0; k < got.length; k++) {
      assert.ok(Math.abs(got[k]! - expected[k]!) < 1e-5, `n ${n}, entry ${k}`);
    }
  }
});

Deno.test("Channel term weights differ only where a term repeats", () => {
  const train = randomSet(30, 3);
  const once = {
    size: 2,
    leftLen: 3,
    rightLen: 3,
    left: Int32Array.of(1, 2, 3, 4, 5, 6),
    right: Int32Array.of(1, 2, 4, 3, 5, 6),
  };
  const raw = new Channel(train, { n: 1, vocab: 7, tf: "raw" }).cosines(once);
  const log = new Channel(train, { n: 1, vocab: 7, tf: "log" }).cosines(once);
  assert.deepEqual(
    [...raw].map((x) => x.toFixed(5)),
    [...log].map((x) => x.toFixed(5)),
  );
  const twice = { ...once, left: Int32Array.of(1, 1, 2, 4, 5, 6) };
  const raw2 = new Channel(train, { n: 1, vocab: 7, tf: "raw" }).cosines(twice);
  const log2 = new Channel(train, { n: 1, vocab: 7, tf: "log" }).cosines(twice);
  assert.ok(Math.abs(raw2[0]! - log2[0]!) > 1e-3);
});
