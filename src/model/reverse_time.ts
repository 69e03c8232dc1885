/**
 * Reversing sequences in time, mask included, for the backward half of a
 * bidirectional encoder: `[B, T, E]` -> `[B, T, E]`.
 *
 * Post-padded input `[x1 .. xn, pad, pad]` becomes `[pad, pad, xn .. x1]`;
 * since masked steps carry the LSTM state unchanged, an LSTM then reads
 * `xn .. x1` from a zero state, exactly as Keras's `go_backwards` over the
 * real steps. Porting note: Keras wraps this in `Bidirectional`; here the two
 * directions are plain layers, so any LSTM implementation can serve as both.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import * as tfl from "../deps/tfjs_layers.ts";
import { linkTokens, tokenSource } from "./token_table.ts";

/** Reverses axis 1 of its input and of its mask; serializable. */
export class ReverseTime extends tfl.layers.Layer {
  /** Name under which the class is registered for saving and loading. */
  static className = "ReverseTime";

  /** @param args an optional layer name */
  constructor(args: { name?: string } = {}) {
    super(args.name === undefined ? {} : { name: args.name });
    this.supportsMasking = true;
  }

  override computeMask(
    _inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor {
    const m = Array.isArray(mask) ? mask[0] : mask;
    if (m === undefined || m === null) return null as unknown as tf.Tensor;
    // tfjs-backend-wasm 4.22's Reverse returns garbage for bool tensors
    // (reverse([[true, true, false]]) gives [[16, 0, 0]]): go through int32.
    return tf.tidy(() => tf.cast(tf.reverse(tf.cast(m, "int32"), 1), m.dtype));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const out = tf.reverse(x, 1);
    const source = tokenSource(x);
    if (source !== undefined) {
      // a FusedLSTM reading `out` may project the vocabulary (token_table.ts)
      linkTokens(out, {
        ids: () => tf.reverse(source.ids(), 1),
        embeddings: source.embeddings,
      });
    }
    return out;
  }
}
tf.serialization.registerClass(ReverseTime);
