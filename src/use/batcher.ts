/**
 * Micro-batching: requests that arrive while the model is busy (or in the
 * same turn of the event loop) are joined into one call of a batch function,
 * one forward pass for all of them. A batch that fails is retried request by
 * request, so one bad request fails alone.
 *
 * @module
 */

interface Job<T, R> {
  items: T[];
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

/** Counts of what a {@link MicroBatcher} did. */
export interface BatchStats {
  /** Requests added. */
  requests: number;
  /** Calls of the batch function that served them (retries included). */
  passes: number;
}

/**
 * Joins concurrent calls of {@link MicroBatcher.add} into calls of one batch
 * function.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { MicroBatcher } from "./batcher.ts";
 * const calls: number[][] = [];
 * const b = new MicroBatcher((xs: number[]) => {
 *   calls.push(xs);
 *   return xs.map((x) => x * 2);
 * });
 * const [a, c] = await Promise.all([b.add([1, 2]), b.add([3])]);
 * assert.deepStrictEqual([a, c, calls], [[2, 4], [6], [[1, 2, 3]]]);
 * assert.deepStrictEqual(b.stats, { requests: 2, passes: 1 });
 * ```
 */
export class MicroBatcher<T, R> {
  /** What was done so far. */
  readonly stats: BatchStats = { requests: 0, passes: 0 };
  #run: (items: T[]) => R[];
  #maxItems: number;
  #pending: Job<T, R>[] = [];
  #scheduled = false;

  /**
   * @param run the batch function: one result per item, in order
   * @param maxItems items per call at most (a larger request goes alone)
   *   @default 256
   */
  constructor(run: (items: T[]) => R[], maxItems = 256) {
    this.#run = run;
    this.#maxItems = maxItems;
  }

  /**
   * Queues items; resolves with their results once a batch has run.
   *
   * @param items the request's items
   * @returns one result per item
   */
  add(items: T[]): Promise<R[]> {
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      this.#pending.push({ items, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setTimeout(() => this.#flush(), 0);
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const jobs = this.#pending;
    this.#pending = [];
    let group: Job<T, R>[] = [];
    let size = 0;
    for (const job of jobs) {
      if (group.length > 0 && size + job.items.length > this.#maxItems) {
        this.#runGroup(group);
        group = [];
        size = 0;
      }
      group.push(job);
      size += job.items.length;
    }
    if (group.length > 0) this.#runGroup(group);
  }

  #runGroup(group: Job<T, R>[]): void {
    if (group.length > 1) {
      let results: R[] | undefined;
      try {
        this.stats.passes++;
        results = this.#run(group.flatMap((j) => j.items));
      } catch {
        // one request's bad input: run them one by one below
      }
      if (results !== undefined) {
        let offset = 0;
        for (const job of group) {
          job.resolve(results.slice(offset, offset + job.items.length));
          offset += job.items.length;
        }
        return;
      }
    }
    for (const job of group) {
      try {
        this.stats.passes++;
        job.resolve(this.#run(job.items));
      } catch (e) {
        job.reject(e);
      }
    }
  }
}
