import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { segmentSumInto } from "../../src/backend/segment_sum.ts";
import { setLstmThreads } from "../../src/backend/lstm_threads.ts";

await setupBackend({ log: false });

/** The kernel's result against the JavaScript reference, bit for bit. */
function check(n: number, d: number, s: number, seed: number): void {
  tf.tidy(() => {
    const x = tf.randomNormal([n, d], 0, 1, "float32", seed);
    // ids in [-1, s): -1 rows are skipped
    const ids = tf.randomUniform([n], -1, s, "int32", seed + 1) as tf.Tensor1D;
    const got = tf.unsortedSegmentSum(x, ids, s);
    const want = new Float32Array(s * d);
    segmentSumInto(x.dataSync(), ids.dataSync(), s, want);
    assert.deepStrictEqual([...got.dataSync()], [...want], `${n}x${d} -> ${s}`);
  });
}

const shapes: [number, number, number][] = [
  [200, 37, 9], // columns not a multiple of 4
  [500, 256, 40],
  [3, 2, 5],
  [0, 8, 4], // no rows: all zeros
];

Deno.test("UnsortedSegmentSum (float32) equals the JavaScript sum on one thread", () => {
  for (const [n, d, s] of shapes) check(n, d, s, n + d);
});

Deno.test("UnsortedSegmentSum (float32) equals it while the LSTM threads run", async () => {
  assert.strictEqual(await setLstmThreads(2), 2);
  try {
    for (const [n, d, s] of shapes) check(n, d, s, n + d + 1);
  } finally {
    await setLstmThreads(1);
  }
});

Deno.test("UnsortedSegmentSum rejects an id past the last segment, naming it", () => {
  assert.throws(
    () =>
      tf.unsortedSegmentSum(
        tf.ones([2, 4]),
        tf.tensor1d([0, 3], "int32"),
        3,
      ),
    {
      message:
        "UnsortedSegmentSum: expected segment ids in [0, 3) but found 3 at index 1",
    },
  );
});
