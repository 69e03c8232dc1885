import * as tf from "../../src/deps/tfjs_core.ts";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese, encode, stockLstm } from "../../src/model/siamese.ts";

await setupBackend({ log: false });

const small = modelConfig({
  vocab: 30,
  embeddingDim: 4,
  lstmUnits: 5,
  denseUnits: 6,
});

Deno.test("the stock LSTM reproduces Keras's golden values (sigmoid, tanh, constant weights)", () => {
  // Keras's own LSTM correctness test: arange(72) as (3, 6, 4), 3 units,
  // kernel 0.01, recurrent kernel 0.02, bias 0.03 with Keras's default
  // unit_forget_bias (forget-gate bias 1). Every unit of a row is equal; the
  // rows are 0.6288687, 0.86899155, 0.9460773. (With 4 units or without the
  // forget bias the values differ: 0.6328966 / 0.5701970 for row 0.)
  const layer = tfl.layers.lstm({
    units: 3,
    activation: "tanh",
    recurrentActivation: "sigmoid",
    unitForgetBias: true,
    kernelInitializer: tfl.initializers.constant({ value: 0.01 }),
    recurrentInitializer: tfl.initializers.constant({ value: 0.02 }),
    biasInitializer: tfl.initializers.constant({ value: 0.03 }),
  });
  const x = tf.reshape(tf.range(0, 72, 1, "float32"), [3, 6, 4]);
  const y = (layer.apply(x) as tf.Tensor).arraySync() as number[][];
  const expected = [0.6288687, 0.86899155, 0.9460773];
  expected.forEach((v, row) =>
    y[row]!.forEach((got) =>
      assert.ok(Math.abs(got - v) < 1e-5, `row ${row}: ${got} vs ${v}`)
    )
  );
});

Deno.test("stockLstm() sets Keras's defaults explicitly", () => {
  const cfg = stockLstm({
    units: 3,
    seed: 1,
    name: "l",
    returnSequences: false,
  }).getConfig();
  assert.equal(cfg.recurrentActivation, "sigmoid");
  assert.equal(cfg.activation, "tanh");
  assert.equal(cfg.unitForgetBias, true);
  assert.equal(
    (cfg.recurrentInitializer as { className: string }).className,
    "Orthogonal",
  );
});

Deno.test("buildSiamese() has separate branch weights by default and shares them on request", () => {
  const sep = buildSiamese(small, 1);
  assert.notEqual(sep.left, sep.right);
  const shared = buildSiamese({ ...small, shareWeights: true }, 1);
  assert.equal(shared.left, shared.right);
  const ids = tf.tensor2d([[3, 4, 5, 0]], undefined, "int32");
  assert.deepEqual(
    encode(shared.left, ids).arraySync(),
    encode(shared.right, ids).arraySync(),
  );
});

Deno.test("buildSiamese() is deterministic given the seed", () => {
  const a = buildSiamese(small, 7).left.getWeights().map((
    w,
  ) => [...w.dataSync()]);
  const b = buildSiamese(small, 7).left.getWeights().map((
    w,
  ) => [...w.dataSync()]);
  const c = buildSiamese(small, 8).left.getWeights().map((
    w,
  ) => [...w.dataSync()]);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

for (const lstm of ["stock", "fused"] as const) {
  Deno.test(`padding id 0 does not drive the ${lstm} LSTM state`, () => {
    const m = buildSiamese({ ...small, lstm }, 3);
    const short = encode(m.left, tf.tensor2d([[5, 6, 7]], undefined, "int32"))
      .arraySync();
    const padded = encode(
      m.left,
      tf.tensor2d([[5, 6, 7, 0, 0, 0, 0]], undefined, "int32"),
    )
      .arraySync();
    short[0]!.forEach((v, k) => assert.ok(Math.abs(v - padded[0]![k]!) < 1e-6));
  });
}

Deno.test("stock and fused branches built from one seed compute the same outputs", () => {
  const x = tf.tensor2d(
    [[3, 4, 5, 0, 0], [7, 8, 9, 10, 11]],
    undefined,
    "int32",
  );
  const a = encode(buildSiamese({ ...small, lstm: "stock" }, 5).right, x)
    .arraySync();
  const b = encode(buildSiamese({ ...small, lstm: "fused" }, 5).right, x)
    .arraySync();
  a.forEach((row, i) =>
    row.forEach((v, k) => assert.ok(Math.abs(v - b[i]![k]!) < 1e-5))
  );
});

Deno.test("every size is configurable", () => {
  const m = buildSiamese(
    modelConfig({ vocab: 11, embeddingDim: 2, lstmUnits: 3, denseUnits: 7 }),
    1,
  );
  const out = encode(m.right, tf.tensor2d([[1, 2]], undefined, "int32"));
  assert.deepEqual(out.shape, [1, 7]);
  assert.throws(() => modelConfig({ lstmUnits: 0 }), {
    message: "model.lstm_units: expected an integer >= 1 but found 0.",
  });
});

Deno.test("the lexical channel's settings are checked with the model config", () => {
  assert.strictEqual(modelConfig().lexical.weight, 0); // off unless asked for
  assert.throws(() => modelConfig({ lexical: { weight: 1 } }), {
    message: "model.lexical.weight: expected a number below 1 but found 1.",
  });
  assert.throws(
    () => modelConfig({ lexical: { weight: -0.1 } }),
    /model.lexical.weight: expected a number >= 0 but found -0.1/,
  );
  assert.throws(() => modelConfig({ lexical: { n: 0 } }), {
    message: "model.lexical.n: expected an integer >= 1 but found 0.",
  });
  assert.throws(() => modelConfig({ lexical: { len: 2.5 } }), {
    message: "model.lexical.len: expected an integer but found 2.5.",
  });
});
