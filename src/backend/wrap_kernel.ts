/**
 * Registering kernels of our own for tfjs-backend-wasm: new ones
 * ({@link addWasmKernels}), and wrappers around its own
 * ({@link wrapWasmKernel}), the two shapes every kernel in this folder takes.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";

/** Names of the wrappers a kernel function is made of, outermost last. */
const WRAPPERS = Symbol("wrappers");

type Wrapped = tf.KernelFunc & { [WRAPPERS]?: readonly string[] };

/**
 * Registers `wrap(original)` as the wasm backend's `kernelName` kernel,
 * unless a wrapper of that name is already part of it (so each register
 * function can be called any number of times, and wrappers may stack: the
 * transposed-matMul wrapper sits on the big-matMul one).
 *
 * @param kernelName the tfjs kernel, e.g. `tf.GatherV2`
 * @param wrapper the wrapper's name, used in errors and to detect it
 * @param wrap builds the new kernel function from the one registered now
 * @returns true if this call installed the wrapper
 * @throws Error when the wasm backend has no such kernel
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * import { wrapWasmKernel } from "./wrap_kernel.ts";
 * await setupBackend({ log: false });
 * let calls = 0;
 * const wrapped = () =>
 *   wrapWasmKernel(tf.Neg, "countNeg", (original) => (args) => {
 *     calls++;
 *     return original(args);
 *   });
 * assert.ok(wrapped() === true && wrapped() === false);
 * assert.deepEqual([...tf.neg(tf.tensor1d([1, -2])).dataSync()], [-1, 2]);
 * assert.ok(calls === 1);
 * ```
 */
export function wrapWasmKernel(
  kernelName: string,
  wrapper: string,
  wrap: (original: tf.KernelFunc) => tf.KernelFunc,
): boolean {
  const config = tf.getKernel(kernelName, "wasm");
  if (config === undefined) {
    throw new Error(
      `${wrapper}: the wasm backend's ${kernelName} kernel is not registered`,
    );
  }
  const inner = config.kernelFunc as Wrapped;
  const below = inner[WRAPPERS] ?? [];
  if (below.includes(wrapper)) return false;
  const outer = wrap(inner) as Wrapped;
  outer[WRAPPERS] = [...below, wrapper];
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...config, kernelFunc: outer });
  return true;
}

/**
 * Registers each of `kernels` (name -> kernel function) that the wasm
 * backend does not have yet, so register functions can be called any number
 * of times.
 *
 * @param kernels the kernels by name
 * @returns true if this call registered any
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * import { addWasmKernels } from "./wrap_kernel.ts";
 * await setupBackend({ log: false });
 * const add = () => addWasmKernels({ ExampleNoop: (({ inputs }) => inputs.x!) as tf.KernelFunc });
 * assert.ok(add() === true && add() === false);
 * ```
 */
export function addWasmKernels(
  kernels: Readonly<Record<string, tf.KernelFunc>>,
): boolean {
  let added = false;
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, "wasm") !== undefined) continue;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
    added = true;
  }
  return added;
}
