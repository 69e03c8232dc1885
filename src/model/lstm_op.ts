/**
 * The LSTM recurrence as one differentiable TensorFlow.js op.
 *
 * Forward and backpropagation through time run in the WebAssembly kernel of
 * `src/wasm/`, registered by the backend (src/backend/lstm_kernels.ts) as
 * the tfjs kernels `FusedLstm` and `FusedLstmGrad` for the `wasm` backend;
 * they read and write the backend's heap directly. {@link lstmRecurrence}
 * wraps them in `tf.customGrad`; the gradient of the recurrent kernel is one
 * large product over the valid steps (`recurrentKernelGradient`).
 *
 * Letters: B batch, T timesteps, H units, G = 4H (gate order i, f, g, o).
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import {
  FUSED_LSTM,
  FUSED_LSTM_GRAD,
  recurrentKernelGradient,
} from "../backend/lstm_kernels.ts";
import { lstmReadsTables } from "../backend/lstm_threads.ts";

/** Whether a gradient tape is recording (tfjs-core keeps this private). */
function recording(): boolean {
  const state =
    (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 1) > 0;
}

type Recurrence = (
  xp: tf.Tensor,
  u: tf.Tensor2D,
  mask: tf.Tensor2D,
) => tf.Tensor;

/**
 * The recurrence with its hand-derived gradient, for one output kind. With
 * `ids`, `xp` is the projected vocabulary `[V, G]`: the kernel reads row
 * `ids[b, t]` at step t of row b, so no `[B, T, G]` projection is gathered,
 * and the table's gradient is the segment sum of the pre-activations'
 * gradient by id (what a gather's gradient is).
 */
function differentiable(sequences: boolean, ids?: tf.Tensor2D): Recurrence {
  const f = (
    xp: tf.Tensor,
    u: tf.Tensor2D,
    mask: tf.Tensor2D,
    save: tf.GradSaveFunc,
  ) => {
    const [hs, cs, gates, hLast] = tf.engine().runKernel(
      FUSED_LSTM,
      ids ? { xp, u, mask, ids } : { xp, u, mask },
      { train: true, sequences },
    ) as tf.Tensor[];
    // ids are saved too: the caller may dispose them before the gradient runs
    save([u, mask, hs!, cs!, gates!, ...(ids ? [ids] : [])]);
    return {
      value: sequences ? hs! : hLast!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [u, mask, hs, cs, gates, savedIds] = saved as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor3D,
          tf.Tensor3D,
          tf.Tensor3D,
          tf.Tensor2D | undefined,
        ];
        const [B, T, H] = hs.shape;
        const [dz, hPrevT] = tf.engine().runKernel(
          FUSED_LSTM_GRAD,
          { dy, gates, cs, mask, u, hs },
          { sequences },
        ) as [tf.Tensor3D, tf.Tensor2D]; // [B, T, G], [H, B*T]
        const dz2 = tf.reshape(dz, [B * T, 4 * H]) as tf.Tensor2D;
        // dU = H_prev^T dZ with H_prev = h_{t-1}, zero at t = 0; the
        // padded steps (dZ = 0) are skipped
        const du = recurrentKernelGradient(hPrevT, dz2, mask); // [H, G]
        const dxp = savedIds === undefined ? dz : tf.unsortedSegmentSum(
          dz2,
          tf.reshape(savedIds, [B * T]),
          xp.shape[0]!,
        ); // [B, T, G], or the table's [V, G]
        return [dxp, du, tf.zerosLike(mask)];
      },
    };
  };
  return tf.customGrad(
    f as unknown as Parameters<typeof tf.customGrad>[0],
  ) as unknown as Recurrence;
}

const recurrences = {
  sequences: differentiable(true),
  last: differentiable(false),
};

/** Options of {@link lstmRecurrence}. */
export interface RecurrenceOptions {
  /** Return h for every step `[B, T, H]`, else only the last `[B, H]`. @default true */
  returnSequences?: boolean;
}

/** Throws unless `u` is the recurrent kernel `[H, G]` for G = 4H gate columns. */
function checkRecurrentKernel(u: tf.Tensor2D, G: number): void {
  const H = G / 4;
  if (u.shape[0] !== H || u.shape[1] !== G) {
    throw new RangeError(
      `Expected u of shape [${H}, ${G}] but found [${u.shape}]`,
    );
  }
}

/**
 * Runs the LSTM recurrence from zero state over precomputed input
 * projections: per step t, `z = xp[:, t] + h U`, `i, f, o = sigmoid`,
 * `g = tanh`, `c = f c + i g`, `h = o tanh(c)`; where `mask` is 0 the state
 * (h, c) is carried unchanged and the output is the carried h.
 * Differentiable in `xp` and `u`. Units that are not a multiple of 4 are
 * padded with zero weights (which keep the padded h and c at 0) and sliced off.
 *
 * @param xp input projection `x W + b`, `[B, T, 4H]`
 * @param u recurrent kernel, `[H, 4H]`
 * @param mask 1 for valid steps and 0 for padding, `[B, T]`, float32
 * @param options see {@link RecurrenceOptions}
 * @returns h for every step, `[B, T, H]`, or the last h, `[B, H]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { lstmRecurrence } from "./lstm_op.ts";
 * await setupBackend({ log: false });
 * const hs = lstmRecurrence(tf.zeros([2, 3, 16]), tf.zeros([4, 16]), tf.ones([2, 3]));
 * assert.ok(hs.shape.join() === "2,3,4");
 * const h = lstmRecurrence(tf.zeros([2, 3, 16]), tf.zeros([4, 16]), tf.ones([2, 3]), {
 *   returnSequences: false,
 * });
 * assert.ok(h.shape.join() === "2,4");
 * ```
 */
export function lstmRecurrence(
  xp: tf.Tensor3D,
  u: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: RecurrenceOptions = {},
): tf.Tensor {
  const sequences = options.returnSequences ?? true;
  const [B, T, G] = xp.shape;
  const H = G / 4;
  checkRecurrentKernel(u, G);
  if (H % 4 !== 0) {
    return tf.tidy(() => {
      const Hp = Math.ceil(H / 4) * 4;
      const padUnits = (t: tf.Tensor, rows: number) =>
        tf.pad(tf.reshape(t, [rows, 4, H]), [[0, 0], [0, 0], [0, Hp - H]]);
      const xpP = tf.reshape(padUnits(xp, B * T), [
        B,
        T,
        4 * Hp,
      ]) as tf.Tensor3D;
      const uP = tf.reshape(
        tf.pad(padUnits(u, H), [[0, Hp - H], [0, 0], [0, 0]]),
        [Hp, 4 * Hp],
      ) as tf.Tensor2D;
      const out = lstmRecurrence(xpP, uP, mask, options);
      return sequences
        ? tf.slice(out, [0, 0, 0], [B, T, H])
        : tf.slice(out, [0, 0], [B, H]);
    });
  }
  if (!recording()) {
    const out = tf.engine().runKernel(FUSED_LSTM, { xp, u, mask }, {
      train: false,
      sequences,
    });
    return (Array.isArray(out) ? out[0] : out) as tf.Tensor;
  }
  return recurrences[sequences ? "sequences" : "last"](xp, u, mask);
}

/**
 * {@link lstmRecurrence} over a projected vocabulary: step t of row b reads
 * row `ids[b, t]` of `table` as its input projection. The kernel reads the
 * table directly, so the `[B, T, 4H]` projection is never gathered; while a
 * gradient tape records, the table's gradient is the segment sum of the
 * pre-activations' gradient by id. Where the kernel cannot read a table
 * (units not a multiple of 4, another backend, a thread pool working on
 * copies) the rows are gathered first and {@link lstmRecurrence} runs,
 * differentiable in `table` through the gather.
 *
 * @param table the projected vocabulary `E W + b`, `[V, 4H]`
 * @param ids token ids `[B, T]`, int32, each below V
 * @param u recurrent kernel, `[H, 4H]`
 * @param mask 1 for valid steps and 0 for padding, `[B, T]`, float32
 * @param options see {@link RecurrenceOptions}
 * @returns h for every step, `[B, T, H]`, or the last h, `[B, H]`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { lstmRecurrence, lstmRecurrenceOverTable } from "./lstm_op.ts";
 * await setupBackend({ log: false });
 * const table = tf.randomNormal([5, 16], 0, 1, "float32", 1) as tf.Tensor2D;
 * const ids = tf.tensor2d([[1, 4, 0], [3, 3, 2]], [2, 3], "int32");
 * const u = tf.randomNormal([4, 16], 0, 0.3, "float32", 2) as tf.Tensor2D;
 * const mask = tf.ones([2, 3]) as tf.Tensor2D;
 * const a = lstmRecurrenceOverTable(table, ids, u, mask).dataSync();
 * const xp = tf.reshape(tf.gather(table, tf.reshape(ids, [6])), [2, 3, 16]) as tf.Tensor3D;
 * const b = lstmRecurrence(xp, u, mask).dataSync();
 * assert.ok(a.every((v, i) => Math.abs(v - b[i]!) < 1e-6));
 * ```
 */
export function lstmRecurrenceOverTable(
  table: tf.Tensor2D,
  ids: tf.Tensor2D,
  u: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: RecurrenceOptions = {},
): tf.Tensor {
  const [B, T] = ids.shape;
  const G = table.shape[1];
  const H = G / 4;
  const direct = H % 4 === 0 && tf.getBackend() === "wasm" &&
    ids.dtype === "int32" && lstmReadsTables();
  if (!direct) {
    return tf.tidy(() =>
      lstmRecurrence(
        tf.reshape(tf.gather(table, tf.reshape(ids, [B * T])), [B, T, G]),
        u,
        mask,
        options,
      )
    );
  }
  checkRecurrentKernel(u, G);
  const sequences = options.returnSequences ?? true;
  if (recording()) return differentiable(sequences, ids)(table, u, mask);
  const out = tf.engine().runKernel(FUSED_LSTM, { xp: table, u, mask, ids }, {
    train: false,
    sequences,
  });
  return (Array.isArray(out) ? out[0] : out) as tf.Tensor;
}
