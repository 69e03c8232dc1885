/**
 * The TensorFlow.js types this project's public functions take and return,
 * named once as documented aliases (so `deno doc` documents them here, not
 * through tfjs's own declarations). Shapes use the letters of the style
 * guide: B batch, T timesteps, D output width.
 *
 * @module
 */
import type * as tf from "../deps/tfjs_core.ts";
import type * as tfl from "../deps/tfjs_layers.ts";

/** A 1-D tensor: labels, distances or similarities `[B]`. */
export type Tensor1D = tf.Tensor1D;

/** A 2-D tensor: token ids `[B, T]` or branch outputs `[B, D]`. */
export type Tensor2D = tf.Tensor2D;

/** A 0-D tensor: a loss. */
export type Scalar = tf.Scalar;

/** A tfjs optimizer (Adam by default). */
export type Optimizer = tf.Optimizer;

/** A tfjs-layers model: one branch, token ids `[B, T]` to vectors `[B, D]`. */
export type LayersModel = tfl.LayersModel;

/** A tfjs-layers layer, such as the LSTM of a branch. */
export type Layer = tfl.layers.Layer;
