import { deepStrictEqual, strictEqual, throws } from "@std/assert";
import {
  bestThreshold,
  evaluateThreshold,
} from "../../src/metrics/threshold.ts";

Deno.test("evaluateThreshold() predicts similar at and above the threshold", () => {
  // Predicted similar: 0.9 (1), 0.5 (0), 0.5 (1). TP 2, FP 1, FN 1, TN 1.
  const r = evaluateThreshold([0.9, 0.5, 0.5, 0.2, 0.1], [1, 0, 1, 1, 0], {
    threshold: 0.5,
  });
  deepStrictEqual(r, {
    threshold: 0.5,
    accuracy: 3 / 5,
    f1: 4 / 6,
    precision: 2 / 3,
    recall: 2 / 3,
  });
});

Deno.test("evaluateThreshold() gives F1, precision and recall 0 when nothing is predicted similar", () => {
  const r = evaluateThreshold([0.1, 0.2], [1, 0], { threshold: 1 });
  deepStrictEqual(r, {
    threshold: 1,
    accuracy: 0.5,
    f1: 0,
    precision: 0,
    recall: 0,
  });
});

Deno.test("evaluateThreshold() rejects a NaN threshold", () => {
  throws(() => evaluateThreshold([0.1], [1], { threshold: NaN }), {
    message: "Expected threshold to be a number but found NaN",
  });
});

Deno.test("bestThreshold() splits separable scores at the midpoint", () => {
  const r = bestThreshold([0.9, 0.8, 0.3, 0.2, 0.6], [1, 1, 0, 0, 0]);
  deepStrictEqual(r, {
    threshold: 0.7,
    accuracy: 1,
    f1: 1,
    precision: 1,
    recall: 1,
  });
});

Deno.test("bestThreshold() matches a hand-computed example with overlap", () => {
  // Sorted: 0.9+ 0.7- 0.6+ 0.4+ 0.3- 0.1-. Cuts after 1..6 give accuracy
  // 4/6, 3/6, 4/6, 5/6, 4/6, 3/6; the best keeps 0.9 0.7 0.6 0.4: threshold 0.35.
  const r = bestThreshold([0.1, 0.9, 0.4, 0.7, 0.3, 0.6], [0, 1, 1, 0, 0, 1]);
  strictEqual(r.accuracy, 5 / 6);
  strictEqual(r.threshold, 0.35);
  strictEqual(r.f1, 6 / 7);
  deepStrictEqual(
    evaluateThreshold([0.1, 0.9, 0.4, 0.7, 0.3, 0.6], [0, 1, 1, 0, 0, 1], {
      threshold: r.threshold,
    }),
    r,
  );
});

Deno.test("bestThreshold() never splits tied scores", () => {
  const r = bestThreshold([0.75, 0.75, 0.75, 0.25], [1, 0, 1, 0]);
  // Either all three 0.75s are similar (accuracy 3/4) or none (2/4).
  strictEqual(r.accuracy, 3 / 4);
  strictEqual(r.threshold, 0.5);
});

Deno.test("bestThreshold() breaks an accuracy tie by F1", () => {
  // Sorted 0.75- 0.5+ 0.25-. None similar: accuracy 2/3, F1 0. {0.75}: 1/3.
  // {0.75, 0.5}: 2/3, F1 2/3. All: 1/3. The tie goes to the higher F1.
  deepStrictEqual(bestThreshold([0.75, 0.5, 0.25], [0, 1, 0]), {
    threshold: 0.375,
    accuracy: 2 / 3,
    f1: 2 / 3,
    precision: 0.5,
    recall: 1,
  });
});

Deno.test("bestThreshold() predicts nothing similar with Infinity when no pair is", () => {
  deepStrictEqual(bestThreshold([0.5, 0.25], [0, 0]), {
    threshold: Infinity,
    accuracy: 1,
    f1: 0,
    precision: 0,
    recall: 0,
  });
});

Deno.test("bestThreshold() can predict every pair similar with the lowest score", () => {
  deepStrictEqual(bestThreshold([0.5, 0.25], [1, 1]), {
    threshold: 0.25,
    accuracy: 1,
    f1: 1,
    precision: 1,
    recall: 1,
  });
});

Deno.test("bestThreshold() does not mutate its inputs", () => {
  const scores = [0.3, 0.9, 0.1];
  const labels = [0, 1, 0];
  bestThreshold(scores, labels);
  deepStrictEqual(scores, [0.3, 0.9, 0.1]);
  deepStrictEqual(labels, [0, 1, 0]);
});

Deno.test("bestThreshold() rejects labels of another length", () => {
  throws(() => bestThreshold([0.1], [1, 0]), {
    message: "Expected labels to have the length of scores (1) but found 2",
  });
});
