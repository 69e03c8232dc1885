import assert from "@std/assert";
import { loadDataset } from "../../src/data/dataset.ts";
import { splitRandom } from "../../src/data/subset.ts";
import { tempFile } from "../_temp_file.ts";

const shapes = { leftLen: 6, rightLen: 6, vocab: 50 };
const text =
  "left\tright\ncat sat\tthe cat\ndog ran\tthe dog\nbird flew\ta bird\nfish swam\tthe fish\n";

Deno.test("loadDataset() builds one vocabulary for both sides when asked", async () => {
  const path = await tempFile("pairs.tsv", text);
  const spec = {
    kind: "file" as const,
    data: path,
    valFraction: 0.5,
    leftTokenizer: "word" as const,
    rightTokenizer: "word" as const,
  };
  const shared = await loadDataset({ ...spec, sharedVocab: true }, shapes, {
    seed: 1,
  });
  assert.deepEqual(shared.vocabularies.left, shared.vocabularies.right);
  // identical text maps to identical ids on both sides
  const separate = await loadDataset(spec, shapes, { seed: 1 });
  assert.notDeepEqual(separate.vocabularies.left, separate.vocabularies.right);
  assert.equal(shared.train.size + shared.val.size, 4);
});

Deno.test("loadDataset() rejects a shared vocabulary with two tokenizers", async () => {
  const path = await tempFile("pairs.tsv", text);
  await assert.rejects(
    () =>
      loadDataset(
        {
          kind: "file",
          data: path,
          valFraction: 0.5,
          leftTokenizer: "word",
          rightTokenizer: "char",
          sharedVocab: true,
        },
        shapes,
        { seed: 1 },
      ),
    {
      message:
        "A shared vocabulary needs one tokenizer for both sides but found word (left) and char (right)",
    },
  );
});

Deno.test("splitRandom() is seeded, disjoint and complete", () => {
  const set = {
    size: 20,
    leftLen: 1,
    rightLen: 1,
    left: Int32Array.from({ length: 20 }, (_, k) => k + 2),
    right: Int32Array.from({ length: 20 }, (_, k) => k + 30),
  };
  const [a, b] = splitRandom(set, { fraction: 0.25, seed: 4 });
  const [c] = splitRandom(set, { fraction: 0.25, seed: 4 });
  assert.deepEqual(a, c);
  assert.equal(b.size, 5);
  const all = [...a.left, ...b.left].sort((x, y) => x - y);
  assert.deepEqual(all, [...set.left]);
});
