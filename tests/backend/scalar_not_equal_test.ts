import assert from "@std/assert";
import * as tf from "../../src/deps/tfjs_core.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import { notEqualTo } from "../../src/backend/scalar_not_equal.ts";

await setupBackend({ log: false });

const bools = (t: tf.Tensor) => {
  assert.equal(t.dtype, "bool");
  return Array.from(t.dataSync());
};

Deno.test("notEqual against one value gives the mask, int32 ids and float32 with NaN, either side", () => {
  const ids = tf.tensor2d([[3, 0, 0], [0, 9, 1]], [2, 3], "int32");
  assert.deepEqual(bools(tf.notEqual(ids, 0)), [1, 0, 0, 0, 1, 1]);
  assert.deepEqual(bools(tf.notEqual(tf.scalar(0, "int32"), ids)), [
    1,
    0,
    0,
    0,
    1,
    1,
  ]);
  assert.deepEqual(bools(tf.notEqual(ids, tf.tensor1d([9], "int32"))), [
    1,
    1,
    1,
    1,
    0,
    1,
  ]);
  assert.deepEqual(tf.notEqual(ids, 0).shape, [2, 3]);
  const x = tf.tensor1d([0.5, NaN, -0, 2]);
  assert.deepEqual(bools(tf.notEqual(x, 0)), [1, 1, 0, 1]);
  assert.deepEqual(bools(tf.notEqual(x, NaN)), [1, 1, 1, 1]);
});

Deno.test("notEqual of other shapes goes to the original kernel (mixed dtypes are matched before the kernel)", () => {
  const a = tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32");
  const b = tf.tensor1d([1, 4], "int32");
  assert.deepEqual(bools(tf.notEqual(a, b)), [0, 1, 1, 0]);
  // a one-element operand of higher rank broadcasts the shape up
  const up = tf.notEqual(
    tf.tensor1d([0, 5], "int32"),
    tf.tensor2d([[5]], [1, 1], "int32"),
  );
  assert.deepEqual(up.shape, [1, 2]);
  assert.deepEqual(bools(up), [1, 0]);
  const mixed = tf.notEqual(tf.tensor1d([1, 2], "int32"), tf.scalar(2));
  assert.deepEqual(bools(mixed), [1, 0]);
});

Deno.test("notEqualTo compares every element with the value", () => {
  const out = new Uint8Array(4);
  notEqualTo(new Float32Array([1, 0, NaN, 0]), 0, out);
  assert.deepEqual([...out], [1, 0, 1, 0]);
});
