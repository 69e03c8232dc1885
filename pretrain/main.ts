/**
 * Makes the shipped pretrained encoder `gcide` (`src/model/pretrained_gcide.ts`)
 * from Debian's `dict-gcide`, deterministically:
 *
 * 1. reads GCIDE's dictd files, keeps its headword -> definition pairs
 *    without WordNet's entries (`gcide_pairs.ts`), shuffles them with the
 *    seed and writes `<work>/gcide.tsv`;
 * 2. trains the matcher recipe on it from random weights with the train
 *    command ({@link trainArgs}: the LSTMs alone, no dropout, the epoch kept
 *    by their validation recall@10) into `<work>/run`;
 * 3. writes the kept branch's weights, its vocabulary and the provenance
 *    (package version, SHA-256 of every input, the command) to
 *    `src/model/pretrained_gcide.ts`, through a temporary file.
 *
 *     apt-get install dict-gcide
 *     deno run -A pretrain/main.ts [--epochs 6] [--seed 1] [--threads 2] [--work pretrain/.data] [--reuse]
 *
 * `--reuse` skips step 2 when `<work>/run` already holds the run that step
 * would train (the same command, checked against its stored settings).
 * The weights do not depend on `--threads` (the trainer is deterministic
 * across thread counts). See docs/pretrained.md.
 *
 * @module
 */
import { parseFlags } from "../src/cli/flags.ts";
import { Rng } from "../src/data/rng.ts";
import { sha256Hex } from "../src/io/sha256.ts";
import { loadModel } from "../src/run/format.ts";
import { setupBackend } from "../src/backend/setup.ts";
// registers the custom layers a saved branch is made of
import "../src/model/siamese.ts";
import { readDictd } from "../bench/quality/dictd.ts";
import { tsvLine } from "../bench/quality/make_data.ts";
import { gcidePairs } from "./gcide_pairs.ts";
import { base64Of } from "../src/wasm/kernel_bytes.ts";

const ROOT = new URL("../", import.meta.url);
const DICTD = "/usr/share/dictd";
const OUTPUT = new URL("src/model/pretrained_gcide.ts", ROOT);

async function main(): Promise<void> {
  const flags = parseFlags(Deno.args, {
    epochs: { type: "string", help: "training epochs (default 6)" },
    seed: {
      type: "string",
      help: "seed of the shuffle and the run (default 1)",
    },
    threads: { type: "string", help: "threads (default 2)" },
    work: { type: "string", help: "work directory (default pretrain/.data)" },
    reuse: { type: "bool", help: "reuse <work>/run if it is this run" },
  });
  const epochs = Number(flags.epochs ?? 6);
  const seed = Number(flags.seed ?? 1);
  const threads = Number(flags.threads ?? 2);
  const work = (flags.work as string | undefined) ?? "pretrain/.data";
  await Deno.mkdir(work, { recursive: true });

  // 1. the pairs
  const read = await readDictd("gcide", { dir: DICTD });
  const gcide = gcidePairs(read);
  const pairs = gcide.pairs.slice();
  const rng = new Rng(seed);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  const tsv = `${work}/gcide.tsv`;
  const text = "left\tright\n" + pairs.map(tsvLine).join("");
  await Deno.writeTextFile(`${tsv}.tmp`, text);
  await Deno.rename(`${tsv}.tmp`, tsv);
  console.error(
    `${tsv}: ${pairs.length} pairs (dropped ${gcide.wordnet} WordNet entries, ${gcide.meta} of the dictionary's own, ${gcide.empty} empty)`,
  );

  // 2. the run
  const run = `${work}/run`;
  const settingsFile = `${work}/settings.json`;
  const settingsText = JSON.stringify(PRETRAIN_SETTINGS);
  await Deno.writeTextFile(`${settingsFile}.tmp`, settingsText + "\n");
  await Deno.rename(`${settingsFile}.tmp`, settingsFile);
  const args = trainArgs(tsv, settingsFile, epochs, seed);
  if (!(flags.reuse && await isRun(run, tsv, epochs, seed))) {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        new URL("tasks/train.ts", ROOT).pathname,
        ...args,
        "--threads",
        String(threads),
        "--out",
        run,
        "--force",
      ],
      stdout: "inherit",
      stderr: "inherit",
    });
    const { code } = await child.output();
    if (code !== 0) throw new Error(`the training run exited with ${code}`);
  }

  // 3. the module
  await setupBackend({ log: false });
  const loaded = await loadModel(run);
  const config = JSON.parse(await Deno.readTextFile(`${run}/config.json`));
  const best = config.best as { epoch: number; value: number };
  const vocabulary = loaded.vocabularies.left!;
  const weights = loaded.siamese.left.weights.map((w) => {
    let values = w.read().dataSync() as Float32Array;
    const shape = w.shape.slice() as number[];
    if (w.originalName.endsWith("embedding/embeddings")) {
      // only the rows of ids the vocabulary uses
      shape[0] = vocabulary.tokens.length + 2;
      values = values.subarray(0, shape[0] * shape[1]!);
    }
    return {
      name: w.originalName.slice(w.originalName.indexOf("_") + 1),
      shape,
      base64: base64Of(
        new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      ),
    };
  });
  const settings: Record<string, string | number | boolean> = {
    "model.embedding_dim": loaded.model.embeddingDim,
    "model.lstm_units": loaded.model.lstmUnits,
    "model.dense_units": loaded.model.denseUnits,
    "model.pooling": loaded.model.pooling,
    "model.bidirectional": loaded.model.bidirectional,
  };
  const version = await packageVersion("dict-gcide");
  const provenance = {
    source:
      `Debian package dict-gcide ${version}: GCIDE, the Collaborative International Dictionary of English ` +
      "(Webster's Revised Unabridged Dictionary of 1913 and supplements; GPL)",
    files: {
      "gcide.index": await sha256Hex(
        await Deno.readFile(`${DICTD}/gcide.index`),
      ),
      "gcide.dict.dz": await sha256Hex(
        await Deno.readFile(`${DICTD}/gcide.dict.dz`),
      ),
      "gcide.tsv": await sha256Hex(new TextEncoder().encode(text)),
    },
    pairs: pairs.length,
    dropped: { wordnet: gcide.wordnet, meta: gcide.meta, empty: gcide.empty },
    command: `deno run -A pretrain/main.ts --epochs ${epochs} --seed ${seed}`,
    train: `deno task train ${
      args.join(" ")
    }  (${settingsFile}: ${settingsText})`,
    epoch: best.epoch,
    valRecallAt10: Number(best.value.toFixed(4)),
  };
  const encoder = {
    name: "gcide",
    summary:
      `GCIDE's definitions (${pairs.length} pairs, dict-gcide ${version}), ` +
      `epoch ${best.epoch} of ${epochs}`,
    provenance,
    settings,
    vocabulary,
    weights,
  };
  const module = `/**
 * The pretrained encoder \`gcide\`, generated by pretrain/main.ts
 * (\`${provenance.command}\`). Do not edit. See docs/pretrained.md.
 *
 * @module
 */
import type { PretrainedEncoder } from "./pretrained.ts";

/** The matcher's character encoder pretrained on GCIDE's definitions. */
export const GCIDE_CHAR: PretrainedEncoder = ${
    JSON.stringify(encoder, null, 2)
  };
`;
  // formatted as `deno fmt --check` wants it, then moved into place
  const tmp = OUTPUT.pathname.replace(/\.ts$/, ".tmp.ts");
  await Deno.writeTextFile(tmp, module);
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", tmp],
  }).output();
  if (!fmt.success) throw new Error(`deno fmt ${tmp} failed`);
  await Deno.rename(tmp, OUTPUT.pathname);
  console.error(
    `${OUTPUT.pathname}: epoch ${best.epoch}, val recall@10 ${
      best.value.toFixed(3)
    }, ${(module.length / 1024).toFixed(0)} KB`,
  );
}

/**
 * The settings of the pretraining run that are not flags of the train
 * command (written to `<work>/settings.json`): from random weights, and
 * without the matcher's dropout and hard negatives, as the shipped encoder
 * was trained.
 */
export const PRETRAIN_SETTINGS = {
  model: { dropout: 0 },
  train: { init: "none", hard_negatives: 0 },
} as const;

/**
 * The train command's arguments for the pretraining run: the matcher recipe,
 * the LSTMs alone (no lexical channel), {@link PRETRAIN_SETTINGS} from
 * `settingsFile`.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { trainArgs } from "./main.ts";
 * const a = trainArgs("g.tsv", "s.json", 6, 1);
 * assert.equal(a.join(" "), "--recipe matcher --data g.tsv --config s.json --lexical-weight 0 --epochs 6 --seed 1");
 * ```
 */
export function trainArgs(
  tsv: string,
  settingsFile: string,
  epochs: number,
  seed: number,
): string[] {
  return [
    "--recipe",
    "matcher",
    "--data",
    tsv,
    "--config",
    settingsFile,
    "--lexical-weight",
    "0",
    "--epochs",
    String(epochs),
    "--seed",
    String(seed),
  ];
}

/** Whether `run` holds the finished run of this command. */
async function isRun(
  run: string,
  tsv: string,
  epochs: number,
  seed: number,
): Promise<boolean> {
  try {
    const j = JSON.parse(
      await Deno.readTextFile(`${run}/checkpoint/state.json`),
    );
    return j.state?.epoch === epochs && j.train?.seed === seed &&
      j.data?.data === tsv && (j.train?.init ?? "none") === "none" &&
      j.model?.lexical?.weight === 0 && (j.model?.dropout ?? 0) === 0;
  } catch {
    return false;
  }
}

/** The installed version of a Debian package. */
async function packageVersion(name: string): Promise<string> {
  const out = await new Deno.Command("dpkg-query", {
    args: ["-W", "-f", "${Version}", name],
    stdout: "piped",
    stderr: "null",
  }).output();
  return out.success ? new TextDecoder().decode(out.stdout) : "unknown";
}

if (import.meta.main) await main();
