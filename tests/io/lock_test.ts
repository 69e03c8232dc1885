import assert from "@std/assert";
import { DirLock, LOCK_FILE, LockedError } from "../../src/io/lock.ts";
import { tempDir } from "../_temp_file.ts";

Deno.test("DirLock takes over a lock file no process holds, naming its old owner", async () => {
  const dir = await tempDir();
  const dead = {
    pid: 999999,
    hostname: "h",
    started_at: "2026-01-01T00:00:00Z",
  };
  await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, JSON.stringify(dead));
  const lock = await DirLock.acquire(dir, "--out");
  assert.deepStrictEqual(lock.tookOver, {
    pid: 999999,
    hostname: "h",
    startedAt: "2026-01-01T00:00:00Z",
  });
  const held = JSON.parse(await Deno.readTextFile(`${dir}/${LOCK_FILE}`));
  assert.equal(held.pid, Deno.pid);
  await lock.release();
  await assert.rejects(
    () => Deno.stat(`${dir}/${LOCK_FILE}`),
    Deno.errors.NotFound,
  );
}); // deno-fmt-ignore

Deno.test("DirLock refuses a held lock with its owner, and frees it on release", async () => {
  const dir = await tempDir();
  const first = await DirLock.acquire(dir, "--resume");
  const error = await DirLock.acquire(dir, "--resume").catch((e) => e);
  assert.ok(error instanceof LockedError);
  assert.equal(error.owner?.pid, Deno.pid);
  assert.match(error.message, new RegExp(`^--resume ${dir} is in use by process ${Deno.pid}`));
  await first.release();
  await first.release(); // twice is harmless
  const second = await DirLock.acquire(dir, "--resume");
  assert.equal(second.tookOver, undefined);
  await second.release();
});
