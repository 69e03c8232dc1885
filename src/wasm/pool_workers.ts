/**
 * The worker side of the kernel thread pool ({@link LstmThreads} in
 * `thread_pool.ts`): the workers' script, and the control block through
 * which the calling thread posts a job to one worker and waits for it.
 *
 * Workers come from a script built here as a string (a `blob:` URL), so the
 * module needs no file of its own at run time. Each worker instantiates the
 * kernel module on the memory it is given and then loops: wait for a job in
 * its control block, run it, signal back. No synchronisation happens inside
 * a kernel's time loop.
 *
 * @module
 */

/** Job codes of the control block (`ctl[2]`). */
export const FORWARD = 1,
  BACKWARD = 2,
  MATMUL = 3,
  BACKWARD_ROWS = 4,
  MATMUL_K = 5,
  MATMUL_PLAIN = 6;
const STOP = -1;

/** Script of a worker: waits for a job in `ctl`, runs it, signals back. */
const WORKER_SOURCE = `
self.onmessage = (event) => {
  const { base64, memory, ctl } = event.data;
  const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const c = new Int32Array(ctl);
  self.postMessage("ready");
  let seen = 0;
  for (;;) {
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    const op = c[2];
    if (op === ${STOP}) break;
    const a = Array.from(c.subarray(4, 24));
    try {
      if (op === ${FORWARD}) {
        k.lstm_forward(...a.slice(0, 17));
      } else if (op === ${MATMUL}) {
        k.matmul(...a.slice(0, 7));
      } else if (op === ${MATMUL_PLAIN}) {
        k.matmul_plain(...a.slice(0, 7));
      } else if (op === ${MATMUL_K}) {
        k.matmul_k(...a.slice(0, 9));
      } else if (op === ${BACKWARD_ROWS}) {
        const [b0, b1, B, T, H, dhs, dhl, gates, cs, mask, ut, dz, dh, dh2, dc, hs, hPrevT, act, kc] = a;
        k.shift_transpose(b0, b1, B, T, H, hs, hPrevT);
        k.lstm_backward(b0, b1, T, H, dhs, dhl, gates, cs, mask, ut, dz, dh, dh2, dc, act, kc);
      } else {
        const [B, T, H, dhs, dhl, gates, cs, mask, u, ut, dz, dh, dh2, dc, hs, hPrevT, act, kc] = a;
        k.transpose(H, 4 * H, u, ut);
        k.shift_transpose(0, B, B, T, H, hs, hPrevT);
        k.lstm_backward(0, B, T, H, dhs, dhl, gates, cs, mask, ut, dz, dh, dh2, dc, act, kc);
      }
      c[3] = 0;
    } catch (e) {
      c[3] = 1;
    }
    Atomics.store(c, 1, seen);
    Atomics.notify(c, 1);
  }
};
`;

const PAGE = 65536;

/** One worker and its control block. */
export interface WorkerSlot {
  /** The worker thread. */
  worker: Worker;
  /**
   * Control block: [0] jobs posted, [1] jobs done, [2] job code, [3] 1 if
   * the job trapped, [4..24) the job's arguments.
   */
  ctl: Int32Array;
  /** Number of the job last posted, which {@link wait} waits for. */
  seq: number;
}

/**
 * Starts `count` workers on `memory` with the kernel module `base64` and
 * waits until each is ready.
 *
 * @param count workers to start, at least 1
 * @param memory the shared memory the workers' kernels import
 * @param base64 the kernel module's bytes for a shared memory
 * @returns one slot per worker
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kernelBase64 } from "./kernel_bytes.ts";
 * import { startWorkers, stopWorkers } from "./pool_workers.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 * const workers = await startWorkers(1, memory, kernelBase64(true));
 * assert.ok(workers.length === 1);
 * stopWorkers(workers);
 * ```
 */
export async function startWorkers(
  count: number,
  memory: WebAssembly.Memory,
  base64: string,
): Promise<WorkerSlot[]> {
  const url = URL.createObjectURL(
    new Blob([WORKER_SOURCE], { type: "text/javascript" }),
  );
  try {
    return await Promise.all(
      Array.from({ length: count }, async () => {
        const worker = new Worker(url, { type: "module" });
        const ctl = new Int32Array(new SharedArrayBuffer(32 * 4));
        const ready = new Promise<void>((resolve, reject) => {
          worker.onmessage = () => resolve();
          worker.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`LSTM worker failed to start: ${e.message}`));
          };
        });
        worker.postMessage({ base64, memory, ctl: ctl.buffer });
        await ready;
        return { worker, ctl, seq: 0 };
      }),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Stops the workers and empties `workers`.
 *
 * @param workers slots from {@link startWorkers}
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kernelBase64 } from "./kernel_bytes.ts";
 * import { startWorkers, stopWorkers } from "./pool_workers.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 * const workers = await startWorkers(1, memory, kernelBase64(true));
 * stopWorkers(workers);
 * assert.ok(workers.length === 0);
 * ```
 */
export function stopWorkers(workers: WorkerSlot[]): void {
  for (const w of workers) {
    w.ctl[2] = STOP;
    Atomics.add(w.ctl, 0, 1);
    Atomics.notify(w.ctl, 0);
    w.worker.terminate();
  }
  workers.length = 0;
}

/**
 * Grows `memory` to at least `bytes` bytes.
 *
 * @param memory a memory
 * @param bytes the size it needs
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { reserve } from "./pool_workers.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
 * reserve(memory, 70000);
 * assert.ok(memory.buffer.byteLength === 2 * 65536);
 * ```
 */
export function reserve(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}

/**
 * Posts job `op` with arguments `args` (int32) to a worker; returns at once.
 *
 * @param w the worker
 * @param op the job code, e.g. {@link FORWARD}
 * @param args the kernel's arguments, at most 20
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kernelBase64 } from "./kernel_bytes.ts";
 * import { MATMUL, post, startWorkers, stopWorkers, wait } from "./pool_workers.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 * const [w] = await startWorkers(1, memory, kernelBase64(true));
 * const f = new Float32Array(memory.buffer);
 * f[16] = 2; // A [1, 1] at byte 64
 * f.set([1, 2, 3, 4], 32); // B [1, 4] at byte 128
 * post(w!, MATMUL, [1, 4, 1, 64, 128, 256]); // C [1, 4] at byte 256
 * wait(w!);
 * assert.deepEqual([...f.subarray(64, 68)], [2, 4, 6, 8]);
 * stopWorkers([w!]);
 * ```
 */
export function post(w: WorkerSlot, op: number, args: number[]): void {
  w.ctl[2] = op;
  w.ctl.set(args, 4);
  w.seq = Atomics.add(w.ctl, 0, 1) + 1;
  Atomics.notify(w.ctl, 0);
}

/**
 * How long {@link wait} spins, in milliseconds, before it sleeps in
 * `Atomics.wait`. The calling thread has nothing else to do while it waits,
 * and waking a sleeping thread is slow on a VM. Measured in one process,
 * alternating (`deno run --allow-read bench/levers.ts --lever spin --threads
 * 2 [--matcher] [--infer]`, docs/speed.md, session 8): the seed's training
 * step on 2 threads took a median 40.4 ms with the spin against 45.5 without,
 * the matcher's 66.6 against 77.1; inference did not change. The workers
 * themselves do not spin: on two cores a spinning worker takes the core
 * tfjs's own pool thread needs between the LSTM jobs (the training step got
 * slower).
 */
export const SPIN_MS = 2;

let spinMs = SPIN_MS;

/**
 * Sets how long {@link wait} spins from now on, for measuring the lever
 * (`bench/levers.ts --lever spin`); 0 sleeps at once.
 *
 * @param ms milliseconds, at least 0
 * @returns the previous value
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setWaitSpin, SPIN_MS } from "./pool_workers.ts";
 * assert.equal(setWaitSpin(0), SPIN_MS);
 * assert.equal(setWaitSpin(SPIN_MS), 0);
 * ```
 */
export function setWaitSpin(ms: number): number {
  if (!(ms >= 0)) {
    throw new RangeError(`Expected a spin of at least 0 ms but found ${ms}`);
  }
  const previous = spinMs;
  spinMs = ms;
  return previous;
}

/**
 * Blocks until the worker has finished the job last posted to it: spins for
 * up to {@link SPIN_MS} (see {@link setWaitSpin}), then sleeps.
 *
 * @param w the worker
 * @throws Error when the kernel trapped
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kernelBase64 } from "./kernel_bytes.ts";
 * import { MATMUL, post, startWorkers, stopWorkers, wait } from "./pool_workers.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 * const [w] = await startWorkers(1, memory, kernelBase64(true));
 * const f = new Float32Array(memory.buffer);
 * f[16] = 2; // A [1, 1] at byte 64
 * f.set([1, 2, 3, 4], 32); // B [1, 4] at byte 128
 * post(w!, MATMUL, [1, 4, 1, 64, 128, 256]); // C [1, 4] at byte 256
 * wait(w!);
 * assert.deepEqual([...f.subarray(64, 68)], [2, 4, 6, 8]);
 * stopWorkers([w!]);
 * ```
 */
export function wait(w: WorkerSlot): void {
  const until = performance.now() + spinMs;
  while (Atomics.load(w.ctl, 1) !== w.seq && performance.now() < until) {
    Atomics.pause?.(); // a hint to the CPU; engines before 2025 lack it
  }
  for (;;) {
    const done = Atomics.load(w.ctl, 1);
    if (done === w.seq) break;
    Atomics.wait(w.ctl, 1, done, 60_000);
  }
  if (w.ctl[3] !== 0) throw new Error("LSTM worker: the kernel trapped");
}
