/**
 * Adam with each variable's update as one WebAssembly kernel call
 * (`adam_update` in `src/wasm/adam.c`) instead of tfjs's thirteen ops per
 * variable. The kernel computes what tfjs's `AdamOptimizer` computes, in the
 * same float32 operations and order, so the weights are bit-identical
 * (`tests/train/fused_adam_test.ts`); the slots, the accumulated powers and
 * the saved optimizer state are `AdamOptimizer`'s own, so checkpoints load
 * either way. On another backend it is `AdamOptimizer`.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import {
  heapOf,
  heapOffset,
  type WasmBackend,
} from "../backend/wasm_backend.ts";
import { LstmKernel } from "../wasm/kernel_instance.ts";

/** What `applyGradients` takes: gradients by variable name, or listed. */
type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];
type Listed = Extract<Gradients, unknown[]>;
type Named = Exclude<Gradients, unknown[]>;

/** The parts of `AdamOptimizer` the update reads (private in its types). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * `tf.train.adam`'s optimizer with a one-kernel update per variable.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { FusedAdam } from "./fused_adam.ts";
 * await setupBackend({ log: false });
 * const w = tf.variable(tf.tensor1d([1, -2, 3, 0.5, 7]));
 * new FusedAdam(0.1).minimize(() => tf.sum(tf.square(w)));
 * assert.ok(Math.abs(w.dataSync()[0]! - 0.9) < 1e-6); // the first step is lr sign(g)
 * ```
 */
export class FusedAdam extends tf.AdamOptimizer {
  /**
   * @param learningRate the step size
   * @param beta1 decay of the first moment
   * @param beta2 decay of the second moment
   * @param epsilon added to the root of the second moment (default the
   *   backend's, 1e-7)
   */
  constructor(
    learningRate: number,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon?: number,
  ) {
    super(learningRate, beta1, beta2, epsilon ?? null!);
  }

  /** Applies one step; see the module documentation. */
  override applyGradients(
    variableGradients: Gradients,
  ): void {
    if (tf.getBackend() !== "wasm") {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as AdamState;
    const backend = tf.backend() as unknown as WasmBackend;
    const kernel = LstmKernel.on(heapOf(backend.wasm));
    const listed = Array.isArray(variableGradients);
    const names = listed
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    // as tfjs: 1 - b^t in float32, from the accumulated powers
    const k = {
      b1: s.beta1,
      c1: 1 - s.beta1,
      b2: s.beta2,
      c2: 1 - s.beta2,
      d1: Math.fround(1 - s.accBeta1.dataSync()[0]!),
      d2: Math.fround(1 - s.accBeta2.dataSync()[0]!),
      eps: s.epsilon,
      negLr: -s.learningRate,
    };
    const engine = tf.engine();
    names.forEach((name, i) => {
      const value = engine.registeredVariables[name]!;
      s.accumulatedFirstMoment[i] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      s.accumulatedSecondMoment[i] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      const gradient = listed
        ? (variableGradients as Listed)[i]!.tensor
        : (variableGradients as Named)[name];
      if (gradient == null) return;
      const m = s.accumulatedFirstMoment[i]!.variable;
      const v = s.accumulatedSecondMoment[i]!.variable;
      if (
        value.dtype !== "float32" || gradient.dtype !== "float32" ||
        gradient.size !== value.size
      ) {
        throw new TypeError(
          `FusedAdam: expected float32 weights and gradients of one size for ${name}`,
        );
      }
      const out = [0, 1, 2].map(() =>
        backend.makeOutput(value.shape, "float32")
      );
      const [w2, m2, v2] = out as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
      kernel.adamUpdate(value.size, {
        w: heapOffset(backend, value),
        g: heapOffset(backend, gradient),
        m: heapOffset(backend, m),
        v: heapOffset(backend, v),
        w2: heapOffset(backend, w2),
        m2: heapOffset(backend, m2),
        v2: heapOffset(backend, v2),
      }, k);
      const [tw, tm, tv] = out.map((t) => engine.makeTensorFromTensorInfo(t));
      m.assign(tm!);
      v.assign(tv!);
      value.assign(tw!);
      tf.dispose([tw!, tm!, tv!]);
    });
    tf.tidy(() => {
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}
