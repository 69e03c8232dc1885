/**
 * Chained tensor methods (`x.square()`, `x.add(y)`) without tfjs-core's
 * `public/chained_ops/*` files.
 *
 * Why: Deno loads tfjs-core's CommonJS bundle (`dist/tf-core.node.js`), which
 * holds the ops but not the side-effect files that patch `Tensor.prototype`;
 * those live only as ES modules with extension-less imports that Deno refuses.
 * The methods are thin forwards to the functional ops, so we install the
 * forwards ourselves from the op functions that the bundle exports.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";

/** Ops whose method name equals the function name (`x.abs()` is `tf.abs(x)`). */
const SAME_NAME_OPS = [
  "abs",
  "acos",
  "acosh",
  "add",
  "all",
  "any",
  "argMax",
  "argMin",
  "asin",
  "asinh",
  "atan",
  "atan2",
  "atanh",
  "avgPool",
  "batchToSpaceND",
  "batchNorm",
  "broadcastTo",
  "cast",
  "ceil",
  "clipByValue",
  "concat",
  "conv1d",
  "conv2d",
  "conv2dTranspose",
  "cos",
  "cosh",
  "cumprod",
  "cumsum",
  "depthToSpace",
  "depthwiseConv2d",
  "dilation2d",
  "div",
  "divNoNan",
  "dot",
  "elu",
  "equal",
  "erf",
  "euclideanNorm",
  "exp",
  "expandDims",
  "expm1",
  "floor",
  "floorDiv",
  "gather",
  "greater",
  "greaterEqual",
  "isFinite",
  "isInf",
  "isNaN",
  "leakyRelu",
  "less",
  "lessEqual",
  "localResponseNormalization",
  "log",
  "log1p",
  "logSigmoid",
  "logSoftmax",
  "logSumExp",
  "logicalAnd",
  "logicalNot",
  "logicalOr",
  "logicalXor",
  "matMul",
  "max",
  "maxPool",
  "maximum",
  "mean",
  "min",
  "minimum",
  "mirrorPad",
  "mod",
  "mul",
  "neg",
  "norm",
  "notEqual",
  "oneHot",
  "onesLike",
  "pad",
  "pool",
  "pow",
  "prelu",
  "prod",
  "reciprocal",
  "relu",
  "relu6",
  "reshape",
  "reverse",
  "round",
  "rsqrt",
  "selu",
  "separableConv2d",
  "sigmoid",
  "sign",
  "sin",
  "sinh",
  "slice",
  "softmax",
  "softplus",
  "spaceToBatchND",
  "split",
  "sqrt",
  "square",
  "squaredDifference",
  "squeeze",
  "stack",
  "step",
  "stridedSlice",
  "sub",
  "sum",
  "tan",
  "tanh",
  "tile",
  "topk",
  "transpose",
  "unique",
  "unsortedSegmentSum",
  "unstack",
  "where",
  "zerosLike",
] as const;

type AnyOp = (...args: unknown[]) => unknown;

/**
 * Installs the chained tensor methods on tfjs-core's global `Tensor` class.
 * Safe to call more than once; an existing method is never replaced.
 *
 * @returns the number of methods installed by this call
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * await setupBackend({ log: false });
 * import { registerChainedOps } from "./chained_ops.ts";
 * registerChainedOps();
 * const t = tf.tensor1d([1, 2]);
 * // deno-lint-ignore no-explicit-any
 * assert.ok((t as any).square() instanceof tf.Tensor);
 * ```
 */
export function registerChainedOps(): number {
  const ops = tf as unknown as Record<string, AnyOp | undefined>;
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  let installed = 0;
  const install = (method: string, op: AnyOp, extra: unknown[] = []) => {
    if (method in proto) return;
    Object.defineProperty(proto, method, {
      configurable: true,
      writable: true,
      value: function (this: tf.Tensor, ...args: unknown[]) {
        this.throwIfDisposed();
        return op(this, ...extra, ...args);
      },
    });
    installed++;
  };
  for (const name of SAME_NAME_OPS) {
    const op = ops[name];
    if (typeof op === "function") install(name, op);
  }
  const cast = ops.cast as AnyOp;
  const reshape = ops.reshape as AnyOp;
  install("asType", cast);
  install("toFloat", cast, ["float32"]);
  install("toInt", cast, ["int32"]);
  install("toBool", cast, ["bool"]);
  install("flatten", reshape, [[-1]]);
  install("asScalar", reshape, [[]]);
  install("as1D", reshape, [[-1]]);
  for (const rank of [2, 3, 4, 5]) {
    install(
      `as${rank}D`,
      function (this: unknown, x: unknown, ...dims: unknown[]) {
        return reshape(x, dims);
      } as AnyOp,
    );
  }
  install(
    "reshapeAs",
    ((x: tf.Tensor, y: tf.Tensor) => tf.reshape(x, y.shape)) as AnyOp,
  );
  return installed;
}
