import * as tf from "../../src/deps/tfjs_core.ts";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { fileLoader, fileSaver } from "../../src/io/file_io.ts";
import { modelConfig } from "../../src/model/config.ts";
import { maskedPool } from "../../src/model/pooling.ts";
import { buildSiamese, encode } from "../../src/model/siamese.ts";
import { tempDir } from "../_temp_file.ts";

await setupBackend({ log: false });

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");
const close = (a: number[][], b: number[][], tol = 1e-6) =>
  a.forEach((r, i) =>
    r.forEach((v, j) =>
      assert.ok(Math.abs(v - b[i]![j]!) <= tol, `${v} vs ${b[i]![j]}`)
    )
  );

Deno.test("maskedPool() averages and maximises over real steps only", () => {
  const x = tf.tensor3d([
    [[1, -4], [3, 2], [50, 50]],
    [[-1, -2], [-3, -6], [-5, -1]],
  ]);
  const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
  close(maskedPool(x, mask, "mean").arraySync(), [[2, -1], [-3, -3]]);
  close(maskedPool(x, mask, "max").arraySync(), [[3, 2], [-1, -1]]);
  // an all-padding row pools to zeros, not to -1e9
  close(maskedPool(x, tf.tensor2d([[0, 0, 0], [1, 0, 0]]), "max").arraySync(), [
    [0, 0],
    [-1, -2],
  ]);
});

const small = { vocab: 30, embeddingDim: 4, lstmUnits: 5, denseUnits: 6 };
for (const pooling of ["last", "mean", "max"] as const) {
  for (const bidirectional of [false, true]) {
    Deno.test(`pooling ${pooling}${bidirectional ? ", bidirectional," : ""} ignores padding`, () => {
      const m = buildSiamese(
        modelConfig({ ...small, pooling, bidirectional }),
        2,
      );
      const a = encode(m.left, ids([[5, 6, 7]])).arraySync();
      const b = encode(m.left, ids([[5, 6, 7, 0, 0, 0]])).arraySync();
      close(a, b, 1e-5);
    });
  }
}

Deno.test("the bidirectional encoder reads order: reversed input gives another vector", () => {
  const m = buildSiamese(modelConfig({ ...small, bidirectional: true }), 2);
  const a = encode(m.left, ids([[5, 6, 7, 8]])).arraySync()[0]!;
  const b = encode(m.left, ids([[8, 7, 6, 5]])).arraySync()[0]!;
  assert.ok(a.some((v, k) => Math.abs(v - b[k]!) > 1e-4));
});

Deno.test("a shared encoder gives identical vectors for identical left and right text", () => {
  const m = buildSiamese(
    modelConfig({ ...small, shareWeights: true, pooling: "mean" }),
    3,
  );
  const x = ids([[4, 9, 2, 0], [11, 12, 0, 0]]);
  assert.deepEqual(
    encode(m.left, x).arraySync(),
    encode(m.right, x).arraySync(),
  );
});

Deno.test("pooled and bidirectional branches save and load with identical predictions", async () => {
  const m = buildSiamese(
    modelConfig({ ...small, pooling: "max", bidirectional: true }),
    4,
  );
  const dir = await tempDir();
  await m.left.save(fileSaver(`${dir}/left`));
  const back = await tfl.loadLayersModel(fileLoader(`${dir}/left`));
  const x = ids([[3, 4, 5, 0], [7, 0, 0, 0]]);
  assert.deepEqual(encode(back, x).arraySync(), encode(m.left, x).arraySync());
});
