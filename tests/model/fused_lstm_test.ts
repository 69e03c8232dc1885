import * as tf from "../../src/deps/tfjs_core.ts";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import {
  deepStrictEqual as deepEqual,
  ok as assert,
  strictEqual as equal,
  throws,
} from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import {
  asFusedLstm,
  asStockLstm,
  FusedLSTM,
} from "../../src/model/fused_lstm.ts";
import { setLstmThreads } from "../../src/backend/lstm_threads.ts";
import { assertClose } from "../_close.ts";

await setupBackend({ log: false });

/** Token ids [B, T] with post-padding zeros: row lengths T, ceil(T/2), 1, 0. */
function paddedIds(T: number, vocab: number, seed: number): tf.Tensor2D {
  const lengths = [T, Math.ceil(T / 2), 1, 0];
  const ids = tf.randomUniform([lengths.length, T], 1, vocab, "int32", seed)
    .arraySync() as number[][];
  lengths.forEach((len, b) => ids[b]!.fill(0, len));
  return tf.tensor2d(ids, undefined, "int32");
}

function lstmArgs(units: number, returnSequences: boolean) {
  return {
    units,
    returnSequences,
    recurrentActivation: "sigmoid" as const,
    unitForgetBias: true,
  };
}

/** Embedding(maskZero) -> LSTM, as a model. */
function embedLstm(rnn: tfl.layers.Layer, T: number): tfl.Sequential {
  const m = tfl.sequential();
  m.add(
    tfl.layers.embedding({
      inputDim: 20,
      outputDim: 6,
      maskZero: true,
      inputLength: T,
    }),
  );
  m.add(rnn);
  return m;
}

/** Loss sum(y * w) and its gradients for every trainable weight of a model. */
function weightGrads(
  model: tfl.LayersModel,
  ids: tf.Tensor,
  w: tf.Tensor,
): { y: tf.Tensor; grads: tf.Tensor[] } {
  const y = model.predict(ids) as tf.Tensor;
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const { grads } = tf.variableGrads(
    () => tf.sum(tf.mul(model.apply(ids) as tf.Tensor, w)) as tf.Scalar,
    vars,
  );
  return { y, grads: vars.map((v) => grads[v.name]!) };
}

/**
 * tfjs-layers' LSTM cannot backpropagate with T = 1 (the gradient of its
 * `unstack` calls `stack` on a lone tensor), so for T = 1 the reference runs
 * on T = 2 with the second step masked for every row: masked steps carry the
 * state, so its first step is exactly the T = 1 problem.
 */
function referenceSteps(T: number): number {
  return T === 1 ? 2 : T;
}

/** Pads axis 1 of `t` with zeros from `T` to `T2` steps. */
function padSteps(t: tf.Tensor, T2: number): tf.Tensor {
  const T = t.shape[1]!;
  const pads = t.shape.map((_, i) =>
    (i === 1 ? [0, T2 - T] : [0, 0]) as [number, number]
  );
  return T2 === T ? t : tf.pad(t, pads);
}

// 20 units: the transposed recurrent kernel (20 columns) is packed as a
// panel of 16 and one of 4 (see panel_index in src/wasm/gemm.c)
for (const units of [8, 5, 20]) {
  for (const T of [1, 7, 20]) {
    for (const returnSequences of [false, true]) {
      Deno.test(`FusedLSTM matches LSTM with Embedding(maskZero): units ${units}, T ${T}, returnSequences ${returnSequences}`, () => {
        tf.tidy(() => {
          const T2 = referenceSteps(T);
          const stock = embedLstm(
            tfl.layers.lstm(lstmArgs(units, returnSequences)),
            T2,
          );
          const fused = embedLstm(
            new FusedLSTM(lstmArgs(units, returnSequences)),
            T,
          );
          fused.setWeights(stock.getWeights());
          const ids = paddedIds(T, 20, 7 * T + units);
          const w = tf.randomNormal(
            returnSequences ? [4, T, units] : [4, units],
            0,
            1,
            "float32",
            T,
          );
          const s = weightGrads(
            stock,
            padSteps(ids, T2),
            returnSequences ? padSteps(w, T2) : w,
          );
          const f = weightGrads(fused, ids, w);
          const sy = returnSequences
            ? tf.slice(s.y, [0, 0, 0], [4, T, units])
            : s.y;
          assertClose(f.y, sy, "output");
          const names = ["embeddings", "kernel", "recurrentKernel", "bias"];
          equal(f.grads.length, names.length);
          names.forEach((name, i) =>
            assertClose(f.grads[i]!, s.grads[i]!, `d ${name}`)
          );
        });
      });
    }
  }
}

for (const T of [1, 9]) {
  for (const returnSequences of [false, true]) {
    Deno.test(`FusedLSTM matches LSTM in input gradient with an explicit mask, gaps included: T ${T}, returnSequences ${returnSequences}`, () => {
      tf.tidy(() => {
        const T2 = referenceSteps(T);
        const stock = tfl.layers.lstm(lstmArgs(12, returnSequences));
        const fused = new FusedLSTM(lstmArgs(12, returnSequences));
        const x = tf.randomNormal([3, T, 5], 0, 1, "float32", 3) as tf.Tensor3D; // [B, T, E]
        stock.apply(x); // builds
        fused.apply(x);
        fused.setWeights(stock.getWeights());
        // rows: all valid; post-padded; gaps inside (every third step masked)
        const mask = tf.tensor2d([
          Array.from({ length: T }, () => 1),
          Array.from({ length: T }, (_, t) => (t < Math.ceil(T / 2) ? 1 : 0)),
          Array.from({ length: T }, (_, t) => (t % 3 === 1 ? 0 : 1)),
        ]);
        const w = tf.randomNormal(
          returnSequences ? [3, T, 12] : [3, 12],
          0,
          1,
          "float32",
          5,
        );
        const grads = (layer: tfl.layers.Layer, steps: number) => {
          const vars = layer.trainableWeights.map((v) =>
            v.read() as tf.Variable
          );
          const xs = tf.variable(padSteps(x, steps), true, `x_${layer.name}`);
          const m = padSteps(mask, steps),
            ws = returnSequences ? padSteps(w, steps) : w;
          const { grads } = tf.variableGrads(
            () =>
              tf.sum(
                tf.mul(layer.apply(xs, { mask: m }) as tf.Tensor, ws),
              ) as tf.Scalar,
            [xs, ...vars],
          );
          const out = [
            tf.slice(grads[xs.name]!, [0, 0, 0], [3, T, 5]),
            ...vars.map((v) => grads[v.name]!),
          ];
          xs.dispose();
          return out;
        };
        const [s, f] = [grads(stock, T2), grads(fused, T)];
        ["input", "kernel", "recurrentKernel", "bias"].forEach((name, i) =>
          assertClose(f[i]!, s[i]!, `d ${name}`)
        );
      });
    });
  }
}

Deno.test("FusedLSTM and LSTM reproduce the Keras golden values", () => {
  // Keras's LSTM correctness test: arange(72) as (3, 6, 4); kernel, recurrent
  // kernel and bias constants 0.01, 0.02, 0.03; 3 units; unit forget bias.
  // Each output row is one batch entry with all units equal, so the golden
  // values 0.6288687, 0.86899155, 0.9460773 are the first output column.
  tf.tidy(() => {
    const x = tf.reshape(tf.range(0, 72, 1, "float32"), [3, 6, 4]);
    const args = {
      units: 3,
      kernelInitializer: tfl.initializers.constant({ value: 0.01 }),
      recurrentInitializer: tfl.initializers.constant({ value: 0.02 }),
      biasInitializer: tfl.initializers.constant({ value: 0.03 }),
      recurrentActivation: "sigmoid" as const,
      unitForgetBias: true,
    };
    const golden = [0.6288687, 0.86899155, 0.9460773];
    for (const layer of [tfl.layers.lstm(args), new FusedLSTM(args)]) {
      const y = (layer.apply(x) as tf.Tensor).arraySync() as number[][];
      y.forEach((row, b) =>
        row.forEach((v) =>
          assert(
            Math.abs(v - golden[b]!) <= 1e-5,
            `${layer.getClassName()} [${b}]: ${v} vs ${golden[b]}`,
          )
        )
      );
    }
  });
});

Deno.test("FusedLSTM training step leaves tf.memory().numTensors unchanged", () => {
  const model = embedLstm(new FusedLSTM({ units: 8 }), 6);
  model.add(tfl.layers.dense({ units: 3 }));
  const optimizer = tf.train.adam(1e-3);
  const ids = paddedIds(6, 20, 1);
  const target = tf.randomNormal([4, 3], 0, 1, "float32", 2);
  const step = () =>
    tf.tidy(() => {
      optimizer.minimize(() =>
        tf.mean(
          tf.square(
            tf.sub(model.apply(ids, { training: true }) as tf.Tensor, target),
          ),
        ) as tf.Scalar
      );
    });
  step(); // creates the optimizer's slots
  const before = tf.memory().numTensors;
  step();
  step();
  equal(tf.memory().numTensors, before);
  tf.dispose([ids, target]);
  model.layers.forEach((l) => l.dispose());
  optimizer.dispose();
});

Deno.test("FusedLSTM config builds a stock LSTM that computes the same", () => {
  tf.tidy(() => {
    const fused = new FusedLSTM({ units: 4, returnSequences: true });
    const x = tf.randomNormal([2, 3, 5], 0, 1, "float32", 9);
    const y = fused.apply(x) as tf.Tensor;
    const stock = tfl.layers.lstm(
      fused.getConfig() as unknown as tfl.LSTMLayerArgs,
    );
    stock.apply(x); // builds
    stock.setWeights(fused.getWeights());
    assertClose(stock.apply(x) as tf.Tensor, y, "stock from config");
    equal(stock.getConfig()["recurrentActivation"], "sigmoid");
  });
});

Deno.test("asStockLstm() lets a saved FusedLSTM model load as a standard LSTM, and asFusedLstm() back", async () => {
  const model = embedLstm(new FusedLSTM({ units: 4 }), 5);
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((a) => {
    saved = a;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  const artifacts = saved!;
  const stock = await tfl.loadLayersModel(
    tf.io.fromMemory({
      ...artifacts,
      modelTopology: asStockLstm(artifacts.modelTopology),
    }),
  );
  equal(stock.layers[1]!.getClassName(), "LSTM");
  const back = await tfl.loadLayersModel(
    tf.io.fromMemory({
      ...artifacts,
      modelTopology: asFusedLstm(asStockLstm(artifacts.modelTopology)),
    }),
  );
  equal(back.layers[1]!.getClassName(), "FusedLSTM");
  tf.tidy(() => {
    const ids = paddedIds(5, 20, 4);
    const y = model.predict(ids) as tf.Tensor;
    assertClose(stock.predict(ids) as tf.Tensor, y, "stock load");
    assertClose(back.predict(ids) as tf.Tensor, y, "fused load");
  });
  [model, stock, back].forEach((m) => m.layers.forEach((l) => l.dispose()));
});

Deno.test("FusedLSTM rejects options it does not implement", () => {
  throws(
    () => new FusedLSTM({ units: 4, recurrentActivation: "hardSigmoid" }),
    {
      message:
        'FusedLSTM: expected recurrentActivation "sigmoid" but found "hardSigmoid"',
    },
  );
  throws(
    () => new FusedLSTM({ units: 4, activation: "relu" }),
    { message: 'FusedLSTM: expected activation "tanh" but found "relu"' },
  );
  throws(
    () =>
      new FusedLSTM(
        { units: 4, dropout: 0.5 } as ConstructorParameters<
          typeof FusedLSTM
        >[0],
      ),
    {
      message:
        "FusedLSTM: expected dropout to be 0 (unsupported) but found 0.5",
    },
  );
  tf.tidy(() => {
    const layer = new FusedLSTM({ units: 4 });
    throws(
      () =>
        layer.apply(tf.ones([1, 2, 3]), {
          initialState: [tf.zeros([1, 4]), tf.zeros([1, 4])],
        }),
      {
        message:
          "FusedLSTM: initialState is not supported (the state starts at zero)",
      },
    );
  });
});

for (const returnSequences of [false, true]) {
  Deno.test(`FusedLSTM on 2 threads gives exactly the 1-thread outputs and gradients (returnSequences ${returnSequences})`, async () => {
    const model = embedLstm(new FusedLSTM(lstmArgs(8, returnSequences)), 9);
    const run = () =>
      tf.tidy(() => {
        // 5 rows: an odd split; paddedIds gives 4 rows, add one full row
        const ids = tf.concat([
          paddedIds(9, 20, 11),
          tf.fill([1, 9], 3, "int32"),
        ]);
        const w = tf.randomNormal(
          returnSequences ? [5, 9, 8] : [5, 8],
          0,
          1,
          "float32",
          12,
        );
        const { y, grads } = weightGrads(model, ids, w);
        return [y, ...grads].map((t) => [...t.dataSync()]);
      });
    const one = run();
    try {
      equal(await setLstmThreads(2), 2);
      deepEqual(run(), one);
      // fewer rows than threads
      const single = tf.tidy(
        () => [
          ...(model.predict(tf.fill([1, 9], 5, "int32")) as tf.Tensor)
            .dataSync(),
        ],
      );
      equal(await setLstmThreads(1), 1);
      deepEqual(
        tf.tidy(
          () => [
            ...(model.predict(tf.fill([1, 9], 5, "int32")) as tf.Tensor)
              .dataSync(),
          ],
        ),
        single,
      );
    } finally {
      await setLstmThreads(1);
      model.layers.forEach((l) => l.dispose());
    }
  });
}
