/**
 * Running the LSTM kernels on pool workers that cannot see tfjs's heap.
 *
 * With one tfjs thread, tfjs-backend-wasm's heap is a plain (unshared)
 * memory, so only the calling thread can see it. Batch rows never interact,
 * so the calling thread runs the first rows in place on that heap while each
 * worker runs a later slice of rows on a compact copy in the pool's shared
 * memory; the calling thread blocks until all are done, then copies the
 * workers' results back.
 *
 * @module
 */
import type { LstmKernel } from "./kernel_instance.ts";
import {
  type BackwardPointers,
  type Dims,
  type ForwardPointers,
  kcFloats,
  SLACK_FLOATS,
} from "./lstm_pointers.ts";
import {
  BACKWARD,
  FORWARD,
  post,
  reserve,
  wait,
  type WorkerSlot,
} from "./pool_workers.ts";

/** What a job on copies needs of the pool. */
export interface CopyCrew {
  /** The pool's shared memory, which the workers' kernels import. */
  memory: WebAssembly.Memory;
  /** The workers; worker i runs row range i + 1. */
  workers: readonly WorkerSlot[];
  /** Row ranges [b0, b1): the calling thread's first, then one per worker. */
  ranges: [number, number][];
}

/** Bump allocator of float32 arrays in the shared memory, reset per job. */
class Layout {
  #next = 64; // 0 means "absent" to the kernel
  take(floats: number): number {
    const at = this.#next;
    this.#next += Math.ceil((floats * 4) / 64) * 64;
    return at;
  }
  get end(): number {
    return this.#next;
  }
}

/**
 * {@link LstmKernel.forward} with rows split between the calling thread (in
 * place on `heap`) and the workers (on copies in `crew.memory`).
 *
 * @param crew the pool's memory, workers and row ranges
 * @param heap the memory `p` points into (tfjs's heap)
 * @param main the kernel on `heap`, run by the calling thread
 * @param d sizes
 * @param p byte offsets into `heap`; `p.ids` must be absent
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kernelBase64 } from "./kernel_bytes.ts";
 * import { LstmKernel } from "./kernel_instance.ts";
 * import { forwardOnCopies } from "./pool_copies.ts";
 * import { startWorkers, stopWorkers } from "./pool_workers.ts";
 * const heap = new WebAssembly.Memory({ initial: 1 });
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 * const workers = await startWorkers(1, memory, kernelBase64(true));
 * // B = 2, T = 1, H = 4 at byte offsets: xp 64, u 192, mask 448, h 512,
 * // c 576 (+ 16 floats of slack), z 704 (+ 16), act 960, kc 1024
 * const f = new Float32Array(heap.buffer);
 * f.fill(1, 16, 48); // xp: every pre-activation 1
 * f.fill(1, 112, 114); // mask: both rows valid
 * forwardOnCopies({ memory, workers, ranges: [[0, 1], [1, 2]] }, heap,
 *   LstmKernel.create(heap), { batch: 2, steps: 1, units: 4 }, {
 *     xp: 64, u: 192, mask: 448, hs: 0, cs: 0, gates: 0, h: 512, c: 576,
 *     z: 704, act: 960, kc: 1024,
 *   });
 * stopWorkers(workers);
 * // row 0 ran here, row 1 on the worker: the same h, o tanh(i g) > 0
 * const h = f.subarray(128, 136);
 * assert.ok(h[0]! > 0 && h.every((v) => v === h[0]));
 * ```
 */
export function forwardOnCopies(
  crew: CopyCrew,
  heap: WebAssembly.Memory,
  main: LstmKernel,
  d: Dims,
  p: ForwardPointers,
): void {
  const { steps: T, units: H } = d;
  const G = 4 * H;
  const ranges = crew.ranges;
  const train = p.gates !== 0;
  const m = new Layout(); // the workers' arrays, one after another
  const placed = ranges.slice(1).map(([b0, b1], i) => {
    const n = b1 - b0;
    const s = {
      xp: m.take(n * T * G),
      u: m.take(H * G),
      mask: m.take(n * T),
      hs: p.hs ? m.take(n * T * H) : 0,
      cs: train ? m.take(n * T * H) : 0,
      gates: train ? m.take(n * T * G) : 0,
      h: m.take(n * H),
      c: m.take(n * H + SLACK_FLOATS),
      z: m.take(n * G + SLACK_FLOATS),
      act: m.take(n),
      kc: m.take(kcFloats(H)),
    };
    return { w: crew.workers[i]!, b0, n, s };
  });
  reserve(crew.memory, m.end);
  const copy = copier(heap, crew.memory);
  for (const { w, b0, n, s } of placed) {
    copy.in(p.xp + b0 * T * G * 4, s.xp, n * T * G);
    copy.in(p.u, s.u, H * G);
    copy.in(p.mask + b0 * T * 4, s.mask, n * T);
    post(w, FORWARD, [
      0,
      n,
      T,
      H,
      s.xp,
      s.u,
      s.mask,
      s.hs,
      s.cs,
      s.gates,
      s.h,
      s.c,
      s.z,
      s.act,
      0, // the copies hold gathered rows, never a table
      0,
      s.kc,
    ]);
  }
  main.forward({ ...d, batch: ranges[0]![1] }, p);
  for (const { w, b0, n, s } of placed) {
    wait(w);
    if (p.hs) copy.out(s.hs, p.hs + b0 * T * H * 4, n * T * H);
    if (train) {
      copy.out(s.cs, p.cs + b0 * T * H * 4, n * T * H);
      copy.out(s.gates, p.gates + b0 * T * G * 4, n * T * G);
    }
    copy.out(s.h, p.h + b0 * H * 4, n * H);
  }
}

/**
 * {@link LstmKernel.backward} with rows split between the calling thread
 * (in place on `heap`) and the workers (on copies in `crew.memory`).
 *
 * @param crew the pool's memory, workers and row ranges
 * @param heap the memory `p` points into (tfjs's heap)
 * @param main the kernel on `heap`, run by the calling thread
 * @param d sizes
 * @param p byte offsets into `heap`
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { kernelBase64 } from "./kernel_bytes.ts";
 * import { LstmKernel } from "./kernel_instance.ts";
 * import { backwardOnCopies } from "./pool_copies.ts";
 * import { startWorkers, stopWorkers } from "./pool_workers.ts";
 * const heap = new WebAssembly.Memory({ initial: 1 });
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 * const workers = await startWorkers(1, memory, kernelBase64(true));
 * // B = 2, T = 1, H = 4, G = 16 at byte offsets (scratch with slack)
 * const p = {
 *   dhs: 0, dhLast: 64, gates: 128, cs: 256, mask: 320, u: 384, hs: 640,
 *   dz: 704, hPrevT: 832, ut: 896, dh: 1216, dh2: 1312, dc: 1408, act: 1504,
 *   kc: 1536,
 * };
 * const f = new Float32Array(heap.buffer);
 * f.fill(1, 16, 24); // dhLast
 * f.fill(0.5, 32, 64); // gates
 * f.fill(0.5, 64, 72); // cs
 * f.fill(1, 80, 82); // mask
 * f.fill(0.1, 96, 160); // u
 * backwardOnCopies({ memory, workers, ranges: [[0, 1], [1, 2]] }, heap,
 *   LstmKernel.create(heap), { batch: 2, steps: 1, units: 4 }, p);
 * stopWorkers(workers);
 * // row 0 ran here, row 1 on the worker: the same dz
 * const dz = f.subarray(176, 208);
 * assert.ok(dz.some((v) => v !== 0));
 * assert.ok(dz.subarray(0, 16).every((v, i) => v === dz[16 + i]));
 * ```
 */
export function backwardOnCopies(
  crew: CopyCrew,
  heap: WebAssembly.Memory,
  main: LstmKernel,
  d: Dims,
  p: BackwardPointers,
): void {
  const { batch: B, steps: T, units: H } = d;
  const G = 4 * H;
  const ranges = crew.ranges;
  const m = new Layout(); // the workers' arrays, one after another
  const placed = ranges.slice(1).map(([b0, b1], i) => {
    const n = b1 - b0;
    const s = {
      dhs: p.dhs ? m.take(n * T * H) : 0,
      dhl: p.dhs ? 0 : m.take(n * H),
      gates: m.take(n * T * G),
      cs: m.take(n * T * H),
      mask: m.take(n * T),
      u: m.take(H * G),
      ut: m.take(G * H + SLACK_FLOATS),
      dz: m.take(n * T * G),
      dh: m.take(n * H + SLACK_FLOATS),
      dh2: m.take(n * H + SLACK_FLOATS),
      dc: m.take(n * H + SLACK_FLOATS),
      hs: m.take(n * T * H),
      hPrevT: m.take(H * n * T),
      act: m.take(n),
      kc: m.take(kcFloats(H)),
    };
    return { w: crew.workers[i]!, b0, n, s };
  });
  reserve(crew.memory, m.end);
  const copy = copier(heap, crew.memory);
  for (const { w, b0, n, s } of placed) {
    if (p.dhs) copy.in(p.dhs + b0 * T * H * 4, s.dhs, n * T * H);
    else copy.in(p.dhLast + b0 * H * 4, s.dhl, n * H);
    copy.in(p.gates + b0 * T * G * 4, s.gates, n * T * G);
    copy.in(p.cs + b0 * T * H * 4, s.cs, n * T * H);
    copy.in(p.mask + b0 * T * 4, s.mask, n * T);
    copy.in(p.u, s.u, H * G);
    copy.in(p.hs + b0 * T * H * 4, s.hs, n * T * H);
    post(w, BACKWARD, [
      n,
      T,
      H,
      s.dhs,
      s.dhl,
      s.gates,
      s.cs,
      s.mask,
      s.u,
      s.ut,
      s.dz,
      s.dh,
      s.dh2,
      s.dc,
      s.hs,
      s.hPrevT,
      s.act,
      s.kc,
    ]);
  }
  main.backwardRows(d, ranges[0]![1], p);
  for (const { w, b0, n, s } of placed) {
    wait(w);
    copy.out(s.dz, p.dz + b0 * T * G * 4, n * T * G);
    // hPrevT [H, B*T]: this worker's rows are columns [b0 T, (b0 + n) T) of each row
    for (let k = 0; k < H; k++) {
      copy.out(
        s.hPrevT + k * n * T * 4,
        p.hPrevT + (k * B * T + b0 * T) * 4,
        n * T,
      );
    }
  }
}

/** Copies float32 runs between the heap and the shared memory. */
function copier(heap: WebAssembly.Memory, shared: WebAssembly.Memory) {
  const h = new Float32Array(heap.buffer);
  const s = new Float32Array(shared.buffer);
  return {
    in(from: number, to: number, n: number): void {
      s.set(h.subarray(from / 4, from / 4 + n), to / 4);
    },
    out(from: number, to: number, n: number): void {
      h.set(s.subarray(from / 4, from / 4 + n), to / 4);
    },
  };
}
