import assert from "@std/assert";
import { LEXICAL_FORMAT, LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b} but found ${a}`);

// three rows over a vocabulary of 10, length 4, 0 = padding
const rows = Int32Array.from([
  2,
  3,
  2,
  3, // "2 3 2 3"
  2,
  3,
  0,
  0, // "2 3"
  5,
  0,
  0,
  0, // "5"
]);

Deno.test("LexicalIndex counts each n-gram once per row, with 0 padding at both ends for n >= 2", () => {
  const index = LexicalIndex.fitRows(rows, 4, { n: 2, vocab: 10 });
  assert.strictEqual(index.documents, 3);
  // row 1: 02 23 32 23 30; row 2: 02 23 30; row 3: 05 50
  assert.strictEqual(index.size, 6);
  const idf = (df: number) => Math.log(4 / (1 + df)) + 1;
  close(index.idf(2), idf(2)); // "0 2"
  close(index.idf(23), idf(2)); // "2 3" twice in row 1 but one document
  close(index.idf(32), idf(1));
  close(index.idf(50), idf(1));
  close(index.idf(99), idf(0)); // never seen: the largest weight
});

Deno.test("LexicalIndex.vector() is tf x idf, L2-normalised, ids ascending", () => {
  const index = LexicalIndex.fitRows(rows, 4, { n: 2, vocab: 10 });
  const v = index.vector(rows.subarray(0, 4));
  assert.deepStrictEqual([...v.ids], [2, 23, 30, 32]);
  const idf = (df: number) => Math.log(4 / (1 + df)) + 1;
  const raw = [idf(2), 2 * idf(2), idf(2), idf(1)]; // "2 3" occurs twice
  const norm = Math.hypot(...raw);
  raw.forEach((w, k) => close(v.values[k]!, w / norm));
  // a row of padding only has no n-grams
  const empty = index.vector(Int32Array.from([0, 0, 0]));
  assert.strictEqual(empty.ids.length, 0);
  // tokens after the first padding id are not read
  assert.deepStrictEqual(
    [...index.vector(Int32Array.from([5, 0, 2, 3])).ids],
    [5, 50],
  );
});

Deno.test("LexicalIndex.fit() counts left and right rows as documents of one vocabulary", () => {
  const set = {
    size: 2,
    leftLen: 2,
    rightLen: 3,
    left: Int32Array.from([4, 0, 6, 0]),
    right: Int32Array.from([4, 5, 0, 7, 0, 0]),
  };
  const index = LexicalIndex.fit(set, { n: 1, vocab: 8 });
  assert.strictEqual(index.documents, 4);
  close(index.idf(4), Math.log(5 / 3) + 1); // left row 0 and right row 0
  close(index.idf(7), Math.log(5 / 2) + 1);
  close(index.idf(0), Math.log(5 / 1) + 1); // unigrams: no padding, never seen
});

Deno.test("LexicalIndex survives JSON and rejects a damaged file, naming field and value", () => {
  const index = LexicalIndex.fitRows(rows, 4, { n: 3, vocab: 10 });
  const json = JSON.parse(JSON.stringify(index.toJSON()));
  assert.strictEqual(json.format, LEXICAL_FORMAT);
  const back = LexicalIndex.fromJSON(json, "run/lexical.json");
  assert.strictEqual(back.size, index.size);
  assert.deepStrictEqual(
    back.vector(rows.subarray(0, 4)),
    index.vector(rows.subarray(0, 4)),
  );
  assert.throws(
    () =>
      LexicalIndex.fromJSON(
        { ...json, df: json.df.slice(1) },
        "run/lexical.json",
      ),
    /run\/lexical\.json: field "df" .*expected an array of \d+ integers >= 1/,
  );
  assert.throws(
    () => LexicalIndex.fromJSON({ ...json, n: 0 }, "run/lexical.json"),
    /field "n" is 0; expected an integer >= 1/,
  );
  assert.throws(
    () => LexicalIndex.fromJSON({ ...json, format: "x" }, "run/lexical.json"),
    /field "format" is "x"/,
  );
});

Deno.test("LexicalIndex refuses n-gram ids a float64 cannot count exactly", () => {
  assert.throws(
    () => LexicalIndex.fitRows(rows, 4, { n: 4, vocab: 20000 }),
    /20000\^4 ids.*model.lexical.n/,
  );
  LexicalIndex.fitRows(rows, 4, { n: 3, vocab: 20000 }); // 8e12: fine
});

Deno.test("LexicalIndex.vector() equals a tally by Map, id for id and bit for bit, for n = 1, 2, 3", () => {
  // random rows with repeats and padding, over a small vocabulary
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const len = 40;
  const data = Int32Array.from({ length: 30 * len }, (_, k) => {
    const row = Math.floor(k / len), t = k % len;
    return t < (row * 7) % (len + 1) ? 1 + Math.floor(next() * 9) : 0;
  });
  for (const n of [1, 2, 3]) {
    const index = LexicalIndex.fitRows(data.subarray(0, 15 * len), len, {
      n,
      vocab: 10,
    });
    for (let r = 0; r < 30; r++) {
      const row = data.subarray(r * len, (r + 1) * len);
      // the reference: the row's n-grams (0-padded at both ends for n >= 2)
      // tallied in a Map, sorted, weighted by count x IDF, normalised
      const tokens = [
        ...row.subarray(0, row.indexOf(0) < 0 ? len : row.indexOf(0)),
      ];
      const padded = tokens.length === 0
        ? []
        : n === 1
        ? tokens
        : [0, ...tokens, 0];
      const tally = new Map<number, number>();
      for (let k = 0; k + n <= padded.length; k++) {
        let g = 0;
        for (let j = 0; j < n; j++) g = g * 10 + padded[k + j]!;
        tally.set(g, (tally.get(g) ?? 0) + 1);
      }
      const ids = Float64Array.from(tally.keys()).sort();
      const values = Float32Array.from(
        ids,
        (g) => tally.get(g)! * index.idf(g),
      );
      const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
      if (norm > 0) values.forEach((v, k) => (values[k] = v / norm));
      const got = index.vector(row);
      assert.deepStrictEqual([...got.ids], [...ids], `row ${r}, n ${n}`);
      assert.deepStrictEqual([...got.values], [...values], `row ${r}, n ${n}`);
    }
  }
});
