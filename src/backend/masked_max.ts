/**
 * Masked max pooling over time as two wasm kernels, `MaskedMax` (values and
 * the step each came from) and `MaskedMaxGrad` (the gradient: `dy` put back
 * at those steps), run by the kernel module on the backend's heap.
 *
 * Why: tfjs's gradient of `max` compares every input element with the
 * broadcast maximum (`Equal`), and the wasm backend runs broadcasting
 * element-wise ops one element at a time: for the matcher recipe's
 * `[32, 256, 128]` LSTM outputs that was about 30 ms per call and 120-140
 * ms of a 250-300 ms training step. The masking itself (adding -1e9 at
 * padding, broadcast over the width) cost another ~17 ms per call.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { LstmKernel } from "../wasm/kernel_instance.ts";
import { heapOf, heapOffset, type WasmBackend } from "./wasm_backend.ts";
import { addWasmKernels } from "./wrap_kernel.ts";

type KernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
};

function maskedMax({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const { x, mask } = inputs as { x: tf.TensorInfo; mask?: tf.TensorInfo };
  const b = backend as WasmBackend;
  const [batch, steps, width] = x.shape as [number, number, number];
  const out = b.makeOutput([batch, width], "float32");
  const arg = b.makeOutput([batch, width], "int32");
  if (batch * width > 0) {
    const at = (t: tf.TensorInfo) => heapOffset(b, t);
    LstmKernel.on(heapOf(b.wasm)).maskedMax(
      { batch, steps, width },
      steps > 0 ? at(x) : 0,
      mask !== undefined && steps > 0 ? at(mask) : 0,
      at(out),
      at(arg),
    );
  }
  return [out, arg];
}

function maskedMaxGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, arg } = inputs as { dy: tf.TensorInfo; arg: tf.TensorInfo };
  const steps = (attrs as { steps: number }).steps;
  const b = backend as WasmBackend;
  const [batch, width] = dy.shape as [number, number];
  const dx = b.makeOutput([batch, steps, width], "float32");
  if (batch * steps * width > 0) {
    const at = (t: tf.TensorInfo) => heapOffset(b, t);
    LstmKernel.on(heapOf(b.wasm)).maskedMaxGrad(
      { batch, steps, width },
      at(dy),
      at(arg),
      at(dx),
    );
  }
  return dx;
}

/**
 * Registers `MaskedMax` and `MaskedMaxGrad` for the wasm backend.
 *
 * @returns false when they were already registered
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "./setup.ts";
 * import { registerMaskedMax } from "./masked_max.ts";
 * await setupBackend({ log: false }); // registers them
 * assert.equal(registerMaskedMax(), false);
 * ```
 */
export function registerMaskedMax(): boolean {
  return addWasmKernels({
    MaskedMax: maskedMax as unknown as tf.KernelFunc,
    MaskedMaxGrad: maskedMaxGrad as unknown as tf.KernelFunc,
  });
}

/**
 * Masked max over axis 1 with its gradient, on the wasm kernels: `x [B, T,
 * H]`, `mask [B, T]` (non-zero = a real step; null = all) -> `[B, H]`; a row
 * without real steps gives zeros. Undefined when the current backend has no
 * such kernels (the caller then uses tfjs ops).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * import { maskedMaxOnWasm } from "./masked_max.ts";
 * await setupBackend({ log: false });
 * const x = tf.tensor3d([[[1], [5], [9]]]);
 * const y = maskedMaxOnWasm(x, tf.tensor2d([[1, 1, 0]]))!;
 * assert.deepStrictEqual(y.arraySync(), [[5]]);
 * const g = tf.grad((v: tf.Tensor) => maskedMaxOnWasm(v as tf.Tensor3D, null)!)(x);
 * assert.deepStrictEqual(g.arraySync(), [[[0], [0], [1]]]);
 * ```
 */
export function maskedMaxOnWasm(
  x: tf.Tensor3D,
  mask: tf.Tensor | null,
): tf.Tensor2D | undefined {
  if (
    tf.getBackend() !== "wasm" || x.dtype !== "float32" ||
    tf.getKernel("MaskedMax", "wasm") === undefined
  ) {
    return undefined;
  }
  const [batch, steps] = x.shape;
  const m = mask === null
    ? null
    : tf.reshape(tf.cast(mask, "float32"), [batch, steps]);
  const pool = tf.customGrad(
    ((input: tf.Tensor, save: tf.GradSaveFunc) => {
      const [value, arg] = tf.engine().runKernel(
        "MaskedMax",
        m === null ? { x: input } : { x: input, mask: m },
        {},
      ) as tf.Tensor[];
      save([arg!]);
      return {
        value: value!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.engine().runKernel(
            "MaskedMaxGrad",
            { dy, arg: saved[0]! },
            { steps },
          ) as tf.Tensor,
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  const out = pool(x) as tf.Tensor2D;
  m?.dispose();
  return out;
}
