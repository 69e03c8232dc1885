import assert from "@std/assert";
import { embedRows } from "../../src/infer/embed.ts";
import { encodeInputs, sideEncodings } from "../../src/use/inputs.ts";
import { loadTextModel } from "../../src/use/text_model.ts";
import { readIndex, writeIndex } from "../../src/use/corpus_index.ts";
import { tempDir } from "../_temp_file.ts";

const MODEL = new URL("../../examples/numbers_model", import.meta.url).pathname;

Deno.test("loadTextModel() embeds texts and their token ids alike", async () => {
  const m = await loadTextModel(MODEL);
  const vocab = m.run.vocabularies.left!;
  const ids = ["forty", "two"].map((t) => vocab.tokens.indexOf(t) + 2);
  assert.ok(ids.every((id) => id >= 2));
  const [a, b] = m.embed("left", ["Forty two", ids]);
  assert.equal(a!.length, m.dim);
  assert.deepEqual(Array.from(a!), Array.from(b!));
  const [c] = m.embed("right", ["42"]);
  assert.notDeepEqual(Array.from(a!), Array.from(c!));
  m.dispose();
});

Deno.test("TextModel.search() ranks by score, ties in corpus order, k at most", async () => {
  const m = await loadTextModel(MODEL);
  await m.index(["42", "7", "342", "42", "900"]);
  const hits = m.search("three hundred forty two", 10);
  assert.equal(hits.length, 5);
  assert.equal(hits[0]!.text, "342");
  for (let i = 1; i < hits.length; i++) {
    assert.ok(hits[i - 1]!.score >= hits[i]!.score);
  }
  const twins = hits.filter((h) => h.text === "42").map((h) => h.index);
  assert.deepEqual(twins, [0, 3]);
  const pos = hits.findIndex((h) => h.index === 0);
  assert.equal(hits[pos + 1]!.index, 3);
  assert.equal(hits[pos]!.score, hits[pos + 1]!.score);
  assert.deepEqual(m.search("seven", 2).length, 2);
  assert.throws(() => m.search("seven", 0), /k to be an integer >= 1/);
  m.dispose();
});

Deno.test("TextModel.score() agrees with search scores and rejects bad ids", async () => {
  const m = await loadTextModel(MODEL);
  await m.index(["342", "17"]);
  const hits = m.search("three hundred forty two", 2);
  const scores = m.score(hits.map((h) => ["three hundred forty two", h.text]));
  hits.forEach((h, i) => assert.ok(Math.abs(h.score - scores[i]!) < 1e-5));
  assert.throws(
    () => m.score([["one", [5, 1000]]]),
    /pairs\[\]\.right\[0\]\[1\]: expected an integer token id in \[0, 100\) but found 1000/,
  );
  m.dispose();
});

Deno.test("a saved index searches as the fresh one and is refused by another model", async () => {
  const dir = await tempDir();
  const m = await loadTextModel(MODEL);
  const index = await m.index([{ text: "342", id: "a" }, { text: "17" }]);
  const fresh = m.search("seventeen", 2);
  await writeIndex(`${dir}/c.index`, index);
  const back = await readIndex(`${dir}/c.index`);
  m.useIndex(back, "c.index");
  assert.deepEqual(m.search("seventeen", 2), fresh);
  assert.equal(fresh.find((h) => h.index === 0)!.id, "a");
  assert.throws(
    () => m.useIndex({ ...back, model: "0".repeat(64) }, "c.index"),
    /c\.index was built by another model \(fingerprint 000000000000…/,
  );
  await Deno.writeTextFile(`${dir}/bad.index`, "hello");
  await assert.rejects(
    () => readIndex(`${dir}/bad.index`),
    /bad\.index: expected a corpus index .* found no "SIAMIDX1" tag/,
  );
  const bytes = await Deno.readFile(`${dir}/c.index`);
  await Deno.writeFile(`${dir}/cut.index`, bytes.subarray(0, bytes.length - 4));
  await assert.rejects(() => readIndex(`${dir}/cut.index`), /cut short/);
  m.dispose();
});

Deno.test("TextModel.index() embeds a corpus in blocks as embedRows does all of it at once, and names a bad row by its index", async () => {
  const m = await loadTextModel(MODEL);
  // 1100 rows: a block of 1024 and a short one
  const corpus = Array.from({ length: 1100 }, (_, i) => String(i * 7 % 1000));
  const index = await m.index(corpus);
  const right = sideEncodings(m.run).right;
  const whole = embedRows(
    m.run.siamese.right,
    encodeInputs(corpus, right, "corpus"),
    { len: right.len, width: m.run.model.rightLen },
  );
  assert.equal(index.vectors.length, 1100 * m.dim);
  assert.deepEqual(index.vectors, whole.vectors);
  const bad: (string | number[])[] = [...corpus];
  bad[1030] = [1, 1000];
  await assert.rejects(
    () => m.index(bad),
    /corpus\[1030\]\[1\]: expected an integer token id/,
  );
  m.dispose();
});
