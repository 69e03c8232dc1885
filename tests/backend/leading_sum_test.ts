import * as tf from "../../src/deps/tfjs_core.ts";
import { deepStrictEqual as deepEqual, ok as assert } from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { columnSumsInto } from "../../src/backend/leading_sum.ts";

await setupBackend({ log: false });

Deno.test("columnSumsInto() sums each column", () => {
  const out = new Float32Array(3);
  columnSumsInto(new Float32Array([1, 2, 3, 4, 5, 6]), 2, out);
  deepEqual([...out], [5, 7, 9]);
});

const cases: [number[], number | number[], boolean][] = [
  [[4, 3], 0, false],
  [[4, 3], 0, true],
  [[2, 3, 5], [0, 1], false],
  [[2, 3, 5], [1, 0], true],
  [[2, 3, 5], -3, false],
  [[2, 3, 5], 1, false], // not leading: original kernel
  [[2, 3, 5], [0, 1, 2], false], // everything: original kernel
];
for (const [shape, axis, keepDims] of cases) {
  Deno.test(`sum() over axis ${JSON.stringify(axis)} of [${shape}] (keepDims ${keepDims}) matches a plain sum`, () => {
    tf.tidy(() => {
      const x = tf.randomNormal(shape, 0, 1, "float32", 5);
      const got = tf.sum(x, axis, keepDims);
      // reference: move the summed axes last, sum the innermost axes
      const axes = (Array.isArray(axis) ? axis : [axis]).map((
        a,
      ) => (a < 0 ? a + shape.length : a));
      const rest = shape.map((_, i) => i).filter((i) => !axes.includes(i));
      const moved = tf.transpose(x, [...rest, ...axes]);
      let want = tf.sum(moved, axes.map((_, i) => rest.length + i));
      if (keepDims) want = tf.reshape(want, got.shape);
      deepEqual(got.shape, want.shape);
      assert(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]! < 1e-5);
    });
  });
}
