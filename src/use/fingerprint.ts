/**
 * Fingerprints: a SHA-256 over what makes a model (its saved files) or a
 * corpus (its entries), so a saved index is used only with what built it.
 *
 * @module
 */
import { sha256Hex } from "../io/sha256.ts";

/** The files of a run directory that define the model, when present. */
const MODEL_FILES = [
  "config.json",
  "left/model.json",
  "left/weights.bin",
  "right/model.json",
  "right/weights.bin",
  "lexical.json",
];

/**
 * The hex SHA-256 of a run's model files (config, weights, lexical index),
 * each preceded by its name.
 *
 * @param dir a run directory
 * @returns 64 hex digits
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { modelFingerprint } from "./fingerprint.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/config.json`, "{}");
 * const a = await modelFingerprint(dir);
 * await Deno.writeTextFile(`${dir}/config.json`, "{ }");
 * assert.ok(a.length === 64 && a !== await modelFingerprint(dir));
 * ```
 */
export async function modelFingerprint(dir: string): Promise<string> {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const name of MODEL_FILES) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(`${dir}/${name}`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    parts.push(enc.encode(`${name}\n${bytes.length}\n`), bytes);
  }
  return await sha256Hex(parts);
}

/**
 * The hex SHA-256 of a JSON-able value (e.g. corpus entries), by its JSON.
 *
 * @param value the value
 * @returns 64 hex digits
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { jsonFingerprint } from "./fingerprint.ts";
 * assert.notEqual(await jsonFingerprint(["a"]), await jsonFingerprint(["b"]));
 * ```
 */
export function jsonFingerprint(value: unknown): Promise<string> {
  return sha256Hex([new TextEncoder().encode(JSON.stringify(value))]);
}
