import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { makeSyntheticPairs } from "../../src/data/synthetic.ts";
import { evaluate } from "../../src/infer/evaluate.ts";
import {
  bestMix,
  chooseLexicalWeight,
  LEXICAL_WEIGHT_GRID,
} from "../../src/infer/lexical_weight.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";

await setupBackend({ log: false });

Deno.test("chooseLexicalWeight() picks the grid's best λ, and evaluate() at that λ agrees", () => {
  const shapes = { vocab: 12, leftLen: 6, rightLen: 8 };
  const train = makeSyntheticPairs(40, { ...shapes, seed: 1 });
  const val = makeSyntheticPairs(30, { ...shapes, seed: 2 });
  const config = modelConfig({
    ...shapes,
    embeddingDim: 4,
    lstmUnits: 5,
    denseUnits: 6,
    shareWeights: true,
    pooling: "max",
    lexical: { weight: 0.8 },
  });
  const model = buildSiamese(config, 3);
  model.lexical = LexicalIndex.fit(train, { n: 2, vocab: shapes.vocab });
  try {
    const c = chooseLexicalWeight(model, val);
    assert.ok(LEXICAL_WEIGHT_GRID.includes(c.weight) || c.weight === 0.8);
    assert.ok(c.recallAt10 >= c.atModelWeight.recallAt10);
    const at = (weight: number) =>
      evaluate(
        {
          ...model,
          config: { ...config, lexical: { ...config.lexical, weight } },
        },
        val,
        { distance: "cosine" },
      );
    const chosen = at(c.weight);
    assert.ok(Math.abs(chosen.recallAt10 - c.recallAt10) < 1e-9);
    assert.ok(Math.abs(chosen.mrr - c.mrr) < 1e-6);
    assert.ok(Math.abs(at(0.8).recallAt10 - c.atModelWeight.recallAt10) < 1e-9);
    // no λ of the grid does better
    for (const w of LEXICAL_WEIGHT_GRID) {
      assert.ok(at(w).recallAt10 <= c.recallAt10 + 1e-9, `λ ${w}`);
    }
  } finally {
    model.left.dispose();
  }
});

Deno.test("chooseLexicalWeight() names a model without a lexical index", () => {
  const config = modelConfig({
    vocab: 12,
    leftLen: 4,
    rightLen: 4,
    lstmUnits: 3,
  });
  const model = buildSiamese(config, 1);
  try {
    assert.throws(
      () =>
        chooseLexicalWeight(
          model,
          makeSyntheticPairs(3, { vocab: 12, leftLen: 4, rightLen: 4 }),
        ),
      {
        message:
          "Expected a model with a lexical index to choose its lexical weight",
      },
    );
  } finally {
    model.left.dispose();
    model.right.dispose();
  }
});

Deno.test("bestMix() keeps the model's own λ on a tie and moves off it for a better one", () => {
  const perfect = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const flat = new Float32Array(9);
  assert.equal(bestMix(flat, perfect, 0.3).weight, 0.3); // every λ > 0 is perfect
  assert.equal(bestMix(perfect, flat, 0.3).weight, 0.3); // every λ < 1 is perfect
  const wrong = Float32Array.of(0, 1, 0, 0, 0, 1, 1, 0, 0);
  const c = bestMix(perfect, wrong, 0.9);
  assert.ok(c.weight < 0.5, `λ ${c.weight}`);
  assert.equal(c.mrr, 1);
  assert.ok(c.atModelWeight.mrr < 1);
});
