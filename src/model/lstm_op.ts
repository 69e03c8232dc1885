/**
 * The LSTM recurrence as one differentiable TensorFlow.js op.
 *
 * Forward and backpropagation through time run in the WebAssembly kernel of
 * `lstm_kernel/`, registered as the tfjs kernels `FusedLstm` and
 * `FusedLstmGrad` for the `wasm` backend; they read and write the backend's
 * heap directly. {@link lstmRecurrence} wraps them in `tf.customGrad`; the
 * gradient of the recurrent kernel is one large `tf.matMul`.
 *
 * Letters: B batch, T timesteps, H units, G = 4H (gate order i, f, g, o).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { LstmKernel } from "./lstm_kernel/kernel.ts";

/** The parts of tfjs-backend-wasm's `BackendWasm` the kernels use. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

let kernel: LstmKernel | undefined;

function f32(backend: WasmHeapBackend, t: tf.TensorInfo): Float32Array {
  if (t.dtype !== "float32") {
    throw new TypeError(
      `FusedLstm: expected float32 tensors but found ${t.dtype}`,
    );
  }
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function forwardKernel(
  { inputs, backend, attrs }: KernelArgs,
): tf.TensorInfo[] {
  const { xp, u, mask } = inputs as Record<string, tf.TensorInfo>;
  const [B, T, G] = xp!.shape as [number, number, number];
  const H = G / 4;
  const train = (attrs as { train: boolean }).train;
  const be = backend as WasmHeapBackend;
  const hs = be.makeOutput([B, T, H], "float32");
  const cs = train ? be.makeOutput([B, T, H], "float32") : undefined;
  const gates = train ? be.makeOutput([B, T, G], "float32") : undefined;
  // Views are taken after makeOutput: an allocation may grow (and detach) the heap.
  kernel ??= LstmKernel.create();
  kernel.forward({
    batch: B,
    steps: T,
    units: H,
    xp: f32(be, xp!),
    u: f32(be, u!),
    mask: f32(be, mask!),
    hs: f32(be, hs),
    ...(cs && gates ? { cs: f32(be, cs), gates: f32(be, gates) } : {}),
  });
  return cs && gates ? [hs, cs, gates] : [hs];
}

function backwardKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const { dhs, gates, cs, mask, u, hs } = inputs as Record<
    string,
    tf.TensorInfo
  >;
  const [B, T, G] = gates!.shape as [number, number, number];
  const H = G / 4;
  const be = backend as WasmHeapBackend;
  const dz = be.makeOutput([B, T, G], "float32");
  const hPrevT = be.makeOutput([H, B * T], "float32");
  kernel ??= LstmKernel.create();
  kernel.backward({
    batch: B,
    steps: T,
    units: H,
    dhs: f32(be, dhs!),
    gates: f32(be, gates!),
    cs: f32(be, cs!),
    mask: f32(be, mask!),
    u: f32(be, u!),
    hs: f32(be, hs!),
    dz: f32(be, dz),
    hPrevT: f32(be, hPrevT),
  });
  return [dz, hPrevT];
}

/**
 * Registers the `FusedLstm` and `FusedLstmGrad` kernels for the `wasm`
 * backend (once). {@link lstmRecurrence} calls it.
 *
 * @returns true if this call registered them, false if they were there
 *
 * @example
 * ```ts
 * import { registerLstmKernels } from "./lstm_op.ts";
 * registerLstmKernels();
 * console.assert(registerLstmKernels() === false);
 * ```
 */
export function registerLstmKernels(): boolean {
  if (tf.getKernel("FusedLstm", "wasm") !== undefined) return false;
  tf.registerKernel({
    kernelName: "FusedLstm",
    backendName: "wasm",
    kernelFunc: forwardKernel as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: "FusedLstmGrad",
    backendName: "wasm",
    kernelFunc: backwardKernel as tf.KernelFunc,
  });
  return true;
}

/** Whether a gradient tape is recording (tfjs-core keeps this private). */
function recording(): boolean {
  const state =
    (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 1) > 0;
}

const differentiable = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((xp: tf.Tensor3D, u: tf.Tensor2D, mask: tf.Tensor2D, save: any) => {
    const [hs, cs, gates] = tf.engine().runKernel(
      "FusedLstm",
      { xp, u, mask },
      { train: true },
    ) as tf.Tensor[];
    (save as tf.GradSaveFunc)([u, mask, hs!, cs!, gates!]);
    return {
      value: hs!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [u, mask, hs, cs, gates] = saved as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor3D,
          tf.Tensor3D,
          tf.Tensor3D,
        ];
        const [B, T, H] = hs.shape;
        const [dz, hPrevT] = tf.engine().runKernel(
          "FusedLstmGrad",
          { dhs: dy, gates, cs, mask, u, hs },
          {},
        ) as [tf.Tensor3D, tf.Tensor2D]; // [B, T, G], [H, B*T]
        // dU = H_prev^T dZ with H_prev = h_{t-1}, zero at t = 0
        const du = tf.matMul(hPrevT, tf.reshape(dz, [B * T, 4 * H])); // [H, G]
        return [dz, du, tf.zerosLike(mask)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

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
 * @returns h for every step, `[B, T, H]`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { setupBackend } from "../backend/setup.ts";
 * import { lstmRecurrence } from "./lstm_op.ts";
 * await setupBackend({ log: false });
 * const hs = lstmRecurrence(tf.zeros([2, 3, 16]), tf.zeros([4, 16]), tf.ones([2, 3]));
 * console.assert(hs.shape.join() === "2,3,4");
 * ```
 */
export function lstmRecurrence(
  xp: tf.Tensor3D,
  u: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Tensor3D {
  registerLstmKernels();
  const [B, T, G] = xp.shape;
  const H = G / 4;
  if (u.shape[0] !== H || u.shape[1] !== G) {
    throw new RangeError(
      `Expected u of shape [${H}, ${G}] but found [${u.shape}]`,
    );
  }
  if (H % 4 !== 0) {
    return tf.tidy(() => {
      const Hp = Math.ceil(H / 4) * 4;
      const xpP = tf.reshape(
        tf.pad(tf.reshape(xp, [B, T, 4, H]), [[0, 0], [0, 0], [0, 0], [
          0,
          Hp - H,
        ]]),
        [B, T, 4 * Hp],
      ) as tf.Tensor3D;
      const uP = tf.reshape(
        tf.pad(tf.reshape(u, [H, 4, H]), [[0, Hp - H], [0, 0], [0, Hp - H]]),
        [Hp, 4 * Hp],
      ) as tf.Tensor2D;
      return tf.slice(lstmRecurrence(xpP, uP, mask), [0, 0, 0], [B, T, H]);
    });
  }
  if (!recording()) {
    const out = tf.engine().runKernel("FusedLstm", { xp, u, mask }, {
      train: false,
    });
    return (Array.isArray(out) ? out[0] : out) as tf.Tensor3D;
  }
  return differentiable(xp, u, mask) as tf.Tensor3D;
}
