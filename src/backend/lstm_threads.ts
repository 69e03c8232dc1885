/**
 * The thread pool the LSTM kernels (and large products) run on: how many
 * threads, and whether the pool can work in place on the wasm backend's
 * heap. One pool per process, chosen with {@link setLstmThreads}.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { LstmThreads } from "../wasm/thread_pool.ts";
import { heapOf, type WasmBackend } from "./wasm_backend.ts";

let pool: LstmThreads | undefined;

/**
 * Runs the LSTM kernels on `threads` threads from now on: the calling
 * thread plus `threads - 1` workers, each taking a share of the batch rows.
 * 1 stops the workers and returns to one thread (the default). Call it
 * with 1 before exiting, or the workers keep the process alive.
 *
 * @param threads total threads, at least 1
 * @returns the threads now in use
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setLstmThreads } from "./lstm_threads.ts";
 * assert.ok(await setLstmThreads(2) === 2);
 * assert.ok(await setLstmThreads(1) === 1);
 * ```
 */
export async function setLstmThreads(threads: number): Promise<number> {
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new RangeError(
      `Expected threads to be an integer of at least 1 but found ${threads}`,
    );
  }
  const heap = sharedHeap();
  if (pool?.threads === threads && pool.heap === heap) return threads;
  pool?.stop();
  pool = threads > 1 ? await LstmThreads.start(threads, heap) : undefined;
  return threads;
}

/**
 * The wasm backend's heap when it is a shared memory (tfjs runs its
 * multithreaded build), which the LSTM workers can then use in place.
 */
function sharedHeap(): WebAssembly.Memory | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const heap = heapOf((tf.backend() as unknown as WasmBackend).wasm);
  return heap.buffer instanceof SharedArrayBuffer ? heap : undefined;
}

/**
 * The LSTM thread pool, if one runs and works in place on `heap`: then
 * it may split other large kernels too (see big_matmul.ts).
 *
 * @param heap the wasm backend's heap
 * @returns the pool, or undefined
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { inPlacePool } from "./lstm_threads.ts";
 * assert.ok(inPlacePool(new WebAssembly.Memory({ initial: 1 })) === undefined);
 * ```
 */
export function inPlacePool(heap: WebAssembly.Memory): LstmThreads | undefined {
  return pool?.heap === heap ? pool : undefined;
}

/**
 * The pool, if it can run kernels on `heap` (in place or on copies).
 *
 * @param heap the wasm backend's heap
 * @returns the pool, or undefined when the kernels run on one thread
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { poolFor } from "./lstm_threads.ts";
 * assert.ok(poolFor(new WebAssembly.Memory({ initial: 1 })) === undefined);
 * ```
 */
export function poolFor(heap: WebAssembly.Memory): LstmThreads | undefined {
  return pool !== undefined && (pool.heap === undefined || pool.heap === heap)
    ? pool
    : undefined;
}

/**
 * Whether the LSTM kernel can read a projected vocabulary table by id on
 * the current (wasm) backend: on one thread, or with a pool working in
 * place on its heap; not with a pool working on copies.
 *
 * @returns true if `FusedLstm` accepts `ids` now
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "./setup.ts";
 * import { lstmReadsTables } from "./lstm_threads.ts";
 * await setupBackend({ log: false });
 * assert.ok(lstmReadsTables());
 * ```
 */
export function lstmReadsTables(): boolean {
  const be = tf.backend() as unknown as WasmBackend;
  return pool === undefined || pool.heap === heapOf(be.wasm);
}
