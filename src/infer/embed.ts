/**
 * Running one branch over many sequences, in batches, without gradients.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type * as tfl from "../deps/tfjs_layers.ts";
import { encode } from "../model/siamese.ts";
import { gatherRows } from "../pairs/batches.ts";

/**
 * Encodes rows `[0, n)` of a padded id matrix with `branch`.
 *
 * @param branch a branch model
 * @param data row-major ids `[N, len]`
 * @param options `len` (row length), `width` (tokens the branch reads,
 *   default `len`), `n` (rows, default all), `rows` (which rows to encode,
 *   in order; default `[0, n)`), `batchSize` (default 64), `into` (write
 *   the outputs into these `[*, D]` vectors from this row on, instead of
 *   new ones)
 * @returns the outputs, row-major `[n, D]` (or `into`'s vectors), and D
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildSiamese } from "../model/siamese.ts";
 * import { modelConfig } from "../model/config.ts";
 * import { embedRows } from "./embed.ts";
 * await setupBackend({ log: false });
 * const model = buildSiamese(modelConfig({ vocab: 9, leftLen: 2, rightLen: 2,
 *   embeddingDim: 2, lstmUnits: 3, denseUnits: 4 }), 1);
 * const ids = Int32Array.of(1, 2, 3, 4, 5, 0);
 * const all = embedRows(model.left, ids, { len: 2 });
 * const picked = embedRows(model.left, ids, { len: 2, rows: [2, 0] });
 * assert.ok(all.dim === 4 && picked.vectors.length === 8);
 * assert.deepStrictEqual(picked.vectors.subarray(0, 4), all.vectors.subarray(8, 12));
 * ```
 */
export function embedRows(
  branch: tfl.LayersModel,
  data: Int32Array,
  options: {
    len: number;
    width?: number;
    n?: number;
    rows?: ArrayLike<number>;
    batchSize?: number;
    into?: { vectors: Float32Array; row: number };
  },
): { vectors: Float32Array; dim: number } {
  const picked = options.rows;
  const n = picked?.length ?? options.n ?? data.length / options.len;
  const batchSize = options.batchSize ?? 64;
  const parts: Float32Array[] = [];
  const into = options.into;
  let dim = 0;
  for (let start = 0; start < n; start += batchSize) {
    const rows = Array.from(
      { length: Math.min(batchSize, n - start) },
      (_, k) => picked === undefined ? start + k : picked[start + k]!,
    );
    const { ids, width } = gatherRows(data, options.len, rows, options.width);
    const out = tf.tidy(() =>
      encode(branch, tf.tensor2d(ids, [rows.length, width], "int32"), false)
    );
    dim = out.shape[1];
    if (into) into.vectors.set(out.dataSync(), (into.row + start) * dim);
    else parts.push(out.dataSync() as Float32Array);
    out.dispose();
  }
  if (into) return { vectors: into.vectors, dim };
  const vectors = new Float32Array(n * dim);
  let offset = 0;
  for (const p of parts) {
    vectors.set(p, offset);
    offset += p.length;
  }
  return { vectors, dim };
}
