import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { makeSyntheticPairs } from "../../src/data/synthetic.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese, encode } from "../../src/model/siamese.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { sampleEpochPairs } from "../../src/pairs/negatives.ts";
import { Rng } from "../../src/data/rng.ts";
import { makeBatch } from "../../src/pairs/batches.ts";
import { DEFAULT_TRAIN_CONFIG } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";
import {
  batchLoss,
  trainableVariables,
  trainStep,
} from "../../src/train/step.ts";

await setupBackend({ log: false });

const shapes = { vocab: 40, leftLen: 5, rightLen: 9 };
const config = modelConfig({
  ...shapes,
  embeddingDim: 4,
  lstmUnits: 6,
  denseUnits: 8,
});
const data = makeSyntheticPairs(64, { ...shapes, seed: 2 });

Deno.test("one training step leaves tf.memory().numTensors unchanged", () => {
  const model = buildSiamese(config, 1);
  const optimizer = tf.train.adam(1e-3);
  const pairs = sampleEpochPairs(data, { rng: new Rng(1) });
  const step = () => {
    const batch = makeBatch(data, pairs, 0, 16);
    const loss = trainStep(model, batch, optimizer, {
      distance: "cosine",
      margin: 1,
    });
    tf.dispose([batch.left, batch.right, batch.labels]);
    return loss;
  };
  step(); // creates Adam's slots once
  const before = tf.memory().numTensors;
  const loss = step();
  assert.equal(tf.memory().numTensors, before);
  assert.ok(Number.isFinite(loss));
  optimizer.dispose();
});

Deno.test("trainableVariables() counts shared weights once", () => {
  const sep = trainableVariables(buildSiamese(config, 1)).length;
  const shared =
    trainableVariables(buildSiamese({ ...config, shareWeights: true }, 1))
      .length;
  assert.equal(sep, 2 * shared);
  assert.equal(shared, 6); // embedding, lstm kernel/recurrent/bias, dense kernel/bias
});

Deno.test("training is deterministic given the seed", async () => {
  const losses = async (seed: number) => {
    const m = buildSiamese(config, seed);
    const { state } = await train(m, {
      config: { ...DEFAULT_TRAIN_CONFIG, epochs: 2, seed },
      train: data,
      log: false,
    });
    return state.history.map((h) => h.loss);
  };
  const a = await losses(4);
  assert.deepEqual(a, await losses(4));
  assert.notDeepEqual(a, await losses(5));
});

Deno.test("train() stops at the next step when its signal is aborted", async () => {
  const controller = new AbortController();
  controller.abort();
  const result = await train(buildSiamese(config, 1), {
    config: { ...DEFAULT_TRAIN_CONFIG, epochs: 3 },
    train: data,
    signal: controller.signal,
    log: false,
  });
  assert.equal(result.interrupted, true);
  assert.equal(result.state.step, 0);
});

Deno.test("--lexical-loss residual takes the contrastive loss on (1 - λ)(1 - cos) + λ(1 - lexical); joint adds the plain loss", () => {
  const model = buildSiamese(
    { ...config, lexical: { ...config.lexical, weight: 0.4 } },
    1,
  );
  const pairs = sampleEpochPairs(data, { rng: new Rng(1) });
  const index = LexicalIndex.fit(data, { n: 2, vocab: shapes.vocab });
  const batch = makeBatch(data, pairs, 0, 8, { lexical: index });
  const options = {
    distance: "cosine" as const,
    margin: 1,
    lexicalWeight: 0.4,
    lexicalLoss: "residual" as const,
  };
  const got = batchLoss(model, batch, options, false).dataSync()[0]!;
  const plain = batchLoss(
    model,
    batch,
    { distance: "cosine", margin: 1 },
    false,
  )
    .dataSync()[0]!;
  const separate = batchLoss(model, batch, {
    ...options,
    lexicalLoss: "separate",
  }, false)
    .dataSync()[0]!;
  const joint = batchLoss(
    model,
    batch,
    { ...options, lexicalLoss: "joint" },
    false,
  )
    .dataSync()[0]!;
  assert.strictEqual(separate, plain);
  assert.ok(
    Math.abs(joint - (plain + got)) < 1e-5,
    `${joint} vs ${plain} + ${got}`,
  );
  assert.notStrictEqual(got, plain);
  // by hand from the branch outputs
  const a = encode(model.left, batch.left).arraySync();
  const b = encode(model.right, batch.right).arraySync();
  const lex = batch.lexical!.arraySync();
  const y = batch.labels.arraySync();
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const dot = (u: number[], v: number[]) =>
      u.reduce((t, x, k) => t + x * v[k]!, 0);
    const cos = dot(a[i]!, b[i]!) /
      Math.sqrt(dot(a[i]!, a[i]!) * dot(b[i]!, b[i]!));
    const d = 0.6 * (1 - cos) + 0.4 * (1 - lex[i]![i]!);
    sum += y[i] === 1 ? d * d : Math.max(1 - d, 0) ** 2;
  }
  assert.ok(Math.abs(got - sum / 8) < 1e-5, `${got} vs ${sum / 8}`);
  assert.throws(
    () => batchLoss(model, { ...batch, lexical: undefined } as never, options),
    /no lexical cosines/,
  );
  tf.dispose([batch.left, batch.right, batch.labels, batch.lexical!]);
  model.left.dispose();
  model.right.dispose();
});
