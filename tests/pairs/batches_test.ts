import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { sparseDotMatrix } from "../../src/lexical/sparse.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { gatherRows, makeBatch } from "../../src/pairs/batches.ts";

await setupBackend({ log: false });

Deno.test("gatherRows() trims trailing columns that are padding in every selected row", () => {
  const data = Int32Array.of(
    5,
    0,
    0,
    0, //
    6,
    7,
    8,
    0, //
    9,
    0,
    0,
    0, //
  );
  assert.deepEqual(gatherRows(data, 4, [0, 2]), {
    ids: Int32Array.of(5, 9),
    width: 1,
  });
  assert.deepEqual(gatherRows(data, 4, [2, 1]), {
    ids: Int32Array.of(9, 0, 0, 6, 7, 8),
    width: 3,
  });
});

Deno.test("gatherRows() keeps interior padding and a width of at least 1", () => {
  const data = Int32Array.of(0, 0, 4, 0, 0, 0);
  assert.deepEqual(gatherRows(data, 3, [0]), {
    ids: Int32Array.of(0, 0, 4),
    width: 3,
  });
  assert.deepEqual(gatherRows(data, 3, [1]), {
    ids: Int32Array.of(0),
    width: 1,
  });
});

Deno.test("makeBatch() builds int32 id tensors and float labels for a slice of the epoch", () => {
  const set = {
    size: 3,
    leftLen: 2,
    rightLen: 3,
    left: Int32Array.of(2, 3, 4, 0, 5, 0),
    right: Int32Array.of(6, 0, 0, 7, 8, 0, 9, 9, 9),
  };
  const pairs = {
    left: Int32Array.of(0, 1, 2),
    right: Int32Array.of(0, 2, 1),
    labels: Float32Array.of(1, 0, 0),
  };
  const b = makeBatch(set, pairs, 1, 3);
  assert.equal(b.left.dtype, "int32");
  assert.deepEqual(b.left.arraySync(), [[4], [5]]);
  assert.deepEqual(b.right.arraySync(), [[9, 9, 9], [7, 8, 0]]);
  assert.deepEqual([...b.labels.dataSync()], [0, 0]);
  tf.dispose([b.left, b.right, b.labels]);
});

Deno.test("makeBatch() feeds the model its lengths and the lexical channel whole rows", () => {
  const set = {
    size: 2,
    leftLen: 2,
    rightLen: 5,
    left: Int32Array.of(2, 3, 4, 0),
    right: Int32Array.of(5, 6, 2, 3, 0, 5, 6, 4, 0, 0),
  };
  const pairs = {
    left: Int32Array.of(0, 1),
    right: Int32Array.of(0, 1),
    labels: Float32Array.of(1, 1),
  };
  // n = 1 makes the lexical cosines easy to tell apart: right 0 holds 2 and 3
  const index = LexicalIndex.fit(set, { n: 1, vocab: 10 });
  const b = makeBatch(set, pairs, 0, 2, { rightLen: 2, lexical: index });
  assert.deepStrictEqual(b.right.arraySync(), [[5, 6], [5, 6]]);
  const whole = sparseDotMatrix(
    [0, 1].map((r) => index.vector(set.left.subarray(r * 2, r * 2 + 2))),
    [0, 1].map((r) => index.vector(set.right.subarray(r * 5, r * 5 + 5))),
  );
  assert.deepStrictEqual([...b.lexical!.dataSync()], [...whole]);
  const cut = sparseDotMatrix(
    [0, 1].map((r) => index.vector(set.left.subarray(r * 2, r * 2 + 2))),
    [0, 1].map(() => index.vector(Int32Array.of(5, 6))),
  );
  assert.notDeepStrictEqual([...whole], [...cut]);
  tf.dispose([b.left, b.right, b.labels, b.lexical!]);
});
