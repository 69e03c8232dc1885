/**
 * Validation: how well the two branches separate and retrieve held-out pairs,
 * and whether their outputs are collapsing.
 *
 * The pairs are read in blocks ({@link Evaluation}): each block is encoded
 * and its rows' output vectors kept (`[N, D]` per side), its token ids kept
 * only up to each row's first padding id (for the lexical channel, whose
 * vectors are computed when a score needs them), and the block dropped. So
 * memory grows with N times D plus the tokens themselves, not with the
 * padded rows, the lexical vectors of every row, or N squared (retrieval
 * ranks at most {@link EvaluateOptions.maxRetrieval} pairs). `eval` streams
 * its file through it block by block (`src/cli/eval_command.ts`).
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { PairSet } from "../data/types.ts";
import type { DistanceKind } from "../loss/contrastive.ts";
import type { Siamese } from "../model/siamese.ts";
import { Rng } from "../data/rng.ts";
import { collapseStatistic, collapseWarnLevel } from "../metrics/collapse.ts";
import { retrievalInBlocks } from "../metrics/retrieval.ts";
import { rocAuc } from "../metrics/roc_auc.ts";
import { bestThreshold, evaluateThreshold } from "../metrics/threshold.ts";
import { lexicalOf } from "../lexical/hybrid.ts";
import {
  lexicalNeedsCosine,
  mixPair,
  mixSimilarities,
} from "../lexical/mix.ts";
import {
  type LexicalIndex,
  type NgramVector,
  VectorScratch,
} from "../lexical/ngram_tfidf.ts";
import { SparsePostings } from "../lexical/sparse.ts";
import type { LossOptions } from "../loss/choose.ts";
import { embedRows } from "./embed.ts";
import { lossOnPairs } from "./loss_on_pairs.ts";
import { vectorSimilarity } from "./score.ts";

/** Validation figures. */
export interface EvalReport {
  /** Pairs evaluated. */
  pairs: number;
  /**
   * The training loss on the evaluated pairs, in inference mode (see
   * {@link EvaluateOptions.loss}): for the contrastive loss all positive and
   * negative pairs, for in-batch losses the positives, in fixed batches.
   */
  loss: number;
  /** ROC AUC of the similarity, positives vs negatives. */
  auc: number;
  /** Accuracy at the threshold (the best one unless one was given). */
  accuracy: number;
  /** F1 at that threshold. */
  f1: number;
  /** Best threshold on the similarity (cosine, or minus euclidean distance). */
  threshold: number;
  /** Fraction of lefts whose own right ranks first among all rights. */
  recallAt1: number;
  /** ... ranks in the top 10. */
  recallAt10: number;
  /** Mean reciprocal rank of the own right. */
  mrr: number;
  /** Collapse statistic of the branch outputs (the smaller of the two sides). */
  collapse: number;
  /** What a healthy (random-direction) output scores: 1/sqrt(D). */
  collapseHealthy: number;
  /** Below this the outputs are reported as collapsed. */
  collapseThreshold: number;
  /** `collapse < collapseThreshold`. */
  collapsed: boolean;
}

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  /** The distance the model was trained with; scores are its similarity. */
  distance: DistanceKind;
  /**
   * The training loss's settings, for {@link EvalReport.loss}.
   * @default the contrastive loss on `distance` with `margin`
   */
  loss?: LossOptions;
  /** Margin of the default loss (when `loss` is not given). @default 1 */
  margin?: number;
  /** Pairs per batch of the loss, as in training. @default 32 */
  batchSize?: number;
  /** Seed for the random negatives of unlabelled data. @default 12345 */
  seed?: number;
  /** Retrieval ranks among at most this many pairs (the first ones). @default 2000 */
  maxRetrieval?: number;
  /**
   * Decide at this similarity threshold (e.g. the one stored with a model)
   * instead of the best one for this data.
   */
  threshold?: number;
  /**
   * Pairs encoded at a time by {@link evaluate} (a multiple of 64, the
   * encoding batch, keeps the outputs bit-identical for any block size).
   * @default 1024
   */
  blockSize?: number;
}

/**
 * Rows scaled to unit length, `x / (‖x‖ + 1e-9)`: the cosine's
 * normalisation in {@link similarityMatrix} (and in search, which keeps a
 * corpus normalised once).
 *
 * @param x rows `[N, D]`
 * @returns the unit rows `[N, D]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { unitRows } from "./evaluate.ts";
 * await setupBackend({ log: false });
 * const u = unitRows(tf.tensor2d([[3, 4]])).dataSync();
 * assert.ok(Math.abs(u[0]! - 0.6) < 1e-6 && Math.abs(u[1]! - 0.8) < 1e-6);
 * ```
 */
export function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.add(tf.norm(x, 2, 1, true), 1e-9));
}

/**
 * Similarity matrix `[N, N]` between all lefts and all rights, row-major:
 * cosine similarity, or minus the euclidean distance.
 */
export function similarityMatrix(
  left: Float32Array,
  right: Float32Array,
  dim: number,
  kind: DistanceKind,
): Float32Array {
  const sim = tf.tidy(() => {
    const a = tf.tensor2d(left, [left.length / dim, dim]); // [N, D]
    const b = tf.tensor2d(right, [right.length / dim, dim]); // [N, D]
    if (kind === "cosine") {
      return tf.matMul(unitRows(a), unitRows(b), false, true);
    }
    const aa = tf.sum(tf.square(a), 1, true); // [N, 1]
    const bb = tf.reshape(tf.sum(tf.square(b), 1), [1, -1]); // [1, N]
    const d2 = tf.sub(tf.add(aa, bb), tf.mul(2, tf.matMul(a, b, false, true)));
    return tf.neg(tf.sqrt(tf.relu(d2)));
  });
  // Read outside tidy: tidy walks a returned typed array element by element
  // looking for tensors (measured for N = 2000: 12-19 s against 41-184 ms).
  const values = sim.dataSync() as Float32Array;
  sim.dispose();
  return values;
}

/** Default pairs per block of {@link evaluate}. */
const BLOCK = 1024;

/** Bytes of each chunk {@link CompactRows} stores its rows in. */
const CHUNK = 16 << 20;

/**
 * Token ids of rows cut at their first padding id, stored end to end per
 * block: what the lexical channel reads of a row, without the padding.
 * Blocks are views into chunks of {@link CHUNK} bytes, not arrays of their
 * own: allocations that live for the run between ones freed after each
 * block fragment the allocator's heap (measured: `eval` on 100,000 pairs
 * peaked 30 MiB lower with glibc's `MALLOC_MMAP_THRESHOLD_=131072`).
 */
class CompactRows {
  readonly #starts: number[] = [];
  readonly #tokens: (Int32Array | Uint16Array | Uint8Array)[] = [];
  readonly #offsets: Uint32Array[] = [];
  #size = 0;
  #chunk = new ArrayBuffer(0);
  #used = 0;
  /** The longest row kept, in tokens. */
  longest = 0;

  /** `bytes` of a chunk, 4-aligned: its buffer and offset. */
  #take(bytes: number): [ArrayBuffer, number] {
    if (this.#used + bytes > this.#chunk.byteLength) {
      this.#chunk = new ArrayBuffer(Math.max(CHUNK, bytes));
      this.#used = 0;
    }
    const at = this.#used;
    this.#used += Math.ceil(bytes / 4) * 4;
    return [this.#chunk, at];
  }

  /** Appends rows [0, n) of a `[n, len]` id matrix. */
  add(ids: Int32Array, len: number, n: number): void {
    const offsets = new Uint32Array(...this.#take(4 * (n + 1)), n + 1);
    let total = 0, max = 0;
    for (let r = 0; r < n; r++) {
      let end = r * len;
      while (end < (r + 1) * len && ids[end] !== 0) {
        // ids are >= 0 (the loaders check); the largest picks the width
        if (ids[end]! > max) max = ids[end]!;
        end++;
      }
      total += end - r * len;
      offsets[r + 1] = total;
      this.longest = Math.max(this.longest, end - r * len);
    }
    // the narrowest array that holds every id: bytes for characters
    const tokens = max <= 0xff
      ? new Uint8Array(...this.#take(total), total)
      : max <= 0xffff
      ? new Uint16Array(...this.#take(2 * total), total)
      : new Int32Array(...this.#take(4 * total), total);
    for (let r = 0; r < n; r++) {
      tokens.set(
        ids.subarray(r * len, r * len + offsets[r + 1]! - offsets[r]!),
        offsets[r]!,
      );
    }
    this.#starts.push(this.#size);
    this.#tokens.push(tokens);
    this.#offsets.push(offsets);
    this.#size += n;
  }

  /** Row i's tokens before its first padding id (a view). */
  row(i: number): Int32Array | Uint16Array | Uint8Array {
    let lo = 0, hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    const k = i - this.#starts[lo]!;
    const o = this.#offsets[lo]!;
    return this.#tokens[lo]!.subarray(o[k]!, o[k + 1]!);
  }
}

/**
 * An evaluation fed block by block: {@link Evaluation.add} encodes a block
 * of pairs and keeps what the figures need; {@link Evaluation.finish}
 * computes them. The figures equal {@link evaluate}'s on all the blocks'
 * pairs at once.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildSiamese } from "../model/siamese.ts";
 * import { modelConfig } from "../model/config.ts";
 * import { makeSyntheticPairs } from "../data/synthetic.ts";
 * import { Evaluation } from "./evaluate.ts";
 * await setupBackend({ log: false });
 * const shapes = { vocab: 20, leftLen: 3, rightLen: 4 };
 * const model = buildSiamese(modelConfig({ ...shapes, embeddingDim: 2, lstmUnits: 4, denseUnits: 5 }), 1);
 * const data = makeSyntheticPairs(6, shapes);
 * const e = new Evaluation(model, { size: 6, labelled: false }, { distance: "cosine" });
 * e.add({ ...data, size: 6 });
 * assert.strictEqual(e.finish().pairs, 6);
 * ```
 */
export class Evaluation {
  readonly #model: Siamese;
  readonly #options: EvaluateOptions;
  readonly #size: number;
  readonly #labelled: boolean;
  readonly #lexical?: {
    index: LexicalIndex;
    weight: number;
    left: CompactRows;
    right: CompactRows;
  };
  #left?: Float32Array;
  #right?: Float32Array;
  #dim = 0;
  #labels?: Uint8Array;
  #filled = 0;

  /**
   * @param model both branches (and the lexical index when λ > 0)
   * @param data how many pairs will come, and whether they are labelled
   * @param options see {@link EvaluateOptions}
   * @throws RangeError when the model has a lexical channel and the
   *   distance is not cosine
   */
  constructor(
    model: Siamese,
    data: { size: number; labelled: boolean },
    options: EvaluateOptions,
  ) {
    this.#model = model;
    this.#options = options;
    this.#size = data.size;
    this.#labelled = data.labelled;
    if (data.labelled) this.#labels = new Uint8Array(data.size);
    const index = lexicalOf(model);
    if (index !== undefined) {
      if (options.distance !== "cosine") throw lexicalNeedsCosine();
      this.#lexical = {
        index,
        weight: model.config.lexical.weight,
        left: new CompactRows(),
        right: new CompactRows(),
      };
    }
  }

  /**
   * Encodes the next block of pairs and keeps its outputs.
   *
   * @param block the pairs following the ones added so far (labelled as
   *   announced)
   */
  add(block: PairSet): void {
    const n = block.size;
    if (this.#filled + n > this.#size) {
      throw new RangeError(
        `Expected at most ${this.#size} pairs in all but found ${
          this.#filled + n
        }`,
      );
    }
    if ((block.labels !== undefined) !== this.#labelled) {
      throw new RangeError(
        `Expected ${this.#labelled ? "labelled" : "unlabelled"} blocks only`,
      );
    }
    const c = this.#model.config;
    if (this.#left === undefined) {
      this.#dim = this.#model.left.outputs[0]!.shape.at(-1) as number;
      this.#left = new Float32Array(this.#size * this.#dim);
      this.#right = new Float32Array(this.#size * this.#dim);
    }
    // straight into the kept outputs: no block-sized copies
    embedRows(this.#model.left, block.left, {
      len: block.leftLen,
      width: c.leftLen,
      n,
      into: { vectors: this.#left, row: this.#filled },
    });
    embedRows(this.#model.right, block.right, {
      len: block.rightLen,
      width: c.rightLen,
      n,
      into: { vectors: this.#right!, row: this.#filled },
    });
    if (block.labels) this.#labels!.set(block.labels, this.#filled);
    this.#lexical?.left.add(block.left, block.leftLen, n);
    this.#lexical?.right.add(block.right, block.rightLen, n);
    this.#filled += n;
  }

  /**
   * The figures over every pair added.
   *
   * @throws RangeError when fewer pairs came than announced
   */
  finish(): EvalReport {
    const n = this.#size;
    if (this.#filled !== n || this.#left === undefined) {
      throw new RangeError(
        `Expected ${n} pairs but found ${this.#filled}`,
      );
    }
    const options = this.#options;
    const left = this.#left, right = this.#right!, dim = this.#dim;
    const lex = this.#lexical;
    const lexVector = (
      side: "left" | "right",
      i: number,
      into?: VectorScratch,
    ): NgramVector => lex!.index.vector(lex![side].row(i), into);
    // the score loops' vectors go to scratch: nothing allocated per pair
    const scratch = () =>
      new VectorScratch(
        Math.max(lex!.left.longest, lex!.right.longest),
        lex!.index.n,
      );
    const [sa, sb, sc] = lex === undefined
      ? []
      : [scratch(), scratch(), scratch()];
    const modelSim = (i: number, j: number) =>
      vectorSimilarity(
        left.subarray(i * dim, (i + 1) * dim),
        right.subarray(j * dim, (j + 1) * dim),
        options.distance,
      );

    // separation: AUC and best-threshold accuracy on the similarity, over
    // typed arrays (pushed to arrays, 100,000 pairs grew the JavaScript heap
    // by about 40 MB)
    const maxRetrieval = options.maxRetrieval ?? 2000;
    const count = this.#labels ? n : 2 * n;
    const scores = new Float64Array(count);
    const labels = new Uint8Array(count);
    const pairs = {
      left: new Uint32Array(count),
      right: new Uint32Array(count),
      labels,
    };
    const positives: number[] = []; // the first maxRetrieval
    const positive = (i: number) => {
      if (positives.length < maxRetrieval) positives.push(i);
    };
    if (this.#labels) {
      for (let i = 0; i < n; i++) {
        const s = modelSim(i, i);
        scores[i] = lex === undefined ? s : mixPair(
          s,
          lexVector("left", i, sa),
          lexVector("right", i, sb),
          lex.weight,
        );
        labels[i] = this.#labels[i]!;
        pairs.left[i] = pairs.right[i] = i;
        if (this.#labels[i] === 1) positive(i);
      }
    } else {
      const rng = new Rng(options.seed ?? 12345);
      for (let i = 0; i < n; i++) {
        positive(i);
        const j = (i + 1 + rng.int(n - 1)) % n;
        const own = modelSim(i, i), other = modelSim(i, j);
        if (lex === undefined) {
          scores[2 * i] = own;
          scores[2 * i + 1] = other;
        } else {
          const li = lexVector("left", i, sa);
          scores[2 * i] = mixPair(
            own,
            li,
            lexVector("right", i, sb),
            lex.weight,
          );
          scores[2 * i + 1] = mixPair(
            other,
            li,
            lexVector("right", j, sc),
            lex.weight,
          );
        }
        labels[2 * i] = 1;
        pairs.left[2 * i] = pairs.left[2 * i + 1] = pairs.right[2 * i] = i;
        pairs.right[2 * i + 1] = j;
      }
    }
    const best = options.threshold === undefined
      ? bestThreshold(scores, labels)
      : evaluateThreshold(scores, labels, { threshold: options.threshold });

    // retrieval among the first positives, its [m, m] similarities made
    // and ranked a block of rows at a time (never held whole: the matrix
    // grew the backend's heap, which does not shrink, by m * m floats)
    const m = positives.length;
    const pick = (v: Float32Array, rows: readonly number[]) => {
      const out = new Float32Array(rows.length * dim);
      rows.forEach((i, k) => {
        out.set(v.subarray(i * dim, (i + 1) * dim), k * dim);
      });
      return out;
    };
    const rights = pick(right, positives);
    const postings = lex === undefined
      ? undefined
      : new SparsePostings(positives.map((i) => lexVector("right", i)));
    const ret = retrievalInBlocks(m, (start, end) => {
      const rows = positives.slice(start, end);
      const sim = similarityMatrix(
        pick(left, rows),
        rights,
        dim,
        options.distance,
      );
      if (lex === undefined) return sim;
      return mixSimilarities(
        sim,
        rows.map((i) => lexVector("left", i)),
        postings!,
        lex.weight,
      );
    }, { ks: [1, 10] });

    const collapse = Math.min(
      collapseStatistic(left, dim),
      collapseStatistic(right, dim),
    );
    const collapseThreshold = collapseWarnLevel(dim);
    return {
      pairs: n,
      loss: lossOnPairs({ left, right, dim }, pairs, {
        loss: options.loss ??
          { distance: options.distance, margin: options.margin ?? 1 },
        ...(options.batchSize !== undefined
          ? { batchSize: options.batchSize }
          : {}),
        ...(lex !== undefined
          ? {
            lexical: {
              left: (i: number) => lexVector("left", i),
              right: (j: number) => lexVector("right", j),
            },
          }
          : {}),
      }),
      auc: rocAuc(scores, labels),
      accuracy: best.accuracy,
      f1: best.f1,
      threshold: best.threshold,
      recallAt1: ret.recall[0]!,
      recallAt10: ret.recall[1]!,
      mrr: ret.mrr,
      collapse,
      collapseHealthy: 1 / Math.sqrt(dim),
      collapseThreshold,
      collapsed: collapse < collapseThreshold,
    };
  }
}

/**
 * Evaluates a model on held-out pairs, in blocks of
 * {@link EvaluateOptions.blockSize} (see {@link Evaluation}).
 *
 * Unlabelled data: pair (i, i) is positive, and one random (i, j), j != i,
 * drawn with a fixed seed, is negative; retrieval ranks all rights for each
 * left. Labelled data: the pairs as given; retrieval over the positive rows.
 *
 * @param model both branches
 * @param data held-out pairs (at least 2 positives)
 * @param options see {@link EvaluateOptions}
 */
export function evaluate(
  model: Siamese,
  data: PairSet,
  options: EvaluateOptions,
): EvalReport {
  const n = data.size;
  const e = new Evaluation(
    model,
    { size: n, labelled: data.labels !== undefined },
    options,
  );
  const size = blockSizeOf(options);
  for (let start = 0; start < n; start += size) {
    e.add(pairBlock(data, start, Math.min(n, start + size)));
  }
  return e.finish();
}

/**
 * {@link EvaluateOptions.blockSize}, checked.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { blockSizeOf } from "./evaluate.ts";
 * assert.strictEqual(blockSizeOf({}), 1024);
 * assert.throws(() => blockSizeOf({ blockSize: 0 }), /blockSize/);
 * ```
 */
export function blockSizeOf(options: { blockSize?: number }): number {
  const size = options.blockSize ?? BLOCK;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(
      `Expected blockSize to be an integer of at least 1 but found ${size}`,
    );
  }
  return size;
}

/** Pairs [start, end) of a pair set, as views (no copy). */
function pairBlock(data: PairSet, start: number, end: number): PairSet {
  const block: PairSet = {
    size: end - start,
    leftLen: data.leftLen,
    rightLen: data.rightLen,
    left: data.left.subarray(start * data.leftLen, end * data.leftLen),
    right: data.right.subarray(start * data.rightLen, end * data.rightLen),
  };
  if (data.labels) block.labels = data.labels.subarray(start, end);
  return block;
}
