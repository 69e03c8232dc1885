/**
 * A branch as a stock TensorFlow.js layers model, and back.
 *
 * Export: `Embedding(V, E, maskZero) -> LSTM(H)` (or `Bidirectional(LSTM(H),
 * concat)`) `-> Dense(D)`, built from tfjs-layers' own classes with Keras's
 * LSTM settings (activation tanh, recurrent activation sigmoid), so stock
 * `tf.loadLayersModel` reads it with no custom class registered, and
 * `tensorflowjs_converter --input_format=tfjs_layers_model
 * --output_format=keras` turns it into a Keras HDF5 model (docs/scale.md).
 * Weights carry over unchanged: FusedLSTM stores the stock LSTM's layout.
 *
 * Pooling: this repository pools over the real (unmasked) steps only;
 * tfjs-layers 4.22's GlobalAveragePooling1D and GlobalMaxPooling1D ignore
 * the mask. Max pooling of a forward LSTM is still exact with them: over a
 * masked step the stock LSTM repeats its last output, so with padding at the
 * end the padded steps add no new value to the maximum (an all-padding row
 * gives the zero state, as here). Refused, by name: `mean` pooling (the
 * repeats would weigh in), and `max` pooling when bidirectional (the
 * backward direction's padded steps output its zero initial state).
 *
 * Import: {@link importBranch} reads a stock layers model of that shape into
 * a branch of this repository (FusedLSTM, ReverseTime for the backward
 * direction), checking every size against the run's config.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import * as tfl from "../deps/tfjs_layers.ts";
import type { LayersModel } from "../backend/tf_types.ts";
import type { ModelConfig } from "../model/config.ts";
import { buildBranch, quietOrthogonal } from "../model/siamese.ts";
import type { LoadedModel } from "../run/format.ts";
import {
  type BranchWeights,
  ExportError,
  readBranch,
} from "./branch_weights.ts";
import { exportJson } from "./tokenizer_json.ts";

/**
 * A branch's weights as a stock tfjs-layers model.
 *
 * @param w the branch's weights
 * @param options side length and model name
 * @returns the model (input int32 `[B, len]`, output `[B, D]`)
 * @throws ExportError for pooling `mean`, or `max` when bidirectional
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildBranch } from "../model/siamese.ts";
 * import { modelConfig } from "../model/config.ts";
 * import { readBranch } from "./branch_weights.ts";
 * import { stockBranch } from "./keras.ts";
 * await setupBackend({ log: false });
 * const c = modelConfig({ vocab: 9, embeddingDim: 2, lstmUnits: 3, denseUnits: 4, bidirectional: true });
 * const m = stockBranch(readBranch(buildBranch(c, "left", 1), "left"), { len: 5, name: "left" });
 * assert.deepStrictEqual(m.layers.map((l) => l.getClassName()),
 *   ["InputLayer", "Embedding", "Bidirectional", "Dense"]);
 * ```
 */
export function stockBranch(
  w: BranchWeights,
  options: { len: number; name: string },
): LayersModel {
  const problem = stockPoolingProblem(w.pooling, w.bidirectional);
  if (problem !== undefined) {
    throw new ExportError(
      `${options.name} branch, pooling ${w.pooling} (MaskedPooling): ${problem}; ` +
        "export it with --format onnx.",
    );
  }
  const { name } = options;
  const input = tfl.input({
    shape: [options.len],
    dtype: "int32",
    name: `${name}_tokens`,
  });
  const embedding = tfl.layers.embedding({
    name: `${name}_embedding`,
    inputDim: w.vocab,
    outputDim: w.embeddingDim,
    maskZero: true,
  });
  const lstm = (suffix: string) =>
    tfl.layers.lstm({
      name: `${name}_lstm${suffix}`,
      units: w.units,
      activation: "tanh",
      recurrentActivation: "sigmoid",
      unitForgetBias: true,
      useBias: true,
      returnSequences: w.pooling === "max",
    });
  const recurrent = w.bidirectional
    ? tfl.layers.bidirectional({
      name: `${name}_bidirectional`,
      layer: lstm("") as unknown as tfl.layers.RNN,
      mergeMode: "concat",
    })
    : lstm("");
  const dense = tfl.layers.dense({
    name: `${name}_dense`,
    units: w.denseUnits,
  });
  let state = quietOrthogonal(() =>
    recurrent.apply(embedding.apply(input))
  ) as tfl.SymbolicTensor;
  if (w.pooling === "max") {
    // exact for a forward LSTM: see the module note
    state = tfl.layers.globalMaxPooling1d({ name: `${name}_pool` })
      .apply(state) as tfl.SymbolicTensor;
  }
  const out = dense.apply(state) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out, name });
  const lstmWeights = (l: BranchWeights["forward"], E: number) => [
    tf.tensor2d(l.kernel, [E, 4 * w.units]),
    tf.tensor2d(l.recurrentKernel, [w.units, 4 * w.units]),
    tf.tensor1d(l.bias),
  ];
  const values = [
    tf.tensor2d(w.embeddings, [w.vocab, w.embeddingDim]),
    ...lstmWeights(w.forward, w.embeddingDim),
    ...(w.backward ? lstmWeights(w.backward, w.embeddingDim) : []),
    tf.tensor2d(w.denseKernel, [
      w.denseKernel.length / w.denseUnits,
      w.denseUnits,
    ]),
    tf.tensor1d(w.denseBias),
  ];
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/**
 * Why stock tfjs-layers cannot pool like this model, or undefined when it
 * can (see the module note).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { stockPoolingProblem } from "./keras.ts";
 * assert.equal(stockPoolingProblem("max", false), undefined);
 * assert.match(stockPoolingProblem("mean", false)!, /ignores the padding mask/);
 * ```
 */
export function stockPoolingProblem(
  pooling: string,
  bidirectional: boolean,
): string | undefined {
  if (pooling === "mean") {
    return "stock GlobalAveragePooling1D ignores the padding mask, and the LSTM repeats its " +
      "last output over padded steps, so no stock layer computes the masked mean";
  }
  if (pooling === "max" && bidirectional) {
    return "stock GlobalMaxPooling1D ignores the padding mask, and the backward LSTM outputs " +
      "its zero initial state over padded steps, so the maximum would include those zeros";
  }
  return undefined;
}

/**
 * `model.json` and `weights.bin` of a layers model, in memory.
 *
 * @param model a layers model
 * @returns the two files' contents
 */
export async function layersModelFiles(
  model: tfl.LayersModel,
): Promise<{ json: string; weights: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({
      modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a),
    });
  }));
  const a = artifacts!;
  const weights = a.weightData === undefined
    ? new Uint8Array()
    : new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData));
  const json = {
    format: "layers-model",
    generatedBy: a.generatedBy,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }],
  };
  return { json: JSON.stringify(json), weights };
}

/**
 * The files of a Keras-format export: `left/` and `right/` (model.json,
 * weights.bin; two even when the encoder is shared), tokenizer.json,
 * scoring.json and, with a lexical channel, lexical.json.
 *
 * @param model a loaded run
 * @returns file name -> contents
 * @throws ExportError naming a part no stock layer computes exactly
 */
export async function kerasFiles(
  model: LoadedModel,
): Promise<Map<string, Uint8Array | string>> {
  const files = new Map<string, Uint8Array | string>();
  const c = model.model;
  for (const side of ["left", "right"] as const) {
    const w = readBranch(model.siamese[side], side);
    const stock = stockBranch(w, {
      len: side === "left" ? c.leftLen : c.rightLen,
      name: side,
    });
    const { json, weights } = await layersModelFiles(stock);
    stock.dispose();
    files.set(`${side}/model.json`, json);
    files.set(`${side}/weights.bin`, weights);
  }
  const { tokenizer, scoring } = exportJson(model);
  files.set("tokenizer.json", JSON.stringify(tokenizer, null, 1) + "\n");
  files.set("scoring.json", JSON.stringify(scoring, null, 1) + "\n");
  if (model.siamese.lexical !== undefined) {
    files.set(
      "lexical.json",
      JSON.stringify(model.siamese.lexical.toJSON()) + "\n",
    );
  }
  return files;
}

/**
 * A stock layers model (as {@link stockBranch} writes it, e.g. after
 * training in Keras and converting back with `tensorflowjs_converter
 * --input_format=keras --output_format=tfjs_layers_model`) as a branch of
 * this repository built from `config`.
 *
 * @param stock the loaded stock model
 * @param config the run's model config (sizes must match)
 * @param side `"left"` or `"right"`: the branch's name
 * @returns the branch, with the stock model's weights
 * @throws Error naming the layer or size that does not match
 */
export function importBranch(
  stock: tfl.LayersModel,
  config: ModelConfig,
  side: string,
): tfl.LayersModel {
  const find = (cls: string) =>
    stock.layers.filter((l) => l.getClassName() === cls);
  const [embedding] = find("Embedding");
  const [dense] = find("Dense");
  const [bi] = find("Bidirectional");
  const [lstm] = find("LSTM");
  const recurrent = config.bidirectional ? bi : lstm;
  if (
    embedding === undefined || dense === undefined || recurrent === undefined
  ) {
    throw new Error(
      `Expected ${side} to be Embedding -> ${
        config.bidirectional ? "Bidirectional(LSTM)" : "LSTM"
      } -> Dense (the run's config) but found layers ${
        stock.layers.map((l) => l.getClassName())
      }`,
    );
  }
  const problem = stockPoolingProblem(config.pooling, config.bidirectional);
  if (problem !== undefined) {
    throw new Error(
      `The run's model.pooling is ${config.pooling}: ${problem}.`,
    );
  }
  const pools = find("GlobalMaxPooling1D").length;
  if (pools !== (config.pooling === "max" ? 1 : 0)) {
    throw new Error(
      `The run's model.pooling is ${config.pooling} but ${side} has ${pools} GlobalMaxPooling1D layers`,
    );
  }
  const lc =
    (bi
      ? bi.getConfig().layer as { config: Record<string, unknown> }
      : undefined)
      ?.config ?? recurrent.getConfig();
  for (
    const [key, want] of Object.entries({
      activation: "tanh",
      recurrentActivation: "sigmoid",
      returnSequences: config.pooling === "max",
    })
  ) {
    if (lc[key] !== undefined && lc[key] !== want) {
      throw new Error(
        `${side} layer ${recurrent.name}: ${key} is ${
          JSON.stringify(lc[key])
        }; expected ${JSON.stringify(want)}`,
      );
    }
  }
  const weights = [embedding, recurrent, dense].flatMap((l) => l.getWeights());
  const branch = buildBranch(config, side, 0);
  const layer = (suffix: string) => branch.getLayer(`${side}${suffix}`);
  const targets = [
    layer("_embedding"),
    layer("_lstm"),
    ...(config.bidirectional ? [layer("_lstm_backward")] : []),
    layer("_dense"),
  ];
  let k = 0;
  for (const t of targets) {
    const n = t.getWeights().length;
    const values = weights.slice(k, k + n);
    t.getWeights().forEach((w, i) => {
      const v = values[i];
      if (v === undefined || v.shape.join() !== w.shape.join()) {
        throw new Error(
          `${side} weight ${
            t.weights[i]?.originalName
          } of ${t.name}: expected shape [${w.shape}] (the run's config) ` +
            `but the imported model has [${v?.shape ?? "none"}]`,
        );
      }
    });
    t.setWeights(values);
    k += n;
  }
  return branch;
}
