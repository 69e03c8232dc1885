/**
 * The wasm backend's binaries and worker scripts carried inside the program
 * (the single-file bundle, `deno task bundle`) instead of read from the npm
 * package directory.
 *
 * How the bytes reach the backend, found by reading tfjs-backend-wasm 4.22:
 * `setWasmPaths(fileMap, true)` makes its `init` hand the emscripten factory
 * an `instantiateWasm` callback that loads the binary with
 * `tf.util.fetch(path)`; under Deno that is the global `fetch`, which reads a
 * `blob:` URL from memory without any permission. So each embedded binary
 * becomes a `blob:` URL for the duration of `tf.setBackend("wasm")`: nothing
 * is written to disk and nothing is read from it.
 *
 * One more thing the bundle needs: `deno bundle` inlines the backend's ES
 * module build, whose emscripten glue takes its Node branch (tfjs sees
 * `process.versions.node`) and reads the free variable `__dirname`, which an
 * ES module does not have. {@link prepareEmbeddedWasm} defines it (as a
 * directory that is never read) while the glue starts.
 *
 * @module
 */
import * as wasm from "../deps/tfjs_backend_wasm.ts";

/** What a bundle embeds, as produced by `tasks/build_embedded.ts`. */
export interface EmbeddedWasm {
  /** `tfjs-backend-wasm-simd.wasm`, base64. */
  simd: string;
  /** `tfjs-backend-wasm-threaded-simd.wasm`, base64. */
  threadedSimd: string;
  /** `wasm-out/tfjs-backend-wasm-threaded-simd.js`: the standalone glue every pool worker evaluates. */
  threadedGlue: string;
  /** `wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`: CommonJS module exporting `wasmWorkerContents`. */
  threadedWorker: string;
}

let installed: EmbeddedWasm | undefined;

/**
 * Makes the backend use `assets` instead of the npm package's files. The
 * bundle's entry calls it once, before any command runs.
 *
 * @param assets the embedded binaries and scripts
 */
export function installEmbeddedWasm(assets: EmbeddedWasm): void {
  installed = assets;
}

/**
 * The assets installed by {@link installEmbeddedWasm}, if any.
 *
 * @returns the embedded assets, or `undefined` when running from source
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { embeddedWasm } from "./embedded_wasm.ts";
 * assert.ok(embeddedWasm() === undefined); // from source: read from the package
 * ```
 */
export function embeddedWasm(): EmbeddedWasm | undefined {
  return installed;
}

/**
 * Points the backend at `assets` for the next `tf.setBackend("wasm")`; call
 * the function it returns once that promise settles (it revokes the `blob:`
 * URLs and removes the `__dirname` stand-in).
 *
 * @param assets the embedded binaries and scripts
 * @returns a function that undoes the temporary changes
 */
export function prepareEmbeddedWasm(assets: EmbeddedWasm): () => void {
  const wasmType = { type: "application/wasm" };
  const simd = URL.createObjectURL(new Blob([decode(assets.simd)], wasmType));
  const threaded = URL.createObjectURL(
    new Blob([decode(assets.threadedSimd)], wasmType),
  );
  wasm.setWasmPaths({
    // Never chosen: V8 always has SIMD. The map must name all three.
    "tfjs-backend-wasm.wasm": simd,
    "tfjs-backend-wasm-simd.wasm": simd,
    "tfjs-backend-wasm-threaded-simd.wasm": threaded,
  }, true);
  const scope = globalThis as { __dirname?: string };
  const hadDirname = "__dirname" in scope;
  if (!hadDirname) scope.__dirname = "/embedded-wasm";
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    URL.revokeObjectURL(simd);
    URL.revokeObjectURL(threaded);
    if (!hadDirname) delete scope.__dirname;
  };
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
