/**
 * Runs the multithreaded SIMD build of tfjs-backend-wasm under Deno.
 *
 * Why it does not run by itself (tfjs-backend-wasm 4.22.0, emscripten glue
 * of the 3.1.2x era), found by reading the glue and trying:
 * - tfjs-core sees `process.versions.node`, so IS_NODE is true and the flag
 *   `WASM_HAS_MULTITHREAD_SUPPORT` answers false (tfjs issue 3830). Setting
 *   it to true selects `tfjs-backend-wasm-threaded-simd.wasm`.
 * - The glue then runs its Node branch: it assigns
 *   `globalThis.Worker = require("worker_threads").Worker` and creates a pool
 *   of 8 workers with `new Worker(locateFile("…worker.js"))`. The backend's
 *   `locateFile` returns a `blob:` URL, which Deno's `node:worker_threads`
 *   rejects (`ERR_WORKER_PATH`; only paths, `file:` and `data:` URLs).
 * - Each worker is then sent `{cmd: "load", urlOrBlob}` where `urlOrBlob` is
 *   a Blob holding the bundle's copy of the glue, whose source refers to
 *   bundle-private names (`require$$0`, `__values`, …) and is read with a
 *   synchronous `importScripts`, which Deno cannot do for a Blob.
 * - The shipped worker logic expects CommonJS `require` and `__filename`
 *   and assigns `location` on the global scope, which Deno's worker scope
 *   defines as getter-only (`TypeError: Cannot set property location`).
 * - The C++ side caps the pool at `emscripten_num_logical_cores() / 2`
 *   (it assumes two hyperthreads per core), which the glue reads from
 *   `os.cpus().length`: on a 2-core machine every request becomes 1 thread.
 *
 * What {@link prepareThreadedWasm} does, for the duration of
 * `tf.setBackend("wasm")` only:
 * - while the glue starts, `globalThis.Worker` answers with
 *   `_PthreadWorker`, a `node:worker_threads` Worker that runs a small
 *   CommonJS prelude (`eval: true`), and the glue's assignment to
 *   `globalThis.Worker` is ignored, so Deno's web `Worker` is untouched
 *   afterwards;
 * - the prelude makes `location` writable and evaluates the worker logic the
 *   package ships (`wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`)
 *   with `require` and `__filename` in scope;
 * - the `load` message is rewritten to name the standalone glue the package
 *   ships (`wasm-out/tfjs-backend-wasm-threaded-simd.js`, the same build: the
 *   same `.wasm` file and the same imports), which the worker logic reads
 *   with `fs` and evaluates; that is emscripten's own default under Node;
 * - `os.cpus()` reports `2 × threads` CPUs so that the C++ cap lets the
 *   requested number through.
 *
 * - the glue fills its pool with 8 workers up front, but tfjs runs
 *   `threads - 1` pthreads on them: each pool slot is a
 *   {@link _LazyPoolWorker}, which starts its worker only when a pthread is
 *   run on it. Measured with 2 threads: the process's resident set after
 *   starting the backend went from 191 MiB to 102 MiB (1 thread: 69 MiB),
 *   the peak of `eval` on 100,000 pairs by about 90 MiB (docs/speed.md).
 *
 * The pool's workers are parked in `Atomics.wait` for the life of the
 * process. Emscripten `ref()`s a worker while a pthread runs on it, which
 * would keep the process alive forever; `_PthreadWorker` ignores
 * `ref()` so the workers stay unref'd and a script exits when its work is
 * done. This is safe for tfjs: XNNPACK's pool runs only inside synchronous
 * kernel calls on the main thread, which wait for the workers to finish.
 *
 * Both stand-ins are global while `tf.setBackend("wasm")` runs: other code
 * that creates a `Worker` or calls `os.cpus()` in that window sees them.
 * Nothing in `node_modules` or the npm cache is modified.
 *
 * Not taken: making the glue take its web path. Deno's web `Worker` accepts
 * only `type: "module"` (`new Worker(blobUrl)` throws "Classic workers are
 * not supported."), and a module worker has no `importScripts`, which the
 * worker logic needs on that path too.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import * as wasm from "../deps/tfjs_backend_wasm.ts";
import { EventEmitter } from "node:events";
import { Worker as NodeWorker } from "node:worker_threads";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { EmbeddedWasm } from "./embedded_wasm.ts";

/**
 * Most threads the threaded build can use: the glue creates a pool of 8
 * workers up front and the C++ side caps the pool at 8.
 */
export const MAX_THREADS = 8;

/** The two scripts every pool worker loads: paths, or their text. */
interface _WorkerScripts {
  /**
   * Standalone emscripten glue, defines `WasmBackendModuleThreadedSimd`:
   * its path, or with `glueSource` a name for it.
   */
  glue: string;
  /** CommonJS module exporting `wasmWorkerContents`: its path. */
  logic: string;
  /** Text of the glue when embedded (the bundle); read from `glue` otherwise. */
  glueSource?: string;
  /** Text of the logic module when embedded; read from `logic` otherwise. */
  logicSource?: string;
}

/**
 * Prepares the threaded SIMD binary of tfjs-backend-wasm for the next
 * `tf.setBackend("wasm")`, with `threads` threads in XNNPACK's pool (the main
 * thread counts as one). With 1 the backend still gets the threaded binary's
 * shared heap, which the LSTM's own pool works on in place, but XNNPACK runs
 * on the calling thread and no pool worker starts (see `XNNPACK_THREADS` in
 * setup.ts for why the project asks for 1). Call it just before `tf.setBackend("wasm")` and call the
 * function it returns once that promise settles: it puts `globalThis.Worker`
 * and `os.cpus` back.
 *
 * From source it needs `--allow-read` (the glue reads the package's `.js`
 * and `.wasm` files); from the bundle nothing. The thread count is fixed for
 * the life of the process.
 *
 * With `embedded` (the single-file bundle) the workers take both scripts from
 * it instead of the package directory.
 *
 * @param threads threads in XNNPACK's pool, an integer from 1 to {@link MAX_THREADS}
 * @param embedded scripts carried by the bundle, if any
 * @returns a function that undoes the temporary overrides
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import * as wasm from "../deps/tfjs_backend_wasm.ts";
 * import { prepareThreadedWasm } from "./threaded_wasm.ts";
 * const restore = prepareThreadedWasm(2);
 * try {
 *   await tf.setBackend("wasm");
 * } finally {
 *   restore();
 * }
 * assert.ok(wasm.getThreadsCount() === 2);
 * ```
 */
export function prepareThreadedWasm(
  threads: number,
  embedded?: EmbeddedWasm,
): () => void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(
      `Expected threads to be an integer from 1 to ${MAX_THREADS} but found ${threads}.`,
    );
  }
  const scripts: _WorkerScripts = embedded
    ? {
      glue: "embedded:tfjs-backend-wasm-threaded-simd.js",
      logic: "embedded:tfjs-backend-wasm-threaded-simd.worker.js",
      glueSource: embedded.threadedGlue,
      logicSource: embedded.threadedWorker,
    }
    : _workerScripts();
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);

  const workerSlot = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  const PoolWorker = class extends _LazyPoolWorker {
    constructor() {
      super(scripts);
    }
  };
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => PoolWorker,
    set: () => {}, // the glue's `globalThis.Worker = worker_threads.Worker`
  });
  // The glue only reads `os.cpus().length`; the entries are placeholders.
  const osSlots = os as { cpus: () => unknown[] };
  const cpus = osSlots.cpus;
  const fakeCpus = Array.from({ length: 2 * threads }, () => ({}));
  osSlots.cpus = () => fakeCpus;

  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    if (workerSlot) Object.defineProperty(globalThis, "Worker", workerSlot);
    else delete (globalThis as { Worker?: unknown }).Worker;
    osSlots.cpus = cpus;
  };
}

let started = 0;

/**
 * How many of the threaded build's pool workers this process started: one
 * per pthread tfjs runs (XNNPACK's `threads - 1`), not the 8 slots its glue
 * makes.
 *
 * @returns the workers started so far
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { startedPoolWorkers } from "./threaded_wasm.ts";
 * assert.ok(startedPoolWorkers() >= 0); // 0 until a threaded backend runs
 * ```
 */
export function startedPoolWorkers(): number {
  return started;
}

/** Locates the two scripts in the installed tfjs-backend-wasm package. */
function _workerScripts(): _WorkerScripts {
  // The package's main file is dist/tf-backend-wasm.node.js.
  const main = wasm.TFJS_BACKEND_WASM_MAIN;
  const dir = new URL("../wasm-out/", main);
  return {
    glue: fileURLToPath(new URL("tfjs-backend-wasm-threaded-simd.js", dir)),
    logic: fileURLToPath(
      new URL("tfjs-backend-wasm-threaded-simd.worker.js", dir),
    ),
  };
}

/**
 * Entry of every pool worker, run as CommonJS (`eval: true`). It is
 * serialised with `toString()`, so it must not refer to anything outside.
 */
function _workerMain(
  require: (id: string) => { wasmWorkerContents: string },
  scripts: _WorkerScripts,
): void {
  // The worker logic assigns these on the global scope in its Node branch;
  // Deno's worker scope has `location` as a getter without setter.
  const names = [
    "self",
    "location",
    "Worker",
    "postMessage",
    "performance",
    "importScripts",
  ];
  for (const name of names) {
    let owner: object | null = globalThis;
    let slot: PropertyDescriptor | undefined;
    while (owner && !(slot = Object.getOwnPropertyDescriptor(owner, name))) {
      owner = Object.getPrototypeOf(owner);
    }
    if (slot === undefined || slot.writable || slot.set) continue;
    Object.defineProperty(globalThis, name, {
      value: undefined,
      writable: true,
      configurable: true,
    });
  }
  let logic: { wasmWorkerContents: string };
  if (scripts.logicSource === undefined) {
    logic = require(scripts.logic);
  } else {
    const module = { exports: {} as { wasmWorkerContents: string } };
    new Function("module", "exports", scripts.logicSource)(
      module,
      module.exports,
    );
    logic = module.exports;
  }
  // The shipped file keeps the script in a template literal, which turned its
  // "\n" escapes into real newlines; the backend undoes that the same way.
  const source = logic.wasmWorkerContents.replace(/\n/g, "\\n");
  new Function("require", "__filename", source)(require, scripts.glue);
  const glueSource = scripts.glueSource;
  if (glueSource !== undefined) {
    // The logic's `load` handler calls `importScripts(glue)`, which would read
    // the file; evaluate the embedded text instead, as indirect eval does there.
    (globalThis as { importScripts?: (url: string) => void }).importScripts =
      () => (0, eval)(glueSource);
  }
}

const _WORKER_SOURCE = `(${_workerMain.toString()})(require, ` +
  `require("node:worker_threads").workerData);`;

/**
 * A pool worker for emscripten's pthreads, built on `node:worker_threads`.
 * The glue calls `new Worker(url)`; the URL (a `blob:` URL of the worker
 * logic) is not used: the worker loads the same logic from the package.
 */
class _PthreadWorker extends NodeWorker {
  readonly #scripts: _WorkerScripts;

  constructor(scripts: _WorkerScripts) {
    // `env: {}`: the default copies `process.env`, which needs env access.
    super(_WORKER_SOURCE, { eval: true, workerData: scripts, env: {} });
    this.#scripts = scripts;
  }

  /** Points the `load` message at the standalone glue instead of a Blob. */
  // deno-lint-ignore no-explicit-any
  override postMessage(message: any, transferList?: readonly any[]): void {
    if (message?.cmd === "load") {
      message = { ...message, urlOrBlob: this.#scripts.glue };
    }
    super.postMessage(message, transferList);
  }

  /** Keeps the worker unref'd: a parked pool thread must not hold the process. */
  override ref(): void {}
}

/**
 * A slot of emscripten's pthread pool whose worker starts only when a
 * pthread is run on it. The glue fills its pool with 8 workers up front and
 * waits until each has loaded the module, but the pool threads tfjs asks for
 * (`threads - 1`) take only that many of them: each of the others would be a
 * parked isolate of about 13 MB. A slot answers `load` at once (keeping the
 * message) and, at the first other message (`run`), starts a
 * {@link _PthreadWorker}, sends it the kept `load` and then the message: the
 * worker reads its messages in order, as it would have. The worker's own
 * `loaded` reply is not passed on (the glue saw one already).
 */
class _LazyPoolWorker extends EventEmitter {
  readonly #scripts: _WorkerScripts;
  #load: unknown;
  #worker: _PthreadWorker | undefined;

  constructor(scripts: _WorkerScripts) {
    super();
    this.#scripts = scripts;
  }

  /** Keeps `load` (and answers it); starts the worker at the first other. */
  // deno-lint-ignore no-explicit-any
  postMessage(message: any, transferList?: readonly any[]): void {
    if (this.#worker === undefined && message?.cmd === "load") {
      this.#load = message;
      setTimeout(() => this.emit("message", { cmd: "loaded" }), 0);
      return;
    }
    if (this.#worker === undefined) {
      const worker = new _PthreadWorker(this.#scripts);
      started++;
      worker.unref();
      let loaded = false;
      worker.on("message", (data) => {
        if (!loaded && data?.cmd === "loaded") loaded = true;
        else this.emit("message", data);
      });
      worker.on("error", (e) => this.emit("error", e));
      worker.on("exit", (code) => this.emit("exit", code));
      if (this.#load !== undefined) worker.postMessage(this.#load);
      this.#worker = worker;
    }
    this.#worker.postMessage(message, transferList);
  }

  /** A slot never holds the process (see {@link _PthreadWorker.ref}). */
  ref(): void {}

  /** Nothing to do: the worker is unref'd from the start. */
  unref(): void {}

  /** Stops the worker, if one started. */
  terminate(): Promise<number> {
    return this.#worker?.terminate() ?? Promise.resolve(0);
  }
}
