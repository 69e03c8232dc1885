/**
 * Files written so that a crash or error never leaves a half-written target:
 * write to a temporary sibling, flush it to disk, then rename it over the
 * target (rename is atomic within one file system). Also a TensorFlow.js
 * `IOHandler` that saves and loads layers models this way as a directory of
 * `model.json` + `weights.bin`, the format `tf.loadLayersModel` reads.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

/** Bytes per element of unquantized weight dtypes; others are not checked. */
const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
};
/** Bytes per element of quantized weights. */
const QUANTIZED_BYTES: Record<string, number> = {
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/**
 * Writes `data` to `path` atomically: readers see the old file or the whole
 * new one, never part of it. The temporary file `.<name>.tmp-<random>` in the
 * same directory is removed if anything fails.
 *
 * @param path the file to write; its directory must exist
 * @param data bytes, or text written as UTF-8
 *
 * @example
 * ```ts
 * import { strictEqual } from "@std/assert";
 * import { writeFileAtomic } from "./file_io.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/log.txt`, "done\n");
 * strictEqual(await Deno.readTextFile(`${dir}/log.txt`), "done\n");
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const tmp = sibling(path, "tmp");
  try {
    await writeFileDurably(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Options for {@link writeJsonAtomic}. */
export interface WriteJsonOptions {
  /** Indentation passed to `JSON.stringify`. @default 2 */
  space?: number;
}

/**
 * Writes `value` as JSON, with a final newline, atomically (see
 * {@link writeFileAtomic}). If `value` cannot be serialised nothing is written.
 *
 * @param path the file to write; its directory must exist
 * @param value anything `JSON.stringify` accepts
 * @param options see {@link WriteJsonOptions}
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "@std/assert";
 * import { writeJsonAtomic } from "./file_io.ts";
 * const dir = await Deno.makeTempDir();
 * await writeJsonAtomic(`${dir}/config.json`, { units: 64 });
 * deepStrictEqual(JSON.parse(await Deno.readTextFile(`${dir}/config.json`)), { units: 64 });
 * ```
 */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: WriteJsonOptions = {},
): Promise<void> {
  await writeFileAtomic(
    path,
    `${JSON.stringify(value, null, options.space ?? 2)}\n`,
  );
}

/** Options for {@link fileSaver}. */
export interface FileSaverOptions {
  /**
   * Extra JSON-serialisable metadata stored in `model.json`, e.g. the
   * vocabularies; merged over the model's own user-defined metadata.
   * @default none
   */
  userDefinedMetadata?: Record<string, unknown>;
}

/**
 * An `IOHandler` for `model.save` that writes `dir/model.json` and
 * `dir/weights.bin` in the TensorFlow.js layers format. The files are written
 * into a temporary sibling directory which is then renamed to `dir`; an
 * existing `dir` is first renamed away and removed after the swap, so `dir`
 * always holds a complete model (it is absent only for the instant between
 * the two renames). Missing parent directories are created.
 *
 * @param dir the model directory
 * @param options see {@link FileSaverOptions}
 * @returns the handler
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import * as tfl from "../deps/tfjs_layers.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { fileSaver } from "./file_io.ts";
 * await setupBackend({ log: false });
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
 * const dir = `${await Deno.makeTempDir()}/model`;
 * await model.save(fileSaver(dir, { userDefinedMetadata: { epoch: 3 } }));
 * ok((await Deno.stat(`${dir}/weights.bin`)).size === 12);
 * ```
 */
export function fileSaver(
  dir: string,
  options: FileSaverOptions = {},
): tf.io.IOHandler {
  return {
    save: async (
      artifacts: tf.io.ModelArtifacts,
    ): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new TypeError(
          "Expected a layers model with a JSON topology but found a binary (graph model) topology",
        );
      }
      await writeDirAtomic(dir, async (tmp) => {
        const weights = artifacts.weightData === undefined
          ? new Uint8Array()
          : new Uint8Array(
            tf.io.CompositeArrayBuffer.join(artifacts.weightData),
          );
        await writeFileDurably(`${tmp}/${WEIGHTS_BIN}`, weights);
        await writeFileDurably(
          `${tmp}/${MODEL_JSON}`,
          JSON.stringify(modelJson(artifacts, options)),
        );
      });
      return {
        modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts),
      };
    },
  };
}

/**
 * An `IOHandler` for `tf.loadLayersModel` that reads a directory written by
 * {@link fileSaver} (or any `model.json` whose weight paths are files in the
 * same directory), checking the weight files hold the bytes `model.json`
 * describes.
 *
 * @param dir the model directory
 * @returns the handler
 *
 * @example
 * ```ts
 * import { strictEqual } from "@std/assert";
 * import * as tfl from "../deps/tfjs_layers.ts";
 * import { setupBackend } from "../backend/setup.ts";
 * import { fileLoader, fileSaver } from "./file_io.ts";
 * await setupBackend({ log: false });
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
 * const dir = `${await Deno.makeTempDir()}/model`;
 * await model.save(fileSaver(dir));
 * const back = await tfl.loadLayersModel(fileLoader(dir));
 * strictEqual(back.countParams(), 3);
 * ```
 */
export function fileLoader(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const path = `${dir}/${MODEL_JSON}`;
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) {
          throw new Error(`Expected a model file ${path} but found none`);
        }
        throw error;
      }
      const json = JSON.parse(text) as tf.io.ModelJSON;
      if (
        typeof json !== "object" || json === null || !json.modelTopology ||
        !json.weightsManifest
      ) {
        throw new Error(
          `Expected ${path} to hold modelTopology and weightsManifest but found neither or one`,
        );
      }
      return await tf.io.getModelArtifactsForJSON(
        json,
        (manifest) => readWeights(dir, manifest),
      );
    },
  };
}

function modelJson(
  artifacts: tf.io.ModelArtifacts,
  options: FileSaverOptions,
): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy ??
      `TensorFlow.js tfjs-core v${tf.version_core}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{
      paths: [WEIGHTS_BIN],
      weights: artifacts.weightSpecs ?? [],
    }],
  };
  if (artifacts.trainingConfig !== undefined) {
    json.trainingConfig = artifacts.trainingConfig;
  }
  if (artifacts.signature !== undefined) json.signature = artifacts.signature;
  if (artifacts.modelInitializer !== undefined) {
    json.modelInitializer = artifacts.modelInitializer;
  }
  if (artifacts.initializerSignature !== undefined) {
    json.initializerSignature = artifacts.initializerSignature;
  }
  const metadata = {
    ...artifacts.userDefinedMetadata,
    ...options.userDefinedMetadata,
  };
  if (Object.keys(metadata).length > 0) {
    json.userDefinedMetadata = metadata as Record<
      string,
      Record<string, never>
    >;
  }
  return json;
}

async function readWeights(
  dir: string,
  manifest: tf.io.WeightsManifestConfig,
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const name of group.paths) {
      if (
        name.includes("/") || name.includes("\\") || name === "." ||
        name === ".."
      ) {
        throw new Error(
          `Expected weight paths to be file names in ${dir} but found "${name}"`,
        );
      }
      const bytes = await Deno.readFile(`${dir}/${name}`);
      buffers.push(
        bytes.buffer.slice(
          bytes.byteOffset,
          bytes.byteOffset + bytes.byteLength,
        ),
      );
    }
  }
  const data = tf.io.CompositeArrayBuffer.join(buffers);
  const expected = expectedBytes(specs);
  if (expected !== undefined && expected !== data.byteLength) {
    throw new Error(
      `Expected the weight files in ${dir} to hold ${expected} bytes as ${MODEL_JSON} describes but found ${data.byteLength}`,
    );
  }
  return [specs, data];
}

/** Total bytes of the weights, or undefined if a dtype has no fixed size. */
function expectedBytes(
  specs: tf.io.WeightsManifestEntry[],
): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const size = spec.quantization === undefined
      ? DTYPE_BYTES[spec.dtype]
      : QUANTIZED_BYTES[spec.quantization.dtype];
    if (size === undefined) return undefined;
    total += size * spec.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/**
 * Moves the finished directory `tmp` to `dir`, replacing any old `dir`: the
 * old one is renamed to `.<name>.old-<random>` first and removed after the
 * swap (a crash between the two renames leaves it there, whole, for
 * {@link leftoverSiblings} to find).
 *
 * @param tmp a complete directory on the same file system
 * @param dir the directory it becomes
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { replaceDir } from "./file_io.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/new`);
 * await Deno.writeTextFile(`${root}/new/a.txt`, "new");
 * await Deno.mkdir(`${root}/run`);
 * await replaceDir(`${root}/new`, `${root}/run`);
 * assert.equal(await Deno.readTextFile(`${root}/run/a.txt`), "new");
 * ```
 */
export async function replaceDir(tmp: string, dir: string): Promise<void> {
  let old: string | undefined = sibling(dir, "old");
  try {
    await Deno.rename(dir, old);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    old = undefined;
  }
  try {
    await Deno.rename(tmp, dir);
  } catch (error) {
    if (old !== undefined) await Deno.rename(old, dir).catch(() => {});
    throw error;
  }
  if (old !== undefined) await Deno.remove(old, { recursive: true });
}

/**
 * Fills a directory atomically: `fill` writes into a fresh temporary sibling
 * directory, which then replaces `dir` (an existing `dir` is moved aside
 * first and removed after the swap). If `fill` fails, `dir` is untouched and
 * the temporary directory is removed.
 *
 * @param dir the directory to create or replace
 * @param fill writes the contents into the directory it is given
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { writeDirAtomic } from "./file_io.ts";
 * const root = await Deno.makeTempDir();
 * await writeDirAtomic(`${root}/out`, (tmp) => Deno.writeTextFile(`${tmp}/a.txt`, "x"));
 * assert.equal(await Deno.readTextFile(`${root}/out/a.txt`), "x");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  await Deno.mkdir(parentOf(dir), { recursive: true });
  const tmp = sibling(dir, "tmp");
  await Deno.mkdir(tmp);
  try {
    await fill(tmp);
    await replaceDir(tmp, dir);
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw error;
  }
}

/**
 * Writes the bytes of one new file (it must not exist) and flushes them to
 * disk. Every write of this module goes through one, so tests can put one in
 * that fails like a full disk (see {@link setFileWriter}).
 */
export type FileWriter = (path: string, bytes: Uint8Array) => Promise<void>;

/** The writer of a real file system. */
const diskWriter: FileWriter = async (path, bytes) => {
  using file = await Deno.open(path, { write: true, createNew: true });
  let written = 0;
  while (written < bytes.length) {
    written += await file.write(bytes.subarray(written));
  }
  await file.syncData();
};

let writer: FileWriter = diskWriter;

/**
 * Replaces the writer every write of this module uses, e.g. with one that
 * fails like a full disk (`ENOSPC`) to test what a failed save leaves.
 *
 * @param next the new writer; undefined puts the disk's back
 * @returns the writer it replaced
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setFileWriter, writeFileAtomic } from "./file_io.ts";
 * const dir = await Deno.makeTempDir();
 * const full = () => Promise.reject(new Error("No space left on device (os error 28)"));
 * const previous = setFileWriter(full);
 * await assert.rejects(() => writeFileAtomic(`${dir}/a.txt`, "x"), /No space left/);
 * setFileWriter(previous);
 * assert.deepStrictEqual([...Deno.readDirSync(dir)], []);
 * ```
 */
export function setFileWriter(next?: FileWriter): FileWriter {
  const previous = writer;
  writer = next ?? diskWriter;
  return previous;
}

/**
 * Writes a new file (it must not exist) and flushes it to disk before
 * returning, through the current {@link FileWriter}. Not atomic by itself:
 * meant for files inside a directory that {@link writeDirAtomic} swaps in.
 *
 * @param path the new file
 * @param data bytes, or text written as UTF-8
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { writeFileDurably } from "./file_io.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileDurably(`${dir}/a.txt`, "x");
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "x");
 * ```
 */
export async function writeFileDurably(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  await writer(
    path,
    typeof data === "string" ? new TextEncoder().encode(data) : data,
  );
}

/**
 * The leftovers of atomic writes to `path` that a crash interrupted, by tag:
 * `tmp` (unfinished, never used), `old` (a complete previous version, moved
 * aside an instant before its replacement moved in), `new` (a staging
 * directory). Full paths; none when the directory cannot be read.
 *
 * @param path the target of the writes
 * @param tag which leftovers
 * @returns their paths
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { leftoverSiblings } from "./file_io.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/.checkpoint.old-1a2b3c4d`);
 * assert.deepStrictEqual(await leftoverSiblings(`${root}/checkpoint`, "old"), [
 *   `${root}/.checkpoint.old-1a2b3c4d`,
 * ]);
 * ```
 */
export async function leftoverSiblings(
  path: string,
  tag: "tmp" | "old" | "new",
): Promise<string[]> {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  const prefix = `.${trimmed.slice(slash + 1)}.${tag}-`;
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(parentOf(trimmed))) {
      if (entry.name.startsWith(prefix)) {
        out.push(`${trimmed.slice(0, slash + 1)}${entry.name}`);
      }
    }
  } catch {
    return [];
  }
  return out.sort();
}

/**
 * A fresh name `.<name>.<tag>-<random>` next to `path`, for a temporary
 * file or directory that later replaces it.
 *
 * @param path the target
 * @param tag `tmp`, `old` or `new`
 * @returns the sibling path
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { sibling } from "./file_io.ts";
 * assert.match(sibling("runs/a", "new"), /^runs\/\.a\.new-[0-9a-f]{8}$/);
 * ```
 */
export function sibling(path: string, tag: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  const name = trimmed.slice(slash + 1);
  return `${trimmed.slice(0, slash + 1)}.${name}.${tag}-${
    crypto.randomUUID().slice(0, 8)
  }`;
}

function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : trimmed.slice(0, slash);
}
