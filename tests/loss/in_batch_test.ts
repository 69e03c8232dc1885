import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import {
  infoNceLoss,
  onlineContrastiveLoss,
  pairwiseDistance,
} from "../../src/loss/in_batch.ts";

await setupBackend({ log: false });

const close = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b} but found ${a}`);

// unit vectors at angles 0, 90 and 60 degrees (left) vs 0, 90, 180 (right)
const a = () => tf.tensor2d([[1, 0], [0, 1], [0.5, Math.sqrt(3) / 2]]);
const b = () => tf.tensor2d([[1, 0], [0, 2], [-1, 0]]);
// cos matrix rows = left i, cols = right j
const cos = [[1, 0, -1], [0, 1, 0], [0.5, Math.sqrt(3) / 2, -0.5]];

Deno.test("pairwiseDistance() matches hand-computed cosine and euclidean distances", () => {
  const d = pairwiseDistance(a(), b(), "cosine").arraySync();
  cos.forEach((r, i) => r.forEach((c, j) => close(d[i]![j]!, 1 - c)));
  const e = pairwiseDistance(a(), b(), "euclidean").arraySync();
  close(e[0]![2]!, 2, 1e-4);
  close(e[1]![1]!, 1, 1e-4);
});

Deno.test("infoNceLoss() matches the hand-computed symmetric cross-entropy", () => {
  const t = 0.5;
  const lse = (xs: number[]) =>
    Math.log(xs.reduce((s, x) => s + Math.exp(x / t), 0));
  let rows = 0;
  let cols = 0;
  for (let i = 0; i < 3; i++) {
    rows += lse(cos[i]!) - cos[i]![i]! / t;
    cols += lse(cos.map((r) => r[i]!)) - cos[i]![i]! / t;
  }
  close(infoNceLoss(a(), b(), t).dataSync()[0]!, (rows / 3 + cols / 3) / 2);
});

Deno.test("onlineContrastiveLoss() averages over hard positives and hard negatives", () => {
  // cosine distances: diagonal (positives) [0, 0, 1.5]; max positive 1.5;
  // the closest negative is 0.134 (row 2, col 1): only the positive 1.5 is
  // hard; negatives below 1.5 are hard: all off-diagonal except d = 2.
  const d = cos.map((r) => r.map((c) => 1 - c));
  const m = 1;
  let push = 0;
  let hard = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (i !== j && d[i]![j]! < 1.5) {
        push += Math.max(m - d[i]![j]!, 0) ** 2;
        hard++;
      }
    }
  }
  assert.equal(hard, 5);
  const expected = 1.5 ** 2 + push / hard;
  close(
    onlineContrastiveLoss(a(), b(), { distance: "cosine", margin: m })
      .dataSync()[0]!,
    expected,
  );
});

Deno.test("infoNceLoss() rejects a temperature that is not positive", () => {
  assert.throws(() => infoNceLoss(a(), b(), 0), {
    message: "Expected temperature to be greater than 0 but found 0",
  });
});

// lexical cosines of the same rows, mixed in with weight λ
const lexical = [[0.9, 0.1, 0], [0.2, 0.6, 0], [0, 0.3, 1]];

Deno.test("infoNceLoss() with a lexical channel uses (1 - λ) cos + λ lexical as the score", () => {
  const t = 0.5;
  const w = 0.25;
  const s = cos.map((r, i) =>
    r.map((c, j) => (1 - w) * c + w * lexical[i]![j]!)
  );
  const lse = (xs: number[]) =>
    Math.log(xs.reduce((acc, x) => acc + Math.exp(x / t), 0));
  let rows = 0;
  let cols = 0;
  for (let i = 0; i < 3; i++) {
    rows += lse(s[i]!) - s[i]![i]! / t;
    cols += lse(s.map((r) => r[i]!)) - s[i]![i]! / t;
  }
  const mix = { weight: w, cosines: tf.tensor2d(lexical) };
  close(
    infoNceLoss(a(), b(), t, mix).dataSync()[0]!,
    (rows / 3 + cols / 3) / 2,
  );
  // weight 0 is the plain loss
  close(
    infoNceLoss(a(), b(), t, { weight: 0, cosines: tf.tensor2d(lexical) })
      .dataSync()[0]!,
    infoNceLoss(a(), b(), t).dataSync()[0]!,
  );
});

Deno.test("pairwiseDistance() with a lexical channel is 1 minus the mixed score, and cosine only", () => {
  const mix = { weight: 0.5, cosines: tf.tensor2d(lexical) };
  const d = pairwiseDistance(a(), b(), "cosine", mix).arraySync();
  cos.forEach((r, i) =>
    r.forEach((c, j) => close(d[i]![j]!, 1 - (0.5 * c + 0.5 * lexical[i]![j]!)))
  );
  assert.throws(
    () => pairwiseDistance(a(), b(), "euclidean", mix),
    /train.distance cosine/,
  );
});
