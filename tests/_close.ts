/**
 * Tensor comparison shared by the model tests.
 *
 * @module
 */
import type * as tf from "../src/deps/tfjs_core.ts";
import { deepStrictEqual as deepEqual, ok as assert } from "@std/assert";

/**
 * Asserts that every element agrees within `rtol` relative to its own size,
 * with a floor of 1% of the largest expected element: entries far below the
 * tensor's scale (exact zeros, or sums that cancel, whose float32 rounding
 * differs with summation order) are compared on that floor.
 */
export function assertClose(
  actual: tf.Tensor,
  expected: tf.Tensor,
  label: string,
  rtol = 1e-4,
): void {
  deepEqual(actual.shape, expected.shape, `${label}: shape`);
  const a = actual.dataSync(), e = expected.dataSync();
  let scale = 0;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const denom = Math.max(Math.abs(e[i]!), 1e-2 * scale, 1e-12);
    worst = Math.max(worst, Math.abs(a[i]! - e[i]!) / denom);
  }
  if (Deno.env.get("DEBUG_CLOSE")) console.log(label, worst, scale);
  assert(worst <= rtol, `${label}: relative error ${worst} > ${rtol}`);
}
