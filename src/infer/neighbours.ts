/**
 * Mining hard negatives: for each of an epoch's positive pairs, the other
 * pairs whose rights the model scores closest to its left (with the lexical
 * channel mixed in when the model has one, as it scores). The train loop
 * groups them into batches (`src/pairs/hard_batches.ts`).
 *
 * @module
 */
import type { PairSet } from "../data/types.ts";
import type { DistanceKind } from "../loss/contrastive.ts";
import type { Siamese } from "../model/siamese.ts";
import { lexicalOf } from "../lexical/hybrid.ts";
import { lexicalNeedsCosine, mixSimilarities } from "../lexical/mix.ts";
import { SparsePostings } from "../lexical/sparse.ts";
import { rowKey } from "../pairs/negatives.ts";
import { embedRows } from "./embed.ts";
import { similarityMatrix } from "./evaluate.ts";

/** Options for {@link mineNeighbours}. */
export interface NeighbourOptions {
  /** Neighbours per pair. */
  k: number;
  /** How the model scores (the lexical channel needs cosine). */
  distance: DistanceKind;
  /** Lefts scored against the pool's rights at a time. @default 512 */
  blockRows?: number;
  /**
   * Pairs are mined within pools of this many consecutive rows, so the
   * time grows with the pairs, not their square. @default 8192
   */
  poolSize?: number;
}

/** A class id per row: rows with the same tokens share one. */
function contentClasses(
  data: Int32Array,
  len: number,
  rows: Int32Array,
): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(rows, (r) => {
    const key = rowKey(data, r, len);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, id = ids.size);
    return id;
  });
}

/**
 * The `k` pairs whose rights score highest against each pair's left, best
 * first (ties to the lower index), among the pairs of its pool (rows cut
 * into pools of {@link NeighbourOptions.poolSize} in their order). A pair
 * is never its own neighbour, nor is a pair with the same left or the same
 * right text (it would be a second right answer in the batch, a false
 * negative).
 *
 * @param model both branches (and the lexical index when λ > 0)
 * @param set the pair set the rows index
 * @param rows the pairs: left row `left[i]` with right row `right[i]`
 * @param options see {@link NeighbourOptions}
 * @returns `[n, k]` indices into `rows`, row-major; -1 where fewer than k
 *   pairs qualify
 * @throws RangeError when the model has a lexical channel and the distance
 *   is not cosine
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildSiamese } from "../model/siamese.ts";
 * import { modelConfig } from "../model/config.ts";
 * import { makeSyntheticPairs } from "../data/synthetic.ts";
 * import { mineNeighbours } from "./neighbours.ts";
 * await setupBackend({ log: false });
 * const shapes = { vocab: 20, leftLen: 3, rightLen: 4 };
 * const model = buildSiamese(modelConfig({ ...shapes, embeddingDim: 2, lstmUnits: 4, denseUnits: 5 }), 1);
 * const set = { ...makeSyntheticPairs(6, shapes), size: 6 };
 * const rows = Int32Array.of(0, 1, 2, 3, 4, 5);
 * const near = mineNeighbours(model, set, { left: rows, right: rows }, { k: 2, distance: "cosine" });
 * assert.ok(near.length === 12 && near.every((j, q) => j !== Math.floor(q / 2)));
 * ```
 */
export function mineNeighbours(
  model: Siamese,
  set: PairSet,
  rows: { left: Int32Array; right: Int32Array },
  options: NeighbourOptions,
): Int32Array {
  const { k, distance } = options;
  const blockRows = options.blockRows ?? 512;
  const poolSize = options.poolSize ?? 8192;
  const n = rows.left.length;
  const index = lexicalOf(model);
  if (index !== undefined && distance !== "cosine") throw lexicalNeedsCosine();
  const out = new Int32Array(n * k).fill(-1);
  const best = new Float64Array(k);
  for (let s0 = 0; s0 < n; s0 += poolSize) {
    const width = Math.min(n, s0 + poolSize) - s0;
    const poolLeft = rows.left.subarray(s0, s0 + width);
    const poolRight = rows.right.subarray(s0, s0 + width);
    // one pool's vectors at a time: memory grows with the pool, not the epoch
    const left = embedRows(model.left, set.left, {
      len: set.leftLen,
      width: model.config.leftLen,
      rows: poolLeft,
    });
    const right = embedRows(model.right, set.right, {
      len: set.rightLen,
      width: model.config.rightLen,
      rows: poolRight,
    });
    const dim = left.dim;
    const leftClass = contentClasses(set.left, set.leftLen, poolLeft);
    const rightClass = contentClasses(set.right, set.rightLen, poolRight);
    // the lexical channel reads whole rows, as when it scores
    const postings = index === undefined ? undefined : new SparsePostings(
      Array.from(poolRight, (r) => index.rowVector(set.right, set.rightLen, r)),
    );
    for (let start = 0; start < width; start += blockRows) {
      const end = Math.min(width, start + blockRows);
      let sim = similarityMatrix(
        left.vectors.subarray(start * dim, end * dim),
        right.vectors,
        dim,
        distance,
      );
      if (index !== undefined) {
        const lefts = Array.from(
          poolLeft.subarray(start, end),
          (r) => index.rowVector(set.left, set.leftLen, r),
        );
        sim = mixSimilarities(
          sim,
          lefts,
          postings!,
          model.config.lexical.weight,
        );
      }
      for (let a = start; a < end; a++) {
        const row = sim.subarray((a - start) * width, (a - start + 1) * width);
        const top = out.subarray((s0 + a) * k, (s0 + a + 1) * k);
        best.fill(-Infinity);
        for (let c = 0; c < width; c++) {
          const x = row[c]!;
          if (!(x > best[k - 1]!)) continue;
          if (
            leftClass[c] === leftClass[a] || rightClass[c] === rightClass[a]
          ) continue;
          // insert the pair, keeping the list sorted, best first
          let q = k - 1;
          while (q > 0 && x > best[q - 1]!) {
            best[q] = best[q - 1]!;
            top[q] = top[q - 1]!;
            q--;
          }
          best[q] = x;
          top[q] = s0 + c;
        }
      }
    }
  }
  return out;
}
