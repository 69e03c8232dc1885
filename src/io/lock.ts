/**
 * A lock file guarding a directory against two writers. The file holds the
 * owner's process id, host name and start time, for messages; the lock
 * itself is the operating system's exclusive file lock on it (`flock`,
 * taken with `FsFile.tryLock`), which the kernel drops when its process
 * ends in any way, kill -9 included. So a lock file left by a dead process
 * is stale by construction and is taken over; no process table is read
 * (Deno forbids reading `/proc` without `--allow-all`). File locks are
 * advisory and unreliable on some network file systems.
 *
 * @module
 */

/** The lock file's name inside the guarded directory. */
export const LOCK_FILE = "train.lock";

/** What a lock file holds. */
export interface LockOwner {
  /** Process id. */
  pid: number;
  /** Host name, or "unknown" without `--allow-sys=hostname`. */
  hostname: string;
  /** When the lock was taken, ISO 8601. */
  startedAt: string;
}

/** Thrown when another live process holds the lock. */
export class LockedError extends Error {
  /** The holder, as its lock file says (undefined if unreadable). */
  owner: LockOwner | undefined;
  /**
   * @param message the full message
   * @param owner the holder
   */
  constructor(message: string, owner: LockOwner | undefined) {
    super(message);
    this.name = "LockedError";
    this.owner = owner;
  }
}

/** A held lock; {@link DirLock.release} removes its file. */
export class DirLock {
  /** The lock file. */
  path: string;
  /** What it holds. */
  readonly owner: LockOwner;
  /** The owner of a stale lock file that was taken over, if any. */
  readonly tookOver: LockOwner | undefined;
  #file: Deno.FsFile | undefined;

  private constructor(
    path: string,
    file: Deno.FsFile,
    owner: LockOwner,
    tookOver: LockOwner | undefined,
  ) {
    this.path = path;
    this.#file = file;
    this.owner = owner;
    this.tookOver = tookOver;
  }

  /**
   * Takes the lock of `dir` (created if needed).
   *
   * @param dir the directory to guard
   * @param flag the flag that named it, for messages, e.g. `--out`
   * @returns the held lock
   * @throws {LockedError} when a live process holds it
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { DirLock } from "./lock.ts";
   * const dir = await Deno.makeTempDir();
   * const lock = await DirLock.acquire(dir, "--out");
   * await assert.rejects(() => DirLock.acquire(dir, "--out"), /is in use by process/);
   * await lock.release();
   * await (await DirLock.acquire(dir, "--out")).release();
   * ```
   */
  static async acquire(dir: string, flag: string): Promise<DirLock> {
    await Deno.mkdir(dir, { recursive: true });
    const path = `${dir}/${LOCK_FILE}`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const file = await Deno.open(path, {
        read: true,
        write: true,
        create: true,
      });
      let locked = false;
      try {
        locked = await file.tryLock(true);
      } catch (e) {
        file.close();
        throw e;
      }
      if (!locked) {
        file.close();
        const held = parseOwner(await Deno.readTextFile(path).catch(() => ""));
        throw new LockedError(
          `${flag} ${dir} is in use by ${
            held
              ? `process ${held.pid}${
                held.hostname === "unknown" ? "" : ` on ${held.hostname}`
              } (since ${held.startedAt})`
              : "another process"
          }: a training writes there. Wait for it to end, or choose another directory.`,
          held,
        );
      }
      // the file may have been released and removed between open and lock
      const [mine, now] = await Promise.all([
        file.stat(),
        Deno.stat(path).catch(() => undefined),
      ]);
      if (now === undefined || now.ino !== mine.ino) {
        file.close();
        continue;
      }
      const text = new TextDecoder().decode(await readAll(file));
      const previous = text === "" ? undefined : parseOwner(text);
      const owner: LockOwner = {
        pid: Deno.pid,
        hostname: await hostname(),
        startedAt: new Date().toISOString(),
      };
      await file.truncate(0);
      await file.seek(0, Deno.SeekMode.Start);
      await writeAll(
        file,
        new TextEncoder().encode(
          `${
            JSON.stringify({
              pid: owner.pid,
              hostname: owner.hostname,
              started_at: owner.startedAt,
            })
          }\n`,
        ),
      );
      return new DirLock(path, file, owner, previous);
    }
    throw new LockedError(
      `${flag} ${dir}: could not take the lock ${path} (other processes keep taking it).`,
      undefined,
    );
  }

  /**
   * Moves the lock file into `dir`, still held: for a directory that is
   * about to take the guarded one's place (the lock keeps its path).
   *
   * @param dir the replacing directory
   */
  async moveInto(dir: string): Promise<void> {
    await Deno.rename(this.path, `${dir}/${LOCK_FILE}`);
  }

  /** Removes the lock file and releases the lock (once). */
  async release(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return;
    this.#file = undefined;
    // removed while still locked, so no one takes a lock on a removed file
    // without seeing it is gone (see the check in acquire)
    await Deno.remove(this.path).catch(() => {});
    file.close();
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const j = JSON.parse(text);
    if (typeof j.pid !== "number" || typeof j.hostname !== "string") {
      return undefined;
    }
    return {
      pid: j.pid,
      hostname: j.hostname,
      startedAt: String(j.started_at),
    };
  } catch {
    return undefined; // empty or half written: its writer died meanwhile
  }
}

async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(1024);
  while (true) {
    const n = await file.read(buffer);
    if (n === null || n === 0) break;
    chunks.push(buffer.slice(0, n));
  }
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await file.write(bytes.subarray(written));
  }
}

async function hostname(): Promise<string> {
  const sys = { name: "sys", kind: "hostname" } as const;
  if ((await Deno.permissions.query(sys)).state === "granted") {
    return Deno.hostname();
  }
  return "unknown";
}
