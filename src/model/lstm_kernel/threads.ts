/**
 * Worker threads for the LSTM kernel. Batch rows never interact, so the
 * calling thread runs the first rows in place on tfjs's heap while each
 * worker runs a later slice of rows on a compact copy in a shared memory;
 * the calling thread blocks (`Atomics.wait`) until all are done, then copies
 * the workers' results back. No synchronisation happens inside the time loop.
 *
 * Why copies: with one tfjs thread, tfjs-backend-wasm's heap is a plain
 * (unshared) memory, so only the calling thread can see it. With more,
 * tfjs runs its multithreaded build, whose heap is a shared memory: a pool
 * started on that heap ({@link LstmThreads.start} with `heap`) has every
 * thread work in place on its own rows, and nothing is copied.
 *
 * The pool also splits large products by rows ({@link LstmThreads.matmul}).
 *
 * Workers come from a script built here as a string (a `blob:` URL), so the
 * module needs no file of its own at run time.
 *
 * @module
 */
import {
  type BackwardPointers,
  type Dims,
  type ForwardPointers,
  kcFloats,
  kernelBase64,
  type LstmKernel,
  SLACK_FLOATS,
} from "./kernel.ts";

const FORWARD = 1, BACKWARD = 2, MATMUL = 3, BACKWARD_ROWS = 4, STOP = -1;

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
        k.matmul(...a.slice(0, 6));

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

interface WorkerSlot {
  worker: Worker;
  ctl: Int32Array;
  seq: number;
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
 * A pool of `threads - 1` workers plus the calling thread.
 *
 * @example
 * ```ts ignore
 * import { LstmThreads } from "./threads.ts";
 * const pool = await LstmThreads.start(2);
 * // ... pool.forward(...), pool.backward(...) from the tfjs kernels ...
 * pool.stop();
 * ```
 */
export class LstmThreads {
  readonly #memory: WebAssembly.Memory;
  readonly #workers: WorkerSlot[];
  /** Threads used, the calling one included. */
  readonly threads: number;

  /**
   * The shared heap the workers work on in place, or undefined when they
   * work on copies in their own memory.
   */
  readonly heap: WebAssembly.Memory | undefined;

  private constructor(
    memory: WebAssembly.Memory,
    workers: WorkerSlot[],
    inPlace: boolean,
  ) {
    this.#memory = memory;
    this.#workers = workers;
    this.threads = workers.length + 1;
    this.heap = inPlace ? memory : undefined;
  }

  /**
   * Starts `threads - 1` workers and waits until they are ready.
   *
   * @param threads total threads, at least 2
   * @param heap tfjs's heap, if it is a shared memory: the workers then
   *   work on it in place (only calls on that heap may use the pool)
   * @returns the pool
   */
  static async start(
    threads: number,
    heap?: WebAssembly.Memory,
  ): Promise<LstmThreads> {
    if (!(Number.isInteger(threads) && threads >= 2)) {
      throw new RangeError(
        `Expected threads to be an integer of at least 2 but found ${threads}`,
      );
    }
    const inPlace = heap !== undefined &&
      heap.buffer instanceof SharedArrayBuffer;
    const memory = inPlace ? heap : new WebAssembly.Memory({
      initial: 1,
      maximum: 65536,
      shared: true,
    });
    const url = URL.createObjectURL(
      new Blob([WORKER_SOURCE], { type: "text/javascript" }),
    );
    try {
      const workers = await Promise.all(
        Array.from({ length: threads - 1 }, async () => {
          const worker = new Worker(url, { type: "module" });
          const ctl = new Int32Array(new SharedArrayBuffer(32 * 4));
          const ready = new Promise<void>((resolve, reject) => {
            worker.onmessage = () => resolve();
            worker.onerror = (e) => {
              e.preventDefault();
              reject(new Error(`LSTM worker failed to start: ${e.message}`));
            };
          });
          worker.postMessage({
            base64: kernelBase64(true),
            memory,
            ctl: ctl.buffer,
          });
          await ready;
          return { worker, ctl, seq: 0 };
        }),
      );
      return new LstmThreads(memory, workers, inPlace);
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  /** Stops the workers. The pool cannot be used afterwards. */
  stop(): void {
    for (const w of this.#workers) {
      w.ctl[2] = STOP;
      Atomics.add(w.ctl, 0, 1);
      Atomics.notify(w.ctl, 0);
      w.worker.terminate();
    }
    this.#workers.length = 0;
  }

  /** Row ranges: the calling thread's first, then one per worker. */
  #split(rows: number): [number, number][] {
    const n = Math.min(this.threads, rows);
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      out.push([Math.floor((i * rows) / n), Math.floor(((i + 1) * rows) / n)]);
    }
    return out;
  }

  #reserve(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) this.#memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  #post(w: WorkerSlot, op: number, args: number[]): void {
    w.ctl[2] = op;
    w.ctl.set(args, 4);
    w.seq = Atomics.add(w.ctl, 0, 1) + 1;
    Atomics.notify(w.ctl, 0);
  }

  #wait(w: WorkerSlot): void {
    for (;;) {
      const done = Atomics.load(w.ctl, 1);
      if (done === w.seq) break;
      Atomics.wait(w.ctl, 1, done, 60_000);
    }
    if (w.ctl[3] !== 0) throw new Error("LSTM worker: the kernel trapped");
  }

  /**
   * `C [M, N] = A [M, K] B [K, N]` (the kernel's unpacked product) with the
   * rows of A and C split between threads. Only for a pool working in
   * place ({@link LstmThreads.heap}); offsets are bytes into that heap.
   */
  matmul(
    main: LstmKernel,
    M: number,
    N: number,
    K: number,
    a: number,
    b: number,
    c: number,
  ): void {
    this.#requireInPlace("matmul");
    const ranges = this.#split(M);
    ranges.slice(1).forEach(([m0, m1], i) =>
      this.#post(this.#workers[i]!, MATMUL, [
        m1 - m0,
        N,
        K,
        a + m0 * K * 4,
        b,
        c + m0 * N * 4,
      ])
    );
    main.matmul(ranges[0]![1], N, K, a, b, c);
    for (let i = 1; i < ranges.length; i++) this.#wait(this.#workers[i - 1]!);
  }

  #requireInPlace(what: string): void {
    if (this.heap === undefined) {
      throw new Error(
        `LstmThreads.${what}: the pool was started without tfjs's shared heap`,
      );
    }
  }

  /**
   * {@link LstmKernel.forward} with rows split between threads.
   *
   * @param heap the memory `p` points into (tfjs's heap)
   * @param main the kernel on `heap`, run by the calling thread
   * @param d sizes
   * @param p byte offsets into `heap`
   */
  forward(
    heap: WebAssembly.Memory,
    main: LstmKernel,
    d: Dims,
    p: ForwardPointers,
  ): void {
    if (this.heap !== undefined) return this.#forwardInPlace(main, d, p);
    if (p.ids) {
      throw new Error(
        "LstmThreads.forward: a vocabulary table needs a pool working in place",
      );
    }
    const { steps: T, units: H } = d;
    const G = 4 * H;
    const ranges = this.#split(d.batch);
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
      return { w: this.#workers[i]!, b0, n, s };
    });
    this.#reserve(m.end);
    const copy = copier(heap, this.#memory);
    for (const { w, b0, n, s } of placed) {
      copy.in(p.xp + b0 * T * G * 4, s.xp, n * T * G);
      copy.in(p.u, s.u, H * G);
      copy.in(p.mask + b0 * T * 4, s.mask, n * T);
      this.#post(w, FORWARD, [
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
      this.#wait(w);
      if (p.hs) copy.out(s.hs, p.hs + b0 * T * H * 4, n * T * H);
      if (train) {
        copy.out(s.cs, p.cs + b0 * T * H * 4, n * T * H);
        copy.out(s.gates, p.gates + b0 * T * G * 4, n * T * G);
      }
      copy.out(s.h, p.h + b0 * H * 4, n * H);
    }
  }

  /**
   * {@link LstmKernel.backward} with rows split between threads.
   *
   * @param heap the memory `p` points into (tfjs's heap)
   * @param main the kernel on `heap`, run by the calling thread
   * @param d sizes
   * @param p byte offsets into `heap`
   */
  backward(
    heap: WebAssembly.Memory,
    main: LstmKernel,
    d: Dims,
    p: BackwardPointers,
  ): void {
    if (this.heap !== undefined) return this.#backwardInPlace(main, d, p);
    const { batch: B, steps: T, units: H } = d;
    const G = 4 * H;
    const ranges = this.#split(B);
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
      return { w: this.#workers[i]!, b0, n, s };
    });
    this.#reserve(m.end);
    const copy = copier(heap, this.#memory);
    for (const { w, b0, n, s } of placed) {
      if (p.dhs) copy.in(p.dhs + b0 * T * H * 4, s.dhs, n * T * H);
      else copy.in(p.dhLast + b0 * H * 4, s.dhl, n * H);
      copy.in(p.gates + b0 * T * G * 4, s.gates, n * T * G);
      copy.in(p.cs + b0 * T * H * 4, s.cs, n * T * H);
      copy.in(p.mask + b0 * T * 4, s.mask, n * T);
      copy.in(p.u, s.u, H * G);
      copy.in(p.hs + b0 * T * H * 4, s.hs, n * T * H);
      this.#post(w, BACKWARD, [
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
      this.#wait(w);
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

  /** Forward on a shared heap: every thread runs its rows in place. */
  #forwardInPlace(main: LstmKernel, d: Dims, p: ForwardPointers): void {
    const { steps: T, units: H } = d;
    const ranges = this.#split(d.batch);
    ranges.slice(1).forEach(([b0, b1], i) =>
      this.#post(this.#workers[i]!, FORWARD, [
        b0,
        b1,
        T,
        H,
        p.xp,
        p.u,
        p.mask,
        p.hs,
        p.cs,
        p.gates,
        p.h,
        p.c,
        p.z,
        p.act + b0 * 4, // act is filled from its start: one part per thread
        p.ids ?? 0,
        p.idt ?? 0,
        p.kc + (i + 1) * kcFloats(H) * 4, // one area per thread
      ])
    );
    main.forwardRows(d, 0, ranges[0]![1], p);
    for (let i = 1; i < ranges.length; i++) this.#wait(this.#workers[i - 1]!);
  }

  /** Backward on a shared heap: every thread runs its rows in place. */
  #backwardInPlace(main: LstmKernel, d: Dims, p: BackwardPointers): void {
    const { batch: B, steps: T, units: H } = d;
    const ranges = this.#split(B);
    main.transposeKernel(d, p); // ut, read by every thread
    ranges.slice(1).forEach(([b0, b1], i) =>
      this.#post(this.#workers[i]!, BACKWARD_ROWS, [
        b0,
        b1,
        B,
        T,
        H,
        p.dhs,
        p.dhLast,
        p.gates,
        p.cs,
        p.mask,
        p.ut,
        p.dz,
        p.dh,
        p.dh2,
        p.dc,
        p.hs,
        p.hPrevT,
        p.act + b0 * 4,
        p.kc + (i + 1) * kcFloats(H) * 4,
      ])
    );
    main.backwardRange(d, 0, ranges[0]![1], p);
    for (let i = 1; i < ranges.length; i++) this.#wait(this.#workers[i - 1]!);
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
