import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import {
  chooseLoss,
  inBatch,
  lossOptionsOf,
  readsLexical,
} from "../../src/loss/choose.ts";
import { contrastiveLoss, distance } from "../../src/loss/contrastive.ts";
import { infoNceLoss, onlineContrastiveLoss } from "../../src/loss/in_batch.ts";
import { DEFAULT_TRAIN_CONFIG } from "../../src/train/config.ts";

await setupBackend({ log: false });

const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};
const a = tf.tensor2d([[1, 0.2], [0.1, 1], [0.5, 0.5]]);
const b = tf.tensor2d([[0.9, 0.1], [-0.3, 1], [1, -0.2]]);
const labels = tf.tensor1d([1, 0, 1]);
const lex = tf.tensor2d([[1, 0.2, 0], [0.1, 0.5, 0], [0, 0.3, 0.9]]);

Deno.test("chooseLoss() picks the function of each loss kind", () => {
  const base = { distance: "cosine" as const, margin: 0.8 };
  assert.strictEqual(
    value(chooseLoss(base)(a, b, { labels })),
    value(contrastiveLoss(distance(a, b, "cosine"), labels, 0.8)),
  );
  assert.strictEqual(
    value(
      chooseLoss({ ...base, loss: "infonce", temperature: 0.1 })(a, b, {
        labels,
      }),
    ),
    value(infoNceLoss(a, b, 0.1)),
  );
  assert.strictEqual(
    value(
      chooseLoss({ ...base, loss: "online-contrastive" })(a, b, { labels }),
    ),
    value(onlineContrastiveLoss(a, b, { distance: "cosine", margin: 0.8 })),
  );
});

Deno.test("chooseLoss() routes the lexical channel: separate ignores it, residual mixes, joint adds both", () => {
  const base = {
    distance: "cosine" as const,
    margin: 1,
    loss: "infonce" as const,
    temperature: 0.5,
    lexicalWeight: 0.4,
  };
  const batch = { labels, lexical: lex };
  const plain = value(infoNceLoss(a, b, 0.5));
  const mixed = value(infoNceLoss(a, b, 0.5, { weight: 0.4, cosines: lex }));
  assert.notStrictEqual(plain, mixed);
  assert.strictEqual(
    value(chooseLoss({ ...base, lexicalLoss: "separate" })(a, b, batch)),
    plain,
  );
  assert.strictEqual(
    value(chooseLoss({ ...base, lexicalLoss: "residual" })(a, b, batch)),
    mixed,
  );
  const joint = value(
    chooseLoss({ ...base, lexicalLoss: "joint" })(a, b, batch),
  );
  assert.ok(Math.abs(joint - (plain + mixed)) < 1e-5, `${joint}`);
  // λ = 0 turns the routing off
  assert.strictEqual(
    value(
      chooseLoss({ ...base, lexicalWeight: 0, lexicalLoss: "residual" })(
        a,
        b,
        { labels },
      ),
    ),
    plain,
  );
});

Deno.test("chooseLoss() rejects a mixed loss on euclidean distance and a batch without lexical cosines", () => {
  const options = {
    distance: "euclidean" as const,
    margin: 1,
    lexicalWeight: 0.5,
    lexicalLoss: "residual" as const,
  };
  assert.throws(() => chooseLoss(options), /train.distance cosine/);
  const loss = chooseLoss({ ...options, distance: "cosine" });
  assert.throws(() => loss(a, b, { labels }), /no lexical cosines/);
});

Deno.test("lossOptionsOf(), inBatch() and readsLexical() read the training config", () => {
  const o = lossOptionsOf(
    { ...DEFAULT_TRAIN_CONFIG, loss: "infonce" },
    { lexical: { weight: 0.3, loss: "joint" } },
  );
  assert.deepStrictEqual(o, {
    distance: "cosine",
    margin: 1,
    loss: "infonce",
    temperature: 0.05,
    lexicalWeight: 0.3,
    lexicalLoss: "joint",
  });
  assert.strictEqual(inBatch(o), true);
  assert.strictEqual(readsLexical(o), true);
  assert.strictEqual(inBatch({ ...o, loss: "contrastive" }), false);
  assert.strictEqual(readsLexical({ ...o, lexicalLoss: "separate" }), false);
});

Deno.test("a chosen loss leaves tf.memory().numTensors unchanged but for its result", () => {
  const loss = chooseLoss({
    distance: "cosine",
    margin: 1,
    lexicalWeight: 0.4,
    lexicalLoss: "joint",
  });
  const before = tf.memory().numTensors;
  const l = loss(a, b, { labels, lexical: lex });
  assert.strictEqual(tf.memory().numTensors, before + 1);
  l.dispose();
});
