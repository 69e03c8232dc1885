/**
 * The one description of tfjs-backend-wasm's backend object
 * ({@link WasmBackend}) that this project's kernels use, and finding its
 * heap, for kernels of our own that work on it in place.
 *
 * @module
 */
import type * as tf from "../deps/tfjs_core.ts";

/** The parts of tfjs-backend-wasm's module that hold its memory. */
export interface WasmModuleMemory {
  /** Exported memory (single-threaded builds). */
  asm: { memory?: WebAssembly.Memory };
  /** Imported, shared memory (the threaded build). */
  wasmMemory?: WebAssembly.Memory;
}

/**
 * The backend's heap: exported by the single-threaded builds, imported and
 * shared in the threaded build.
 *
 * @param wasm the backend's emscripten module (`backend.wasm`)
 * @returns its memory
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { heapOf } from "./wasm_backend.ts";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * assert.equal(heapOf({ asm: {}, wasmMemory: memory }), memory);
 * ```
 */
export function heapOf(wasm: WasmModuleMemory): WebAssembly.Memory {
  const memory = wasm.asm.memory ?? wasm.wasmMemory;
  if (memory === undefined) {
    throw new Error(
      "Cannot find the wasm backend's memory: neither asm.memory nor wasmMemory is set",
    );
  }
  return memory;
}

/**
 * The parts of tfjs-backend-wasm's `BackendWasm` (which the package does not
 * export as a type) that our kernels use: what a kernel function receives
 * as `backend`, and what `tf.backend()` is once `setupBackend` ran.
 */
export interface WasmBackend {
  /** Allocates an output tensor's buffer on the heap (not initialised). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** Frees a buffer allocated by {@link WasmBackend.makeOutput}. */
  disposeData(dataId: tf.DataId): void;
  /** Adds a user of a tensor's buffer (kernels that share their input). */
  incRef(dataId: tf.DataId): void;
  /** A tensor's values, copied out of the heap. */
  readSync(dataId: tf.DataId): tf.BackendValues;
  /** A view of a tensor's values on the heap (invalid once the heap grows). */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  /** Where each tensor's buffer lives: its byte offset in the heap. */
  dataIdMap: {
    get(dataId: tf.DataId): { memoryOffset: number };
    has(dataId: tf.DataId): boolean;
  };
  /** The backend's emscripten module, which holds the heap. */
  wasm: WasmModuleMemory;
}

/**
 * The byte offset of a tensor's data in the wasm backend's heap.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "../deps/tfjs_core.ts";
 * import { setupBackend } from "./setup.ts";
 * import { heapOffset, type WasmBackend } from "./wasm_backend.ts";
 * await setupBackend({ log: false });
 * const backend = tf.backend() as unknown as WasmBackend;
 * const x = tf.tensor1d([1, 2]);
 * assert.ok(heapOffset(backend, x) > 0);
 * ```
 */
export function heapOffset(
  backend: WasmBackend,
  t: tf.TensorInfo,
): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
