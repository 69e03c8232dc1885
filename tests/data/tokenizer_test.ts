import { deepStrictEqual, rejects, strictEqual, throws } from "@std/assert";
import {
  PAD_ID,
  TokenCounter,
  tokenize,
  UNKNOWN_ID,
  Vocabulary,
} from "../../src/data/tokenizer.ts";

Deno.test("tokenize() splits words on anything but letters, marks and digits", () => {
  deepStrictEqual(tokenize("Hello, World! it's 2024", "word"), [
    "hello",
    "world",
    "it",
    "s",
    "2024",
  ]);
});

Deno.test("tokenize() keeps non-Latin words and their combining marks whole", () => {
  deepStrictEqual(tokenize("Straße ΑΘΗΝΑ नमस्ते 東京", "word"), [
    "straße",
    "αθηνα",
    "नमस्ते",
    "東京",
  ]);
});

Deno.test("tokenize() gives composed and decomposed text the same tokens", () => {
  deepStrictEqual(tokenize("Cafe\u0301", "word"), tokenize("CAFÉ", "word"));
});

Deno.test("tokenize() gives one char token per code point, spaces included", () => {
  deepStrictEqual(tokenize("Ab 😀", "char"), ["a", "b", " ", "😀"]);
});

Deno.test("tokenize() gives one centred character 3-gram per code point", () => {
  deepStrictEqual(tokenize("Ab 😀", "char3"), [" ab", "ab ", "b 😀", " 😀 "]);
  // white space runs become one space, ends are trimmed
  deepStrictEqual(tokenize("\tX \n\n y  ", "char3"), [" x ", "x y", " y "]);
  deepStrictEqual(tokenize("z", "char3"), [" z "]);
  deepStrictEqual(tokenize("   ", "char3"), []);
});

Deno.test("char3 vocabularies round-trip and encode", async () => {
  const vocab = await Vocabulary.build(["ab ab", "abc"], {
    kind: "char3",
    size: 10,
  });
  strictEqual(vocab.tokens[0], " ab"); // 3 times
  const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab)));
  strictEqual(back.kind, "char3");
  deepStrictEqual([...back.encode("ab", 3).ids], [
    vocab.idOf(" ab"),
    vocab.idOf("ab "),
    PAD_ID,
  ]);
});

Deno.test("tokenize() returns no tokens for text without words", () => {
  deepStrictEqual(tokenize("?! --", "word"), []);
});

Deno.test("Vocabulary.build() ranks by frequency and breaks ties by first appearance", async () => {
  const vocab = await Vocabulary.build(["b a c", "c a d", "d"], { size: 10 });
  // a, c and d occur twice; a was seen before c, c before d; b once.
  deepStrictEqual(vocab.tokens, ["a", "c", "d", "b"]);
  strictEqual(vocab.idOf("a"), 2);
  strictEqual(vocab.idOf("b"), 5);
});

Deno.test("Vocabulary.build() is deterministic for strictEqual input", async () => {
  const texts = ["the quick brown fox", "jumps over the lazy dog", "the end"];
  const a = await Vocabulary.build(texts, { size: 6 });
  const b = await Vocabulary.build(texts.slice(), { size: 6 });
  deepStrictEqual(a.toJSON(), b.toJSON());
});

Deno.test("Vocabulary.build() keeps at most size - 2 tokens", async () => {
  const vocab = await Vocabulary.build(["a b c d e"], { size: 4 });
  deepStrictEqual(vocab.tokens, ["a", "b"]);
});

Deno.test("Vocabulary.build() reads an async iterable", async () => {
  async function* texts() {
    yield "x y";
    yield "y";
  }
  const vocab = await Vocabulary.build(texts(), { kind: "char", size: 10 });
  deepStrictEqual(vocab.tokens, ["y", "x", " "]);
  strictEqual(vocab.kind, "char");
});

Deno.test("Vocabulary.build() rejects a size below 3", async () => {
  await rejects(Vocabulary.build(["a"], { size: 2 }), {
    message: "Expected size to be an integer of at least 3 but found 2",
  });
  throws(() => new TokenCounter("word").toVocabulary(2.5), {
    message: "Expected size to be an integer of at least 3 but found 2.5",
  });
});

Deno.test("TokenCounter bounds its memory by dropping rare tokens past maxDistinct", () => {
  const counter = new TokenCounter("word", { maxDistinct: 4 });
  counter.add("common common common rare1 rare2");
  counter.add("often often rare3"); // 5 distinct: drops those seen once
  counter.add("common often x");
  deepStrictEqual(counter.toVocabulary(10).tokens, ["common", "often", "x"]);
});

Deno.test("TokenCounter counts exactly below maxDistinct", () => {
  const counter = new TokenCounter("char", { maxDistinct: 3 });
  counter.add("abcab");
  deepStrictEqual(counter.toVocabulary(10).tokens, ["a", "b", "c"]);
});

Deno.test("TokenCounter rejects a maxDistinct below 1", () => {
  throws(() => new TokenCounter("word", { maxDistinct: 0 }), {
    message: "Expected maxDistinct to be an integer of at least 1 but found 0",
  });
});

Deno.test("Vocabulary.encode() pads with 0 at the end and maps unknown tokens to 1", () => {
  const vocab = new Vocabulary("word", 10, ["a", "b"]);
  const e = vocab.encode("B zzz a", 5);
  deepStrictEqual([...e.ids], [3, UNKNOWN_ID, 2, PAD_ID, PAD_ID]);
  deepStrictEqual({
    truncated: e.truncated,
    tokens: e.tokens,
    unknown: e.unknown,
  }, {
    truncated: false,
    tokens: 3,
    unknown: 1,
  });
});

Deno.test("Vocabulary.encode() cuts at maxLen and says so", () => {
  const vocab = new Vocabulary("char", 10, ["a"]);
  const e = vocab.encode("aaaa", 3);
  deepStrictEqual([...e.ids], [2, 2, 2]);
  strictEqual(e.truncated, true);
  strictEqual(vocab.encode("aaa", 3).truncated, false);
});

Deno.test("Vocabulary.encode() rejects a maxLen below 1", () => {
  throws(() => new Vocabulary("char", 10, []).encode("a", 0), {
    message: "Expected maxLen to be an integer of at least 1 but found 0",
  });
});

Deno.test("Vocabulary round-trips through JSON", async () => {
  const vocab = await Vocabulary.build(["émoji 😀 text", "text"], {
    kind: "char",
    size: 8,
  });
  const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab)));
  deepStrictEqual(back.toJSON(), vocab.toJSON());
  deepStrictEqual([...back.encode("tex😀", 6).ids], [
    ...vocab.encode("tex😀", 6).ids,
  ]);
});

Deno.test("Vocabulary.fromJSON() rejects another format", () => {
  throws(() => Vocabulary.fromJSON({ kind: "word" }), {
    message:
      'Expected vocabulary format "siamese-wasm/vocabulary@1" but found undefined',
  });
});

Deno.test("Vocabulary.fromJSON() rejects an unknown kind", () => {
  throws(
    () =>
      Vocabulary.fromJSON({
        format: "siamese-wasm/vocabulary@1",
        kind: "bpe",
        size: 3,
        tokens: [],
      }),
    {
      message:
        'Expected vocabulary kind to be one of char, char3, word but found "bpe"',
    },
  );
});

Deno.test("new Vocabulary() rejects repeated tokens", () => {
  throws(() => new Vocabulary("word", 10, ["a", "b", "a"]), {
    message: 'Expected distinct tokens but found "a" more than once',
  });
});

Deno.test("new Vocabulary() rejects more tokens than the size allows", () => {
  throws(() => new Vocabulary("word", 3, ["a", "b"]), {
    message: "Expected at most 1 tokens for size 3 but found 2",
  });
});

Deno.test("new Vocabulary() does not keep a reference to the token array", () => {
  const tokens = ["a", "b"];
  const vocab = new Vocabulary("word", 10, tokens);
  tokens[0] = "z";
  deepStrictEqual(vocab.tokens, ["a", "b"]);
  strictEqual(vocab.idOf("a"), 2);
});
