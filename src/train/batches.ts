/**
 * Cutting an epoch's pairs into batches of token-id tensors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { PairSet } from "../data/types.ts";

/**
 * Copies rows of a padded id matrix, keeping only the first columns up to the
 * longest row in the selection that is not padding. Trailing all-padding
 * columns change nothing for a masked LSTM (a masked step carries the state),
 * so trimming them is free speed.
 *
 * @param data row-major ids `[N, len]`
 * @param len row length
 * @param rows which rows, in order
 * @returns the ids `[rows.length, width]` and the width
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { gatherRows } from "./batches.ts";
 * const { ids, width } = gatherRows(Int32Array.of(5, 0, 0, 6, 7, 0), 3, [1, 0]);
 * assert.ok(width === 2 && ids.join() === "6,7,5,0");
 * ```
 */
export function gatherRows(
  data: Int32Array,
  len: number,
  rows: ArrayLike<number>,
): { ids: Int32Array; width: number } {
  let width = 1;
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r]! * len;
    for (let k = len - 1; k >= width; k--) {
      if (data[base + k] !== 0) {
        width = k + 1;
        break;
      }
    }
  }
  const ids = new Int32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r]! * len;
    ids.set(data.subarray(base, base + width), r * width);
  }
  return { ids, width };
}

/** One batch, as tensors the caller disposes. */
export interface Batch {
  /** Left ids `[B, T1]`, int32. */
  left: tf.Tensor2D;
  /** Right ids `[B, T2]`, int32. */
  right: tf.Tensor2D;
  /** Labels `[B]`, 1 = similar. */
  labels: tf.Tensor1D;
}

/**
 * Builds the tensors for pairs `[start, end)` of an epoch's index lists.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { setupBackend } from "../backend/setup.ts";
 * await setupBackend({ log: false });
 * import { makeBatch } from "./batches.ts";
 * const set = { size: 2, leftLen: 2, rightLen: 2,
 *   left: Int32Array.of(2, 0, 3, 0), right: Int32Array.of(4, 5, 6, 0) };
 * const b = makeBatch(set, { left: Int32Array.of(0, 1), right: Int32Array.of(1, 0),
 *   labels: Float32Array.of(0, 0) }, 0, 2);
 * assert.ok(b.left.shape[1] === 1 && b.right.shape[1] === 2);
 * tf.dispose([b.left, b.right, b.labels]);
 * ```
 */
export function makeBatch(
  set: PairSet,
  pairs: { left: Int32Array; right: Int32Array; labels: Float32Array },
  start: number,
  end: number,
): Batch {
  const l = gatherRows(set.left, set.leftLen, pairs.left.subarray(start, end));
  const r = gatherRows(
    set.right,
    set.rightLen,
    pairs.right.subarray(start, end),
  );
  const b = end - start;
  return {
    left: tf.tensor2d(l.ids, [b, l.width], "int32"),
    right: tf.tensor2d(r.ids, [b, r.width], "int32"),
    labels: tf.tensor1d(pairs.labels.slice(start, end), "float32"),
  };
}
