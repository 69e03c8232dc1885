import * as tf from "../../src/deps/tfjs_core.ts";
import { deepStrictEqual as deepEqual, throws } from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";

await setupBackend({ log: false });

Deno.test("gather() along axis 0 picks rows, with repeats, for 1-D to 3-D indices", () => {
  tf.tidy(() => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    deepEqual(tf.gather(x, tf.tensor1d([2, 0, 2], "int32")).arraySync(), [
      [5, 6],
      [1, 2],
      [5, 6],
    ]);
    deepEqual(
      tf.gather(x, tf.tensor2d([[1], [0]], [2, 1], "int32")).arraySync(),
      [[[3, 4]], [[1, 2]]],
    );
    deepEqual(
      tf.gather(tf.tensor1d([7, 8, 9], "int32"), tf.tensor1d([2, 1], "int32"))
        .arraySync(),
      [9, 8],
    );
    deepEqual(tf.gather(x, tf.tensor1d([], "int32")).shape, [0, 2]);
  });
});

Deno.test("gather() along other axes still works", () => {
  tf.tidy(() => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    deepEqual(tf.gather(x, tf.tensor1d([1], "int32"), 1).arraySync(), [
      [2],
      [4],
      [6],
    ]);
  });
});

Deno.test("gather() rejects an index out of range", () => {
  tf.tidy(() => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    throws(() => tf.gather(x, tf.tensor1d([2], "int32")), {
      message: "GatherV2: the index value 2 is not in [0, 1]",
    });
  });
});

Deno.test("Embedding gradients still flow through gather()", () => {
  tf.tidy(() => {
    const table = tf.variable(tf.tensor2d([[1, 1], [2, 2], [3, 3]]));
    const { grads } = tf.variableGrads(
      () =>
        tf.sum(tf.gather(table, tf.tensor1d([2, 2, 0], "int32"))) as tf.Scalar,
      [table],
    );
    deepEqual(grads[table.name]!.arraySync(), [[1, 1], [0, 0], [2, 2]]);
    table.dispose();
  });
});
