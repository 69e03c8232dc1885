/**
 * Finding tfjs-backend-wasm's heap, for kernels of our own that work on it
 * in place.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";

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
 * import { heapOf } from "./heap.ts";
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

/** The parts of tfjs-backend-wasm's `BackendWasm` that kernels on its heap use. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  wasm: WasmModuleMemory;
}

/**
 * The byte offset of a tensor's data in the wasm backend's heap.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { setupBackend } from "./setup.ts";
 * import { heapOffset, type WasmHeapBackend } from "./heap.ts";
 * await setupBackend({ log: false });
 * const backend = tf.backend() as unknown as WasmHeapBackend;
 * const x = tf.tensor1d([1, 2]);
 * assert.ok(heapOffset(backend, x) > 0);
 * ```
 */
export function heapOffset(
  backend: WasmHeapBackend,
  t: tf.TensorInfo,
): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
