import * as tf from "../../src/deps/tfjs_core.ts";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import { ok as assert, strictEqual as equal } from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { FusedLSTM } from "../../src/model/fused_lstm.ts";
import { setLstmThreads } from "../../src/backend/lstm_threads.ts";
import { UNREAD_PLACEHOLDER } from "../../src/backend/unread_placeholder.ts";
import {
  lstmRecurrence,
  lstmRecurrenceOverTable,
} from "../../src/model/lstm_op.ts";
import { ReverseTime } from "../../src/model/reverse_time.ts";
import {
  tokenSource,
  traceEmbedding,
  traceEmbeddings,
} from "../../src/model/token_table.ts";
import { fileLoader, fileSaver } from "../../src/io/file_io.ts";
import { tempDir } from "../_temp_file.ts";
import { assertClose } from "../_close.ts";

await setupBackend({ log: false });

const V = 7, E = 5, H = 8, B = 4, T = 6;

/** Ids `[B, T]` with post-padding: row lengths T, 3, 1, 0. */
function ids(): tf.Tensor2D {
  const rows = tf.randomUniform([B, T], 1, V, "int32", 3)
    .arraySync() as number[][];
  [T, 3, 1, 0].forEach((len, b) => rows[b]!.fill(0, len));
  return tf.tensor2d(rows, undefined, "int32");
}

interface Parts {
  embedding: tfl.layers.Layer;
  lstm: FusedLSTM;
  reverse: ReverseTime;
}

function parts(returnSequences: boolean): Parts {
  return {
    embedding: traceEmbedding(
      tfl.layers.embedding({
        inputDim: V,
        outputDim: E,
        maskZero: true,
        embeddingsInitializer: tfl.initializers.randomUniform({
          minval: -1,
          maxval: 1,
          seed: 1,
        }),
      }),
    ),
    lstm: new FusedLSTM({
      units: H,
      returnSequences,
      biasInitializer: tfl.initializers.randomUniform({
        minval: -1,
        maxval: 1,
        seed: 2,
      }),
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: 4 }),
    }),
    reverse: new ReverseTime(),
  };
}

/**
 * Output and gradients of `sum(out * w)` in every weight. With `detach`,
 * the LSTM reads a copy of the embedded tensor, which is not linked to
 * the ids, so it projects every token: the reference.
 */
function run(p: Parts, x: tf.Tensor2D, detach: boolean, reversed: boolean) {
  const mask = p.embedding.computeMask(x) as tf.Tensor;
  const forward = () => {
    let emb = p.embedding.apply(x) as tf.Tensor;
    let m = mask;
    if (reversed) {
      m = p.reverse.computeMask(emb, mask);
      emb = p.reverse.apply(emb) as tf.Tensor;
    }
    if (detach) emb = tf.clone(emb);
    return p.lstm.apply(emb, { mask: m }) as tf.Tensor;
  };
  const out = forward();
  const w = tf.randomUniform(out.shape, -1, 1, "float32", 9);
  const vars = [...p.embedding.trainableWeights, ...p.lstm.trainableWeights]
    .map((v) => v.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(forward(), w)), vars);
  return { out, grads: vars.map((v) => grads[v.name]!) };
}

/** Shapes of the matMul inputs run by `fn`. */
async function matMulShapes(fn: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(fn);
  return info.kernels
    .filter((k) => k.name === "BatchMatMul" || k.name === "_FusedMatMul")
    .map((k) => k.inputShapes.map((s) => `[${s}]`).join("x"));
}

for (const reversed of [false, true]) {
  for (const sequences of [true, false]) {
    Deno.test(
      `vocabulary table equals per-token projection (${
        reversed ? "reversed, " : ""
      }${sequences ? "sequences" : "last"})`,
      async () => {
        const p = parts(sequences);
        const x = ids();
        // V 7 <= B T 24: the linked path projects the vocabulary [V, E]
        const shapes = await matMulShapes(() => run(p, x, false, reversed).out);
        assert(
          shapes.some((s) => s.startsWith(`[${V},${E}]`)),
          `expected a [${V},${E}] product, found ${shapes.join(", ")}`,
        );
        const detachedShapes = await matMulShapes(() =>
          run(p, x, true, reversed).out
        );
        assert(
          detachedShapes.every((s) => !s.startsWith(`[${V},${E}]`)),
          `expected no vocabulary product, found ${detachedShapes.join(", ")}`,
        );
        const fast = run(p, x, false, reversed);
        const ref = run(p, x, true, reversed);
        assertClose(fast.out, ref.out, "output");
        equal(fast.grads.length, 4);
        fast.grads.forEach((g, i) =>
          assertClose(g, ref.grads[i]!, `gradient ${i}`)
        );
      },
    );
  }
}

Deno.test("a large vocabulary keeps the per-token projection", async () => {
  const embedding = traceEmbedding(
    tfl.layers.embedding({ inputDim: 100, outputDim: E }),
  );
  const lstm = new FusedLSTM({ units: H });
  const x = ids(); // 24 tokens < 100 ids
  const shapes = await matMulShapes(() =>
    lstm.apply(embedding.apply(x)) as tf.Tensor
  );
  assert(
    shapes.some((s) => s.startsWith(`[${B * T},${E}]`)),
    `expected a [${B * T},${E}] product, found ${shapes.join(", ")}`,
  );
});

Deno.test("tracing twice wraps once; untraced outputs have no source", () => {
  const embedding = tfl.layers.embedding({ inputDim: V, outputDim: E });
  const call = traceEmbedding(embedding).call;
  equal(traceEmbedding(embedding).call, call);
  const x = ids();
  const out = embedding.apply(x) as tf.Tensor;
  equal(tokenSource(out)?.ids(), x);
  const plain = tfl.layers.embedding({ inputDim: V, outputDim: E });
  equal(tokenSource(plain.apply(x) as tf.Tensor), undefined);
});

/** Kernel names and input shapes run by `fn`. */
async function kernelsRun(fn: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(fn);
  return info.kernels.map((k) =>
    `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join("x")}`
  );
}

for (const threads of [1, 2]) {
  for (const sequences of [true, false]) {
    Deno.test(
      `in inference the kernel reads the vocabulary table by id, as the per-token projection (${threads} LSTM threads, ${
        sequences ? "sequences" : "last"
      })`,
      async () => {
        assert((await setLstmThreads(threads)) === threads);
        try {
          const p = parts(sequences);
          const x = ids();
          const mask = p.embedding.computeMask(x) as tf.Tensor;
          const infer = (detach: boolean) => {
            let emb = p.embedding.apply(x) as tf.Tensor;
            if (detach) emb = tf.clone(emb);
            return p.lstm.apply(emb, { mask }) as tf.Tensor;
          };
          const ran = await kernelsRun(() => infer(false));
          // the table [V, 4H] goes to the kernel with the ids [B, T]; no
          // [B T, 4H] gather of it
          assert(
            ran.some((k) =>
              k ===
                `FusedLstm [${V},${4 * H}]x[${H},${
                  4 * H
                }]x[${B},${T}]x[${B},${T}]`
            ),
            ran.join("; "),
          );
          assert(!ran.some((k) => k.startsWith(`GatherV2 [${V},${4 * H}]`)));
          assertClose(infer(false), infer(true), "output");
        } finally {
          await setLstmThreads(1);
        }
      },
    );
  }
}

/** input -> traced Embedding -> [ReverseTime ->] FusedLSTM, as a model. */
function branch(reversed: boolean, extraReader = false) {
  const p = parts(true);
  const input = tfl.input({ shape: [null], dtype: "int32" });
  let emb = p.embedding.apply(input) as tfl.SymbolicTensor;
  if (reversed) emb = p.reverse.apply(emb) as tfl.SymbolicTensor;
  const outputs = [p.lstm.apply(emb) as tfl.SymbolicTensor];
  if (extraReader) {
    outputs.push(
      tfl.layers.globalAveragePooling1d({}).apply(
        p.embedding.apply(input),
      ) as tfl.SymbolicTensor,
    );
  }
  return { p, model: tfl.model({ inputs: input, outputs }) };
}

for (const reversed of [false, true]) {
  Deno.test(`an Embedding read only by FusedLSTMs${reversed ? " (through ReverseTime)" : ""} runs no gather of its own, with the same outputs and gradients`, async () => {
    const { p, model } = branch(reversed);
    const x = ids();
    // inference: the kernel reads the table by id, so nothing is gathered
    const ran = await kernelsRun(() => model.predict(x) as tf.Tensor);
    assert(!ran.some((k) => k.startsWith("GatherV2")), ran.join("; "));
    // the placeholder is only allocated: not filled (Fill), let alone in
    // JavaScript (tf.zeros, ~4 ms per seed branch)
    assert(
      ran.some((k) => k.startsWith(UNREAD_PLACEHOLDER)),
      ran.join("; "),
    );
    assert(!ran.some((k) => k.startsWith("Fill")), ran.join("; "));
    // the reference: the Embedding's values gathered by hand, which the
    // LSTM projects token by token (a detached tensor has no source)
    const reference = (table: tf.Tensor) => {
      let emb = tf.gather(table, x);
      let mask = p.embedding.computeMask(x) as tf.Tensor;
      if (reversed) {
        mask = p.reverse.computeMask(emb, mask);
        emb = tf.reverse(emb, 1);
      }
      return p.lstm.apply(emb, { mask }) as tf.Tensor;
    };
    const table = p.embedding.trainableWeights[0]!.read();
    assertClose(model.predict(x) as tf.Tensor, reference(table), "output");
    // training: the kernel reads the projected vocabulary by id here too
    // (no gather); its gradient is one segment sum; the same gradients in
    // every weight
    const w = tf.randomUniform([B, T, H], -1, 1, "float32", 5);
    const vars = [...p.embedding.trainableWeights, ...p.lstm.trainableWeights]
      .map((v) => v.read() as tf.Variable);
    const grads = (f: () => tf.Tensor) =>
      tf.variableGrads(() => tf.sum(tf.mul(f(), w)), vars).grads;
    const trained = await kernelsRun(() => {
      const g = grads(() => model.apply(x, { training: true }) as tf.Tensor);
      return g[vars[0]!.name]!;
    });
    equal(trained.filter((k) => k.startsWith("GatherV2")).length, 0);
    equal(
      trained.filter((k) => k.startsWith("UnsortedSegmentSum")).length,
      1,
    );
    const got = grads(() => model.apply(x, { training: true }) as tf.Tensor);
    const want = grads(() => reference(vars[0]!));
    for (const v of vars) assertClose(got[v.name]!, want[v.name]!, v.name);
  });
}

Deno.test("an Embedding with another reader computes its values", async () => {
  const { p, model } = branch(false, true);
  const x = ids();
  const [, mean] = model.predict(x) as tf.Tensor[];
  const table = p.embedding.trainableWeights[0]!.read();
  // tfjs-layers' pooling averages padding too
  assertClose(mean!, tf.mean(tf.gather(table, x), 1), "the Embedding's values");
  const ran = await kernelsRun(() => (model.predict(x) as tf.Tensor[])[1]!);
  assert(ran.some((k) => k.startsWith(`GatherV2 [${V},${E}]`)), ran.join("; "));
});

Deno.test("a model loaded from files is traced again by traceEmbeddings", async () => {
  const { model } = branch(false);
  const dir = await tempDir();
  await model.save(fileSaver(dir));
  const loaded = traceEmbeddings(await tfl.loadLayersModel(fileLoader(dir)));
  const x = ids();
  const ran = await kernelsRun(() => loaded.predict(x) as tf.Tensor);
  assert(!ran.some((k) => k.startsWith("GatherV2")), ran.join("; "));
  assert(!ran.some((k) => k.includes(`[${B * T},${E}]`)), ran.join("; "));
  assertClose(
    loaded.predict(x) as tf.Tensor,
    model.predict(x) as tf.Tensor,
    "output",
  );
});

Deno.test("inference keeps the projected vocabulary until a weight changes", async () => {
  const { p, model } = branch(false);
  const x = ids();
  const product = `BatchMatMul [${V},${E}]x[${E},${4 * H}]`;
  const first = await kernelsRun(() => model.predict(x) as tf.Tensor);
  assert(first.includes(product), first.join("; "));
  const again = await kernelsRun(() => model.predict(x) as tf.Tensor);
  assert(!again.includes(product), again.join("; "));
  const before = model.predict(x) as tf.Tensor;
  // new weights (as an optimizer or setWeights assigns them): a new table
  const [kernel, recurrent, bias] = p.lstm.getWeights();
  p.lstm.setWeights([tf.mul(kernel!, 2), recurrent!, bias!]);
  const after = await kernelsRun(() => model.predict(x) as tf.Tensor);
  assert(after.includes(product), after.join("; "));
  const fresh = branch(false);
  fresh.p.embedding.setWeights(p.embedding.getWeights());
  fresh.p.lstm.setWeights(p.lstm.getWeights());
  assertClose(
    model.predict(x) as tf.Tensor,
    fresh.model.predict(x) as tf.Tensor,
    "output",
  );
  assert(
    tf.max(tf.abs(tf.sub(before, model.predict(x) as tf.Tensor)))
      .dataSync()[0]! > 1e-3,
  );
  // disposing the layer frees the kept table
  tf.dispose(model.predict(x) as tf.Tensor);
  const n = tf.memory().numTensors;
  p.lstm.dispose();
  // kernel, recurrent kernel, bias and the kept table
  equal(n - tf.memory().numTensors, 4);
});

Deno.test("the kernel reads an aligned copy of a table it reads four times over, with the same results", () => {
  // V 10, B T 48 >= 4 V: the kernel copies the table to a 64-byte boundary
  const [Vb, Bb, Tb, Hb] = [10, 4, 12, 8];
  const table = tf.randomNormal(
    [Vb, 4 * Hb],
    0,
    1,
    "float32",
    11,
  ) as tf.Tensor2D;
  const u = tf.randomNormal([Hb, 4 * Hb], 0, 0.3, "float32", 12) as tf.Tensor2D;
  const idsB = tf.randomUniform([Bb, Tb], 0, Vb, "int32", 13) as tf.Tensor2D;
  const maskB = tf.cast(tf.notEqual(idsB, 0), "float32") as tf.Tensor2D;
  const gathered = () =>
    tf.reshape(tf.gather(table, tf.reshape(idsB, [Bb * Tb])), [
      Bb,
      Tb,
      4 * Hb,
    ]) as tf.Tensor3D;
  // inference: bit for bit the recurrence over the gathered rows
  const direct = lstmRecurrenceOverTable(table, idsB, u, maskB).dataSync();
  const reference = lstmRecurrence(gathered(), u, maskB).dataSync();
  equal(direct.length, Bb * Tb * Hb);
  assert(direct.every((v, i) => v === reference[i]), "outputs differ");
  assert(direct.some((v) => Math.abs(v) > 0.05));
  // training: the same gradients in the table and the recurrent kernel
  const w = tf.randomUniform([Bb, Tb, Hb], -1, 1, "float32", 14);
  const grads = (f: (t: tf.Tensor2D, u: tf.Tensor2D) => tf.Tensor) =>
    tf.grads((t: tf.Tensor, v: tf.Tensor) =>
      tf.sum(tf.mul(f(t as tf.Tensor2D, v as tf.Tensor2D), w))
    )([table, u]);
  const got = grads((t, v) => lstmRecurrenceOverTable(t, idsB, v, maskB));
  const want = grads((t, v) =>
    lstmRecurrence(
      tf.reshape(tf.gather(t, tf.reshape(idsB, [Bb * Tb])), [
        Bb,
        Tb,
        4 * Hb,
      ]) as tf.Tensor3D,
      v,
      maskB,
    )
  );
  assertClose(got[0]!, want[0]!, "table gradient");
  assertClose(got[1]!, want[1]!, "recurrent kernel gradient");
});
