/**
 * The Keras-format export: a stock TensorFlow.js layers model, loaded in a
 * process that registers none of this repository's classes, gives embed's
 * vectors; imported back, it gives them again.
 */
import assert from "@std/assert";
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

for (const bidirectional of [false, true]) {
  for (const shareWeights of [false, true]) {
    Deno.test(
      `stock tf.loadLayersModel gives embed's vectors, and import gives them back: ${
        bidirectional ? "bidirectional" : "forward"
      }, ${shareWeights ? "shared" : "separate"} encoders`,
      async () => {
        const c = modelConfig({
          vocab: 19,
          embeddingDim: 4,
          lstmUnits: 5,
          denseUnits: 6,
          leftLen: 5,
          rightLen: 8,
          bidirectional,
          shareWeights,
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

Deno.test("the Keras export refuses masked mean and max pooling, naming the layer", async () => {
  for (const pooling of ["mean", "max"] as const) {
    const m = buildSiamese(
      modelConfig({
        vocab: 9,
        embeddingDim: 2,
        lstmUnits: 3,
        denseUnits: 4,
        pooling,
      }),
      1,
    );
    await assert.rejects(
      () => kerasFiles(loadedModel(m)),
      ExportError,
      `left branch, pooling ${pooling} (MaskedPooling): stock tfjs-layers' Global`,
    );
  }
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
    Error,
    "left weight left_lstm/kernel of left_lstm: expected shape [2,16] (the run's config) but the imported model has [2,12]",
  );
});
