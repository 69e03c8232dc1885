import assert from "@std/assert";
import {
  batchCosines,
  lexicalOf,
  lexicalVectors,
} from "../../src/lexical/hybrid.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { close, set } from "./_pairs.ts";
import { sparseDot, sparseDotMatrix } from "../../src/lexical/sparse.ts";

Deno.test("sparseDotMatrix() equals the pairwise sparseDot of every left and right", () => {
  const index = LexicalIndex.fit(set, { n: 2, vocab: 10 });
  const { left, right } = lexicalVectors(index, set);
  const m = sparseDotMatrix(left, right);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      close(m[i * 3 + j]!, sparseDot(left[i]!, right[j]!));
    }
  }
  close(sparseDot(left[0]!, left[0]!), 1); // unit length
  assert.ok(
    m[0]! > 0 && m[1] === 0,
    "left 0 shares '0 2', '2 3' with right 0 only",
  );
});

Deno.test("batchCosines() picks the batch's rows and equals the cosines of their vectors", () => {
  const index = LexicalIndex.fit(set, { n: 2, vocab: 10 });
  const { left, right } = lexicalVectors(index, set);
  const m = batchCosines(index, set, [2, 0], [0, 1]);
  assert.deepStrictEqual(
    m,
    sparseDotMatrix([left[2]!, left[0]!], [right[0]!, right[1]!]),
  );
  // the kept row vectors are the fresh ones
  assert.deepStrictEqual(
    index.rowVector(set.right, 4, 1),
    index.vector(set.right.subarray(4, 8)),
  );
});

Deno.test("lexicalOf() is undefined when the weight is 0 and an error when the index is missing", () => {
  const index = LexicalIndex.fit(set, { n: 1, vocab: 10 });
  assert.strictEqual(
    lexicalOf({ config: { lexical: { weight: 0 } }, lexical: index }),
    undefined,
  );
  assert.strictEqual(
    lexicalOf({ config: { lexical: { weight: 0.5 } }, lexical: index }),
    index,
  );
  assert.throws(
    () => lexicalOf({ config: { lexical: { weight: 0.5 } } }),
    /lexical weight 0\.5 but no lexical index/,
  );
});
