/**
 * Where training data comes from: the built-in synthetic set, or the user's
 * files (a training file and an optional validation file; without one, a
 * seeded random split of the training file).
 *
 * @module
 */
import { loadPairs, type LoadStats } from "./load_pairs.ts";
import { readPairs } from "./read_pairs.ts";
import { splitRandom } from "./subset.ts";
import { makeSyntheticPairs } from "./synthetic.ts";
import {
  type TokenizerKind,
  Vocabulary,
  type VocabularyJson,
} from "./tokenizer.ts";
import type { PairSet } from "./types.ts";

/** How to obtain the data; stored in checkpoints so a resume reloads it. */
export type DataSpec =
  | {
    kind: "synthetic";
    /** Training pairs. */
    pairs: number;
    /** Validation pairs. */
    valPairs: number;
  }
  | {
    kind: "file";
    /** Training file (.tsv or .jsonl). */
    data: string;
    /** Validation file; absent: split `valFraction` off `data`. */
    val?: string;
    /** Fraction of `data` held out when there is no `val`. */
    valFraction: number;
    /** Tokenizer of text on each side. */
    leftTokenizer: TokenizerKind;
    rightTokenizer: TokenizerKind;
    /**
     * One vocabulary for both sides, built from both sides' text (needs text
     * on both sides and one tokenizer). @default false
     */
    sharedVocab?: boolean;
  };

/** Sequence shapes every set is cut or padded to. */
export interface Shapes {
  leftLen: number;
  rightLen: number;
  vocab: number;
}

/** Training and validation pairs, and the vocabularies that encoded them. */
export interface Dataset {
  train: PairSet;
  val: PairSet;
  /** Vocabularies of text sides (absent for pre-tokenized sides). */
  vocabularies: { left?: VocabularyJson; right?: VocabularyJson };
  /** One line per source, for the log. */
  description: string[];
}

/**
 * Loads or makes the data.
 *
 * @param spec where the data comes from
 * @param shapes lengths and vocabulary size
 * @param options `seed` (synthetic data, split), `vocabularies` to reuse
 *   (e.g. from a checkpoint) instead of building them
 */
export async function loadDataset(
  spec: DataSpec,
  shapes: Shapes,
  options: { seed: number; vocabularies?: Dataset["vocabularies"] },
): Promise<Dataset> {
  if (spec.kind === "synthetic") {
    const all = makeSyntheticPairs(spec.pairs + spec.valPairs, {
      ...shapes,
      seed: options.seed,
    });
    const [train, val] = [
      sliceRows(all, 0, spec.pairs),
      sliceRows(all, spec.pairs, all.size),
    ];
    return {
      train,
      val,
      vocabularies: {},
      description: [
        `data built-in synthetic  train ${train.size} pairs  val ${val.size} pairs  ` +
        `lengths ${shapes.leftLen}/${shapes.rightLen}  vocab ${shapes.vocab}`,
      ],
    };
  }
  const given = options.vocabularies ?? {};
  const vocabularies: { left?: Vocabulary; right?: Vocabulary } = {
    ...(given.left ? { left: Vocabulary.fromJSON(given.left) } : {}),
    ...(given.right ? { right: Vocabulary.fromJSON(given.right) } : {}),
  };
  const tokenizer = { left: spec.leftTokenizer, right: spec.rightTokenizer };
  if (spec.sharedVocab && given.left === undefined) {
    const shared = await buildSharedVocabulary(spec, shapes.vocab);
    vocabularies.left = shared;
    vocabularies.right = shared;
  }
  const loaded = await loadPairs(spec.data, {
    ...shapes,
    tokenizer,
    vocabularies,
  });
  const left = loaded.leftVocab ?? vocabularies.left;
  const right = loaded.rightVocab ?? vocabularies.right;
  const description = [describeFile(spec.data, loaded.stats)];
  let train = loaded.pairs;
  let val: PairSet;
  if (spec.val !== undefined) {
    const v = await loadPairs(spec.val, {
      ...shapes,
      tokenizer,
      vocabularies: { ...(left ? { left } : {}), ...(right ? { right } : {}) },
    });
    val = v.pairs;
    description.push(describeFile(spec.val, v.stats));
  } else {
    [train, val] = splitRandom(train, {
      fraction: spec.valFraction,
      seed: options.seed,
    });
    description.push(
      `val   ${val.size} pairs split off ${spec.data} at random (data.val_fraction ${spec.valFraction})`,
    );
  }
  return {
    train,
    val,
    vocabularies: {
      ...(left ? { left: left.toJSON() } : {}),
      ...(right ? { right: right.toJSON() } : {}),
    },
    description,
  };
}

function describeFile(path: string, s: LoadStats): string {
  return `data ${path}  ${s.pairs} pairs${s.labelled ? " (labelled)" : ""}  ` +
    `truncated left ${s.leftTruncated}  right ${s.rightTruncated}`;
}

/** Rows `[from, to)` as a set of views (no copy). */
function sliceRows(set: PairSet, from: number, to: number): PairSet {
  return {
    size: to - from,
    leftLen: set.leftLen,
    rightLen: set.rightLen,
    left: set.left.subarray(from * set.leftLen, to * set.leftLen),
    right: set.right.subarray(from * set.rightLen, to * set.rightLen),
    ...(set.labels ? { labels: set.labels.subarray(from, to) } : {}),
  };
}

/** One vocabulary over the text of both sides of the training file. */
async function buildSharedVocabulary(
  spec: Extract<DataSpec, { kind: "file" }>,
  size: number,
): Promise<Vocabulary> {
  if (spec.leftTokenizer !== spec.rightTokenizer) {
    throw new RangeError(
      `A shared vocabulary needs one tokenizer for both sides but found ${spec.leftTokenizer} (left) and ${spec.rightTokenizer} (right)`,
    );
  }
  async function* texts() {
    for await (const pair of readPairs(spec.data)) {
      if (typeof pair.left !== "string" || typeof pair.right !== "string") {
        throw new RangeError(
          `A shared vocabulary needs text on both sides, but ${spec.data} line ${pair.line} holds token ids`,
        );
      }
      yield pair.left;
      yield pair.right;
    }
  }
  return await Vocabulary.build(texts(), { kind: spec.leftTokenizer, size });
}
