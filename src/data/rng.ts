/**
 * A small seeded pseudo-random generator whose whole state is one 32-bit
 * integer, so it can be saved in a checkpoint and restored exactly.
 * Algorithm: Mulberry32 (public-domain constant set by Tommy Ettinger).
 *
 * @module
 */

/** A seeded generator of floats in [0, 1). */
export class Rng {
  #state: number;

  /**
   * A generator starting from `seed`.
   *
   * @param seed any integer; equal seeds give equal sequences
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new RangeError(`Expected seed to be an integer but found ${seed}`);
    }
    this.#state = seed >>> 0;
  }

  /** The current state; `Rng.fromState(rng.state)` continues the sequence. */
  get state(): number {
    return this.#state;
  }

  /**
   * Restores a generator saved with {@link Rng.state}.
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { Rng } from "./rng.ts";
   * const a = new Rng(7);
   * a.next();
   * const b = Rng.fromState(a.state);
   * assert.ok(a.next() === b.next());
   * ```
   */
  static fromState(state: number): Rng {
    return new Rng(state);
  }

  /** Next float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * Next integer in [0, n).
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { Rng } from "./rng.ts";
   * const k = new Rng(1).int(10);
   * assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
   * ```
   */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * A shuffled copy of `items` (Fisher-Yates); the input is not mutated.
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { Rng } from "./rng.ts";
   * const xs = [1, 2, 3, 4];
   * const ys = new Rng(3).shuffle(xs);
   * assert.ok(xs.join() === "1,2,3,4" && [...ys].sort().join() === "1,2,3,4");
   * ```
   */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }
}
