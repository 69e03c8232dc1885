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

/** Copies rows of a `[*, len]` id matrix into a new `[rows.length, len]` one. */
function rowsOf(data: Int32Array, len: number, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length * len);
  rows.forEach((r, i) =>
    out.set(data.subarray(r * len, (r + 1) * len), i * len)
  );
  return out;
}

/** A class id per row: rows with the same tokens share one. */
function contentClasses(data: Int32Array, len: number, rows: Int32Array) {
  const ids = new Map<string, number>();
  return Int32Array.from(rows, (r) => {
    const key = data.subarray(r * len, (r + 1) * len).join(",");
    let id = ids.get(key);
    if (id === undefined) ids.set(key, id = ids.size);
    return id;
  });
}

/**
 * The `k` pairs whose rights score highest against each pair's left, best
 * first (ties to the lower index), among the pairs of its pool (rows cut
 * into pools of {@link NeighbourOptions.poolSize} in their order). A pair is never its own neighbour, nor is
 * a pair with the same left or the same right text (it would be a second
 * right answer in the batch, a false negative).
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
  const leftIds = rowsOf(set.left, set.leftLen, rows.left);
  const rightIds = rowsOf(set.right, set.rightLen, rows.right);
  const left = embedRows(model.left, leftIds, {
    len: set.leftLen,
    width: model.config.leftLen,
  });
  const right = embedRows(model.right, rightIds, {
    len: set.rightLen,
    width: model.config.rightLen,
  });
  const dim = left.dim;
  const leftClass = contentClasses(set.left, set.leftLen, rows.left);
  const rightClass = contentClasses(set.right, set.rightLen, rows.right);
  const out = new Int32Array(n * k).fill(-1);
  const best = new Float64Array(k);
  for (let s0 = 0; s0 < n; s0 += poolSize) {
    const s1 = Math.min(n, s0 + poolSize);
    // the lexical channel reads whole rows, as when it scores
    const postings = index === undefined ? undefined : new SparsePostings(
      Array.from(
        rows.right.subarray(s0, s1),
        (r) => index.rowVector(set.right, set.rightLen, r),
      ),
    );
    const width = s1 - s0;
    for (let start = s0; start < s1; start += blockRows) {
      const end = Math.min(s1, start + blockRows);
      let sim = similarityMatrix(
        left.vectors.subarray(start * dim, end * dim),
        right.vectors.subarray(s0 * dim, s1 * dim),
        dim,
        distance,
      );
      if (index !== undefined) {
        const lefts = Array.from(
          rows.left.subarray(start, end),
          (r) => index.rowVector(set.left, set.leftLen, r),
        );
        sim = mixSimilarities(
          sim,
          lefts,
          postings!,
          model.config.lexical.weight,
        );
      }
      for (let i = start; i < end; i++) {
        const row = sim.subarray((i - start) * width, (i - start + 1) * width);
        const top = out.subarray(i * k, (i + 1) * k);
        best.fill(-Infinity);
        for (let c = 0; c < width; c++) {
          const x = row[c]!;
          if (!(x > best[k - 1]!)) continue;
          const j = s0 + c;
          if (
            leftClass[j] === leftClass[i] || rightClass[j] === rightClass[i]
          ) continue;
          // insert j, keeping the list sorted, best first
          let q = k - 1;
          while (q > 0 && x > best[q - 1]!) {
            best[q] = best[q - 1]!;
            top[q] = top[q - 1]!;
            q--;
          }
          best[q] = x;
          top[q] = j;
        }
      }
    }
  }
  return out;
}
