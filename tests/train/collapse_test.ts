/**
 * The seed's failure, reproduced and cured on a small, fast configuration:
 * trained on positive pairs only, contrastive loss collapses both encoders to
 * a constant vector; the same run with random negatives does not, and
 * separates held-out positives from negatives.
 */
import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { makeSyntheticPairs } from "../../src/data/synthetic.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";
import { DEFAULT_TRAIN_CONFIG } from "../../src/train/config.ts";
import { evaluate } from "../../src/infer/evaluate.ts";
import { train } from "../../src/train/loop.ts";

await setupBackend({ log: false });

const shapes = { vocab: 60, leftLen: 6, rightLen: 16 };
const model = modelConfig({
  ...shapes,
  embeddingDim: 8,
  lstmUnits: 12,
  denseUnits: 16,
});
const all = makeSyntheticPairs(360, { ...shapes, seed: 5 });
const slice = (from: number, to: number) => ({
  size: to - from,
  leftLen: all.leftLen,
  rightLen: all.rightLen,
  left: all.left.slice(from * all.leftLen, to * all.leftLen),
  right: all.right.slice(from * all.rightLen, to * all.rightLen),
});
const trainSet = slice(0, 300);
const valSet = slice(300, 360);

async function run(negatives: number) {
  const m = buildSiamese(model, 11);
  await train(m, {
    config: {
      ...DEFAULT_TRAIN_CONFIG,
      epochs: 8,
      learningRate: 0.01,
      negatives,
      seed: 3,
    },
    train: trainSet,
    log: false,
  });
  const report = evaluate(m, valSet, { distance: "cosine" });
  m.left.dispose();
  m.right.dispose();
  return report;
}

Deno.test("positives-only training collapses; random negatives cure it", async () => {
  const collapsed = await run(0);
  const cured = await run(1);
  // collapse: every output is (almost) the same direction
  assert.ok(
    collapsed.collapsed,
    `expected collapse, statistic ${collapsed.collapse}`,
  );
  // cured: healthy spread, and held-out positives are told from negatives
  assert.ok(
    !cured.collapsed,
    `expected no collapse, statistic ${cured.collapse}`,
  );
  assert.ok(
    cured.collapse > 5 * collapsed.collapse,
    `${cured.collapse} vs ${collapsed.collapse}`,
  );
  assert.ok(cured.auc > 0.8, `held-out AUC ${cured.auc}`);
  assert.ok(
    cured.auc > collapsed.auc + 0.1,
    `AUC ${cured.auc} vs ${collapsed.auc}`,
  );
  assert.ok(
    cured.recallAt10 > 3 * (10 / valSet.size),
    `recall@10 ${cured.recallAt10}`,
  );
  assert.equal(tf.getBackend(), "wasm");
});
