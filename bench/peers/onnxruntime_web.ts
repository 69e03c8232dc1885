/**
 * `onnxruntime-web` (WebAssembly, SIMD, threads), pinned in this one place
 * for the bench. Under Deno it reads its `.wasm` from the package.
 *
 * @module
 */
export * from "npm:onnxruntime-web@1.30.0";
