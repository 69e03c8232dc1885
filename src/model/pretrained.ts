/**
 * Starting a branch from a pretrained encoder instead of random weights.
 *
 * The project ships one: `gcide`, the matcher recipe's character encoder
 * (Embedding -> LSTM(128) -> masked max -> Dense(256)) pretrained on GCIDE's
 * headword -> definition pairs by `pretrain/main.ts`; its weights and their
 * provenance are the generated module `./pretrained_gcide.ts`.
 *
 * A user's character vocabulary is built from their own pairs, so its ids
 * differ from the encoder's: {@link startFromPretrained} copies the
 * Embedding row of every token both vocabularies hold (and of the padding
 * and unknown ids) to the user's id, keeps the seeded random row for tokens
 * the encoder never saw, and copies the LSTM and Dense weights as they are.
 *
 * @module
 */
import type { LayersModel } from "../backend/tf_types.ts";
import * as tf from "../deps/tfjs_core.ts";
import { PAD_ID, UNKNOWN_ID, type VocabularyJson } from "../data/tokenizer.ts";
import { type InitKind, PRETRAINED_SHAPE } from "../settings/kinds.ts";
import { bytesOf } from "../wasm/kernel_bytes.ts";
import { GCIDE_CHAR } from "./pretrained_gcide.ts";

/** One weight of a pretrained branch. */
export interface PretrainedWeight {
  /** The name within a branch, without its `left_`/`right_` prefix: `lstm/kernel`. */
  name: string;
  /** Its shape; the Embedding's rows are those of {@link PretrainedEncoder.vocabulary}'s ids. */
  shape: number[];
  /** Float32 values, little-endian, base64. */
  base64: string;
}

/** A pretrained branch, as `pretrain/main.ts` writes it. */
export interface PretrainedEncoder {
  /** Its `--init` name. */
  name: string;
  /** One line for the training log: what it was trained on. */
  summary: string;
  /** Where its text came from and how it was trained (see docs/pretrained.md). */
  provenance: Record<string, unknown>;
  /** The model settings it was trained with, by public name. */
  settings: Record<string, string | number | boolean>;
  /** The vocabulary of its Embedding's ids. */
  vocabulary: VocabularyJson;
  /** Its weights, in the branch's order. */
  weights: PretrainedWeight[];
}

/**
 * The shipped pretrained encoder of an `--init` choice.
 *
 * @param kind `gcide`
 * @returns the encoder
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { pretrainedEncoder } from "./pretrained.ts";
 * const e = pretrainedEncoder("gcide");
 * assert.equal(e.vocabulary.kind, "char");
 * assert.equal(e.settings["model.lstm_units"], 128);
 * ```
 */
export function pretrainedEncoder(
  kind: Exclude<InitKind, "none">,
): PretrainedEncoder {
  switch (kind) {
    case "gcide":
      return GCIDE_CHAR;
  }
}

/** What {@link startFromPretrained} carried over. */
export interface PretrainedStart {
  /** Tokens of the branch's vocabulary (not counting padding and unknown). */
  tokens: number;
  /** Of those, the ones the encoder has an Embedding row for. */
  known: number;
}

/**
 * Sets a branch's weights from a pretrained encoder: every weight by its
 * name within the branch, the Embedding row by row through the two
 * vocabularies (see the module doc).
 *
 * @param branch a branch built by `buildBranch` with the encoder's
 *   architecture (its name's prefix, `left_` or `right_`, is ignored)
 * @param vocabulary the vocabulary that encodes the branch's input
 * @param encoder the pretrained encoder
 * @returns how many of the vocabulary's tokens the encoder knew
 * @throws RangeError naming the weight or setting that does not fit
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { modelConfig } from "./config.ts";
 * import { buildSiamese } from "./siamese.ts";
 * import { pretrainedEncoder, startFromPretrained } from "./pretrained.ts";
 * await setupBackend({ log: false });
 * const encoder = pretrainedEncoder("gcide");
 * const model = buildSiamese(modelConfig({
 *   vocab: 50, lstmUnits: 128, pooling: "max", shareWeights: true,
 * }), 1);
 * const vocabulary = { format: "siamese-wasm/vocabulary@1", kind: "char" as const,
 *   size: 50, tokens: ["e", "t", "\u2603"] };
 * const start = startFromPretrained(model.left, vocabulary, encoder);
 * assert.deepEqual(start, { tokens: 3, known: 2 });
 * model.left.dispose();
 * ```
 */
export function startFromPretrained(
  branch: LayersModel,
  vocabulary: VocabularyJson,
  encoder: PretrainedEncoder,
): PretrainedStart {
  if (vocabulary.kind !== encoder.vocabulary.kind) {
    throw new RangeError(
      `The pretrained ${encoder.name} encoder reads ${encoder.vocabulary.kind} tokens but this branch's vocabulary is ${vocabulary.kind}; train with --init none.`,
    );
  }
  const byName = new Map(encoder.weights.map((w) => [w.name, w]));
  const encoderIds = new Map(
    encoder.vocabulary.tokens.map((t, i) => [t, i + 2]),
  );
  let known = 0;
  for (const w of branch.weights) {
    const name = w.originalName.slice(w.originalName.indexOf("_") + 1);
    const saved = byName.get(name);
    if (saved === undefined) {
      throw new RangeError(
        `The pretrained ${encoder.name} encoder has no weight ${name} (this branch's ${w.name}): its architecture differs; train with --init none.`,
      );
    }
    const values = floatsOf(saved);
    if (name.endsWith("embedding/embeddings")) {
      const [rows, dim] = w.shape as [number, number];
      if (saved.shape[1] !== dim) {
        throw new RangeError(
          `The pretrained ${encoder.name} encoder's Embedding has ${
            saved.shape[1]
          } dimensions and this branch's ${dim}; train with --init none.`,
        );
      }
      const table = (w.read() as tf.Tensor).dataSync().slice() as Float32Array;
      const copy = (to: number, from: number) =>
        table.set(values.subarray(from * dim, (from + 1) * dim), to * dim);
      copy(PAD_ID, PAD_ID);
      copy(UNKNOWN_ID, UNKNOWN_ID);
      vocabulary.tokens.forEach((token, i) => {
        const from = encoderIds.get(token);
        if (from !== undefined && i + 2 < rows) {
          copy(i + 2, from);
          known++;
        }
      });
      writeWeight(w, table);
    } else {
      if (saved.shape.join() !== w.shape.join()) {
        throw new RangeError(
          `The pretrained ${encoder.name} encoder's ${name} is [${saved.shape}] and this branch's is [${w.shape}]: ${
            describeShape(encoder)
          }; train with --init none.`,
        );
      }
      writeWeight(w, values);
    }
  }
  return { tokens: vocabulary.tokens.length, known };
}

/** Sets a weight's values (the variable keeps its own reference). */
function writeWeight(
  w: LayersModel["weights"][number],
  values: Float32Array,
): void {
  const t = tf.tensor(values, w.shape as number[]);
  w.write(t);
  t.dispose();
}

/** The encoder's architecture, for errors. */
function describeShape(encoder: PretrainedEncoder): string {
  return `it was pretrained with ${
    Object.keys(PRETRAINED_SHAPE).map((k) => `${k} ${encoder.settings[k]}`)
      .join(", ")
  }`;
}

/** A weight's values. */
function floatsOf(w: PretrainedWeight): Float32Array {
  const bytes = bytesOf(w.base64);
  const n = w.shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== 4 * n) {
    throw new RangeError(
      `The pretrained weight ${w.name} holds ${bytes.byteLength} bytes where its shape [${w.shape}] needs ${
        4 * n
      }.`,
    );
  }
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}
