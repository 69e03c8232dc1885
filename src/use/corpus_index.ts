/**
 * A corpus embedded once: its entries, the right branch's output for each,
 * and fingerprints of the model and corpus that made it. Saved as one file:
 *
 *     "SIAMIDX1"                 8 bytes, the format tag
 *     header length              uint32, little-endian
 *     header                     JSON: format, model and corpus fingerprints,
 *                                size N, width D, the entries (text, id)
 *     padding                    0 to 3 spaces, so the vectors start at a
 *                                multiple of 4 bytes
 *     vectors                    float32 little-endian, row-major [N, D]
 *
 * The lexical vectors are not saved: they are cheap to recompute from the
 * texts, and the model's fingerprint covers its lexical index.
 *
 * @module
 */
import { writeFileAtomic } from "../io/file_io.ts";
import type { TextInput } from "./inputs.ts";

/** The format tag at the start of an index file. */
export const INDEX_MAGIC = "SIAMIDX1";

/** One corpus entry: its text (or token ids) and an optional id of its own. */
export interface CorpusEntry {
  /** The text, or token ids. */
  text: TextInput;
  /** The caller's id for the entry, returned with results. */
  id?: string | number;
}

/** A corpus embedded by one model. */
export interface CorpusIndex {
  /** The entries, in corpus order (index i = line i of the corpus). */
  entries: readonly CorpusEntry[];
  /** Right-branch outputs, row-major `[N, D]`. */
  vectors: Float32Array;
  /** Output width D. */
  dim: number;
  /** Fingerprint of the model that embedded it (`modelFingerprint`). */
  model: string;
  /** Fingerprint of the entries (`jsonFingerprint`). */
  corpus: string;
}

/**
 * Writes an index atomically (temporary name, then rename).
 *
 * @param path the file
 * @param index the index
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { readIndex, writeIndex } from "./corpus_index.ts";
 * const path = `${await Deno.makeTempDir()}/corpus.index`;
 * const index = { entries: [{ text: "a" }, { text: "b", id: 7 }],
 *   vectors: Float32Array.of(1, 2, 3, 4), dim: 2, model: "m", corpus: "c" };
 * await writeIndex(path, index);
 * assert.deepStrictEqual(await readIndex(path), index);
 * ```
 */
export async function writeIndex(
  path: string,
  index: CorpusIndex,
): Promise<void> {
  const enc = new TextEncoder();
  const n = index.entries.length;
  if (index.vectors.length !== n * index.dim) {
    throw new RangeError(
      `Expected ${n} x ${index.dim} vectors but found ${index.vectors.length} numbers`,
    );
  }
  let header = enc.encode(JSON.stringify({
    format: INDEX_MAGIC,
    model: index.model,
    corpus: index.corpus,
    size: n,
    dim: index.dim,
    entries: index.entries,
  }));
  const pad = (4 - (INDEX_MAGIC.length + 4 + header.length) % 4) % 4;
  header = enc.encode(
    new TextDecoder().decode(header) + " ".repeat(pad),
  );
  const start = INDEX_MAGIC.length + 4 + header.length;
  const bytes = new Uint8Array(start + index.vectors.length * 4);
  bytes.set(enc.encode(INDEX_MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(INDEX_MAGIC.length, header.length, true);
  bytes.set(header, INDEX_MAGIC.length + 4);
  index.vectors.forEach((x, i) => view.setFloat32(start + 4 * i, x, true));
  await writeFileAtomic(path, bytes);
}

/**
 * Reads an index written by {@link writeIndex}, checking its shape.
 *
 * @param path the file
 * @returns the index
 * @throws Error naming the file when it is not an index or is cut short
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { readIndex } from "./corpus_index.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "not an index");
 * await assert.rejects(() => readIndex(path), /found no "SIAMIDX1" tag/);
 * ```
 */
export async function readIndex(path: string): Promise<CorpusIndex> {
  const bytes = await Deno.readFile(path);
  const bad = (what: string) =>
    new Error(
      `${path}: expected a corpus index written by \`deno task search --index\` but ${what}`,
    );
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < 12 || magic !== INDEX_MAGIC) {
    throw bad(`found no "${INDEX_MAGIC}" tag at its start`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(12, 12 + length)),
    );
  } catch (e) {
    throw bad(`its header is not JSON (${(e as Error).message})`);
  }
  const { size, dim, entries, model, corpus } = header;
  if (
    typeof size !== "number" || typeof dim !== "number" ||
    !Array.isArray(entries) || entries.length !== size ||
    typeof model !== "string" || typeof corpus !== "string"
  ) {
    throw bad("its header lacks size, dim, entries or fingerprints");
  }
  const start = 12 + length;
  if (bytes.length !== start + size * dim * 4) {
    throw bad(
      `found ${
        bytes.length - start
      } bytes of vectors for ${size} x ${dim} floats (cut short?)`,
    );
  }
  const vectors = new Float32Array(size * dim);
  for (let i = 0; i < vectors.length; i++) {
    vectors[i] = view.getFloat32(start + 4 * i, true);
  }
  return { entries, vectors, dim, model, corpus };
}
