/**
 * The Keras-style progress line, e.g.
 * `epoch 1/5  120/313  loss 0.231  41 ms/step  ETA 1:05`.
 *
 * @module
 */

/**
 * Formats seconds as `m:ss` (or `h:mm:ss`).
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { formatDuration } from "./progress.ts";
 * assert.ok(formatDuration(65) === "1:05");
 * assert.ok(formatDuration(3725) === "1:02:05");
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** What one progress line shows. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  /** Mean loss so far in this epoch. */
  loss: number;
  /** Mean milliseconds per step so far in this epoch. */
  msPerStep: number;
}

/**
 * One progress line.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { progressLine } from "./progress.ts";
 * const line = progressLine({ epoch: 1, epochs: 5, step: 120, steps: 313, loss: 0.2314, msPerStep: 41.2 });
 * assert.ok(line === "epoch 1/5  120/313  loss 0.231  41 ms/step  ETA 0:08");
 * ```
 */
export function progressLine(p: ProgressState): string {
  const eta = ((p.steps - p.step) * p.msPerStep) / 1000;
  return `epoch ${p.epoch}/${p.epochs}  ${p.step}/${p.steps}  loss ${
    p.loss.toFixed(3)
  }  ` +
    `${Math.round(p.msPerStep)} ms/step  ETA ${formatDuration(eta)}`;
}

/**
 * Writes progress to stderr: rewritten in place on a terminal, otherwise a
 * plain line for the first step (it shows that training runs, and its pace)
 * and then at most every `intervalMs`. In place means a carriage return and
 * spaces over the rest of the previous line: no ANSI escape sequences, so
 * the output is the same with `NO_COLOR` and on terminals without them.
 */
export class ProgressWriter {
  #tty: boolean;
  #last = -Infinity;
  #intervalMs: number;
  #shown = 0; // length of the line now on the terminal, 0 if none
  #encoder = new TextEncoder();

  /** @param intervalMs minimum time between lines when not a terminal; @default 10000 */
  constructor(intervalMs = 10_000) {
    this.#tty = Deno.stderr.isTerminal();
    this.#intervalMs = intervalMs;
  }

  /** Shows a progress line (throttled when not a terminal). */
  update(line: string): void {
    const now = performance.now();
    if (this.#tty) {
      Deno.stderr.writeSync(
        this.#encoder.encode(`\r${line.padEnd(this.#shown)}`),
      );
      this.#shown = line.length;
    } else if (now - this.#last >= this.#intervalMs) {
      console.error(line);
      this.#last = now;
    }
  }

  /** Ends the progress line with a final version of it. */
  done(line: string): void {
    if (this.#tty && this.#shown > 0) {
      Deno.stderr.writeSync(
        this.#encoder.encode(`\r${" ".repeat(this.#shown)}\r`),
      );
    }
    this.#shown = 0;
    console.error(line);
  }
}
