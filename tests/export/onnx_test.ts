/**
 * The ONNX export run by ONNX Runtime (onnxruntime-node, CPU) gives the
 * vectors our inference gives, for every model variant and padding pattern.
 */
import assert from "@std/assert";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import * as ort from "../../bench/peers/onnxruntime_node.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import { modelConfig, type PoolingKind } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";
import { embedRows } from "../../src/infer/embed.ts";
import { ExportError, readBranch } from "../../src/export/branch_weights.ts";
import { branchToOnnx } from "../../src/export/onnx_branch.ts";
import { maxDiff, paddedRows, randomizeWeights } from "./_models.ts";

await setupBackend({ log: false });

async function runOnnx(bytes: Uint8Array, ids: Int32Array, len: number) {
  const session = await ort.InferenceSession.create(bytes);
  const input = new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [
    ids.length / len,
    len,
  ]);
  const out = await session.run({ ids: input });
  await session.release();
  return out.vector!.data as Float32Array;
}

const poolings: PoolingKind[] = ["last", "mean", "max"];
for (const pooling of poolings) {
  for (const bidirectional of [false, true]) {
    for (const shareWeights of [false, true]) {
      const name = `ONNX Runtime matches embed: pooling ${pooling}, ${
        bidirectional ? "bidirectional" : "forward"
      }, ${
        shareWeights ? "shared encoders with dropout" : "separate encoders"
      }`;
      Deno.test(name, async () => {
        const c = modelConfig({
          vocab: 23,
          embeddingDim: 5,
          lstmUnits: 6,
          denseUnits: 7,
          leftLen: 4,
          rightLen: 9,
          pooling,
          bidirectional,
          shareWeights,
          // shared encoders also carry the matcher's dropout layer, which
          // the exports read as the identity
          dropout: shareWeights ? 0.3 : 0,
        });
        const m = buildSiamese(c, 5);
        randomizeWeights(m.left, 100);
        if (!shareWeights) randomizeWeights(m.right, 200);
        for (const side of ["left", "right"] as const) {
          const len = side === "left" ? c.leftLen : c.rightLen;
          const ids = paddedRows(12, len, c.vocab, side === "left" ? 1 : 2);
          const ours = embedRows(m[side], ids, { len, batchSize: 5 }).vectors;
          const bytes = branchToOnnx(readBranch(m[side], side), {
            len,
            name: side,
          });
          const theirs = await runOnnx(bytes, ids, len);
          assert.ok(
            maxDiff(ours, theirs) < 1e-4,
            `${side}: ${maxDiff(ours, theirs)}`,
          );
          // the all-padding row is 0 before the dense layer: its output is the bias
          assert.ok(theirs.some((x) => Math.abs(x) > 1e-3), "not all zero");
        }
      });
    }
  }
}

Deno.test("ONNX Runtime batches of any size: the batch dimension is dynamic", async () => {
  const c = modelConfig({
    vocab: 11,
    embeddingDim: 3,
    lstmUnits: 4,
    denseUnits: 2,
    leftLen: 5,
  });
  const m = buildSiamese(c, 1);
  const bytes = branchToOnnx(readBranch(m.left, "left"), {
    len: 5,
    name: "left",
  });
  const ids = paddedRows(7, 5, 11, 3);
  const all = await runOnnx(bytes, ids, 5);
  const one = await runOnnx(bytes, ids.slice(15, 20), 5);
  assert.ok(maxDiff(all.slice(6, 8), one) < 1e-6);
});

Deno.test("readBranch() refuses a layer with no exact equivalent, by name", () => {
  const input = tfl.input({ shape: [4], dtype: "int32" });
  const e = tfl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true })
    .apply(input);
  const g = tfl.layers.gru({ units: 3, name: "my_gru" }).apply(e);
  const out = tfl.layers.dense({ units: 2 }).apply(g) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  assert.throws(
    () => readBranch(model, "left"),
    ExportError,
    "left branch, layer my_gru (GRU): no exact equivalent is known",
  );
});

Deno.test("readBranch() refuses a Dense activation other than linear", () => {
  const input = tfl.input({ shape: [4], dtype: "int32" });
  const e = tfl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true })
    .apply(input);
  const l = tfl.layers.lstm({ units: 3, recurrentActivation: "sigmoid" }).apply(
    e,
  );
  const out = tfl.layers.dense({ units: 2, activation: "relu", name: "d" })
    .apply(l) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  assert.throws(
    () => readBranch(model, "right"),
    ExportError,
    "right branch, layer d (Dense): activation relu; only linear is exported",
  );
});

Deno.test("readBranch() refuses tfjs-layers' default hardSigmoid recurrent activation", () => {
  const input = tfl.input({ shape: [4], dtype: "int32" });
  const e = tfl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true })
    .apply(input);
  const l = tfl.layers.lstm({ units: 3, name: "l" }).apply(e);
  const out = tfl.layers.dense({ units: 2 }).apply(l) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  assert.throws(
    () => readBranch(model, "left"),
    ExportError,
    'left branch, layer l (LSTM): recurrentActivation is "hardSigmoid"; only "sigmoid" is exported',
  );
});
