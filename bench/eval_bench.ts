/**
 * `evaluate` on many pairs with the matcher recipe's model and lexical
 * channel: seconds per 10,000 pairs and the process's peak resident memory.
 *
 * The model: the matcher's (shared encoder, character vocabulary of 100,
 * 128 units, max pooling, lengths 52 + 256) with a lexical channel of weight
 * 0.8 over 3-grams reading 1000 tokens per side, fitted on the first 2000
 * pairs; its weights are untrained (speed and memory do not depend on
 * them). The pairs: random character ids with FOLDOC-like lengths (terms
 * around 8-23 characters, definitions around 250-900, cut at 1000), made
 * block by block (1024 pairs, rows padded to 1000) and fed to an
 * {@link Evaluation} as `eval` feeds its file's blocks. Run in its own
 * process so its memory is its own: `bench/main.ts` runs it under
 * `/usr/bin/time -f %M` for the peak resident set; the process itself also
 * reports the largest resident set it sampled (after each block and at the
 * end), a lower bound of the peak.
 *
 *     deno run --allow-read bench/eval_bench.ts [--pairs N] [--threads N]
 *
 * Prints one JSON line: pairs, seconds, seconds per 10k pairs, sampled
 * peak MiB.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { startBackend } from "../src/cli/backend.ts";
import type { PairSet } from "../src/data/types.ts";
import { blockSizeOf, Evaluation } from "../src/infer/evaluate.ts";
import { LexicalIndex } from "../src/lexical/ngram_tfidf.ts";
import { modelConfig } from "../src/model/config.ts";
import { buildSiamese } from "../src/model/siamese.ts";

const LEN = 1000, VOCAB = 100;

/**
 * Pairs `[start, start + n)` of an endless deterministic set: random ids
 * with FOLDOC-like lengths, rows padded to 1000 (pair i depends on i only).
 *
 * @param start the first pair
 * @param n pairs
 * @returns the pair set
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { textLikePairs } from "./eval_bench.ts";
 * const p = textLikePairs(5, 3);
 * assert.strictEqual(p.right.length, 3000);
 * assert.deepStrictEqual(p.left.subarray(1000, 2000), textLikePairs(6, 1).left);
 * ```
 */
export function textLikePairs(start: number, n: number): PairSet {
  let s = 0;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const gauss = () =>
    Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const left = new Int32Array(n * LEN), right = new Int32Array(n * LEN);
  for (let i = 0; i < n; i++) {
    s = (start + i) * 7919 + 1;
    // log-normal lengths with FOLDOC's medians and spreads (step_bench.ts)
    const l = Math.min(
      LEN,
      Math.max(1, Math.round(8 * Math.exp(0.82 * gauss()))),
    );
    const r = Math.min(
      LEN,
      Math.max(1, Math.round(253 * Math.exp(0.98 * gauss()))),
    );
    for (let t = 0; t < l; t++) left[i * LEN + t] = 1 + Math.floor(next() * 40);
    // the definition starts with the term, as FOLDOC's do
    for (let t = 0; t < r; t++) {
      right[i * LEN + t] = t < l
        ? left[i * LEN + t]!
        : 1 + Math.floor(next() * (VOCAB - 1));
    }
  }
  return { size: n, leftLen: LEN, rightLen: LEN, left, right };
}

let sampled = 0;
/** Samples the resident set (MiB) into the running maximum. */
function sample(): void {
  sampled = Math.max(sampled, Deno.memoryUsage().rss / 2 ** 20);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      pairs: { type: "string", default: "10000" },
      threads: { type: "string", default: "1" },
    },
  });
  const n = Number(values.pairs);
  await startBackend(Number(values.threads));
  const model = buildSiamese(
    modelConfig({
      vocab: VOCAB,
      lstmUnits: 128,
      shareWeights: true,
      pooling: "max",
      leftLen: 52,
      rightLen: 256,
      lexical: { weight: 0.8, len: LEN },
    }),
    1,
  );
  model.lexical = LexicalIndex.fit(textLikePairs(0, Math.min(n, 2000)), {
    n: 3,
    vocab: VOCAB,
  });
  const t0 = performance.now();
  const e = new Evaluation(model, { size: n, labelled: false }, {
    distance: "cosine",
  });
  const block = blockSizeOf({});
  for (let at = 0; at < n; at += block) {
    e.add(textLikePairs(at, Math.min(block, n - at)));
    sample();
  }
  const r = e.finish();
  sample();
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({
    pairs: n,
    threads: Number(values.threads),
    seconds,
    secondsPer10k: seconds / (n / 1e4),
    sampledPeakMiB: sampled,
    auc: r.auc,
  }));
  Deno.exit(0);
}
