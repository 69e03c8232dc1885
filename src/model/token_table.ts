/**
 * Lets a {@link FusedLSTM} that reads an Embedding's output project the
 * whole vocabulary once instead of every token.
 *
 * An Embedding followed by the LSTM's input projection computes, per
 * token, `E[id] W + b`. That equals row `id` of the table `E W + b`
 * (`[V, 4H]`), so when the vocabulary V is not larger than the tokens in a
 * batch (B T), gathering rows of the table replaces a `[B T, E] x [E, 4H]`
 * product by a `[V, E] x [E, 4H]` one, and in training the two weight
 * gradients shrink the same way (the gather's gradient sums rows per id).
 * The seed model (V 1000, B 32, T 600) saves about 470 M multiply-adds per
 * training batch. The result is the same function of the same weights, so
 * the layers, their weights and the saved model do not change.
 *
 * The link: {@link traceEmbedding} wraps one Embedding layer's `call` so
 * that each output tensor remembers the ids and the embedding variable it
 * came from; {@link tokenSource} looks that up. Only that exact tensor is
 * linked, plus what a layer links on purpose with {@link linkTokens} (the
 * ReverseTime layer links its output to the reversed ids); anything else
 * computed from it takes the usual projection.
 *
 * When every reader of the Embedding in a model graph is such a layer, the
 * Embedding's own values would never be read, so the traced layer returns
 * zeros of the right shape instead of gathering them (and in training no
 * gradient flows back through them): one `[B T, E]` gather and its segment
 * sum less per batch. Loaded models get the same by {@link traceEmbeddings}.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type * as tfl from "../deps/tfjs_layers.ts";
import { UNREAD_PLACEHOLDER } from "../backend/unread_placeholder.ts";

/** Where an embedded tensor `[B, T, E]` came from. */
export interface TokenSource {
  /**
   * The ids `[B, T]` the Embedding read (int32 or float32). A function, so
   * that ids derived from others (reversed in time) are only computed when
   * used, inside the caller's `tf.tidy`.
   */
  ids: () => tf.Tensor;
  /** The Embedding's table `[V, E]`. */
  embeddings: tfl.LayerVariable;
}

const sources = new WeakMap<tf.Tensor, TokenSource>();

type Call = tfl.layers.Layer["call"];

/**
 * Makes an Embedding layer record, for each output, its ids and table
 * (see the module documentation). Its weights, config and results are
 * unchanged. Calling it twice on one layer is harmless.
 *
 * @param layer a tfjs-layers Embedding layer (built or not)
 * @returns the same layer
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import * as tfl from "../deps/tfjs_layers.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { tokenSource, traceEmbedding } from "./token_table.ts";
 * await setupBackend({ log: false });
 * const layer = traceEmbedding(tfl.layers.embedding({ inputDim: 5, outputDim: 2 }));
 * const ids = tf.tensor2d([[1, 2]], [1, 2], "int32");
 * const out = layer.apply(ids) as tf.Tensor;
 * assert.ok(tokenSource(out)?.ids() === ids);
 * assert.ok(tokenSource(tf.add(out, 0)) === undefined);
 * ```
 */
export function traceEmbedding<L extends tfl.layers.Layer>(layer: L): L {
  const traced = layer as L & { [TRACED]?: true };
  if (traced[TRACED]) return layer;
  const call: Call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const ids = Array.isArray(inputs) ? inputs[0] : inputs;
    const embeddings = layer.weights[0];
    const [V, E] = (embeddings?.shape ?? []) as (number | undefined)[];
    const unread = ids !== undefined && ids.rank === 2 && V !== undefined &&
      E !== undefined && tableIsCheaper(V, ids.shape[0]!, ids.shape[1]!) &&
      onlyTableReaders(layer);
    // every reader reads the projected vocabulary by id instead of these
    // values, so they are not computed (in training, neither is their gradient)
    const out = unread
      ? unreadPlaceholder([ids.shape[0]!, ids.shape[1]!, E])
      : call(inputs, kwargs);
    if (ids !== undefined && embeddings !== undefined && !Array.isArray(out)) {
      linkTokens(out, { ids: () => ids, embeddings });
    }
    return out;
  };
  traced[TRACED] = true;
  return layer;
}

const TRACED = Symbol("traceEmbedding");

/**
 * A float32 tensor of `shape` whose values nobody reads: the Embedding's
 * output when only table readers follow it (they take the ids and the
 * weights from its source instead). On the wasm backend it is the
 * backend's `UnreadPlaceholder` kernel, allocated and not written (why, with
 * measurements: src/backend/unread_placeholder.ts); elsewhere it is filled
 * with zeros.
 */
function unreadPlaceholder(shape: number[]): tf.Tensor {
  if (tf.getBackend() !== "wasm") return tf.fill(shape, 0);
  return tf.engine().runKernel(UNREAD_PLACEHOLDER, {}, { shape }) as tf.Tensor;
}

/**
 * Whether `layer` has readers in a model graph and every one of them takes
 * the vocabulary-table path whenever it is cheaper: a FusedLSTM, or a
 * ReverseTime read only by such. Checked at each call, so a reader added
 * later (any other layer) brings the Embedding's values back.
 */
function onlyTableReaders(layer: tfl.layers.Layer): boolean {
  const nodes = (layer as unknown as {
    outboundNodes: { outboundLayer: tfl.layers.Layer }[];
  }).outboundNodes;
  return nodes.length > 0 && nodes.every(({ outboundLayer: reader }) => {
    const kind = reader.getClassName();
    return kind === "FusedLSTM" ||
      (kind === "ReverseTime" && onlyTableReaders(reader));
  });
}

/**
 * Traces every Embedding layer of a model (see {@link traceEmbedding}), e.g.
 * after loading it from files, where the layers are plain tfjs-layers ones.
 *
 * @param model a built or loaded model
 * @returns the same model
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import * as tfl from "../deps/tfjs_layers.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { tokenSource, traceEmbeddings } from "./token_table.ts";
 * await setupBackend({ log: false });
 * const input = tfl.input({ shape: [null], dtype: "int32" });
 * const emb = tfl.layers.embedding({ inputDim: 5, outputDim: 2 });
 * const model = traceEmbeddings(tfl.model({ inputs: input, outputs: emb.apply(input) as tfl.SymbolicTensor }));
 * const ids = tf.tensor2d([[1, 2]], [1, 2], "int32");
 * assert.ok(tokenSource(emb.apply(ids) as tf.Tensor)?.ids() === ids);
 * assert.ok(model.layers.length === 2);
 * ```
 */
export function traceEmbeddings<M extends tfl.LayersModel>(model: M): M {
  for (const layer of model.layers) {
    if (layer.getClassName() === "Embedding") traceEmbedding(layer);
  }
  return model;
}

/**
 * The ids and table an Embedding output came from, if it was produced by a
 * layer passed to {@link traceEmbedding}.
 *
 * @param x a tensor
 * @returns its source, or undefined
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { tokenSource } from "./token_table.ts";
 * await setupBackend({ log: false });
 * assert.ok(tokenSource(tf.zeros([1, 2, 3])) === undefined);
 * ```
 */
export function tokenSource(x: tf.Tensor): TokenSource | undefined {
  return sources.get(x);
}

/**
 * Records that `x` is the embedding of `source`'s ids, for a layer that
 * rearranges an embedded tensor along with its ids (as ReverseTime does).
 *
 * @param x an embedded tensor `[B, T, E]`
 * @param source its ids and table
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import * as tfl from "../deps/tfjs_layers.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { linkTokens, tokenSource } from "./token_table.ts";
 * await setupBackend({ log: false });
 * const layer = tfl.layers.embedding({ inputDim: 4, outputDim: 3 });
 * const ids = tf.tensor2d([[1, 2]], [1, 2], "int32");
 * const x = tf.reverse(layer.apply(ids) as tf.Tensor, 1);
 * linkTokens(x, { ids: () => tf.reverse(ids, 1), embeddings: layer.weights[0]! });
 * assert.deepEqual([...tokenSource(x)!.ids().dataSync()], [2, 1]);
 * ```
 */
export function linkTokens(x: tf.Tensor, source: TokenSource): void {
  sources.set(x, source);
}

/**
 * Whether projecting the vocabulary beats projecting every token: true
 * when V is at most the batch's token count B T.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { tableIsCheaper } from "./token_table.ts";
 * assert.ok(tableIsCheaper(1000, 32, 600));
 * assert.ok(!tableIsCheaper(20000, 32, 128));
 * ```
 */
export function tableIsCheaper(
  vocab: number,
  batch: number,
  steps: number,
): boolean {
  return vocab <= batch * steps;
}
