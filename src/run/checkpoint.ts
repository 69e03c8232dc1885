/**
 * Resumable checkpoints: everything needed to continue training exactly
 * where it stopped.
 *
 *     <run>/checkpoint/state.json     configs, data spec, vocabularies,
 *                                      loop state (epoch, step, random state,
 *                                      history), best validation figure
 *     <run>/checkpoint/model.bin      both branches' weights, and
 *     <run>/checkpoint/model.json     their names, shapes and dtypes
 *     <run>/checkpoint/optimizer.bin  Adam's step count and moments, its
 *                                      bias-correction powers, and
 *     <run>/checkpoint/optimizer.json their specs
 *
 * The directory is written under a temporary name and swapped in, so a crash
 * leaves the previous checkpoint whole.
 *
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { Dataset, DataSpec } from "../data/dataset.ts";
import { writeDirAtomic, writeFileDurably } from "../io/file_io.ts";
import type { FileFingerprint } from "../io/input_file.ts";
import type { ModelConfig } from "../model/config.ts";
import { savedConfigs } from "./format.ts";
import type { Siamese } from "../model/siamese.ts";
import type { TrainConfig } from "../train/config.ts";
import type { TrainState } from "../train/loop.ts";
import { toCamelKeys, toSnakeKeys } from "../io/json_keys.ts";
import { retrievesBetter } from "../metrics/retrieval.ts";
import { sha256Hex } from "../io/sha256.ts";

/** A tensor with a name, as optimizers and `tf.io.encodeWeights` use them. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/**
 * The format tag of `state.json`: snake_case keys, as `config.json`. @3
 * added Adam's running powers to `optimizer.bin`, which a reader of @2 would
 * misread as moments, so older versions refuse it instead.
 */
export const CHECKPOINT_FORMAT = "siamese-wasm/checkpoint@3";

/**
 * The format tags {@link readCheckpointMeta} reads: @1 had camelCase keys;
 * @1 and @2 have no Adam powers (restored with tfjs's `pow`, as before).
 */
const CHECKPOINT_FORMATS_READ: readonly string[] = [
  CHECKPOINT_FORMAT,
  "siamese-wasm/checkpoint@2",
  "siamese-wasm/checkpoint@1",
];

/** The best validation figure so far and when it was reached. */
export interface Best {
  /** Validation recall@10 (minus the training loss without validation). */
  value: number;
  /** The epoch that reached it. */
  epoch: number;
  /**
   * Validation MRR of that epoch: a later epoch with the same recall@10
   * and a higher MRR takes its place (a small validation split saturates
   * recall@10 early). Absent without validation.
   */
  mrr?: number;
}

/**
 * Whether an epoch's validation figures beat the best so far: a higher
 * recall@10, or the same with a higher MRR.
 *
 * @param best the best so far, if any
 * @param value the epoch's recall@10 (minus its loss without validation)
 * @param mrr the epoch's MRR, if it was validated
 * @returns true when the epoch becomes the best
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { beatsBest } from "./checkpoint.ts";
 * const best = { value: 1, epoch: 2, mrr: 0.8 };
 * assert.equal(beatsBest(undefined, 0.5, 0.1), true);
 * assert.equal(beatsBest(best, 1, 0.9), true);
 * assert.equal(beatsBest(best, 1, 0.8), false);
 * assert.equal(beatsBest(best, 0.99, 1), false);
 * ```
 */
export function beatsBest(
  best: Best | undefined,
  value: number,
  mrr: number | undefined,
): boolean {
  if (best === undefined) return true;
  // without validation (or MRR) there is no tie-break: -Infinity never wins
  return retrievesBetter(
    { recallAt10: value, mrr: mrr ?? -Infinity },
    { recallAt10: best.value, mrr: best.mrr ?? -Infinity },
  );
}

/** Fingerprints of a run's `--data` and `--val` files. */
export interface DataFingerprints {
  /** The training file. */
  data?: FileFingerprint;
  /** The validation file. */
  val?: FileFingerprint;
}

/** What `state.json` holds. */
export interface CheckpointMeta {
  /** The model's configuration. */
  model: ModelConfig;
  /** The training configuration. */
  train: TrainConfig;
  /** Where the data came from (reloaded on resume). */
  data: DataSpec;
  /** The vocabularies the data were tokenized with. */
  vocabularies: Dataset["vocabularies"];
  /** The loop's state. */
  state: TrainState;
  /** The best validation figure so far. */
  best?: Best;
  /** Epochs without improvement so far (for early stopping). */
  stale: number;
  /** The data files' fingerprints, checked on resume (absent in older ones). */
  dataFiles?: DataFingerprints;
  /** SHA-256 of `model.bin` and `optimizer.bin` (absent in older ones). */
  sha256?: { model: string; optimizer: string };
}

/**
 * Names of Adam's running powers beta1^t and beta2^t in `optimizer.bin`.
 * tfjs's `getWeights` leaves them out and `setWeights` recomputes them with
 * `pow`, which rounds differently from the running product the step keeps:
 * a resumed run then drifted in the 7th digit of the loss (issue 19). They
 * are saved and restored as they are; checkpoints without them still load.
 */
const ADAM_POWERS = ["adam/acc_beta1", "adam/acc_beta2"] as const;

/** Adam's private running powers, or none for another optimizer. */
function adamPowers(optimizer: tf.Optimizer): tf.Variable[] {
  if (!(optimizer instanceof tf.AdamOptimizer)) return [];
  const o = optimizer as unknown as Record<string, unknown>;
  const powers = [o.accBeta1, o.accBeta2];
  return powers.every((p) => p instanceof tf.Variable)
    ? powers as tf.Variable[]
    : [];
}

/** Weights of both branches, left first; shared weights once. */
function modelWeights(model: Siamese): NamedTensor[] {
  const branches = model.left === model.right
    ? [model.left]
    : [model.left, model.right];
  return branches.flatMap((b, k) =>
    b.getWeights().map((tensor, i) => ({
      name: `${k}/${i}/${b.weights[i]!.name}`,
      tensor,
    }))
  );
}

/** Writes `<name>.bin` and `<name>.json`; returns the .bin's SHA-256. */
async function writeWeights(
  dir: string,
  name: string,
  tensors: NamedTensor[],
): Promise<string> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const bytes = new Uint8Array(data as ArrayBuffer);
  await writeFileDurably(`${dir}/${name}.bin`, bytes);
  await writeFileDurably(`${dir}/${name}.json`, JSON.stringify(specs));
  return await sha256Hex(bytes);
}

/** A checkpoint file that is missing, cut short or changed. */
function damaged(path: string, problem: string): Error {
  const run = path.replace(/\/checkpoint\/[^/]+$/, "");
  return new Error(
    `Cannot resume: ${path} ${problem}, so the checkpoint is damaged. ` +
      `The model in ${run}, if any, is intact (eval can use it); ` +
      `start again with --out ${run} --force.`,
  );
}

async function readWeights(
  dir: string,
  name: string,
  checksum: string | undefined,
): Promise<NamedTensor[]> {
  const bin = `${dir}/${name}.bin`;
  let specs: tf.io.WeightsManifestEntry[];
  let data: Uint8Array;
  try {
    specs = JSON.parse(await Deno.readTextFile(`${dir}/${name}.json`));
    data = await Deno.readFile(bin);
  } catch (e) {
    throw damaged(
      `${dir}/${name}.*`,
      `cannot be read (${(e as Error).message})`,
    );
  }
  const expected = specs.reduce(
    (sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1),
    0,
  );
  if (data.byteLength !== expected) {
    throw damaged(
      bin,
      `holds ${data.byteLength} bytes where ${name}.json describes ${expected}`,
    );
  }
  if (checksum !== undefined && (await sha256Hex(data)) !== checksum) {
    throw damaged(bin, "does not match the SHA-256 recorded in state.json");
  }
  const map = tf.io.decodeWeights(
    data.buffer.slice(
      data.byteOffset,
      data.byteOffset + data.byteLength,
    ) as ArrayBuffer,
    specs,
  );
  return specs.map((s) => ({ name: s.name, tensor: map[s.name]! }));
}

/**
 * Writes a checkpoint into `<dir>/checkpoint`, atomically.
 *
 * @param dir the run directory
 * @param parts the model, its optimizer, and the metadata
 */
export async function saveCheckpoint(
  dir: string,
  parts: { model: Siamese; optimizer: tf.Optimizer; meta: CheckpointMeta },
): Promise<void> {
  const optimizerWeights = [
    ...await parts.optimizer.getWeights(),
    ...adamPowers(parts.optimizer).map((tensor, k) => ({
      name: ADAM_POWERS[k]!,
      tensor,
    })),
  ];
  await writeDirAtomic(`${dir}/checkpoint`, async (tmp) => {
    const sha256 = {
      model: await writeWeights(tmp, "model", modelWeights(parts.model)),
      optimizer: await writeWeights(tmp, "optimizer", optimizerWeights),
    };
    await writeFileDurably(
      `${tmp}/state.json`,
      JSON.stringify(
        toSnakeKeys({ format: CHECKPOINT_FORMAT, ...parts.meta, sha256 }),
        null,
        2,
      ),
    );
  });
}

/**
 * Reads a checkpoint's metadata from `<dir>/checkpoint/state.json`.
 *
 * @param dir the run directory
 */
export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  const path = `${dir}/checkpoint/state.json`;
  let json: { format?: string } & CheckpointMeta;
  try {
    json = toCamelKeys(
      JSON.parse(await Deno.readTextFile(path)),
    ) as typeof json;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `Cannot resume: expected a checkpoint at ${path} but found none. ` +
          "Pass the run directory of an earlier `deno task train`.",
      );
    }
    throw damaged(path, `is not valid JSON (${(e as Error).message})`);
  }
  if (!CHECKPOINT_FORMATS_READ.includes(json.format ?? "")) {
    throw new Error(
      `Cannot resume: expected format "${CHECKPOINT_FORMAT}" in ${path} but found "${json.format}": ` +
        "the checkpoint was written by another version of siamese-wasm. Continue it with that version.",
    );
  }
  const { format: _format, ...meta } = json;
  // checkpoints written before a model config field existed get its default
  return { ...meta, ...savedConfigs(meta) };
}

/**
 * Restores weights and optimizer state saved by {@link saveCheckpoint} into
 * a model built from the same config, and an optimizer of the same kind.
 *
 * @param dir the run directory
 * @param parts the freshly built model and optimizer
 */
export async function restoreCheckpoint(
  dir: string,
  parts: {
    model: Siamese;
    optimizer: tf.Optimizer;
    sha256?: CheckpointMeta["sha256"];
  },
): Promise<void> {
  const saved = await readWeights(
    `${dir}/checkpoint`,
    "model",
    parts.sha256?.model,
  );
  const current = modelWeights(parts.model);
  if (saved.length !== current.length) {
    throw new Error(
      `Cannot resume: the checkpoint has ${saved.length} weight tensors but the model has ${current.length}`,
    );
  }
  current.forEach((w, k) => {
    const s = saved[k]!.tensor.shape;
    if (s.join() !== w.tensor.shape.join()) {
      throw new Error(
        `Cannot resume: weight ${
          saved[k]!.name
        } in ${dir}/checkpoint/model.bin has shape [${s}] ` +
          `but the model of state.json needs [${w.tensor.shape}]: the checkpoint does not fit its own settings.`,
      );
    }
  });
  const branches = parts.model.left === parts.model.right
    ? [parts.model.left]
    : [parts.model.left, parts.model.right];
  let k = 0;
  for (const b of branches) {
    const n = b.weights.length;
    b.setWeights(saved.slice(k, k + n).map((w) => w.tensor));
    k += n;
  }
  tf.dispose(saved.map((w) => w.tensor));
  const opt = await readWeights(
    `${dir}/checkpoint`,
    "optimizer",
    parts.sha256?.optimizer,
  );
  const isPower = (w: NamedTensor) =>
    (ADAM_POWERS as readonly string[]).includes(w.name);
  await parts.optimizer.setWeights(opt.filter((w) => !isPower(w)));
  const powers = adamPowers(parts.optimizer);
  for (const w of opt.filter(isPower)) {
    powers[ADAM_POWERS.indexOf(w.name as typeof ADAM_POWERS[number])]
      ?.assign(w.tensor as tf.Scalar);
  }
  tf.dispose(opt.filter(isPower).map((w) => w.tensor));
}
