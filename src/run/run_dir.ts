/**
 * What a run directory holds, and the rules that keep one safe: a new run
 * never overwrites a finished model or a checkpoint unless asked, and a
 * crash in the middle of an atomic swap is repaired before the directory is
 * used again. See docs/runs.md.
 *
 *     absent       nothing there yet
 *     empty        a directory with no run in it (other files are left alone)
 *     model        config.json: a finished model (eval can use it), usually
 *                  with a checkpoint to continue from
 *     checkpoint   only checkpoint/: training stopped before its first
 *                  epoch's model was saved; --resume continues it
 *
 * @module
 */
import { leftoverSiblings, replaceDir, sibling } from "../io/file_io.ts";
import { DirLock } from "../io/lock.ts";
import { toCamelKeys } from "../io/json_keys.ts";

/** What a run directory holds. */
export type RunDirState =
  | { kind: "absent" }
  | { kind: "empty" }
  | { kind: "model"; checkpoint?: CheckpointPlace }
  | { kind: "checkpoint"; checkpoint: CheckpointPlace };

/** Where a checkpoint stands: completed epochs, and steps into the next. */
export interface CheckpointPlace {
  /** Epochs completed. */
  epoch: number;
  /** Steps taken in the unfinished epoch (0 at an epoch's end). */
  epochStep: number;
}

/** The parts of a run that are replaced as whole directories. */
const SWAPPED_DIRS = ["checkpoint", "left", "right"] as const;

/**
 * Says where a checkpoint stands, for messages.
 *
 * @param place the checkpoint's epoch and step
 * @returns e.g. `after epoch 2` or `in epoch 3 at step 5`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { describePlace } from "./run_dir.ts";
 * assert.equal(describePlace({ epoch: 0, epochStep: 4 }), "in epoch 1 at step 4");
 * assert.equal(describePlace({ epoch: 2, epochStep: 0 }), "after epoch 2");
 * ```
 */
export function describePlace(place: CheckpointPlace): string {
  return place.epochStep > 0
    ? `in epoch ${place.epoch + 1} at step ${place.epochStep}`
    : `after epoch ${place.epoch}`;
}

/**
 * Reads what `dir` holds (see the module note).
 *
 * @param dir a run directory
 * @returns its state
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { runDirState } from "./run_dir.ts";
 * const dir = await Deno.makeTempDir();
 * assert.deepStrictEqual(await runDirState(`${dir}/none`), { kind: "absent" });
 * assert.deepStrictEqual(await runDirState(dir), { kind: "empty" });
 * ```
 */
export async function runDirState(dir: string): Promise<RunDirState> {
  if (!(await exists(dir))) return { kind: "absent" };
  const checkpoint = await checkpointPlace(dir);
  if (await exists(`${dir}/config.json`)) {
    return checkpoint ? { kind: "model", checkpoint } : { kind: "model" };
  }
  return checkpoint ? { kind: "checkpoint", checkpoint } : { kind: "empty" };
}

/**
 * The place of `<dir>/checkpoint/state.json`, or undefined when there is
 * none or it cannot be read.
 *
 * @param dir a run directory
 * @returns the checkpoint's epoch and step
 */
export async function checkpointPlace(
  dir: string,
): Promise<CheckpointPlace | undefined> {
  try {
    const json = toCamelKeys(
      JSON.parse(await Deno.readTextFile(`${dir}/checkpoint/state.json`)),
    ) as { state?: Partial<CheckpointPlace> };
    const epoch = json.state?.epoch;
    if (typeof epoch !== "number") return undefined;
    return { epoch, epochStep: json.state?.epochStep ?? 0 };
  } catch {
    return undefined;
  }
}

/**
 * Repairs what a crash (kill -9, power loss) can leave in a run directory
 * while its checkpoint or a branch was being swapped: a part moved aside
 * but not yet replaced is put back (`.checkpoint.old-*` becomes
 * `checkpoint/` again), and unfinished temporaries are removed. Call it
 * holding the directory's lock.
 *
 * @param dir a run directory
 * @returns one line per repair, for the log
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { recoverRunDir } from "./run_dir.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/.checkpoint.old-0000abcd`);
 * await Deno.mkdir(`${dir}/.checkpoint.tmp-1111abcd`);
 * assert.equal((await recoverRunDir(dir)).length, 2);
 * assert.ok((await Deno.stat(`${dir}/checkpoint`)).isDirectory);
 * ```
 */
export async function recoverRunDir(dir: string): Promise<string[]> {
  const done: string[] = [];
  for (const part of SWAPPED_DIRS) {
    const path = `${dir}/${part}`;
    const old = await leftoverSiblings(path, "old");
    if (old.length > 0 && !(await exists(path))) {
      await Deno.rename(old[0]!, path);
      done.push(`restored ${path} from ${old[0]} (a swap was cut short)`);
    }
    for (const tag of ["old", "tmp"] as const) {
      for (const left of await leftoverSiblings(path, tag)) {
        if (!(await exists(left))) continue;
        await Deno.remove(left, { recursive: true });
        done.push(`removed ${left} (left by an interrupted write)`);
      }
    }
  }
  for await (const entry of Deno.readDir(dir)) {
    // files written atomically, and the staging directory of a new model
    if (
      /^\..+\.tmp-[0-9a-f]{8}$/.test(entry.name) &&
      (entry.isFile || entry.name.startsWith(".model.tmp-"))
    ) {
      await Deno.remove(`${dir}/${entry.name}`, { recursive: true });
      done.push(`removed ${dir}/${entry.name} (left by an interrupted write)`);
    }
  }
  return done;
}

/** How a training process opens its run directory. */
export type OpenMode = "new" | "force" | "resume";

/** An open run directory: locked, repaired, and where to write. */
export interface OpenRunDir {
  /** The run directory. */
  dir: string;
  /** Its state when opened (after repairs). */
  state: RunDirState;
  /** The lock; release it when done. */
  lock: DirLock;
  /** Log lines: repairs made, a stale lock taken over. */
  notes: string[];
  /**
   * With `force` on a directory holding a run: the staging directory to
   * train into, and the commit that moves it over `dir`.
   */
  replacing?: { staging: string; commit: () => Promise<void> };
}

/** A run directory that may not be written as asked. */
export class RunDirError extends Error {
  /**
   * @param message the full message
   */
  constructor(message: string) {
    super(message);
    this.name = "RunDirError";
  }
}

/**
 * Opens `dir` for training: takes its lock (a live holder is an error; a
 * dead one's lock is taken over), repairs it, then checks `mode`:
 * `new` refuses a directory holding a model or a checkpoint, `resume` needs
 * a checkpoint, and `force` on a run prepares a staging directory that
 * replaces `dir` only at the new run's first checkpoint.
 *
 * @param dir the run directory
 * @param mode how it is opened
 * @returns the open directory
 * @throws {RunDirError} when the mode does not fit what `dir` holds
 * @throws {LockedError} when another live process trains in it
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { openRunDir } from "./run_dir.ts";
 * const dir = `${await Deno.makeTempDir()}/run`;
 * await Deno.mkdir(`${dir}/checkpoint`, { recursive: true });
 * await Deno.writeTextFile(`${dir}/checkpoint/state.json`, '{"state": {"epoch": 2}}');
 * await assert.rejects(() => openRunDir(dir, "new"), /holds a checkpoint saved after epoch 2/);
 * const open = await openRunDir(dir, "resume");
 * assert.equal(open.state.kind, "checkpoint");
 * await open.lock.release();
 * ```
 */
export async function openRunDir(
  dir: string,
  mode: OpenMode,
): Promise<OpenRunDir> {
  const flag = mode === "resume" ? "--resume" : "--out";
  const existed = await exists(dir);
  if (existed && !(await Deno.stat(dir)).isDirectory) {
    throw new RunDirError(
      `${flag} ${dir}: is a file; expected a run directory (new or holding a run).`,
    );
  }
  const lock = await DirLock.acquire(dir, flag);
  try {
    const notes: string[] = [];
    if (lock.tookOver) {
      const o = lock.tookOver;
      notes.push(
        `took over the lock of ${dir}: process ${o.pid} that held it (since ${o.startedAt}) is gone`,
      );
    }
    notes.push(...await recoverRunDir(dir));
    for (const staging of await leftoverSiblings(dir, "new")) {
      // a --force run that died before its first checkpoint
      await Deno.remove(staging, { recursive: true }).catch(() => {});
      notes.push(`removed ${staging} (an unfinished --force run)`);
    }
    const state: RunDirState = existed ? await runDirState(dir) : {
      kind: "absent",
    };
    const open: OpenRunDir = { dir, state, lock, notes };
    if (
      mode === "resume" && state.kind !== "model" && state.kind !== "checkpoint"
    ) {
      throw new RunDirError(
        `--resume ${dir}: expected a run directory with a checkpoint/ but found ${
          existed ? "no run in it" : "no such directory"
        }. Start a run with --out ${dir}.`,
      );
    }
    if (
      mode !== "resume" &&
      (state.kind === "model" || state.kind === "checkpoint")
    ) {
      if (mode === "new") throw new RunDirError(refusal(dir, state));
      const staging = sibling(dir, "new");
      open.replacing = {
        staging,
        commit: async () => {
          await lock.moveInto(staging);
          await replaceDir(staging, dir);
        },
      };
    }
    return open;
  } catch (e) {
    await lock.release();
    if (!existed) await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
}

function refusal(
  dir: string,
  state: Extract<RunDirState, { kind: "model" | "checkpoint" }>,
): string {
  const what = state.kind === "model"
    ? "a finished model"
    : `a checkpoint saved ${describePlace(state.checkpoint)}`;
  return `--out ${dir} already holds ${what}. ` +
    `Continue it with --resume ${dir}, replace it with --force ` +
    "(the old files stay until the new run writes its first checkpoint), " +
    "or choose another directory.";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
