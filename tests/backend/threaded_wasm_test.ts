/**
 * Tests of the threaded wasm backend. The thread count is fixed once per
 * process, so each count runs in its own `deno run` child
 * (`_threaded_wasm_child.ts`, permissions `--allow-read --allow-env`); this file
 * therefore needs `--allow-run` (see the `test` task in deno.json).
 *
 * @module
 */
import assert from "@std/assert";
import { fileURLToPath } from "node:url";
import { setupBackend } from "../../src/backend/setup.ts";
import { prepareThreadedWasm } from "../../src/backend/threaded_wasm.ts";

const CHILD = fileURLToPath(
  new URL("./_threaded_wasm_child.ts", import.meta.url),
);
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** Relative tolerance on each loss between 1 and 2 threads. */
const LOSS_RTOL = 1e-5;

/** What a child printed and how it ended. */
interface ChildRun {
  success: boolean;
  signal: string | null;
  ms: number;
  stdout: string;
  stderr: string;
}

async function runChild(args: string[], timeoutMs: number): Promise<ChildRun> {
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--config",
      CONFIG,
      CHILD,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    success: out.success,
    signal: out.signal,
    ms: performance.now() - start,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

async function losses(
  threads: number,
  kind = "dense",
  setup: string[] = [],
): Promise<number[]> {
  const run = await runChild([String(threads), "5", kind, ...setup], 60_000);
  assert.ok(
    run.success,
    `child with ${threads} threads failed:\n${run.stderr}`,
  );
  const result = JSON.parse(run.stdout) as {
    threads: number;
    losses: number[];
  };
  assert.equal(result.threads, threads, "threads really in use");
  return result.losses;
}

/** Five seeded Adam steps of the child's `kind` of model: the same losses with 1 and 2 threads. */
async function assertSameLosses(
  kind: string,
  setup: string[] = [],
): Promise<void> {
  const one = await losses(1, kind);
  const two = await losses(2, kind, setup);
  assert.equal(one.length, 5);
  assert.ok(one[4]! < one[0]!, `loss should fall: ${one}`);
  for (let i = 0; i < one.length; i++) {
    const diff = Math.abs(one[i]! - two[i]!) / Math.abs(one[i]!);
    assert.ok(
      diff <= LOSS_RTOL,
      `step ${i}: ${one[i]} vs ${two[i]} (relative ${diff})`,
    );
  }
}

Deno.test("five seeded Adam steps give the same losses with 1 and 2 threads", async () => {
  await assertSameLosses("dense");
});

Deno.test("a siamese LSTM model trains to the same losses with 1 and 2 threads (its kernels in place on the shared heap)", async () => {
  await assertSameLosses("siamese");
});

Deno.test("a process with 2 threads starts no tfjs pool worker (XNNPACK on the calling thread), not the glue's 8", async () => {
  const run = await runChild(["2", "1"], 60_000);
  assert.ok(run.success, run.stderr);
  const result = JSON.parse(run.stdout) as {
    threads: number;
    xnnpackThreads: number;
    shared: boolean;
    workers: number;
  };
  assert.equal(result.threads, 2);
  assert.equal(result.xnnpackThreads, 1);
  assert.equal(result.shared, true, "the heap is shared, for the LSTM pool");
  assert.equal(result.workers, 0);
});

Deno.test("prepareThreadedWasm(2) gives XNNPACK a pool of 2 (one worker), and its products the same losses as 1 thread", async () => {
  const run = await runChild(["2", "1", "dense", "xnnpack2"], 60_000);
  assert.ok(run.success, run.stderr);
  const result = JSON.parse(run.stdout) as {
    xnnpackThreads: number;
    workers: number;
  };
  assert.equal(result.xnnpackThreads, 2);
  assert.equal(result.workers, 1);
  await assertSameLosses("dense", ["xnnpack2"]);
});

Deno.test("a process with 2 threads exits on its own", async () => {
  const run = await runChild(["2", "1"], 30_000);
  assert.equal(
    run.signal,
    null,
    `killed after ${run.ms.toFixed(0)} ms: it hung`,
  );
  assert.ok(run.success, run.stderr);
});

Deno.test("setupBackend() rejects a thread count out of range", async () => {
  for (const threads of [0, 1.5, 9]) {
    await assert.rejects(setupBackend({ threads, log: false }), {
      name: "RangeError",
      message:
        `Expected threads to be an integer from 1 to 8 but found ${threads}.`,
    });
  }
});

Deno.test("prepareThreadedWasm() rejects a thread count out of range", () => {
  for (const threads of [0, 2.5, 9]) {
    assert.throws(() => prepareThreadedWasm(threads), {
      name: "RangeError",
      message:
        `Expected threads to be an integer from 1 to 8 but found ${threads}.`,
    });
  }
});

Deno.test("setupBackend() keeps its first thread count and refuses another", async () => {
  const info = await setupBackend({ threads: 1, log: false });
  assert.equal(info.threads, 1);
  assert.equal((await setupBackend({ log: false })).threads, 1);
  await assert.rejects(setupBackend({ threads: 2, log: false }), {
    message:
      "Expected threads to be 1, the count the backend already runs with, but found 2.",
  });
});
