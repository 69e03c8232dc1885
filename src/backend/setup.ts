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
 * - Every kernel we add or wrap (chained ops, segment sum, masked max,
 *   matMuls, leading sum, row gather, shared identity, the LSTM recurrence,
 *   the unread placeholder) is registered from one ordered list by
 *   {@link registerKernels}, whose module note gives each one's measured
 *   reason.
 * - tfjs-core sees `process.versions.node` under Deno, so IS_NODE is true and
 *   the backend reads its `.wasm` file from the package directory with `fs`:
 *   no network is needed.
 * - With `threads` above 1 the threaded SIMD binary is started through
 *   {@link prepareThreadedWasm}, which explains what that takes under Deno.
 * - In the single-file bundle the binaries and worker scripts come from the
 *   bundle itself: {@link prepareEmbeddedWasm}.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import * as tfl from "../deps/tfjs_layers.ts";
import * as wasm from "../deps/tfjs_backend_wasm.ts";
import { MAX_THREADS, prepareThreadedWasm } from "./threaded_wasm.ts";
import { embeddedWasm, prepareEmbeddedWasm } from "./embedded_wasm.ts";
import { fileURLToPath } from "node:url";
import { registerKernels } from "./kernels.ts";

/** What {@link setupBackend} found and set. */
export interface BackendInfo {
  /** Active backend name, always `"wasm"`. */
  backend: string;
  /** Whether the SIMD build of the wasm binary is in use. */
  simd: boolean;
  /**
   * Threads the process computes on: with more than 1 the backend runs on a
   * shared heap, and the LSTM's pool (`setLstmThreads`) splits the
   * recurrences and the large fresh products over that many threads.
   */
  threads: number;
  /** Threads in XNNPACK's own pool (its products and element-wise ops). */
  xnnpackThreads: number;
  /** Versions of the three packages, for logs. */
  versions: { core: string; layers: string; wasm: string };
}

/** Options for {@link setupBackend}. */
export interface SetupOptions {
  /** Print the one-line summary to stderr. @default true */
  log?: boolean;
  /**
   * Threads for the process, from 1 to {@link MAX_THREADS}; 1 uses the
   * plain SIMD binary, more the threaded SIMD binary, whose shared heap the
   * LSTM's pool (`setLstmThreads`) works on in place; XNNPACK keeps
   * {@link XNNPACK_THREADS}. Fixed for the life of the process by the first
   * call.
   * @default {@link defaultThreads}()
   */
  threads?: number;
}

/**
 * Threads of XNNPACK's own pool in a threaded process: 1, so its products
 * and element-wise ops run on the calling thread, and the process's other
 * threads belong to the LSTM's pool (which also takes the large fresh
 * products, `big_matmul.ts`). XNNPACK's pool worker spins after every op it
 * shares (pthreadpool's spin-wait before sleeping) and takes a core from the
 * LSTM's worker. Measured on the 2-core machine with 2 threads (one process
 * per arm, alternating; docs/speed.md): the spinning pool worker used about
 * 1 ms of CPU per seed inference batch and 5 ms per training step; with 1,
 * seed training took 35.1-36.6 ms per step (25th percentile of 30) against
 * 37.4-44.0, the matcher's 51.2-54.6 against 54.3-62.3, and the seed's
 * inference batch 10.2 ms against 10.8 (mean of six processes each). The
 * numbers do not change: XNNPACK computes each output element the same way
 * whatever its thread count.
 */
export const XNNPACK_THREADS = 1;

let ready: Promise<BackendInfo> | undefined;

/**
 * Sets up the wasm backend with SIMD and `threads` threads, registers
 * gradients, chained ops and the missing kernels, and prints one line such
 * as `backend wasm  simd on  threads 2` to stderr, with the process's
 * thread count. Idempotent: later calls return the first call's
 * result, and throw if they ask for another thread count.
 *
 * Threads need only `--allow-read`; the pool's workers are unref'd, so the
 * process still exits on its own when its work is done.
 *
 * @param options see {@link SetupOptions}
 * @returns what was set up
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "./setup.ts";
 * const info = await setupBackend({ log: false });
 * assert.ok(info.backend === "wasm");
 * ```
 */
export function setupBackend(options: SetupOptions = {}): Promise<BackendInfo> {
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    return Promise.reject(
      new RangeError(
        `Expected threads to be an integer from 1 to ${MAX_THREADS} but found ${threads}.`,
      ),
    );
  }
  const first = ready === undefined;
  ready ??= init(threads);
  return ready.then((info) => {
    if (
      !first && options.threads !== undefined &&
      options.threads !== info.threads
    ) {
      throw new Error(
        `Expected threads to be ${info.threads}, the count the backend already runs with, but found ${options.threads}.`,
      );
    }
    if (options.log ?? true) console.error(describeBackend(info));
    return info;
  });
}

/**
 * The default thread count: `navigator.hardwareConcurrency`, at most
 * {@link MAX_THREADS}, at least 1.
 *
 * @returns the number of threads {@link setupBackend} uses by default
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { defaultThreads } from "./setup.ts";
 * const n = defaultThreads();
 * assert.ok(n >= 1 && n <= 8);
 * ```
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(navigator.hardwareConcurrency, MAX_THREADS));
}

/**
 * The start line for a backend, e.g. `backend wasm  simd on  threads 1`.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { describeBackend } from "./setup.ts";
 * const line = describeBackend({
 *   backend: "wasm", simd: true, threads: 1, xnnpackThreads: 1,
 *   versions: { core: "4.22.0", layers: "4.22.0", wasm: "4.22.0" },
 * });
 * assert.ok(line === "backend wasm  simd on  threads 1");
 * ```
 */
export function describeBackend(info: BackendInfo): string {
  return `backend ${info.backend}  simd ${
    info.simd ? "on" : "off"
  }  threads ${info.threads}`;
}

async function init(threads: number): Promise<BackendInfo> {
  const versions = {
    core: tf.version_core,
    layers: tfl.version_layers, // keeps the import: it registers gradients
    wasm: wasm.version_wasm,
  };
  registerKernels(); // in the one ordered list of kernels.ts
  const embedded = embeddedWasm();
  if (!embedded) await checkPackageReadable();
  const restore: (() => void)[] = [];
  let started: boolean;
  try {
    if (embedded) restore.push(prepareEmbeddedWasm(embedded));
    if (threads > 1) {
      restore.push(prepareThreadedWasm(XNNPACK_THREADS, embedded));
    } else tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    started = await tf.setBackend("wasm");
  } finally {
    for (const undo of restore) undo();
  }
  if (!started) {
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
  return {
    backend: tf.getBackend(),
    simd,
    threads,
    xnnpackThreads: wasm.getThreadsCount(),
    versions,
  };
}

/**
 * From source, the backend reads its `.wasm` files (and the pool workers
 * their scripts) from the npm package, wherever the npm cache or
 * `node_modules` put it: fail early, naming the directory, when that read
 * is not allowed, instead of tfjs's "Make sure the server can serve the
 * `.wasm` file".
 */
async function checkPackageReadable(): Promise<void> {
  const main = wasm.TFJS_BACKEND_WASM_MAIN;
  if (!main.startsWith("file:")) return;
  const path = fileURLToPath(new URL("../", main));
  const descriptor = { name: "read", path } as const;
  let { state } = await Deno.permissions.query(descriptor);
  if (state === "prompt") {
    state = (await Deno.permissions.request(descriptor)).state;
  }
  if (state !== "granted") {
    throw new Error(
      `The wasm backend reads its binaries from ${path}: run with --allow-read ` +
        `(or --allow-read=${path}), or use the single-file bundle ` +
        "(deno task bundle), which carries them.",
    );
  }
}
