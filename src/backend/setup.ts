/**
 * One place that prepares TensorFlow.js for this project under Deno.
 *
 * What it takes to train on tfjs-backend-wasm from Deno, found by trying:
 * - Deno resolves the three packages to their CommonJS bundles
 *   (`dist/*.node.js`). tfjs-core's bundle has the ops but registers no
 *   gradients and no chained ops; its ES module files that would do so use
 *   extension-less imports Deno cannot load.
 * - tfjs-layers' bundle carries its own copy of tfjs-core's gradient configs
 *   and registers them, at import time, into the registry shared through the
 *   global namespace. Importing tfjs-layers (for real: TypeScript drops unused
 *   imports) is therefore what registers the gradients.
 * - Chained ops are installed by {@link registerChainedOps}.
 * - The wasm backend lacks `UnsortedSegmentSum` (gradient of `gather`):
 *   {@link registerSegmentSum} adds it.
 * - Its `BatchMatMul` is ~10x slower with `transposeA`/`transposeB`, which
 *   every matMul gradient uses: {@link registerTransposedMatMul} transposes
 *   explicitly instead.
 * - Its `BatchMatMul` packs the right operand before multiplying, which
 *   costs more than the product when that operand is large and new (as in
 *   gradients): {@link registerBigMatMul} multiplies those without packing.
 * - Its `Sum` over leading axes (every bias gradient) transposes the whole
 *   input first: {@link registerLeadingSum} sums columns instead.
 * - Its `GatherV2` (every Embedding lookup) copies element by element:
 *   {@link registerRowGather} copies whole rows along axis 0.
 * - tfjs-core sees `process.versions.node` under Deno, so IS_NODE is true and
 *   the backend reads its `.wasm` file from the package directory with `fs`:
 *   no network is needed.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { registerChainedOps } from "./chained_ops.ts";
import { registerSegmentSum } from "./segment_sum.ts";
import { registerTransposedMatMul } from "./transposed_matmul.ts";
import { registerBigMatMul } from "./big_matmul.ts";
import { registerLeadingSum } from "./leading_sum.ts";
import { registerRowGather } from "./row_gather.ts";

/** What {@link setupBackend} found and set. */
export interface BackendInfo {
  /** Active backend name, always `"wasm"`. */
  backend: string;
  /** Whether the SIMD build of the wasm binary is in use. */
  simd: boolean;
  /** Threads the wasm backend really uses. */
  threads: number;
  /** Versions of the three packages, for logs. */
  versions: { core: string; layers: string; wasm: string };
}

/** Options for {@link setupBackend}. */
export interface SetupOptions {
  /** Print the one-line summary to stderr. @default true */
  log?: boolean;
}

let ready: Promise<BackendInfo> | undefined;

/**
 * Sets up the wasm backend with SIMD, registers gradients, chained ops and
 * the missing kernels, and prints one line such as
 * `backend wasm  simd on  threads 1` to stderr. Idempotent: later calls
 * return the first call's result.
 *
 * @param options see {@link SetupOptions}
 * @returns what was set up
 *
 * @example
 * ```ts
 * import { setupBackend } from "./setup.ts";
 * const info = await setupBackend({ log: false });
 * console.assert(info.backend === "wasm");
 * ```
 */
export function setupBackend(options: SetupOptions = {}): Promise<BackendInfo> {
  ready ??= init();
  return ready.then((info) => {
    if (options.log ?? true) console.error(describeBackend(info));
    return info;
  });
}

/**
 * The start line for a backend, e.g. `backend wasm  simd on  threads 1`.
 *
 * @example
 * ```ts
 * import { describeBackend } from "./setup.ts";
 * const line = describeBackend({
 *   backend: "wasm", simd: true, threads: 1,
 *   versions: { core: "4.22.0", layers: "4.22.0", wasm: "4.22.0" },
 * });
 * console.assert(line === "backend wasm  simd on  threads 1");
 * ```
 */
export function describeBackend(info: BackendInfo): string {
  return `backend ${info.backend}  simd ${info.simd ? "on" : "off"}  threads ${info.threads}`;
}

async function init(): Promise<BackendInfo> {
  const versions = {
    core: tf.version_core,
    layers: tfl.version_layers, // keeps the import: it registers gradients
    wasm: wasm.version_wasm,
  };
  registerChainedOps();
  registerSegmentSum();
  registerBigMatMul(); // before: the transposed wrapper feeds it
  registerTransposedMatMul();
  registerLeadingSum();
  registerRowGather();
  if (!(await tf.setBackend("wasm"))) {
    throw new Error(
      "Could not start the wasm backend: tf.setBackend('wasm') returned false. " +
        "Check that the npm package @tensorflow/tfjs-backend-wasm@4.22.0 is installed with its .wasm files.",
    );
  }
  await tf.ready();
  if (tf.getGradient("Sigmoid") === undefined) {
    throw new Error(
      "Gradients are not registered: importing @tensorflow/tfjs-layers should have registered them.",
    );
  }
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
  return { backend: tf.getBackend(), simd, threads: wasm.getThreadsCount(), versions };
}
