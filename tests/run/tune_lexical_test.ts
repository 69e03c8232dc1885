import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { evaluate } from "../../src/infer/evaluate.ts";
import { LEXICAL_WEIGHT_GRID } from "../../src/infer/lexical_weight.ts";
import { loadDataset } from "../../src/data/dataset.ts";
import { dataShapes, modelConfig } from "../../src/model/config.ts";
import { DEFAULT_TRAIN_CONFIG } from "../../src/train/config.ts";
import { runTraining } from "../../src/run/training.ts";
import { loadModel } from "../../src/run/format.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { tempDir } from "../_temp_file.ts";
import { tinyRun } from "../_tiny_run.ts";

const backend = await setupBackend({ log: false });

Deno.test("tune_lexical saves the λ chosen on validation, with which the kept model scores best there", async () => {
  const model = modelConfig({
    ...tinyRun(backend, 2).model,
    shareWeights: true,
    pooling: "max",
    lexical: { weight: 0.8, n: 2 },
  });
  const train = {
    ...DEFAULT_TRAIN_CONFIG,
    epochs: 2,
    seed: 3,
    loss: "infonce" as const,
    tuneLexical: true,
  };
  const data = { kind: "synthetic" as const, pairs: 96, valPairs: 24 };
  const out = await tempDir();
  const result = await runTraining({
    model,
    train,
    data,
    backend,
    out,
    log: false,
  });
  const saved = await loadModel(out);
  const weight = saved.model.lexical.weight;
  assert.ok(
    LEXICAL_WEIGHT_GRID.includes(weight) || weight === 0.8,
    `λ ${weight}`,
  );
  // the kept figure is the best over the grid for the kept epoch
  const loaded = await loadDataset(data, dataShapes(model), { seed: 3 });
  const set = loaded.val;
  // λ 0 saves a model without its channel: fit it again, as the run did
  const lexical = saved.siamese.lexical ??
    LexicalIndex.fit(loaded.train, { n: 2, vocab: 40 });
  const at = (w: number) =>
    evaluate(
      {
        ...saved.siamese,
        lexical,
        config: {
          ...saved.model,
          lexical: { ...saved.model.lexical, weight: w },
        },
      },
      set,
      { distance: "cosine" },
    ).recallAt10;
  const best = at(weight);
  for (const w of LEXICAL_WEIGHT_GRID) {
    assert.ok(at(w) <= best + 1e-9, `λ ${w}`);
  }
  assert.ok(Math.abs(result.best!.value - best) < 1e-9);
  // the reported best epoch's figures are the saved model's own
  const own = evaluate(
    { ...saved.siamese, lexical },
    set,
    { distance: "cosine" },
  );
  assert.strictEqual(result.bestReport!.val!.recallAt10, own.recallAt10);
  assert.strictEqual(result.bestReport!.val!.auc, own.auc);
  saved.siamese.left.dispose();
});
