import { strictEqual, throws } from "@std/assert";
import { rocAuc } from "../../src/metrics/roc_auc.ts";

Deno.test("rocAuc() matches a hand-computed example", () => {
  // Positive/negative pairs: (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, *) 2 wins: 3/4.
  strictEqual(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
});

Deno.test("rocAuc() counts a tie between a positive and a negative as one half", () => {
  // (0.5+, 0.1-) 1, (0.5+, 0.5-) 0.5, (0.9+, 0.1-) 1, (0.9+, 0.5-) 1: 3.5/4.
  strictEqual(rocAuc([0.1, 0.5, 0.5, 0.9], [0, 1, 0, 1]), 0.875);
});

Deno.test("rocAuc() gives 0.5 when every score is equal", () => {
  strictEqual(rocAuc([3, 3, 3, 3, 3], [1, 0, 0, 1, 0]), 0.5);
});

Deno.test("rocAuc() gives 1 for perfect and 0 for reversed scores", () => {
  strictEqual(rocAuc([0.2, 0.9, 0.1, 0.8], [0, 1, 0, 1]), 1);
  strictEqual(rocAuc([0.9, 0.2, 0.8, 0.1], [0, 1, 0, 1]), 0);
});

Deno.test("rocAuc() agrees with counting all positive-negative pairs", () => {
  const scores = [0.3, 0.3, 0.7, 0.1, 0.7, 0.5, 0.9, 0.3, 0.2, 0.7];
  const labels = [1, 0, 1, 0, 0, 1, 1, 0, 1, 1];
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    scores.forEach((q, j) => {
      if (labels[i] === 1 && labels[j] === 0) {
        pairs++;
        wins += p > q ? 1 : p === q ? 0.5 : 0;
      }
    });
  });
  strictEqual(rocAuc(scores, labels), wins / pairs);
});

Deno.test("rocAuc() does not mutate its inputs", () => {
  const scores = new Float32Array([0.9, 0.1, 0.5]);
  const labels = [1, 0, 1];
  rocAuc(scores, labels);
  strictEqual(scores.join(), new Float32Array([0.9, 0.1, 0.5]).join());
  strictEqual(labels.join(), "1,0,1");
});

Deno.test("rocAuc() rejects labels of only one class", () => {
  throws(() => rocAuc([0.1, 0.2], [1, 1]), {
    message: "Expected labels to contain both 0 and 1 but found only 1",
  });
  throws(() => rocAuc([0.1, 0.2], [0, 0]), {
    message: "Expected labels to contain both 0 and 1 but found only 0",
  });
});

Deno.test("rocAuc() rejects labels of another length", () => {
  throws(() => rocAuc([0.1, 0.2, 0.3], [1, 0]), {
    message: "Expected labels to have the length of scores (3) but found 2",
  });
});

Deno.test("rocAuc() rejects a label other than 0 or 1", () => {
  throws(() => rocAuc([0.1, 0.2], [1, 2]), {
    message: "Expected labels[1] to be 0 or 1 but found 2",
  });
});

Deno.test("rocAuc() rejects a score that is not finite", () => {
  throws(() => rocAuc([0.1, NaN], [1, 0]), {
    message: "Expected scores[1] to be a finite number but found NaN",
  });
});

Deno.test("rocAuc() rejects empty scores", () => {
  throws(() => rocAuc([], []), {
    message: "Expected scores to be non-empty but found length 0",
  });
});
