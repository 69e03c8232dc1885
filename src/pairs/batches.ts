/**
 * Cutting an epoch's pairs into batches of token-id tensors.
 *
 * @module
 */
import type { Tensor1D, Tensor2D } from "../backend/tf_types.ts";
import * as tf from "../deps/tfjs_core.ts";
import type { PairSet } from "../data/types.ts";
import { batchCosines } from "../lexical/hybrid.ts";
import type { LexicalIndex } from "../lexical/ngram_tfidf.ts";

/**
 * Copies rows of a padded id matrix, keeping only the first columns up to the
 * longest row in the selection that is not padding. Trailing all-padding
 * columns change nothing for a masked LSTM (a masked step carries the state),
 * so trimming them is free speed.
 *
 * @param data row-major ids `[N, len]`
 * @param len row length
 * @param rows which rows, in order
 * @param maxWidth keep at most this many columns (the model's length when
 *   the data were loaded longer for the lexical channel) @default len
 * @returns the ids `[rows.length, width]` and the width
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { gatherRows } from "./batches.ts";
 * const { ids, width } = gatherRows(Int32Array.of(5, 0, 0, 6, 7, 0), 3, [1, 0]);
 * assert.ok(width === 2 && ids.join() === "6,7,5,0");
 * const cut = gatherRows(Int32Array.of(5, 0, 0, 6, 7, 8), 3, [1, 0], 2);
 * assert.ok(cut.width === 2 && cut.ids.join() === "6,7,5,0");
 * ```
 */
export function gatherRows(
  data: Int32Array,
  len: number,
  rows: ArrayLike<number>,
  maxWidth = len,
): { ids: Int32Array; width: number } {
  const cap = Math.min(len, maxWidth);
  let width = 1;
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r]! * len;
    for (let k = cap - 1; k >= width; k--) {
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
  left: Tensor2D;
  /** Right ids `[B, T2]`, int32. */
  right: Tensor2D;
  /** Labels `[B]`, 1 = similar. */
  labels: Tensor1D;
  /**
   * Lexical cosines of every left with every right row `[B, B]`, when the
   * model has a lexical channel.
   */
  lexical?: Tensor2D;
}

/** Options for {@link makeBatch}. */
export interface BatchOptions {
  /** Left tokens the model reads (rows may be longer). @default set.leftLen */
  leftLen?: number;
  /** Right tokens the model reads. @default set.rightLen */
  rightLen?: number;
  /** Add the lexical cosines of the whole rows, from this index. */
  lexical?: LexicalIndex;
}

/**
 * Builds the tensors for pairs `[start, end)` of an epoch's index lists,
 * with the lexical cosines of the batch when `options.lexical` is given.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
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
  options: BatchOptions = {},
): Batch {
  const leftRows = pairs.left.subarray(start, end);
  const rightRows = pairs.right.subarray(start, end);
  const l = gatherRows(set.left, set.leftLen, leftRows, options.leftLen);
  const r = gatherRows(set.right, set.rightLen, rightRows, options.rightLen);
  const b = end - start;
  const lexical = options.lexical;
  return {
    left: tf.tensor2d(l.ids, [b, l.width], "int32"),
    right: tf.tensor2d(r.ids, [b, r.width], "int32"),
    labels: tf.tensor1d(pairs.labels.slice(start, end), "float32"),
    ...(lexical
      ? {
        // whole rows: the model reads only its lengths of them
        lexical: tf.tensor2d(
          batchCosines(lexical, set, leftRows, rightRows),
          [b, b],
        ),
      }
      : {}),
  };
}
