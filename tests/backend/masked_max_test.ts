import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { maskedMaxOnWasm } from "../../src/backend/masked_max.ts";
import { maskedPool } from "../../src/model/pooling.ts";
import { assertClose } from "../_close.ts";

await setupBackend({ log: false });

/** The definition with tfjs ops: padding at -1e9, max, zeros for no steps. */
function reference(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor2D {
  if (mask === null) return tf.max(x, 1);
  const m = tf.expandDims(mask, 2);
  const shifted = tf.add(x, tf.mul(tf.sub(m, 1), 1e9));
  const any = tf.cast(tf.greater(tf.sum(m, 1), 0), "float32");
  return tf.mul(tf.max(shifted, 1), any) as tf.Tensor2D;
}

const SHAPES: [number, number, number][] = [[4, 7, 5], [3, 1, 8], [2, 9, 130]];
for (const [B, T, H] of SHAPES) {
  for (const masked of [true, false]) {
    Deno.test(`MaskedMax equals max over the real steps, values and gradient (B ${B}, T ${T}, H ${H}${masked ? ", masked" : ""})`, () => {
      const x = tf.randomUniform(
        [B, T, H],
        -2,
        2,
        "float32",
        B * T * H,
      ) as tf.Tensor3D;
      const rows = Array.from(
        { length: B },
        (_, b) => Array.from({ length: T }, (_, t) => (t < T - b ? 1 : 0)),
      );
      rows[B - 1]!.fill(0); // a row with no real step
      const mask = masked ? tf.tensor2d(rows) : null;
      const w = tf.randomUniform([B, H], -1, 1, "float32", 3);
      const loss = (f: typeof reference) => (v: tf.Tensor) =>
        tf.sum(tf.mul(f(v as tf.Tensor3D, mask), w));
      const fast = (v: tf.Tensor3D, m: tf.Tensor2D | null) =>
        maskedMaxOnWasm(v, m)!;
      assertClose(fast(x, mask), reference(x, mask), "values");
      assertClose(
        tf.grad(loss(fast))(x),
        tf.grad(loss(reference))(x),
        "gradient",
      );
    });
  }
}

Deno.test("ties: the first step holding the maximum gets the gradient", () => {
  const x = tf.tensor3d([[[2, 1], [2, 3], [0, 3]]]);
  const g = tf.grad((v: tf.Tensor) => maskedMaxOnWasm(v as tf.Tensor3D, null)!)(
    x,
  );
  assert.deepStrictEqual(g.arraySync(), [[[1, 0], [0, 1], [0, 0]]]);
});

Deno.test("max pooling trains without the element-wise Equal of tfjs's max gradient", async () => {
  const x = tf.randomUniform([2, 6, 8]) as tf.Tensor3D;
  const mask = tf.tensor2d([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]]);
  const info = await tf.profile(() =>
    tf.grad((v: tf.Tensor) =>
      tf.sum(maskedPool(v as tf.Tensor3D, mask, "max"))
    )(x)
  );
  const names = info.kernels.map((k) => k.name);
  assert.ok(
    names.includes("MaskedMax") && names.includes("MaskedMaxGrad"),
    names.join(),
  );
  assert.ok(!names.includes("Equal"), names.join());
});
