/**
 * Which build of the kernel module this engine runs, and its bytes: the
 * relaxed-SIMD build when the engine validates it, else the SIMD128 one,
 * each for a plain or a shared memory (see `kernels_wasm.ts`).
 *
 * @module
 */
import {
  KERNELS_WASM_BASE64,
  KERNELS_WASM_RELAXED_BASE64,
  KERNELS_WASM_RELAXED_SHARED_BASE64,
  KERNELS_WASM_SHARED_BASE64,
} from "./kernels_wasm.ts";

/**
 * The bytes a base64 string encodes.
 *
 * @param base64 the encoded bytes, e.g. a module of `kernels_wasm.ts`
 * @returns the decoded bytes
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { bytesOf } from "./kernel_bytes.ts";
 * assert.deepEqual([...bytesOf("AGFzbQ==")], [0, 97, 115, 109]);
 * ```
 */
export function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

/**
 * The base64 text of bytes: the inverse of {@link bytesOf}, for the
 * generated modules that carry binaries (the kernels, the pretrained
 * weights, the bundle's assets).
 *
 * @param bytes any bytes
 * @returns their base64 encoding
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { base64Of, bytesOf } from "./kernel_bytes.ts";
 * assert.equal(base64Of(new Uint8Array([0, 97, 115, 109])), "AGFzbQ==");
 * const big = new Uint8Array(100_000).map((_, i) => i * 7);
 * assert.deepEqual(bytesOf(base64Of(big)), big);
 * ```
 */
export function base64Of(bytes: Uint8Array): string {
  let s = "";
  // in slices: String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

let relaxed: boolean | undefined;

/**
 * Whether the engine runs relaxed SIMD, so the kernel can use fused
 * multiply-add (V8 has since 11.4; Deno 2.9's does). Decided once.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { relaxedSimd } from "./kernel_bytes.ts";
 * assert.ok(typeof relaxedSimd() === "boolean");
 * ```
 */
export function relaxedSimd(): boolean {
  return relaxed ??= WebAssembly.validate(bytesOf(KERNELS_WASM_RELAXED_BASE64));
}

/**
 * The kernel module's bytes, base64, for a plain or a shared memory: the
 * relaxed-SIMD build when {@link relaxedSimd}, else the SIMD128 one. Worker
 * threads compile the same variant as the calling thread, so every thread
 * rounds alike.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kernelBase64 } from "./kernel_bytes.ts";
 * assert.ok(kernelBase64(true) !== kernelBase64(false));
 * ```
 */
export function kernelBase64(shared: boolean): string {
  if (relaxedSimd()) {
    return shared
      ? KERNELS_WASM_RELAXED_SHARED_BASE64
      : KERNELS_WASM_RELAXED_BASE64;
  }
  return shared ? KERNELS_WASM_SHARED_BASE64 : KERNELS_WASM_BASE64;
}
