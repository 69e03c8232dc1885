/**
 * The two-branch model: per branch Embedding -> LSTM -> (pooling) ->
 * (dropout, in training) -> Dense.
 *
 * Each branch is its own `LayersModel`, so it can be saved, loaded and
 * used alone (to embed one side). With `shareWeights`, both sides use the
 * same branch object.
 *
 * Porting note: tfjs-layers' LSTM defaults differ from Keras (recurrent
 * activation `hardSigmoid`, no unit forget bias); every such option is set
 * explicitly here to Keras's values.
 *
 * @module
 */
import type { Layer, LayersModel, Tensor2D } from "../backend/tf_types.ts";
import * as tfl from "../deps/tfjs_layers.ts";
import type { ModelConfig } from "./config.ts";
import type { LexicalIndex } from "../lexical/ngram_tfidf.ts";
import { FusedLSTM } from "./fused_lstm.ts";
import { MaskedPooling, type PoolingMode } from "./pooling.ts";
import { traceEmbedding } from "./token_table.ts";
import { ReverseTime } from "./reverse_time.ts";
import { FeatureDropout } from "./dropout.ts";

/** The two encoders. `left === right` when weights are shared. */
export interface Siamese {
  /** The configuration both branches were built from. */
  config: ModelConfig;
  /** The left branch: ids `[B, T1]` -> outputs `[B, D]`. */
  left: LayersModel;
  /** The right branch: ids `[B, T2]` -> outputs `[B, D]`. */
  right: LayersModel;
  /**
   * The lexical channel's index, fitted on the training pairs, when
   * `config.lexical.weight > 0` (see `src/lexical/hybrid.ts`).
   */
  lexical?: LexicalIndex;
}

/** Builds the LSTM layer for a branch. Kept apart so other kinds plug in. */
export type LstmFactory = (args: {
  units: number;
  seed: number;
  name: string;
  /** Output every timestep `[B, T, H]` instead of the last `[B, H]`. */
  returnSequences: boolean;
}) => Layer;

/**
 * The stock tfjs-layers LSTM with Keras's defaults made explicit.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { stockLstm } from "./siamese.ts";
 * const layer = stockLstm({ units: 4, seed: 1, name: "lstm", returnSequences: false });
 * assert.ok(layer.name === "lstm");
 * ```
 */
export const stockLstm: LstmFactory = (args) =>
  tfl.layers.lstm(kerasLstmArgs(args));

/** Keras's LSTM defaults, explicit, with seeded initializers. */
function kerasLstmArgs(
  { units, seed, name, returnSequences }: Parameters<LstmFactory>[0],
) {
  return {
    name,
    units,
    activation: "tanh",
    recurrentActivation: "sigmoid",
    unitForgetBias: true,
    useBias: true,
    kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    recurrentInitializer: tfl.initializers.orthogonal({
      seed: seed + 1,
      gain: 1,
    }),
    biasInitializer: "zeros",
    returnSequences,
  } as const;
}

/**
 * The fused LSTM (see `fused_lstm.ts`): same weights, config and results as
 * {@link stockLstm}, one WebAssembly op for the whole sequence.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { fusedLstm } from "./siamese.ts";
 * const layer = fusedLstm({ units: 4, seed: 1, name: "lstm", returnSequences: false });
 * assert.equal(layer.getClassName(), "FusedLSTM");
 * ```
 */
export const fusedLstm: LstmFactory = (args) =>
  new FusedLSTM(kerasLstmArgs(args));

const lstmFactories: Record<string, LstmFactory> = {
  stock: stockLstm,
  fused: fusedLstm,
};

/**
 * Makes another LSTM implementation selectable as `config.lstm`.
 *
 * @example
 * ```ts
 * import { registerLstm, stockLstm } from "./siamese.ts";
 * registerLstm("stock", stockLstm);
 * ```
 */
export function registerLstm(kind: string, factory: LstmFactory): void {
  lstmFactories[kind] = factory;
}

/**
 * Builds one branch: Embedding(V, E, maskZero) -> LSTM(H) -> Dense(D).
 *
 * @param config model sizes
 * @param name branch name, e.g. `"left"`
 * @param seed initializer seed
 */
export function buildBranch(
  config: ModelConfig,
  name: string,
  seed: number,
): LayersModel {
  const factory = lstmFactories[config.lstm];
  if (factory === undefined) {
    throw new RangeError(
      `Expected lstm to be one of ${
        Object.keys(lstmFactories).join(", ")
      } but found "${config.lstm}"`,
    );
  }
  return quietOrthogonal(() => {
    const input = tfl.input({
      shape: [null],
      dtype: "int32",
      name: `${name}_tokens`,
    }); // [B, T]
    // traced: a FusedLSTM reading it projects the vocabulary, not each token
    const embedded = traceEmbedding(tfl.layers.embedding({
      name: `${name}_embedding`,
      inputDim: config.vocab,
      outputDim: config.embeddingDim,
      maskZero: true, // padding id 0 does not drive the LSTM state
      embeddingsInitializer: tfl.initializers.randomUniform({
        minval: -0.05,
        maxval: 0.05,
        seed,
      }),
    })).apply(input) as tfl.SymbolicTensor; // [B, T, E]
    const sequences = config.pooling !== "last";
    const read = (x: tfl.SymbolicTensor, suffix: string, k: number) => {
      const h = factory({
        units: config.lstmUnits,
        seed: seed + 10 + k,
        name: `${name}_lstm${suffix}`,
        returnSequences: sequences,
      }).apply(x) as tfl.SymbolicTensor; // [B, T, H] or [B, H]
      return sequences
        ? new MaskedPooling({
          mode: config.pooling as PoolingMode,
          name: `${name}_pool${suffix}`,
        })
          .apply(h) as tfl.SymbolicTensor // [B, H]
        : h;
    };
    let state = read(embedded, "", 0); // [B, H]
    if (config.bidirectional) {
      const reversed = new ReverseTime({ name: `${name}_reverse` })
        .apply(embedded) as tfl.SymbolicTensor; // [B, T, E]
      const back = read(reversed, "_backward", 5); // [B, H]
      state = tfl.layers.concatenate({ name: `${name}_concat` })
        .apply([state, back]) as tfl.SymbolicTensor; // [B, 2H]
    }
    if (config.dropout > 0) {
      state = new FeatureDropout({
        rate: config.dropout,
        name: `${name}_dropout`,
      }).apply(state) as tfl.SymbolicTensor; // [B, H or 2H]
    }
    const out = tfl.layers.dense({
      name: `${name}_dense`,
      units: config.denseUnits,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 20 }),
      biasInitializer: "zeros",
    }).apply(state) as tfl.SymbolicTensor; // [B, D]
    return tfl.model({ inputs: input, outputs: out, name });
  });
}

/**
 * Builds both branches, deterministically from `seed`.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildSiamese } from "./siamese.ts";
 * import { modelConfig } from "./config.ts";
 * await setupBackend({ log: false });
 * const m = buildSiamese(modelConfig({ vocab: 20, embeddingDim: 4, lstmUnits: 4, denseUnits: 8 }), 1);
 * assert.ok(m.left !== m.right);
 * ```
 */
export function buildSiamese(config: ModelConfig, seed: number): Siamese {
  const left = buildBranch(config, "left", seed);
  const right = config.shareWeights
    ? left
    : buildBranch(config, "right", seed + 1000);
  return { config, left, right };
}

/**
 * Runs a branch on a batch of token ids.
 *
 * @param branch a branch model
 * @param ids token ids `[B, T]`, int32
 * @param training whether this is a training call
 * @returns branch outputs `[B, D]`
 */
export function encode(
  branch: LayersModel,
  ids: Tensor2D,
  training = false,
): Tensor2D {
  return branch.apply(ids, { training }) as Tensor2D;
}

/**
 * Runs `fn` without tfjs-layers' warning on every Orthogonal initialisation
 * larger than 2000 elements (an LSTM's [H, 4H] is 16384; the cost is one QR
 * per build, and the weights are often set right after); other warnings
 * pass.
 *
 * @param fn what builds the layers
 * @returns what `fn` returns
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { quietOrthogonal } from "./siamese.ts";
 * assert.equal(quietOrthogonal(() => 7), 7);
 * ```
 */
export function quietOrthogonal<T>(fn: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (String(args[0]).startsWith("Orthogonal initializer")) return;
    warn(...args);
  };
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}
