/**
 * The Keras-format export: a stock TensorFlow.js layers model, loaded in a
 * process that registers none of this repository's classes, gives embed's
 * vectors; imported back, it gives them again.
 */
import assert from "@std/assert";
import * as tf from "../../src/deps/tfjs_core.ts";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese } from "../../src/model/siamese.ts";
import { embedRows } from "../../src/infer/embed.ts";
import { fileLoader } from "../../src/io/file_io.ts";
import { ExportError } from "../../src/export/branch_weights.ts";
import { writeExport } from "../../src/export/export_run.ts";
import { importBranch, kerasFiles } from "../../src/export/keras.ts";
import { tempDir } from "../_temp_file.ts";
import {
  loadedModel,
  maxDiff,
  paddedRows,
  randomizeWeights,
} from "./_models.ts";

await setupBackend({ log: false });
const child = new URL("./_stock_load.ts", import.meta.url).pathname;

async function stockVectors(dir: string, ids: Int32Array, len: number) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      child,
      dir,
      JSON.stringify([...ids]),
      `${len}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, err);
  return JSON.parse(
    new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!,
  );
}

const variants = [
  { pooling: "last", bidirectional: false },
  { pooling: "last", bidirectional: true },
  { pooling: "max", bidirectional: false },
] as const;
for (const { pooling, bidirectional } of variants) {
  for (const shareWeights of [false, true]) {
    Deno.test(
      `stock tf.loadLayersModel gives embed's vectors, and import gives them back: pooling ${pooling}, ${
        bidirectional ? "bidirectional" : "forward"
      }, ${
        shareWeights ? "shared encoders with dropout" : "separate encoders"
      }`,
      async () => {
        const c = modelConfig({
          vocab: 19,
          embeddingDim: 4,
          lstmUnits: 5,
          denseUnits: 6,
          leftLen: 5,
          rightLen: 8,
          pooling,
          bidirectional,
          shareWeights,
          // shared encoders also carry the matcher's dropout layer, which
          // the exports read as the identity
          dropout: shareWeights ? 0.3 : 0,
        });
        const m = buildSiamese(c, 9);
        randomizeWeights(m.left, 300);
        if (!shareWeights) randomizeWeights(m.right, 400);
        const dir = `${await tempDir()}/keras`;
        await writeExport(dir, await kerasFiles(loadedModel(m)));
        for (const side of ["left", "right"] as const) {
          const len = side === "left" ? c.leftLen : c.rightLen;
          const ids = paddedRows(9, len, c.vocab, 7);
          const ours = embedRows(m[side], ids, { len }).vectors;
          const stock = await stockVectors(`${dir}/${side}`, ids, len);
          assert.equal(stock.backend, "wasm");
          assert.deepStrictEqual(stock.custom, []);
          assert.deepStrictEqual(stock.classes, [
            "InputLayer",
            "Embedding",
            bidirectional ? "Bidirectional" : "LSTM",
            ...(pooling === "max" ? ["GlobalMaxPooling1D"] : []),
            "Dense",
          ]);
          assert.ok(maxDiff(ours, stock.vectors) < 1e-4, `${side} stock`);
          // back: the stock model's weights in a branch of ours
          const loaded = await tfl.loadLayersModel(
            fileLoader(`${dir}/${side}`),
          );
          const back = importBranch(loaded, c, side);
          const again = embedRows(back, ids, { len }).vectors;
          assert.ok(maxDiff(ours, again) < 1e-6, `${side} imported`);
          assert.equal(
            back.layers.some((l) => l.getClassName() === "FusedLSTM"),
            true,
          );
        }
      },
    );
  }
}

Deno.test("the Keras export refuses mean pooling, and max pooling when bidirectional, naming the part", async () => {
  for (
    const [pooling, bidirectional] of [["mean", false], ["mean", true], [
      "max",
      true,
    ]] as const
  ) {
    const m = buildSiamese(
      modelConfig({
        vocab: 9,
        embeddingDim: 2,
        lstmUnits: 3,
        denseUnits: 4,
        pooling,
        bidirectional,
      }),
      1,
    );
    await assert.rejects(
      () => kerasFiles(loadedModel(m)),
      ExportError,
      `left branch, pooling ${pooling} (MaskedPooling): stock Global`,
    );
  }
});

Deno.test("why: tfjs-layers' global pooling layers ignore the padding mask", () => {
  const input = tfl.input({ shape: [3], dtype: "int32" });
  const embedding = tfl.layers.embedding({
    inputDim: 3,
    outputDim: 1,
    maskZero: true,
  });
  const embedded = embedding.apply(input);
  const pools = [
    tfl.layers.globalAveragePooling1d({}),
    tfl.layers.globalMaxPooling1d({}),
  ];
  const models = pools.map((p) =>
    tfl.model({
      inputs: input,
      outputs: p.apply(embedded) as tfl.SymbolicTensor,
    })
  );
  embedding.setWeights([tf.tensor2d([[10], [3], [0]])]); // padding id 0 embeds as 10
  const ids = tf.tensor2d([[1, 0, 0]], [1, 3], "int32"); // masked: mean 3, max 3
  const [mean, max] = models.map((m) =>
    (m.predict(ids) as tf.Tensor).dataSync()[0]!
  ) as [number, number];
  assert.ok(Math.abs(mean - 23 / 3) < 1e-5, `mean ${mean}`);
  assert.equal(max, 10);
});

Deno.test("importBranch() names a size that does not match the run's config", async () => {
  const c = modelConfig({
    vocab: 9,
    embeddingDim: 2,
    lstmUnits: 3,
    denseUnits: 4,
    leftLen: 3,
  });
  const dir = `${await tempDir()}/keras`;
  await writeExport(dir, await kerasFiles(loadedModel(buildSiamese(c, 1))));
  const loaded = await tfl.loadLayersModel(fileLoader(`${dir}/left`));
  assert.throws(
    () => importBranch(loaded, modelConfig({ ...c, lstmUnits: 4 }), "left"),
    {
      name: "Error",
      message:
        /left weight left_lstm\/kernel of left_lstm: expected shape \[2,16\] \(the run's config\) but the imported model has \[2,12\]/,
    },
  );
});
