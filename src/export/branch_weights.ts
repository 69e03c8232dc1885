/**
 * One branch of a trained model read as plain arrays, checked layer by
 * layer against what the exporters can express exactly.
 *
 * The branch is `Embedding(V, E, maskZero) -> LSTM(H) [-> MaskedPooling]`,
 * with a second LSTM reading the reversed sequence when bidirectional, then
 * `Dense(D)` (see `src/model/siamese.ts`). Letters: V vocabulary, E
 * embedding width, H LSTM units, D output width. LSTM weights keep
 * tfjs-layers' (and Keras's) layout: kernel `[E, 4H]`, recurrent kernel
 * `[H, 4H]`, bias `[4H]`, gate order i, f, c, o.
 *
 * @module
 */
import type * as tfl from "../deps/tfjs_layers.ts";
import type { LayersModel } from "../backend/tf_types.ts";
import type { PoolingKind } from "../model/config.ts";

/** An LSTM's weights, tfjs-layers layout (gates i, f, c, o). */
export interface LstmWeights {
  /** `[E, 4H]`, row-major. */
  kernel: Float32Array;
  /** `[H, 4H]`, row-major. */
  recurrentKernel: Float32Array;
  /** `[4H]` (zeros when the layer has no bias). */
  bias: Float32Array;
}

/** A branch's sizes, options and weights. */
export interface BranchWeights {
  /** Vocabulary size V. */
  vocab: number;
  /** Embedding width E. */
  embeddingDim: number;
  /** LSTM units H. */
  units: number;
  /** Output width D. */
  denseUnits: number;
  /** How LSTM outputs become one vector. */
  pooling: PoolingKind;
  /** Whether a second LSTM reads each sequence backwards. */
  bidirectional: boolean;
  /** `[V, E]`, row-major. */
  embeddings: Float32Array;
  /** The forward LSTM. */
  forward: LstmWeights;
  /** The backward LSTM, when bidirectional. */
  backward?: LstmWeights;
  /** `[H or 2H, D]`, row-major. */
  denseKernel: Float32Array;
  /** `[D]`. */
  denseBias: Float32Array;
}

/** A model part an exporter cannot express exactly; the message names it. */
export class ExportError extends Error {
  /**
   * Creates the error.
   *
   * @param message which part, and why
   */
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

const KNOWN = new Set([
  "InputLayer",
  "Embedding",
  "FusedLSTM",
  "LSTM",
  "MaskedPooling",
  "ReverseTime",
  "Concatenate",
  "Dense",
  "FeatureDropout", // the identity outside training
]);

/**
 * Reads a branch built by `buildBranch` (or loaded from a run), checking
 * every layer's class and options.
 *
 * @param branch the branch model
 * @param side its name in messages, e.g. `"left"`
 * @returns its weights
 * @throws ExportError naming the layer and the option that has no exact
 *   equivalent
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildBranch } from "../model/siamese.ts";
 * import { modelConfig } from "../model/config.ts";
 * import { readBranch } from "./branch_weights.ts";
 * await setupBackend({ log: false });
 * const c = modelConfig({ vocab: 9, embeddingDim: 2, lstmUnits: 3, denseUnits: 4 });
 * const w = readBranch(buildBranch(c, "left", 1), "left");
 * assert.equal(w.forward.kernel.length, 2 * 4 * 3);
 * assert.equal(w.pooling, "last");
 * ```
 */
export function readBranch(
  branch: LayersModel,
  side: string,
): BranchWeights {
  const part = (layer: tfl.layers.Layer) =>
    `${side} branch, layer ${layer.name} (${layer.getClassName()})`;
  const byClass = (name: string) =>
    branch.layers.filter((l) => l.getClassName() === name);
  for (const layer of branch.layers) {
    if (!KNOWN.has(layer.getClassName())) {
      throw new ExportError(`${part(layer)}: no exact equivalent is known`);
    }
  }
  const [embedding] = byClass("Embedding");
  // the forward LSTM first: the backward one reads a ReverseTime's output
  const lstms = branch.layers.filter((l) =>
    l.getClassName() === "LSTM" || l.getClassName() === "FusedLSTM"
  ).sort((a, b) => Number(readsReversed(a)) - Number(readsReversed(b)));
  if (lstms.length === 2 && !readsReversed(lstms[1]!)) {
    throw new ExportError(
      `${
        part(lstms[1]!)
      }: a second LSTM must read the ReverseTime of the embedding (bidirectional)`,
    );
  }
  const dense = byClass("Dense");
  if (embedding === undefined || lstms.length < 1 || lstms.length > 2) {
    throw new ExportError(
      `${side} branch: expected Embedding -> LSTM (one, or two when bidirectional) -> Dense ` +
        `but found layers ${branch.layers.map((l) => l.getClassName())}`,
    );
  }
  if (dense.length !== 1) {
    throw new ExportError(
      `${side} branch: expected one Dense layer but found ${dense.length}`,
    );
  }
  const ec = embedding.getConfig();
  if (ec.maskZero !== true) {
    throw new ExportError(
      `${
        part(embedding)
      }: maskZero is ${ec.maskZero}; only a masking embedding (padding 0) is exported`,
    );
  }
  const [V, E] = embedding.getWeights()[0]!.shape as [number, number];
  const pools = byClass("MaskedPooling");
  const pooling = pools.length === 0
    ? "last"
    : pools[0]!.getConfig().mode as PoolingKind;
  const sequences = pooling !== "last";
  const [forward, backward] = lstms.map((l) => readLstm(l, part(l), sequences));
  const denseLayer = dense[0]!;
  const dc = denseLayer.getConfig();
  if (dc.activation !== "linear") {
    throw new ExportError(
      `${
        part(denseLayer)
      }: activation ${dc.activation}; only linear is exported`,
    );
  }
  const [kernel, bias] = denseLayer.getWeights();
  const D = kernel!.shape[1]!;
  const H = forward!.units;
  return {
    vocab: V,
    embeddingDim: E,
    units: H,
    denseUnits: D,
    pooling,
    bidirectional: backward !== undefined,
    embeddings: embedding.getWeights()[0]!.dataSync() as Float32Array,
    forward: forward!.weights,
    ...(backward ? { backward: backward.weights } : {}),
    denseKernel: kernel!.dataSync() as Float32Array,
    denseBias: bias === undefined
      ? new Float32Array(D)
      : bias.dataSync() as Float32Array,
  };
}

function readsReversed(layer: tfl.layers.Layer): boolean {
  const from = layer.inboundNodes[0]?.inboundLayers[0];
  return from?.getClassName() === "ReverseTime";
}

function readLstm(
  layer: tfl.layers.Layer,
  part: string,
  sequences: boolean,
): { units: number; weights: LstmWeights } {
  const c = layer.getConfig();
  const expect: Record<string, unknown> = {
    activation: "tanh",
    recurrentActivation: "sigmoid",
    returnSequences: sequences,
    returnState: false,
    goBackwards: false,
    stateful: false,
  };
  for (const [key, value] of Object.entries(expect)) {
    if (c[key] !== undefined && c[key] !== value) {
      throw new ExportError(
        `${part}: ${key} is ${JSON.stringify(c[key])}; only ${
          JSON.stringify(value)
        } is exported`,
      );
    }
  }
  const units = c.units as number;
  const w = layer.getWeights();
  return {
    units,
    weights: {
      kernel: w[0]!.dataSync() as Float32Array,
      recurrentKernel: w[1]!.dataSync() as Float32Array,
      bias: w[2] === undefined
        ? new Float32Array(4 * units)
        : w[2].dataSync() as Float32Array,
    },
  };
}
