/**
 * The model's hyperparameters; their defaults, ranges and help are declared
 * in `src/settings/table.ts`.
 *
 * @module
 */
import { checkSection, sectionDefaults } from "../settings/values.ts";

/** Which LSTM implementation a branch uses. */
export type LstmKind = "stock" | "fused";

/** What a branch keeps of the LSTM's outputs. */
export type PoolingKind = "last" | "mean" | "max";

/** Sizes and options of the two-branch model. */
export interface ModelConfig {
  /** Vocabulary size V; token ids are in [0, V), 0 = padding. @default 1000 */
  vocab: number;
  /** Embedding width E (Keras `outputDim`). @default 32 */
  embeddingDim: number;
  /** LSTM width H (Keras `units`). @default 64 */
  lstmUnits: number;
  /** Output width D of each branch's Dense layer. @default 256 */
  denseUnits: number;
  /** Left sequence length L1. @default 52 */
  leftLen: number;
  /** Right sequence length L2. @default 600 */
  rightLen: number;
  /** One encoder for both sides instead of one per side. @default false */
  shareWeights: boolean;
  /** LSTM implementation: `fused` (one WebAssembly op per sequence) or
   * `stock` (tfjs-layers' LSTM, per-timestep ops, ~20x slower). @default "fused" */
  lstm: LstmKind;
  /**
   * Last state, or the masked mean or max of the outputs over time.
   * @default "last"
   */
  pooling: PoolingKind;
  /** Add a second LSTM reading each sequence backwards. @default false */
  bidirectional: boolean;
  /**
   * Weight λ of the lexical channel (TF-IDF over token-id n-grams, see
   * `src/lexical/ngram_tfidf.ts`): a pair scores
   * `(1 - λ) · cos(model) + λ · cos(TF-IDF)` wherever the model scores
   * (the loss too with `TrainConfig.lexicalLoss` residual or joint).
   * 0 = off. Needs one vocabulary for both sides and cosine distance.
   * @default 0
   */
  lexicalWeight: number;
  /** Tokens per n-gram of the lexical channel. @default 3 */
  lexicalN: number;
  /**
   * Tokens per side the lexical channel reads; data are loaded at this
   * length when it is longer than a side's length, and the LSTMs still read
   * only `leftLen` / `rightLen` tokens. 0 = the sides' lengths. @default 0
   */
  lexicalLen: number;
}

/** The seed's architecture: the defaults declared in `src/settings/table.ts`. */
export const DEFAULT_MODEL_CONFIG: Readonly<ModelConfig> = Object.freeze(
  sectionDefaults("model") as unknown as ModelConfig,
);

/**
 * Checks a model config against the settings table and returns a complete
 * copy (defaults filled in).
 *
 * @param partial the settings to change from the defaults
 * @returns the complete config
 * @throws RangeError naming the setting, the value and what was expected,
 *   or a key that is not a model setting
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { modelConfig } from "./config.ts";
 * assert.ok(modelConfig({ lstmUnits: 8 }).denseUnits === 256);
 * assert.throws(() => modelConfig({ lstmUnits: 0 }), {
 *   message: "model.lstm_units: expected an integer >= 1 but found 0.",
 * });
 * ```
 */
export function modelConfig(partial: Partial<ModelConfig> = {}): ModelConfig {
  const c = { ...DEFAULT_MODEL_CONFIG, ...partial };
  checkSection("model", c);
  return c;
}

/**
 * The lengths and vocabulary data are loaded at for a model: its side
 * lengths, or the lexical channel's length where that is longer.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { dataShapes, modelConfig } from "./config.ts";
 * const c = modelConfig({ leftLen: 52, rightLen: 256, lexicalWeight: 0.5, lexicalLen: 1000 });
 * assert.deepStrictEqual(dataShapes(c), { vocab: 1000, leftLen: 1000, rightLen: 1000 });
 * assert.deepStrictEqual(dataShapes({ ...c, lexicalWeight: 0 }), { vocab: 1000, leftLen: 52, rightLen: 256 });
 * ```
 */
export function dataShapes(
  c: ModelConfig,
): { vocab: number; leftLen: number; rightLen: number } {
  const lex = c.lexicalWeight > 0 ? c.lexicalLen : 0;
  return {
    vocab: c.vocab,
    leftLen: Math.max(c.leftLen, lex),
    rightLen: Math.max(c.rightLen, lex),
  };
}
