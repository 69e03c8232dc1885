/**
 * Loads a pair file into a {@link PairSet}: pass 1 streams the file to build
 * the vocabularies of text sides that were not given; pass 2 streams it again
 * to encode. The growing Int32Array/Uint8Array buffers (doubled when full) are
 * the only structures whose size grows with the number of pairs; the token
 * counts of pass 1 hold at most 500k distinct tokens per side (see
 * {@link TokenCounter}). Measured: a 2M-line, 142 MB TSV loads with V8's heap
 * capped at 48 MB, in about 25 s (most of it tokenizing twice).
 *
 * @module
 */
import type { PairSet } from "./types.ts";
import { DataError } from "./data_error.ts";
import {
  type PairFormat,
  readPairs,
  type ReadPairsOptions,
  type Side,
} from "./read_pairs.ts";
import {
  TokenCounter,
  type TokenizerKind,
  type Vocabulary,
} from "./tokenizer.ts";
import { checkOverlap, overlapOf } from "./overlap.ts";
import { checkInteger } from "./_checks.ts";

/** Options for {@link loadPairs}. */
export interface LoadPairsOptions {
  /** Left sequence length L1: longer sides are cut, shorter padded. */
  leftLen: number;
  /** Right sequence length L2. */
  rightLen: number;
  /** Vocabulary size V: every id is below it, pre-tokenized ones included. */
  vocab: number;
  /** Tokenizer for text sides, one for both or one per side. @default "word" */
  tokenizer?: TokenizerKind | { left: TokenizerKind; right: TokenizerKind };
  /**
   * Vocabularies to encode with instead of building them, e.g. the training
   * file's when loading a validation file. Their size must not exceed `vocab`.
   * @default built from this file
   */
  vocabularies?: { left?: Vocabulary; right?: Vocabulary };
  /**
   * With a given vocabulary, the least fraction of a side's tokens it must
   * know, else the file is rejected. @default 0.01
   */
  minOverlap?: number;
  /**
   * What each side must be, e.g. what a model was trained on: `text`, or
   * `ids` (pre-tokenized). A file whose first record differs is rejected
   * before anything else is read. @default either
   */
  sides?: { left: "text" | "ids"; right: "text" | "ids" };
  /** The file format. @default from the extension */
  format?: PairFormat;
  /** The file name used in errors. @default the path */
  name?: string;
}

/** What {@link loadPairs} saw. */
export interface LoadStats {
  /** Pairs loaded, N. */
  pairs: number;
  /** Pairs whose left side was cut to `leftLen`. */
  leftTruncated: number;
  /** Pairs whose right side was cut to `rightLen`. */
  rightTruncated: number;
  /** Whether the file has labels. */
  labelled: boolean;
  /** For a text left side, the fraction of its tokens in the vocabulary. */
  leftOverlap?: number;
  /** For a text right side, the fraction of its tokens in the vocabulary. */
  rightOverlap?: number;
}

/** The result of {@link loadPairs}. */
export interface LoadedPairs {
  /** The encoded pairs. */
  pairs: PairSet;
  /** Counts, see {@link LoadStats}. */
  stats: LoadStats;
  /** The left vocabulary, absent when the left side is pre-tokenized. */
  leftVocab?: Vocabulary;
  /** The right vocabulary, absent when the right side is pre-tokenized. */
  rightVocab?: Vocabulary;
}

const INITIAL_CAPACITY = 1024;

/** What both loaders settle before encoding: names, vocabularies, the count. */
async function prepare(path: string, options: LoadPairsOptions) {
  const { leftLen, rightLen, vocab } = options;
  checkInteger("leftLen", leftLen, 1);
  checkInteger("rightLen", rightLen, 1);
  checkInteger("vocab", vocab, 3);
  const file = options.name ?? path;
  const read: ReadPairsOptions = { vocab, name: file };
  if (options.format !== undefined) read.format = options.format;
  const given = options.vocabularies ?? {};
  const kinds = typeof options.tokenizer === "object"
    ? options.tokenizer
    : { left: options.tokenizer ?? "word", right: options.tokenizer ?? "word" };
  for (const side of ["left", "right"] as const) {
    const v = given[side];
    if (v === undefined) continue;
    if (v.size > vocab) {
      throw new RangeError(
        `Expected vocabularies.${side}.size to be at most vocab (${vocab}) but found ${v.size}`,
      );
    }
    if (options.tokenizer !== undefined && v.kind !== kinds[side]) {
      throw new RangeError(
        `Expected the ${side} tokenizer to be "${v.kind}" as in vocabularies.${side} but found "${
          kinds[side]
        }"`,
      );
    }
  }

  // Peek: the first record fixes which sides are text.
  const first = await firstPair(path, read);
  const isText = {
    left: typeof first.left === "string",
    right: typeof first.right === "string",
  };
  for (const side of ["left", "right"] as const) {
    const want = options.sides?.[side];
    if (want !== undefined && (want === "text") !== isText[side]) {
      throw new DataError({
        file,
        line: first.line,
        field: side,
        expected: want === "text"
          ? "text, as the model was trained on text"
          : "token ids (a JSON array in a .jsonl file), as the model was trained on token ids",
        value: first[side],
      });
    }
    if (given[side] !== undefined && !isText[side]) {
      throw new DataError({
        file,
        line: first.line,
        field: side,
        expected: `text, since a ${side} vocabulary was given`,
        value: first[side],
      });
    }
  }

  // Pass 1: count tokens of text sides without a vocabulary.
  const counters = {
    left: isText.left && !given.left ? new TokenCounter(kinds.left) : undefined,
    right: isText.right && !given.right
      ? new TokenCounter(kinds.right)
      : undefined,
  };
  let counted: number | undefined;
  if (counters.left || counters.right) {
    let n = 0;
    for await (const pair of readPairs(path, read)) {
      counters.left?.add(pair.left as string);
      counters.right?.add(pair.right as string);
      n++;
    }
    counted = n;
  }
  const vocabs = {
    left: given.left ?? counters.left?.toVocabulary(vocab),
    right: given.right ?? counters.right?.toVocabulary(vocab),
  };
  const labelled = first.label !== undefined;
  return { file, read, given, vocabs, counted, labelled };
}

/**
 * Reads, validates and encodes a `.tsv` or `.jsonl` pair file.
 *
 * @param path the file
 * @param options see {@link LoadPairsOptions}
 * @returns the pair set, statistics and the vocabularies used
 * @throws {DataError} for bad data, e.g.
 *   `data.jsonl:3: field "left[0]": expected an integer token id in [0, 100) but found 100`
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { loadPairs } from "./load_pairs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".tsv" });
 * await Deno.writeTextFile(path, "a b\tb\t1\nb\ta a a\t0\n");
 * const { pairs, stats } = await loadPairs(path, { leftLen: 2, rightLen: 2, vocab: 4 });
 * ok(pairs.left.join() === "3,2,2,0" && pairs.right.join() === "3,0,2,2");
 * ok(pairs.labels?.join() === "1,0" && stats.rightTruncated === 1);
 * ```
 */
export async function loadPairs(
  path: string,
  options: LoadPairsOptions,
): Promise<LoadedPairs> {
  const { leftLen, rightLen } = options;
  const prepared = await prepare(path, options);
  const { file, read, given, vocabs, labelled } = prepared;
  let capacity = prepared.counted ?? INITIAL_CAPACITY;
  // Pass 2: encode into buffers that double when full.
  let left = new Int32Array(capacity * leftLen);
  let right = new Int32Array(capacity * rightLen);
  let labels = new Uint8Array(labelled ? capacity : 0);
  const count = { leftTruncated: 0, rightTruncated: 0 };
  const tally = {
    left: { tokens: 0, known: 0 },
    right: { tokens: 0, known: 0 },
  };
  let n = 0;
  for await (const pair of readPairs(path, read)) {
    if (n === capacity) {
      capacity *= 2;
      left = grow(left, capacity * leftLen);
      right = grow(right, capacity * rightLen);
      if (labelled) labels = grow(labels, capacity);
    }
    const l = encodeSide(pair.left, leftLen, vocabs.left, tally.left);
    const r = encodeSide(pair.right, rightLen, vocabs.right, tally.right);
    left.set(l.ids, n * leftLen);
    right.set(r.ids, n * rightLen);
    if (l.truncated) count.leftTruncated++;
    if (r.truncated) count.rightTruncated++;
    if (pair.label !== undefined) labels[n] = pair.label;
    n++;
  }

  checkOverlaps(given, tally, file, options.minOverlap);

  const pairs: PairSet = {
    size: n,
    leftLen,
    rightLen,
    left: left.length === n * leftLen ? left : left.slice(0, n * leftLen),
    right: right.length === n * rightLen ? right : right.slice(0, n * rightLen),
  };
  if (labelled) {
    pairs.labels = labels.length === n ? labels : labels.slice(0, n);
  }
  const stats: LoadStats = { pairs: n, ...count, labelled };
  const result: LoadedPairs = { pairs, stats };
  if (vocabs.left) {
    result.leftVocab = vocabs.left;
    stats.leftOverlap = overlapOf(tally.left.tokens, tally.left.known).fraction;
  }
  if (vocabs.right) {
    result.rightVocab = vocabs.right;
    stats.rightOverlap =
      overlapOf(tally.right.tokens, tally.right.known).fraction;
  }
  return result;
}

/** Rejects a file whose text sides a given vocabulary knows too little of. */
function checkOverlaps(
  given: { left?: Vocabulary; right?: Vocabulary },
  tally: Record<"left" | "right", { tokens: number; known: number }>,
  file: string,
  minOverlap: number | undefined,
): void {
  for (const side of ["left", "right"] as const) {
    if (given[side] === undefined) continue;
    const overlap = overlapOf(tally[side].tokens, tally[side].known);
    checkOverlap(
      overlap,
      file,
      minOverlap === undefined
        ? { field: side }
        : { field: side, min: minOverlap },
    );
  }
}

/** A pair file read block by block: see {@link openPairBlocks}. */
export interface PairBlocks {
  /** Pairs in the file, N. */
  size: number;
  /** Whether the file has labels. */
  labelled: boolean;
  /**
   * The pairs in file order, at most `blockSize` per block, encoded as
   * {@link loadPairs} encodes them; read once. The vocabulary overlap is
   * checked when the last block has been read.
   */
  blocks: AsyncIterable<PairSet>;
  /** Counts, complete once `blocks` has been read to the end. */
  stats: LoadStats;
}

/**
 * Opens a pair file to be read in blocks, so that only one block's padded
 * rows are in memory at a time (`eval` on large files). Takes the options
 * of {@link loadPairs}; the blocks hold the rows {@link loadPairs} would
 * return, in order.
 *
 * @param path the pair file
 * @param options see {@link LoadPairsOptions}
 * @param blockSize pairs per block, at least 1
 * @returns the count, and the blocks to read
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { openPairBlocks } from "./load_pairs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".tsv" });
 * await Deno.writeTextFile(path, "left\tright\na b\tb\nb\ta\nc\tc\n");
 * const file = await openPairBlocks(path, { leftLen: 2, rightLen: 1, vocab: 5 }, 2);
 * const sizes = [];
 * for await (const block of file.blocks) sizes.push(block.size);
 * ok(file.size === 3 && sizes.join() === "2,1" && file.stats.pairs === 3);
 * ```
 */
export async function openPairBlocks(
  path: string,
  options: LoadPairsOptions,
  blockSize: number,
): Promise<PairBlocks> {
  checkInteger("blockSize", blockSize, 1);
  const { leftLen, rightLen } = options;
  const prepared = await prepare(path, options);
  const { file, read, given, vocabs, labelled } = prepared;
  let size = prepared.counted;
  if (size === undefined) {
    size = 0;
    for await (const _ of readPairs(path, read)) size++;
  }
  const stats: LoadStats = {
    pairs: 0,
    leftTruncated: 0,
    rightTruncated: 0,
    labelled,
  };
  const tally = {
    left: { tokens: 0, known: 0 },
    right: { tokens: 0, known: 0 },
  };
  const emptyBlock = (rows: number) => ({
    left: new Int32Array(rows * leftLen),
    right: new Int32Array(rows * rightLen),
    labels: new Uint8Array(labelled ? rows : 0),
  });
  async function* blocks(): AsyncGenerator<PairSet> {
    let buffer = emptyBlock(0);
    let k = 0;
    const flush = (): PairSet => {
      const block: PairSet = {
        size: k,
        leftLen,
        rightLen,
        left: buffer.left.subarray(0, k * leftLen),
        right: buffer.right.subarray(0, k * rightLen),
      };
      if (labelled) block.labels = buffer.labels.subarray(0, k);
      return block;
    };
    // two buffers taken in turn: the consumer may still hold the last
    // block, not the one before (fresh buffers per block left the
    // allocator's heap fragmented, see docs/speed.md)
    const buffers = [emptyBlock(0), emptyBlock(0)];
    let blockCount = 0;
    for await (const pair of readPairs(path, read)) {
      if (k === 0) {
        const rows = Math.min(blockSize, size! - stats.pairs);
        const turn = blockCount++ % 2;
        if (
          buffers[turn]!.labels.length < (labelled ? rows : 0) ||
          buffers[turn]!.left.length < rows * leftLen
        ) {
          buffers[turn] = emptyBlock(Math.min(blockSize, size!));
        }
        buffer = buffers[turn]!;
      }
      const l = encodeSide(pair.left, leftLen, vocabs.left, tally.left);
      const r = encodeSide(pair.right, rightLen, vocabs.right, tally.right);
      buffer.left.set(l.ids, k * leftLen);
      buffer.left.fill(0, k * leftLen + l.ids.length, (k + 1) * leftLen);
      buffer.right.set(r.ids, k * rightLen);
      buffer.right.fill(0, k * rightLen + r.ids.length, (k + 1) * rightLen);
      if (l.truncated) stats.leftTruncated++;
      if (r.truncated) stats.rightTruncated++;
      if (pair.label !== undefined) buffer.labels[k] = pair.label;
      k++;
      stats.pairs++;
      if (k === blockSize) {
        yield flush();
        k = 0;
      }
    }
    if (k > 0) yield flush();
    checkOverlaps(given, tally, file, options.minOverlap);
    if (vocabs.left) {
      stats.leftOverlap =
        overlapOf(tally.left.tokens, tally.left.known).fraction;
    }
    if (vocabs.right) {
      stats.rightOverlap =
        overlapOf(tally.right.tokens, tally.right.known).fraction;
    }
  }
  return { size, labelled, blocks: blocks(), stats };
}

async function firstPair(path: string, read: ReadPairsOptions) {
  for await (const pair of readPairs(path, read)) return pair;
  throw new Error("unreachable: readPairs throws on a file without pairs");
}

function grow<T extends Int32Array | Uint8Array>(buffer: T, size: number): T {
  const out = new (buffer.constructor as new (n: number) => T)(size);
  out.set(buffer);
  return out;
}

function encodeSide(
  side: Side,
  maxLen: number,
  vocab: Vocabulary | undefined,
  tally: { tokens: number; known: number },
): { ids: Int32Array | number[]; truncated: boolean } {
  if (typeof side !== "string") {
    // Pre-tokenized: readPairs has checked 0 <= id < vocab.
    return { ids: side.slice(0, maxLen), truncated: side.length > maxLen };
  }
  const encoded = vocab!.encode(side, maxLen);
  tally.tokens += encoded.tokens;
  tally.known += encoded.tokens - encoded.unknown;
  return encoded;
}
