import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { describeBackend, setupBackend } from "../../src/backend/setup.ts";
import { segmentSumInto } from "../../src/backend/segment_sum.ts";

const info = await setupBackend({ log: false });

Deno.test("setupBackend() starts the wasm backend with SIMD and reports it in one line", () => {
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(info.simd, true);
  assert.ok(info.threads >= 1);
  assert.match(
    describeBackend(info),
    /^backend wasm {2}simd on {2}threads \d+$/,
  );
});

Deno.test("gradients are registered: d/dx sum(x^2) = 2x", () => {
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(
    tf.tensor1d([1, -2, 3]),
  );
  assert.deepEqual([...g.dataSync()], [2, -4, 6]);
});

Deno.test("chained ops are installed on tensors", () => {
  // deno-lint-ignore no-explicit-any
  const t = tf.tensor1d([1, 2, 3]) as any;
  assert.deepEqual([...t.square().add(1).dataSync()], [2, 5, 10]);
  assert.deepEqual(t.as2D(3, 1).shape, [3, 1]);
});

Deno.test("the Embedding gradient on wasm matches a finite-difference estimate", () => {
  // f(W) = sum(gather(W, ids) * C): a weighted lookup with repeated ids
  const vocab = 6;
  const dim = 3;
  const w0 = Array.from({ length: vocab * dim }, (_, k) => Math.sin(k + 1));
  const ids = tf.tensor1d([1, 4, 1, 0, 5, 1], "int32");
  const c = tf.tensor2d(
    Array.from({ length: 6 * dim }, (_, k) => Math.cos(3 * k)),
    [6, dim],
  );
  const f = (w: tf.Tensor) => tf.sum(tf.mul(tf.gather(w, ids), c));
  const analytic = tf.grad(f)(tf.tensor2d(w0, [vocab, dim])).dataSync();
  const eps = 1e-2;
  for (let k = 0; k < w0.length; k++) {
    const plus = w0.slice();
    const minus = w0.slice();
    plus[k]! += eps;
    minus[k]! -= eps;
    const fd = (f(tf.tensor2d(plus, [vocab, dim])).dataSync()[0]! -
      f(tf.tensor2d(minus, [vocab, dim])).dataSync()[0]!) / (2 * eps);
    assert.ok(
      Math.abs(fd - analytic[k]!) < 1e-3,
      `w[${k}]: analytic ${analytic[k]} vs ${fd}`,
    );
  }
  // row 2 and 3 are never looked up: zero gradient
  assert.deepEqual([...analytic.slice(2 * dim, 4 * dim)], [0, 0, 0, 0, 0, 0]);
});

Deno.test("UnsortedSegmentSum on wasm agrees with a hand-computed sum", () => {
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const out = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2], "int32"), 3);
  assert.deepEqual(out.arraySync(), [[3, 4], [0, 0], [6, 8]]);
});

Deno.test("segmentSumInto() skips negative ids and rejects ids out of range", () => {
  const out = new Float32Array(2);
  segmentSumInto([1, 2, 3], [0, -1, 0], 2, out);
  assert.deepEqual([...out], [4, 0]);
  assert.throws(() => segmentSumInto([1], [2], 2, out), {
    message:
      "UnsortedSegmentSum: expected segment ids in [0, 2) but found 2 at index 0",
  });
});
