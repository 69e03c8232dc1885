import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { makeSyntheticPairs } from "../../src/data/synthetic.ts";
import { evaluate } from "../../src/infer/evaluate.ts";
import { embedRows } from "../../src/infer/embed.ts";
import { lossOnPairs } from "../../src/infer/loss_on_pairs.ts";
import { contrastiveLoss } from "../../src/loss/contrastive.ts";
import { infoNceLoss } from "../../src/loss/in_batch.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";

await setupBackend({ log: false });

const close = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b} but found ${a}`);

// rows 0..3 on the unit circle; pair (i, i) positive
const angles = [0, 0.5, 1.5, 3];
const unit = Float32Array.from(
  angles.flatMap((t) => [Math.cos(t), Math.sin(t)]),
);
const vectors = { left: unit, right: unit.map((x) => x * 2), dim: 2 };
const rows = (ids: number[]) =>
  tf.tensor2d(
    ids.flatMap((i) => [Math.cos(angles[i]!), Math.sin(angles[i]!)]),
    [
      ids.length,
      2,
    ],
  );

Deno.test("lossOnPairs() averages an in-batch loss over fixed batches of the positives, weighted by size", () => {
  const pairs = {
    left: [0, 0, 1, 1, 2, 3],
    right: [0, 1, 1, 2, 2, 3],
    labels: [1, 0, 1, 0, 1, 1],
  };
  const got = lossOnPairs(vectors, pairs, {
    loss: { distance: "cosine", margin: 1, loss: "infonce", temperature: 0.5 },
    batchSize: 3,
  });
  // positives 0, 1, 2 in the first batch, 3 alone in the second (loss 0)
  const first = infoNceLoss(rows([0, 1, 2]), rows([0, 1, 2]), 0.5)
    .dataSync()[0]!;
  close(got, (3 * first + 0) / 4);
  assert.ok(first > 0.1);
});

Deno.test("lossOnPairs() takes the contrastive loss on all pairs with their labels", () => {
  const pairs = { left: [0, 0, 2], right: [0, 3, 1], labels: [1, 0, 0] };
  const got = lossOnPairs(vectors, pairs, {
    loss: { distance: "cosine", margin: 1 },
    batchSize: 2,
  });
  const d = [0, 3, 1].map((j, k) =>
    1 - Math.cos(angles[pairs.left[k]!]! - angles[j]!)
  );
  const want = contrastiveLoss(tf.tensor1d(d), tf.tensor1d([1, 0, 0]), 1)
    .dataSync()[0]!;
  close(got, want);
});

Deno.test("evaluate() reports the training loss's own validation loss", () => {
  const shapes = { vocab: 30, leftLen: 4, rightLen: 6 };
  const model = buildSiamese(
    modelConfig({ ...shapes, embeddingDim: 4, lstmUnits: 4, denseUnits: 6 }),
    3,
  );
  const data = makeSyntheticPairs(20, { ...shapes, seed: 4 });
  const loss = {
    distance: "cosine" as const,
    margin: 1,
    loss: "infonce" as const,
    temperature: 0.05,
  };
  const report = evaluate(model, data, {
    distance: "cosine",
    loss,
    batchSize: 8,
  });
  const embed = (side: "left" | "right") =>
    embedRows(model[side], data[side], {
      len: side === "left" ? data.leftLen : data.rightLen,
    });
  const l = embed("left");
  const own = Array.from({ length: 20 }, (_, i) => i);
  const want = lossOnPairs(
    { left: l.vectors, right: embed("right").vectors, dim: l.dim },
    { left: own, right: own, labels: own.map(() => 1) },
    { loss, batchSize: 8 },
  );
  close(report.loss, want);
  // an untrained model's in-batch softmax is near log(batch size), far from
  // the contrastive loss the report used to show
  assert.ok(report.loss > 1, `${report.loss}`);
  const contrastive = evaluate(model, data, { distance: "cosine" }).loss;
  assert.ok(contrastive < 1, `${contrastive}`);
  model.left.dispose();
  model.right.dispose();
});
