/**
 * Measures a trained run on the held-out test file, as a user would after
 * `deno task train --data TRAIN` (epoch chosen on a validation split of the
 * training file) and `deno task eval --data TEST`: the mix the run scores
 * with, its LSTMs alone, its lexical channel alone, and the mix with the
 * lexical weight λ and n-gram length n chosen on the validation split (not
 * the test file).
 *
 * @module
 */
import { loadDataset } from "../../src/data/dataset.ts";
import { selectRows } from "../../src/data/subset.ts";
import type { PairSet } from "../../src/data/types.ts";
import { lexicalVectors } from "../../src/lexical/hybrid.ts";
import { Channel, TF_KINDS, type TfKind } from "./channels.ts";
import { sparseDotMatrix } from "../../src/lexical/sparse.ts";
import { retrievalMetrics } from "../../src/metrics/retrieval.ts";
import { embedPairs } from "../../src/infer/score.ts";
import type { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { dataShapes } from "../../src/model/config.ts";
import type { QualityRow } from "./table.ts";
import { savedModelOf } from "./run_recipe.ts";
import { mixScore } from "../../src/lexical/mix.ts";

/** Pairs ranked per evaluation (the first ones of a set). */
const MAX_RETRIEVAL = 2000;

/** The λ grid searched on the validation split. */
export const WEIGHTS: readonly number[] = Array.from(
  { length: 21 },
  (_, i) => i / 20,
);

/** The n-gram lengths searched on the validation split. */
export const NGRAMS: readonly number[] = [2, 3, 4, 5];

/** One lexical channel setting searched: term weight and n-gram length. */
export interface ChannelSetting {
  tf: TfKind;
  n: number;
}

/** Every channel setting searched, TF_KINDS x NGRAMS. */
export const CHANNELS: readonly ChannelSetting[] = TF_KINDS.flatMap((tf) =>
  NGRAMS.map((n) => ({ tf, n }))
);

/**
 * Cosines of every row of `a` with every row of `b` (`[N, D]` each), `[N, N]`
 * row-major.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { cosineMatrix } from "./held_out.ts";
 * const m = cosineMatrix(Float32Array.from([1, 0, 0, 2]), Float32Array.from([3, 0, 0, 1]), 2);
 * assert.deepEqual(Array.from(m), [1, 0, 0, 1]);
 * ```
 */
export function cosineMatrix(
  a: Float32Array,
  b: Float32Array,
  dim: number,
): Float32Array {
  const unit = (v: Float32Array) => {
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i += dim) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += v[i + k]! * v[i + k]!;
      const norm = Math.sqrt(s) + 1e-9;
      for (let k = 0; k < dim; k++) out[i + k] = v[i + k]! / norm;
    }
    return out;
  };
  const an = unit(a);
  const bn = unit(b);
  const n = a.length / dim;
  const m = b.length / dim;
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += an[i * dim + k]! * bn[j * dim + k]!;
      out[i * m + j] = s;
    }
  }
  return out;
}

/**
 * `(1 - λ) model + λ lexical` (the channel's {@link mixScore}), elementwise,
 * as a new array.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { mixed } from "./held_out.ts";
 * assert.deepEqual(Array.from(mixed(Float32Array.from([1, 0]), Float32Array.from([0, 1]), 0.25)), [0.75, 0.25]);
 * ```
 */
export function mixed(
  model: Float32Array,
  lexical: Float32Array,
  weight: number,
): Float32Array {
  const out = new Float32Array(model.length);
  for (let k = 0; k < out.length; k++) {
    out[k] = mixScore(model[k]!, lexical[k]!, weight);
  }
  return out;
}

/** Recall@1, recall@10 and MRR of a similarity matrix. */
function figures(sim: Float32Array) {
  const r = retrievalMetrics(sim, { ks: [1, 10] });
  return { recallAt1: r.recall[0]!, recallAt10: r.recall[1]!, mrr: r.mrr };
}

/** The first rows of a set, at most {@link MAX_RETRIEVAL}. */
function head(set: PairSet): PairSet {
  const n = Math.min(set.size, MAX_RETRIEVAL);
  return selectRows(set, Array.from({ length: n }, (_, i) => i));
}

/**
 * The λ and channel with the best validation recall@10 (ties: higher MRR,
 * then the earlier in the grids).
 *
 * @param channels the channel settings to try
 * @param score validation figures of a (λ, channel)
 * @returns the best setting and its figures
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { chooseMix } from "./held_out.ts";
 * const best = chooseMix([1, 2], (w, c) => ({ recallAt10: c === 2 && w === 0.5 ? 1 : 0, mrr: 0 }));
 * assert.deepEqual([best.weight, best.channel], [0.5, 2]);
 * ```
 */
export function chooseMix<C>(
  channels: readonly C[],
  score: (weight: number, channel: C) => { recallAt10: number; mrr: number },
): { weight: number; channel: C; recallAt10: number; mrr: number } {
  let best:
    | { weight: number; channel: C; recallAt10: number; mrr: number }
    | undefined;
  for (const channel of channels) {
    for (const weight of WEIGHTS) {
      const f = score(weight, channel);
      if (
        best === undefined || f.recallAt10 > best.recallAt10 ||
        (f.recallAt10 === best.recallAt10 && f.mrr > best.mrr)
      ) {
        best = { weight, channel, ...f };
      }
    }
  }
  if (best === undefined) throw new RangeError("Expected at least one channel");
  return best;
}

/**
 * The held-out rows of a trained run: `<name>` (the run's own mix),
 * `<name>:model`, `<name>:lexical`, and `<name>:tuned` (λ and n chosen on
 * the run's validation split); all on the first 2000 test pairs.
 *
 * @param row the run's row (its `training.dir` holds the best model, chosen
 *   on the validation split of the training file)
 * @param test the held-out TSV
 * @returns the four rows (one, the mix, when the run has no lexical
 *   channel); none when the run saved no model
 */
export async function heldOutRows(
  row: QualityRow,
  test: string,
): Promise<QualityRow[]> {
  const loaded = await savedModelOf(row);
  if (loaded === undefined) return [];
  const { siamese } = loaded;
  try {
    if (loaded.data.kind !== "file") {
      throw new RangeError(
        `Expected a run trained on a file in ${row.training?.dir}`,
      );
    }
    const shapes = dataShapes(loaded.model);
    const opts = {
      seed: loaded.train.seed,
      vocabularies: loaded.vocabularies,
    };
    const data = await loadDataset(loaded.data, shapes, opts);
    const testSet = head(
      (await loadDataset({ ...loaded.data, val: test }, shapes, opts)).val,
    );
    const valSet = head(data.val);
    const lstm = { ...siamese.config.lexical, weight: 0 };
    const modelOnly = {
      ...siamese,
      config: { ...siamese.config, lexical: lstm },
    };
    const modelSim = (set: PairSet) => {
      const e = embedPairs(modelOnly, set, "cosine");
      return cosineMatrix(
        e.left.subarray(0, set.size * e.dim),
        e.right.subarray(0, set.size * e.dim),
        e.dim,
      );
    };
    const lexSim = (index: LexicalIndex, set: PairSet) => {
      const v = lexicalVectors(index, set);
      return sparseDotMatrix(v.left, v.right);
    };
    const make = (
      name: string,
      note: string,
      sim: Float32Array,
      part = true,
    ): QualityRow => {
      const { training, ...rest } = row;
      return {
        ...rest,
        ...(part ? { minutes: 0 } : training ? { training } : {}),
        name,
        note,
        testPairs: testSet.size,
        ...figures(sim),
        source: part
          ? `the best model of ${row.name} (${row.source}); this part, on the held-out file`
          : `${row.source}; scored on the held-out file`,
      };
    };
    const weight = siamese.config.lexical.weight;
    const testModel = modelSim(testSet);
    const index = siamese.lexical;
    if (index === undefined || !(weight > 0)) {
      return [make(row.name, row.note, testModel, false)];
    }
    const testLex = lexSim(index, testSet);
    // λ and the channel on the validation split
    const valModel = modelSim(valSet);
    const valLex = new Map<ChannelSetting, Float32Array>();
    const channels = new Map<ChannelSetting, Channel>();
    for (const c of CHANNELS) {
      const ch = new Channel(data.train, { ...c, vocab: loaded.model.vocab });
      channels.set(c, ch);
      valLex.set(c, ch.cosines(valSet));
    }
    const best = chooseMix(
      CHANNELS,
      (w, c) => figures(mixed(valModel, valLex.get(c)!, w)),
    );
    // each channel's best λ on validation, for the notebook
    for (const c of CHANNELS) {
      const b = chooseMix(
        [c],
        (w) => figures(mixed(valModel, valLex.get(c)!, w)),
      );
      console.error(
        `val ${row.name}: ${c.tf} tf, n ${c.n}: best λ ${b.weight}  recall@10 ${
          b.recallAt10.toFixed(3)
        }  mrr ${b.mrr.toFixed(3)}`,
      );
    }
    // the run's own channel, for comparison on validation
    const own = CHANNELS.find((c) => c.tf === "raw" && c.n === index.n);
    const ownVal = own === undefined
      ? undefined
      : figures(mixed(valModel, valLex.get(own)!, weight));
    const tunedLex = channels.get(best.channel)!.cosines(testSet);
    const b = best.channel;
    return [
      make(
        row.name,
        `${row.note} (λ ${weight}, n ${index.n})`,
        mixed(testModel, testLex, weight),
        false,
      ),
      make(`${row.name}:model`, "its LSTMs alone (λ 0)", testModel),
      make(
        `${row.name}:lexical`,
        `its lexical channel alone (TF-IDF of ${index.n}-grams of token ids)`,
        testLex,
      ),
      make(
        `${row.name}:tuned`,
        `its mix with λ ${best.weight}, ${b.tf} tf, n ${b.n} chosen on the validation split ` +
          `(val recall@10 ${best.recallAt10.toFixed(3)}; the run's own mix ${
            ownVal?.recallAt10.toFixed(3)
          })`,
        mixed(testModel, tunedLex, best.weight),
      ),
    ];
  } finally {
    siamese.left.dispose();
    if (siamese.right !== siamese.left) siamese.right.dispose();
  }
}
