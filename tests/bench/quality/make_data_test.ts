import assert from "@std/assert";
import {
  lengthStats,
  makeData,
  splitPairs,
  tsvLine,
} from "../../../bench/quality/make_data.ts";
import { readTextPairs } from "../../../bench/quality/text_pairs.ts";
import { tempDir } from "../../_temp_file.ts";

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("splitPairs() is deterministic for a seed and does not mutate the input", () => {
  const pairs = Array.from({ length: 20 }, (_, k) => k);
  const a = splitPairs(pairs, { test: 5, seed: 3 });
  const b = splitPairs(pairs, { test: 5, seed: 3 });
  assert.deepEqual(a, b);
  assert.equal(a.test.length, 5);
  assert.equal(a.train.length, 15);
  assert.deepEqual([...a.train, ...a.test].sort((x, y) => x - y), pairs);
  assert.deepEqual(pairs, Array.from({ length: 20 }, (_, k) => k));
  assert.notDeepEqual(splitPairs(pairs, { test: 5, seed: 4 }).test, a.test);
});

Deno.test("splitPairs() names a test size that leaves too little to train on", () => {
  assert.throws(() => splitPairs([1, 2, 3, 4], { test: 3, seed: 1 }), {
    message:
      "Expected test to be an integer from 2 to 2 (the pairs less 2 for training) but found 3",
  });
});

Deno.test("lengthStats() takes nearest-rank percentiles", () => {
  assert.deepEqual(lengthStats([5]), { mean: 5, p50: 5, p90: 5, max: 5 });
  const xs = Array.from({ length: 10 }, (_, k) => k + 1);
  assert.deepEqual(lengthStats(xs), { mean: 5.5, p50: 5, p90: 9, max: 10 });
  assert.throws(() => lengthStats([]), {
    message: "Expected at least one length but found none",
  });
});

Deno.test("tsvLine() replaces tabs and newlines inside the text", () => {
  assert.equal(tsvLine({ term: "a\tb", definition: "x\r\ny" }), "a b\tx  y\n");
});

Deno.test("makeData() writes a train and a test TSV that the library reads", async () => {
  const entries = Array.from(
    { length: 6 },
    (_, k) => `Term${k}\n\n   Definition\tnumber {${k}}.\n\n`,
  );
  const enc = new TextEncoder();
  let at = 0;
  const digits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const b64 = (n: number) =>
    n < 64 ? digits[n]! : digits[Math.floor(n / 64)]! + digits[n % 64]!;
  const index = entries.map((e, k) => {
    const line = `term${k}\t${b64(at)}\t${b64(enc.encode(e).length)}\n`;
    at += enc.encode(e).length;
    return line;
  });
  const dir = await tempDir();
  await Deno.writeFile(`${dir}/tiny.dict.dz`, await gzip(entries.join("")));
  await Deno.writeTextFile(`${dir}/tiny.index`, index.join(""));

  const info = await makeData({
    dict: "tiny",
    dir,
    out: `${dir}/out/tiny`,
    test: 2,
  });
  assert.equal(info.pairs, 6);
  assert.equal(info.trainPairs, 4);
  assert.equal(info.testPairs, 2);
  assert.deepEqual(info.left, { mean: 5, p50: 5, p90: 5, max: 5 });
  const train = await readTextPairs(info.train);
  const test = await readTextPairs(info.test);
  assert.equal(train.length, 4);
  assert.equal(test.length, 2);
  const all = [...train, ...test].sort((a, b) => a.left < b.left ? -1 : 1);
  assert.deepEqual(all[3], { left: "Term3", right: "Definition number 3." });
  assert.ok((await Deno.readTextFile(info.test)).startsWith("left\tright\n"));
  const saved = JSON.parse(
    await Deno.readTextFile(`${dir}/out/tiny_info.json`),
  );
  assert.deepEqual(saved, info);
});
