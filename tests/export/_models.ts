/**
 * Helpers of the export tests: random weights and padded rows of ids.
 *
 * @module
 */
import * as tf from "../../src/deps/tfjs_core.ts";
import type * as tfl from "../../src/deps/tfjs_layers.ts";
import type { Siamese } from "../../src/model/siamese.ts";
import type { LoadedModel } from "../../src/run/format.ts";
import { trainConfig } from "../../src/train/config.ts";

/** Every weight of `model` drawn again from U(-0.5, 0.5), seeded. */
export function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  const values = model.getWeights().map((w, i) =>
    tf.randomUniform(w.shape, -0.5, 0.5, "float32", seed + i)
  );
  model.setWeights(values);
  tf.dispose(values);
}

/**
 * Rows of random ids in [1, V) padded with 0 at the end: lengths 1, 2,
 * about half, full, and 0 (all padding), then random lengths.
 */
export function paddedRows(
  rows: number,
  len: number,
  vocab: number,
  seed: number,
): Int32Array {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const ids = new Int32Array(rows * len);
  const fixed = [1, 2, Math.ceil(len / 2), len, 0];
  for (let r = 0; r < rows; r++) {
    const n = fixed[r] ?? 1 + Math.floor(next() * len);
    for (let t = 0; t < n; t++) {
      ids[r * len + t] = 1 + Math.floor(next() * (vocab - 1));
    }
  }
  return ids;
}

/** The largest absolute difference of two equal-length arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  }
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** A loaded run around built branches (synthetic data, default training). */
export function loadedModel(siamese: Siamese): LoadedModel {
  return {
    siamese,
    model: siamese.config,
    train: trainConfig(),
    data: { kind: "synthetic", pairs: 1, valPairs: 1 },
    vocabularies: {},
    threshold: null,
  };
}
