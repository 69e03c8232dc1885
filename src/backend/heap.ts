/**
 * Finding tfjs-backend-wasm's heap, for kernels of our own that work on it
 * in place.
 *
 * @module
 */

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
