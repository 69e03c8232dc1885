import assert from "@std/assert";
import * as tf from "../../src/deps/tfjs_core.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import { setLstmThreads } from "../../src/backend/lstm_threads.ts";
import {
  FUSED_LSTM_KERNEL_GRAD,
  recurrentKernelGradient,
} from "../../src/backend/lstm_kernels.ts";
import { BIG_MATMUL_MIN_B } from "../../src/backend/big_matmul.ts";
import { Rng } from "../../src/data/rng.ts";

await setupBackend({ log: false });

/**
 * H_prev^T [H, B T] and dZ [B T, G] as the backward pass leaves them: dZ is
 * zero at the steps where `mask` is 0.
 */
function operands(B: number, T: number, H: number, mask: Float32Array) {
  const rng = new Rng(B * 1000 + T);
  const G = 4 * H;
  const h = Float32Array.from({ length: H * B * T }, () => rng.normal());
  const dz = Float32Array.from(
    { length: B * T * G },
    (_, i) => mask[Math.floor(i / G)] === 0 ? 0 : rng.normal(),
  );
  return {
    hPrevT: tf.tensor2d(h, [H, B * T]),
    dz: tf.tensor2d(dz, [B * T, G]),
    mask: tf.tensor2d(mask, [B, T]),
  };
}

/** Row b valid for its first `lens[b]` steps, with 0s at `holes` too. */
function maskOf(T: number, lens: number[], holes: number[] = []): Float32Array {
  const m = new Float32Array(lens.length * T);
  lens.forEach((len, b) => m.fill(1, b * T, b * T + len));
  for (const k of holes) m[k] = 0;
  return m;
}

/** Element by element with ===, so +0 and -0 count as equal. */
function assertSame(got: tf.Tensor, want: tf.Tensor, what: string) {
  const g = got.dataSync(), w = want.dataSync();
  assert.equal(g.length, w.length);
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i]) assert.fail(`${what}: [${i}] ${g[i]} vs ${w[i]}`);
  }
}

for (const threads of [1, 2]) {
  Deno.test(`recurrentKernelGradient skips padded steps and gives tf.matMul's numbers exactly, ${threads} thread(s)`, async () => {
    await setLstmThreads(threads);
    try {
      const B = 6, T = 50, H = 20; // dZ has 6 * 50 * 80 = 24,000 elements
      const cases: [string, Float32Array][] = [
        ["every step valid", maskOf(T, [50, 50, 50, 50, 50, 50])],
        ["padded tails", maskOf(T, [50, 1, 17, 0, 33, 49])],
        ["tails and holes", maskOf(T, [50, 40, 30, 20, 10, 5], [0, 7, 120])],
        ["no step valid", maskOf(T, [0, 0, 0, 0, 0, 0])],
      ];
      for (const [what, mask] of cases) {
        const { hPrevT, dz, mask: m } = operands(B, T, H, mask);
        const big = tf.tile(dz, [1, 4]) as tf.Tensor2D; // G 320: 96,000 elements
        assert.ok(big.size >= BIG_MATMUL_MIN_B);
        const hBig = tf.tile(hPrevT, [4, 1]) as tf.Tensor2D; // H 80
        assertSame(
          recurrentKernelGradient(hBig, big, m),
          tf.matMul(hBig, big),
          what,
        );
        // odd sizes: a last panel of 4 columns, 3 columns past the last
        // multiple of 4, and an odd number of rows
        const odd = tf.concat([big, tf.slice(big, [0, 0], [-1, 7])], 1);
        const hOdd = tf.concat([hBig, tf.slice(hBig, [0, 0], [1, -1])], 0);
        assertSame(
          recurrentKernelGradient(hOdd as tf.Tensor2D, odd as tf.Tensor2D, m),
          tf.matMul(hOdd as tf.Tensor2D, odd as tf.Tensor2D),
          `${what}, [81, 300] x [300, 327]`,
        );
        tf.dispose([hPrevT, dz, m, big, hBig, odd, hOdd]);
      }
    } finally {
      await setLstmThreads(1);
    }
  });
}

Deno.test("recurrentKernelGradient leaves a small product to tf.matMul", () => {
  const mask = maskOf(4, [4, 2, 1]);
  const { hPrevT, dz, mask: m } = operands(3, 4, 4, mask);
  assert.ok(dz.size < BIG_MATMUL_MIN_B);
  assertSame(
    recurrentKernelGradient(hPrevT, dz, m),
    tf.matMul(hPrevT, dz),
    "small",
  );
});

Deno.test("FusedLstmKernelGrad refuses a mask or dZ of another number of steps", () => {
  const hPrevT = tf.zeros([4, 6]), dz = tf.zeros([6, 16]);
  assert.throws(
    () =>
      tf.engine().runKernel(FUSED_LSTM_KERNEL_GRAD, {
        hPrevT,
        dz,
        mask: tf.ones([2, 2]),
      }),
    /expected a mask and dZ of 6 steps \(hPrevT \[4, 6\]\) but found mask \[2,2\] and dZ \[6,16\]/,
  );
});
