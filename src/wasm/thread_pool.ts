/**
 * Worker threads for the kernel module: a pool of `threads - 1` workers
 * plus the calling thread, each taking a share of the batch rows (or of the
 * rows of a product). Batch rows never interact, so no synchronisation
 * happens inside the time loop; the calling thread waits until all are done
 * (spinning up to `SPIN_MS`, then in `Atomics.wait`: see `pool_workers.ts`).
 *
 * When tfjs runs its multithreaded build, its heap is a shared memory: a
 * pool started on that heap ({@link LstmThreads.start} with `heap`) has
 * every thread work in place on its own rows, and nothing is copied.
 * Otherwise the workers work on copies (`pool_copies.ts`).
 *
 * The pool also splits large products by rows ({@link LstmThreads.matmul}).
 * The workers themselves live in `pool_workers.ts`.
 *
 * @module
 */
import { kernelBase64 } from "./kernel_bytes.ts";
import type { LstmKernel } from "./kernel_instance.ts";
import {
  type BackwardPointers,
  type Dims,
  type ForwardPointers,
  kcFloats,
  MATMUL_SCRATCH_FLOATS,
  matmulKScratchFloats,
} from "./lstm_pointers.ts";
import {
  backwardOnCopies,
  type CopyCrew,
  forwardOnCopies,
} from "./pool_copies.ts";
import {
  BACKWARD_ROWS,
  FORWARD,
  MATMUL,
  MATMUL_K,
  MATMUL_PLAIN,
  post,
  startWorkers,
  stopWorkers,
  wait,
  type WorkerSlot,
} from "./pool_workers.ts";

/**
 * A pool of `threads - 1` workers plus the calling thread.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { LstmThreads } from "./thread_pool.ts";
 * const pool = await LstmThreads.start(2);
 * // pool.forward(...), pool.backward(...) from the tfjs kernels; without a
 * // heap its worker runs on copies in the pool's own memory
 * assert.ok(pool.threads === 2 && pool.heap === undefined);
 * pool.stop();
 * ```
 */
export class LstmThreads {
  readonly #memory: WebAssembly.Memory;
  readonly #workers: WorkerSlot[];
  /** Threads used, the calling one included. */
  readonly threads: number;

  /**
   * Whether recurrences split their rows by valid steps (the default) or
   * by count; for measuring the lever (`bench/levers.ts --lever balance`).
   */
  balanceRows = true;

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
    const workers = await startWorkers(threads - 1, memory, kernelBase64(true));
    return new LstmThreads(memory, workers, inPlace);
  }

  /** Stops the workers. The pool cannot be used afterwards. */
  stop(): void {
    stopWorkers(this.#workers);
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

  /**
   * `C [M, N] = A [M, K] B [K, N]` (the kernel module's product) with the
   * rows of A and C split between threads. Only for a pool working in
   * place ({@link LstmThreads.heap}); offsets are bytes into that heap.
   * `pk` has {@link MATMUL_SCRATCH_FLOATS} floats per thread; with `plain`,
   * each multiply and add is rounded on its own (XNNPACK's numbers, see
   * {@link LstmKernel.matmulPlain}).
   */
  matmul(
    main: LstmKernel,
    M: number,
    N: number,
    K: number,
    a: number,
    b: number,
    c: number,
    pk: number,
    plain = false,
  ): void {
    this.#rowsOfProduct("matmul", M, N, K, a, c, (rows, a0, c0, i) => {
      const p = pk + i * MATMUL_SCRATCH_FLOATS * 4;
      return {
        job: [plain ? MATMUL_PLAIN : MATMUL, [rows, N, K, a0, b, c0, p]],
        own: () =>
          plain
            ? main.matmulPlain(rows, N, K, a0, b, c0, p)
            : main.matmul(rows, N, K, a0, b, c0, p),
      };
    });
  }

  /**
   * {@link LstmKernel.matmulK} (the product over the listed inner indices)
   * with the rows of A and C split between threads. Only for a pool working
   * in place; offsets are bytes into that heap.
   */
  matmulK(
    main: LstmKernel,
    M: number,
    N: number,
    K: number,
    nk: number,
    kk: number,
    a: number,
    b: number,
    c: number,
    pk: number,
  ): void {
    this.#rowsOfProduct("matmulK", M, N, K, a, c, (rows, a0, c0, i, m0) => {
      // the parts before this one: i panels and m0 rows of packed A
      const p = pk + 4 * matmulKScratchFloats(m0, i);
      return {
        job: [MATMUL_K, [rows, N, K, nk, kk, a0, b, c0, p]],
        own: () => main.matmulK(rows, N, K, nk, kk, a0, b, c0, p),
      };
    });
  }

  /**
   * A product `C [M, N] = A [M, K] ...` with the rows of A and C split
   * between threads: `part(rows, a0, c0, i, m0)` gives part `i`'s job for a
   * worker and its run on the calling thread, which takes the first part;
   * the part starts at row `m0`, at byte offsets `a0` of A and `c0` of C.
   */
  #rowsOfProduct(
    what: string,
    M: number,
    N: number,
    K: number,
    a: number,
    c: number,
    part: (
      rows: number,
      a0: number,
      c0: number,
      i: number,
      m0: number,
    ) => {
      job: [number, number[]];
      own: () => void;
    },
  ): void {
    this.#requireInPlace(what);
    const parts = this.#split(M).map(([m0, m1], i) =>
      part(m1 - m0, a + m0 * K * 4, c + m0 * N * 4, i, m0)
    );
    parts.slice(1).forEach((p, i) => post(this.#workers[i]!, ...p.job));
    parts[0]!.own();
    for (let i = 1; i < parts.length; i++) wait(this.#workers[i - 1]!);
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
    forwardOnCopies(this.#crew(d.batch), heap, main, d, p);
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
    backwardOnCopies(this.#crew(d.batch), heap, main, d, p);
  }

  /** What a job on copies of `rows` batch rows needs of the pool. */
  #crew(rows: number): CopyCrew {
    return {
      memory: this.#memory,
      workers: this.#workers,
      ranges: this.#split(rows),
    };
  }

  /**
   * Row ranges of a recurrence on the shared heap: each thread gets
   * contiguous rows with about the same number of valid steps (the mask
   * at byte offset `mask`, 0 = every step valid), since a padded step
   * costs the kernels nothing.
   */
  #splitByWork(d: Dims, mask: number): [number, number][] {
    const { batch: B, steps: T } = d;
    if (!mask || !this.balanceRows) return this.#split(B);
    const m = new Float32Array(this.heap!.buffer, mask, B * T);
    const work = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      let n = 1; // a row's own cost, so empty rows are spread too
      for (let t = b * T; t < (b + 1) * T; t++) if (m[t] !== 0) n++;
      work[b] = n;
    }
    return balancedRanges(work, this.threads);
  }

  /** Forward on a shared heap: every thread runs its rows in place. */
  #forwardInPlace(main: LstmKernel, d: Dims, p: ForwardPointers): void {
    const { steps: T, units: H } = d;
    const ranges = this.#splitByWork(d, p.mask);
    ranges.slice(1).forEach(([b0, b1], i) =>
      post(this.#workers[i]!, FORWARD, [
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
    for (let i = 1; i < ranges.length; i++) wait(this.#workers[i - 1]!);
  }

  /** Backward on a shared heap: every thread runs its rows in place. */
  #backwardInPlace(main: LstmKernel, d: Dims, p: BackwardPointers): void {
    const { batch: B, steps: T, units: H } = d;
    const ranges = this.#splitByWork(d, p.mask);
    main.transposeKernel(d, p); // ut, read by every thread
    ranges.slice(1).forEach(([b0, b1], i) =>
      post(this.#workers[i]!, BACKWARD_ROWS, [
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
    for (let i = 1; i < ranges.length; i++) wait(this.#workers[i - 1]!);
  }
}

/**
 * Cuts rows `[0, work.length)` into at most `parts` contiguous ranges whose
 * summed `work` is as even as the cut points allow: each cut is the row
 * boundary nearest to its share of the total. Every range has at least one
 * row.
 *
 * @param work each row's cost, positive
 * @param parts how many ranges at most
 * @returns `[start, end)` per range, in order, covering every row
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { balancedRanges } from "./thread_pool.ts";
 * assert.deepEqual(balancedRanges([1, 1, 1, 1], 2), [[0, 2], [2, 4]]);
 * assert.deepEqual(balancedRanges([1, 1, 1, 9], 2), [[0, 3], [3, 4]]);
 * ```
 */
export function balancedRanges(
  work: ArrayLike<number>,
  parts: number,
): [number, number][] {
  const rows = work.length;
  const n = Math.max(1, Math.min(parts, rows));
  const prefix = new Float64Array(rows + 1);
  for (let b = 0; b < rows; b++) prefix[b + 1] = prefix[b]! + work[b]!;
  const total = prefix[rows]!;
  const cuts = [0];
  for (let i = 1; i < n; i++) {
    const target = (total * i) / n;
    const lo = cuts[i - 1]! + 1, hi = rows - (n - i); // leave a row for each later part
    let e = lo;
    while (e < hi && prefix[e]! < target) e++;
    if (e > lo && target - prefix[e - 1]! < prefix[e]! - target) e--;
    cuts.push(e);
  }
  cuts.push(rows);
  return cuts.slice(1).map((end, i) => [cuts[i]!, end]);
}
