/**
 * `@tensorflow/tfjs-backend-wasm`, pinned in this one place. Every module imports
 * it from here, so the source resolves for a program outside this checkout
 * that imports `mod.ts` by path, with no import map of its own.
 *
 * @module
 */
export * from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";

/** The URL of the package's main module, to find its `.wasm` files beside it. */
export const TFJS_BACKEND_WASM_MAIN: string = import.meta.resolve(
  "npm:@tensorflow/tfjs-backend-wasm@4.22.0",
);
