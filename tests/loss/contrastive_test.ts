import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import {
  contrastiveLoss,
  cosineSimilarity,
  distance,
  similarity,
} from "../../src/loss/contrastive.ts";

await setupBackend({ log: false });

const close = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b} but found ${a}`);

// a = [3, 4], b = [4, 3]: cos = 24/25 = 0.96, euclidean = sqrt(2)
const a = () => tf.tensor2d([[3, 4], [1, 0]]);
const b = () => tf.tensor2d([[4, 3], [-1, 0]]);

Deno.test("cosine distance is 1 - cos, in [0, 2]", () => {
  const d = distance(a(), b(), "cosine").arraySync();
  close(d[0]!, 1 - 0.96);
  close(d[1]!, 2);
});

Deno.test("euclidean distance is the L2 norm of the difference", () => {
  const d = distance(a(), b(), "euclidean").arraySync();
  close(d[0]!, Math.SQRT2, 1e-4);
  close(d[1]!, 2, 1e-4);
});

Deno.test("similarity is larger for closer pairs, for both distances", () => {
  close(cosineSimilarity(a(), b()).arraySync()[0]!, 0.96);
  const s = similarity(a(), b(), "euclidean").arraySync();
  assert.ok(s[0]! > s[1]!);
});

Deno.test("contrastive loss on cosine distance matches hand-computed values for both labels", () => {
  // d = [0.04, 2]; margin 1
  const d = distance(a(), b(), "cosine");
  // similar: d^2
  close(
    contrastiveLoss(d, tf.tensor1d([1, 1])).arraySync(),
    (0.04 ** 2 + 4) / 2,
  );
  // dissimilar: max(1 - d, 0)^2 -> (0.96^2 + 0) / 2
  close(contrastiveLoss(d, tf.tensor1d([0, 0])).arraySync(), 0.96 ** 2 / 2);
  // mixed
  close(contrastiveLoss(d, tf.tensor1d([1, 0])).arraySync(), 0.04 ** 2 / 2);
});

Deno.test("contrastive loss on euclidean distance matches hand-computed values for both labels", () => {
  const d = distance(a(), b(), "euclidean"); // [sqrt 2, 2]
  close(
    contrastiveLoss(d, tf.tensor1d([1, 1]), 3).arraySync(),
    (2 + 4) / 2,
    1e-4,
  );
  const m = 3;
  const expected = ((m - Math.SQRT2) ** 2 + (m - 2) ** 2) / 2;
  close(contrastiveLoss(d, tf.tensor1d([0, 0]), m).arraySync(), expected, 1e-4);
});

Deno.test("contrastive loss pulls similar pairs together and pushes dissimilar ones apart", () => {
  const x = tf.variable(tf.tensor2d([[1, 0.5]]));
  const y = tf.tensor2d([[0.2, 1]]);
  const gradFor = (label: number) =>
    tf.grad((v: tf.Tensor) =>
      contrastiveLoss(
        distance(v as tf.Tensor2D, y, "euclidean"),
        tf.tensor1d([label]),
        5,
      )
    )(x);
  // descending the gradient moves x towards y for label 1, away for label 0
  const step = (label: number) => tf.sub(x, tf.mul(0.01, gradFor(label)));
  const d0 = distance(x, y, "euclidean").arraySync()[0]!;
  assert.ok(
    distance(step(1) as tf.Tensor2D, y, "euclidean").arraySync()[0]! < d0,
  );
  assert.ok(
    distance(step(0) as tf.Tensor2D, y, "euclidean").arraySync()[0]! > d0,
  );
});

Deno.test("contrastiveLoss() rejects a margin that is not positive", () => {
  assert.throws(
    () => contrastiveLoss(tf.tensor1d([0]), tf.tensor1d([1]), 0),
    { message: "Expected margin to be greater than 0 but found 0" },
  );
});
