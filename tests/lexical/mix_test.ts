import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { lexicalVectors } from "../../src/lexical/hybrid.ts";
import {
  lexicalNeedsCosine,
  mixCosines,
  mixDistances,
  mixPair,
  mixScore,
  mixSimilarities,
} from "../../src/lexical/mix.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { close, set } from "./_pairs.ts";
import { sparseDotMatrix } from "../../src/lexical/sparse.ts";

await setupBackend({ log: false });

Deno.test("mixSimilarities() and mixPair() weigh model and lexical cosines by 1 - λ and λ", () => {
  const index = LexicalIndex.fit(set, { n: 1, vocab: 10 });
  const { left, right } = lexicalVectors(index, set);
  const model = Float32Array.from([0.5, -0.2, 0.1, 0, 0.9, 0.3, 0.2, 0.2, 1]);
  const lex = sparseDotMatrix(left, right);
  const mixed = mixSimilarities(Float32Array.from(model), left, right, 0.25);
  for (let k = 0; k < 9; k++) {
    close(mixed[k]!, 0.75 * model[k]! + 0.25 * lex[k]!);
    close(
      mixPair(model[k]!, left[Math.floor(k / 3)]!, right[k % 3]!, 0.25),
      mixed[k]!,
    );
  }
});

Deno.test("mixCosines() and mixDistances() are the tensor forms of mixScore()", () => {
  const cos = [[0.5, -0.2, 0.1], [0, 0.9, 0.3], [0.2, 0.2, 1]];
  const lex = [[1, 0, 0.3], [0.4, 0.6, 0], [0, 0.1, 0.8]];
  const lexical = { weight: 0.3, cosines: tf.tensor2d(lex) };
  const mixed = mixCosines(tf.tensor2d(cos), lexical).arraySync();
  const own = mixDistances(tf.tensor1d(cos.map((r, i) => 1 - r[i]!)), lexical)
    .arraySync();
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      close(mixed[i]![j]!, mixScore(cos[i]![j]!, lex[i]![j]!, 0.3));
    }
    // the distance form is 1 - the mixed score of the pair (i, i)
    close(own[i]!, 1 - mixScore(cos[i]![i]!, lex[i]![i]!, 0.3));
  }
  lexical.cosines.dispose();
});

Deno.test("lexicalNeedsCosine() names the flags to change", () => {
  assert.strictEqual(
    lexicalNeedsCosine().message,
    "The lexical channel mixes cosines: use train.distance cosine with --lexical-weight > 0 " +
      "(or --lexical-weight 0 for euclidean distance).",
  );
});
