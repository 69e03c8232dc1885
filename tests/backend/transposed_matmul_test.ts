import * as tf from "../../src/deps/tfjs_core.ts";
import { ok as assert } from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";

await setupBackend({ log: false });

/** Plain row-major product of a [M, K] by b [K, N]. */
function reference(a: number[][], b: number[][]): number[][] {
  return a.map((row) =>
    b[0]!.map((_, n) => row.reduce((s, v, k) => s + v * b[k]![n]!, 0))
  );
}

function transpose(m: number[][]): number[][] {
  return m[0]!.map((_, j) => m.map((row) => row[j]!));
}

for (
  const [transposeA, transposeB] of [[false, false], [true, false], [
    false,
    true,
  ], [true, true]] as const
) {
  Deno.test(`matMul() with transposeA ${transposeA}, transposeB ${transposeB} matches a plain product`, () => {
    tf.tidy(() => {
      const a = tf.randomNormal([5, 7], 0, 1, "float32", 1)
        .arraySync() as number[][];
      const b = tf.randomNormal([7, 3], 0, 1, "float32", 2)
        .arraySync() as number[][];
      const want = reference(a, b);
      const got = tf.matMul(
        tf.tensor2d(transposeA ? transpose(a) : a),
        tf.tensor2d(transposeB ? transpose(b) : b),
        transposeA,
        transposeB,
      ).arraySync() as number[][];
      want.forEach((row, i) =>
        row.forEach((v, j) =>
          assert(Math.abs(got[i]![j]! - v) < 1e-5, `[${i}, ${j}]`)
        )
      );
    });
  });
}

Deno.test("batched matMul() with transposeA matches per-batch products", () => {
  tf.tidy(() => {
    const a = tf.randomNormal([2, 4, 3], 0, 1, "float32", 3);
    const b = tf.randomNormal([2, 4, 5], 0, 1, "float32", 4);
    const got = tf.matMul(a, b, true, false);
    const want = tf.stack(
      tf.unstack(a).map((ai, i) =>
        tf.matMul(tf.transpose(ai), tf.unstack(b)[i]!)
      ),
    );
    assert(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]! < 1e-5);
  });
});

Deno.test("matMul() with transposes leaves no tensors behind", () => {
  const a = tf.ones([6, 4]), b = tf.ones([6, 5]);
  const dataIds = () => tf.backend().numDataIds();
  const [tensors, ids] = [tf.memory().numTensors, dataIds()];
  tf.tidy(() => {
    tf.matMul(a, b, true, false);
    tf.matMul(tf.transpose(a), tf.transpose(b), false, true);
  });
  assert(tf.memory().numTensors === tensors);
  assert(dataIds() === ids, "the backend freed the transposed copies");
  tf.dispose([a, b]);
});
