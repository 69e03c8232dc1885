import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { Rng } from "../../src/data/rng.ts";
import { makeSyntheticPairs } from "../../src/data/synthetic.ts";
import type { PairSet } from "../../src/data/types.ts";
import {
  evaluate,
  type EvaluateOptions,
  Evaluation,
  similarityMatrix,
} from "../../src/infer/evaluate.ts";
import { lossOnPairs } from "../../src/infer/loss_on_pairs.ts";
import { embedPairs } from "../../src/infer/score.ts";
import { mixSimilarities } from "../../src/lexical/mix.ts";
import { LexicalIndex } from "../../src/lexical/ngram_tfidf.ts";
import { collapseStatistic } from "../../src/metrics/collapse.ts";
import { retrievalMetrics } from "../../src/metrics/retrieval.ts";
import { rocAuc } from "../../src/metrics/roc_auc.ts";
import { bestThreshold } from "../../src/metrics/threshold.ts";
import { modelConfig } from "../../src/model/config.ts";
import { buildSiamese, type Siamese } from "../../src/model/siamese.ts";

await setupBackend({ log: false });

const shapes = { vocab: 12, leftLen: 6, rightLen: 20 };

/** Synthetic pairs with rows cut at varied lengths (0-padded after). */
function pairs(n: number, labelled: boolean): PairSet {
  const set = makeSyntheticPairs(n, shapes);
  for (
    const [ids, len] of [[set.left, set.leftLen], [
      set.right,
      set.rightLen,
    ]] as const
  ) {
    for (let r = 0; r < n; r++) {
      const keep = 1 + ((r * 7) % len);
      ids.fill(0, r * len + keep, (r + 1) * len);
    }
  }
  if (labelled) {
    set.labels = Uint8Array.from({ length: n }, (_, i) => i % 3 === 0 ? 0 : 1);
  }
  return set;
}

function model(lexical: boolean, data: PairSet): Siamese {
  const m = buildSiamese(
    modelConfig({
      ...shapes,
      embeddingDim: 4,
      lstmUnits: 4,
      denseUnits: 8,
      ...(lexical ? { lexical: { weight: 0.6, n: 2 } } : {}),
    }),
    3,
  );
  if (lexical) {
    m.lexical = LexicalIndex.fit(data, { n: 2, vocab: shapes.vocab });
  }
  return m;
}

/**
 * The figures as evaluate computed them before it worked in blocks: every
 * row embedded at once (embedPairs), every score from its scorer, the
 * retrieval matrix mixed whole.
 */
function reference(m: Siamese, data: PairSet, options: EvaluateOptions) {
  const n = data.size;
  const e = embedPairs(m, data, options.distance);
  const scores: number[] = [], labels: number[] = [], positives: number[] = [];
  const list = { left: [] as number[], right: [] as number[], labels };
  if (data.labels) {
    for (let i = 0; i < n; i++) {
      scores.push(e.score(i, i));
      labels.push(data.labels[i]!);
      list.left.push(i);
      list.right.push(i);
      if (data.labels[i] === 1) positives.push(i);
    }
  } else {
    const rng = new Rng(options.seed ?? 12345);
    for (let i = 0; i < n; i++) {
      positives.push(i);
      const j = (i + 1 + rng.int(n - 1)) % n;
      scores.push(e.score(i, i), e.score(i, j));
      labels.push(1, 0);
      list.left.push(i, i);
      list.right.push(i, j);
    }
  }
  const m2 = Math.min(positives.length, options.maxRetrieval ?? 2000);
  const pick = (v: Float32Array) => {
    const out = new Float32Array(m2 * e.dim);
    positives.slice(0, m2).forEach((i, k) =>
      out.set(v.subarray(i * e.dim, (i + 1) * e.dim), k * e.dim)
    );
    return out;
  };
  const sim = similarityMatrix(
    pick(e.left),
    pick(e.right),
    e.dim,
    options.distance,
  );
  if (e.lexical) {
    const rows = positives.slice(0, m2);
    mixSimilarities(
      sim,
      rows.map((i) => e.lexical!.left[i]!),
      rows.map((i) => e.lexical!.right[i]!),
      e.lexical.weight,
    );
  }
  const ret = retrievalMetrics(sim, { ks: [1, 10] });
  const best = bestThreshold(scores, labels);
  return {
    auc: rocAuc(scores, labels),
    accuracy: best.accuracy,
    threshold: best.threshold,
    recallAt1: ret.recall[0]!,
    recallAt10: ret.recall[1]!,
    mrr: ret.mrr,
    collapse: Math.min(
      collapseStatistic(e.left, e.dim),
      collapseStatistic(e.right, e.dim),
    ),
    loss: lossOnPairs(e, list, {
      loss: { distance: "cosine", margin: 1 },
      ...(e.lexical ? { lexical: { index: e.lexical.index, set: data } } : {}),
    }),
  };
}

for (const lexical of [false, true]) {
  for (const labelled of [false, true]) {
    Deno.test(`evaluate() in blocks equals the whole-set figures bit for bit (lexical ${lexical}, labelled ${labelled})`, () => {
      const data = pairs(150, labelled);
      const m = model(lexical, data);
      const options = { distance: "cosine" as const, maxRetrieval: 100 };
      const want = reference(m, data, options);
      for (const blockSize of [64, 1024]) {
        const got = evaluate(m, data, { ...options, blockSize });
        for (const [k, v] of Object.entries(want)) {
          assert.strictEqual(
            got[k as keyof typeof got],
            v,
            `${k}, blocks of ${blockSize}`,
          );
        }
      }
    });
  }
}

Deno.test("Evaluation rejects more pairs than announced, fewer at the end, and a mix of labelled and unlabelled blocks", () => {
  const data = pairs(6, false);
  const m = model(false, data);
  const e = new Evaluation(m, { size: 4, labelled: false }, {
    distance: "cosine",
  });
  assert.throws(() => e.add(data), /at most 4 pairs/);
  assert.throws(() => e.finish(), /Expected 4 pairs but found 0/);
  assert.throws(() => e.add(pairs(2, true)), /unlabelled blocks only/);
});

Deno.test("similarityMatrix() of a block of left rows equals those rows of the whole matrix bit for bit", () => {
  // 300 x 256: the right operand passes 2^16 values, so the product takes
  // the kernel module's GEMM, as eval's retrieval does
  const rng = new Rng(11);
  const dim = 256, m = 300;
  const left = Float32Array.from({ length: m * dim }, () => rng.normal());
  const right = Float32Array.from({ length: m * dim }, () => rng.normal());
  for (const kind of ["cosine", "euclidean"] as const) {
    const whole = similarityMatrix(left, right, dim, kind);
    for (const [start, end] of [[0, 256], [256, 300], [17, 18]] as const) {
      const rows = similarityMatrix(
        left.subarray(start * dim, end * dim),
        right,
        dim,
        kind,
      );
      assert.deepStrictEqual(rows, whole.subarray(start * m, end * m), kind);
    }
  }
});
