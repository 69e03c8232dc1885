/**
 * SHA-256 digests as hex, for checksums (checkpoints) and fingerprints (a
 * model's files, a corpus).
 *
 * @module
 */

/**
 * SHA-256 of `bytes`, or of several parts as one message, in lower-case hex.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { sha256Hex } from "./sha256.ts";
 * const abc = new TextEncoder().encode("abc");
 * assert.equal(
 *   await sha256Hex(abc),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * assert.equal(await sha256Hex([abc.subarray(0, 1), abc.subarray(1)]), await sha256Hex(abc));
 * ```
 */
export async function sha256Hex(
  bytes: Uint8Array | readonly Uint8Array[],
): Promise<string> {
  let all: Uint8Array;
  if (bytes instanceof Uint8Array) {
    all = bytes;
  } else {
    all = new Uint8Array(bytes.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of bytes) {
      all.set(p, o);
      o += p.length;
    }
  }
  const digest = await crypto.subtle.digest("SHA-256", all as BufferSource);
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
