/**
 * The model's hyperparameters; their defaults, ranges and help are declared
 * in `src/settings/table.ts`.
 *
 * @module
 */
import type { LexicalConfig } from "../lexical/config.ts";
import { checkSection, sectionDefaults } from "../settings/values.ts";

export type { LstmKind, PoolingKind } from "../settings/kinds.ts";
import type { LstmKind, PoolingKind } from "../settings/kinds.ts";

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
   * Dropout rate on the pooled features before the Dense layer, in training
   * only (`src/model/dropout.ts`). @default 0
   */
  dropout: number;
  /** The lexical channel (off by default), see `src/lexical/config.ts`. */
  lexical: LexicalConfig;
}

/** The seed's architecture: the defaults declared in `src/settings/table.ts`. */
export const DEFAULT_MODEL_CONFIG: Readonly<ModelConfig> = deepFreeze(
  sectionDefaults("model") as unknown as ModelConfig,
);

/** What {@link modelConfig} takes: any settings, the lexical ones too. */
export type ModelConfigInput =
  & Partial<Omit<ModelConfig, "lexical">>
  & { lexical?: Partial<LexicalConfig> };

/**
 * Checks a model config against the settings table and returns a complete
 * copy (defaults filled in).
 *
 * @param partial the settings to change from the defaults (the lexical
 *   channel's one by one)
 * @returns the complete config
 * @throws RangeError naming the setting, the value and what was expected,
 *   or a key that is not a model setting
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { modelConfig } from "./config.ts";
 * assert.ok(modelConfig({ lstmUnits: 8 }).denseUnits === 256);
 * assert.equal(modelConfig({ lexical: { weight: 0.5 } }).lexical.n, 3);
 * assert.throws(() => modelConfig({ lstmUnits: 0 }), {
 *   message: "model.lstm_units: expected an integer >= 1 but found 0.",
 * });
 * ```
 */
export function modelConfig(partial: ModelConfigInput = {}): ModelConfig {
  const c = {
    ...DEFAULT_MODEL_CONFIG,
    ...partial,
    lexical: { ...DEFAULT_MODEL_CONFIG.lexical, ...partial.lexical },
  };
  checkSection("model", c);
  return c;
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) {
    if (v !== null && typeof v === "object") deepFreeze(v);
  }
  return Object.freeze(o);
}

/**
 * The lengths and vocabulary data are loaded at for a model: its side
 * lengths, or the lexical channel's length where that is longer.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { dataShapes, modelConfig } from "./config.ts";
 * const c = modelConfig({ leftLen: 52, rightLen: 256, lexical: { weight: 0.5, len: 1000 } });
 * assert.deepStrictEqual(dataShapes(c), { vocab: 1000, leftLen: 1000, rightLen: 1000 });
 * const off = modelConfig({ ...c, lexical: { weight: 0 } });
 * assert.deepStrictEqual(dataShapes(off), { vocab: 1000, leftLen: 52, rightLen: 256 });
 * ```
 */
export function dataShapes(
  c: ModelConfig,
): { vocab: number; leftLen: number; rightLen: number } {
  const lex = c.lexical.weight > 0 ? c.lexical.len : 0;
  return {
    vocab: c.vocab,
    leftLen: Math.max(c.leftLen, lex),
    rightLen: Math.max(c.rightLen, lex),
  };
}
