import assert from "@std/assert";
import {
  charNgrams,
  tfidfRetrieval,
  TfidfVectorizer,
} from "../../../bench/quality/tfidf.ts";
import { sparseDotMatrix } from "../../../src/lexical/sparse.ts";

Deno.test("charNgrams() lowercases, collapses whitespace and pads both ends", () => {
  assert.deepEqual(charNgrams(" Ada\tX "), [" ad", "ada", "da ", "a x", " x "]);
  assert.deepEqual(charNgrams("a"), [" a "]);
  assert.deepEqual(charNgrams(""), []);
  assert.deepEqual(charNgrams("ab", 2), [" a", "ab", "b "]);
});

Deno.test("charNgrams() names a bad n", () => {
  assert.throws(() => charNgrams("abc", 0), {
    message: "Expected n to be an integer of at least 1 but found 0",
  });
});

Deno.test("TfidfVectorizer.transform() weights rare n-grams higher and normalises", () => {
  // N = 3; in "ab cd": " ab", "ab " in 2 texts, " cd", "cd " in 1, "b c" in none
  const v = TfidfVectorizer.fit(["ab", "ab x", "cd"]);
  const idf = (df: number) => Math.log(4 / (1 + df)) + 1;
  assert.equal(v.idf(" ab"), idf(2));
  assert.equal(v.idf(" cd"), idf(1));
  assert.equal(v.idf("b c"), idf(0));
  const raw = [idf(2), idf(2), idf(1), idf(1), idf(0)];
  const norm = Math.hypot(...raw);
  const x = v.transform("ab cd");
  assert.equal(x.ids.length, 5);
  const got = [...x.values].sort((a, b) => a - b);
  raw.forEach((w, k) => {
    assert.ok(Math.abs(got[k]! - w / norm) < 1e-6, `value ${k}: ${got[k]}`);
  });
  assert.deepEqual(v.transform(""), {
    ids: new Int32Array(0),
    values: new Float32Array(0),
  });
});

Deno.test("TfidfVectorizer.transform() with sublinearTf damps repeats", () => {
  const texts = ["aaaa b", "c"];
  const raw = TfidfVectorizer.fit(texts).transform("aaaa b");
  const sub = TfidfVectorizer.fit(texts, { sublinearTf: true })
    .transform("aaaa b");
  // "aaa" occurs twice: its share of the vector shrinks with sublinear tf
  const share = (x: { values: Float32Array }) => Math.max(...x.values);
  assert.ok(share(sub) < share(raw));
});

Deno.test("sparseDotMatrix() of text TF-IDF vectors equals dense dot products", () => {
  const v = TfidfVectorizer.fit(["the cat", "a dog", "cats and dogs"]);
  const texts = ["cat", "dog", "the cats"];
  const xs = texts.map((t) => v.transform(t));
  const m = sparseDotMatrix(xs, xs);
  const dense = (a: { ids: Int32Array; values: Float32Array }) => {
    const out = new Map<number, number>();
    a.ids.forEach((id, k) => out.set(id, a.values[k]!));
    return out;
  };
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let dot = 0;
      const b = dense(xs[j]!);
      for (const [id, w] of dense(xs[i]!)) dot += w * (b.get(id) ?? 0);
      assert.ok(Math.abs(m[i * 3 + j]! - dot) < 1e-6, `(${i}, ${j})`);
    }
    assert.ok(Math.abs(m[i * 3 + i]! - 1) < 1e-6);
  }
});

Deno.test("tfidfRetrieval() finds definitions that spell out their term", () => {
  const pairs = [
    { left: "Lisp", right: "<language> LISt Processing, Lisp's lists" },
    { left: "Ada", right: "<language> Ada, after Ada Lovelace" },
    { left: "Perl", right: "<language> Perl: practical extraction" },
    { left: "TCP", right: "<protocol> Transmission Control Protocol, TCP" },
  ];
  const fit = pairs.flatMap((p) => [p.left, p.right]);
  const r = tfidfRetrieval(pairs, fit);
  assert.deepEqual(r, { n: 4, ks: [1, 10], recall: [1, 1], mrr: 1 });
});

Deno.test("tfidfRetrieval() scores texts without shared n-grams as misses", () => {
  const pairs = [{ left: "xx", right: "yy" }, { left: "zz", right: "ww" }];
  const r = tfidfRetrieval(pairs, ["qq"]);
  // all similarities are 0: ties count against, so rank 2 for both
  assert.deepEqual(r, { n: 2, ks: [1, 10], recall: [0, 1], mrr: 0.5 });
});
