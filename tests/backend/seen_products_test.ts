/**
 * On one thread XNNPACK and the unpacked GEMM round differently, so the
 * kernel a product takes must not depend on what the process multiplied
 * before: `forgetSeenProducts()` (called by every training step) resets it.
 */
import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { forgetSeenProducts } from "../../src/backend/big_matmul.ts";

await setupBackend({ log: false, threads: 1 });

Deno.test("after forgetSeenProducts() a large B takes the kernel it took when fresh, bit for bit", () => {
  tf.tidy(() => {
    const a = tf.randomNormal([32, 512], 0, 1, "float32", 5) as tf.Tensor2D;
    const b = tf.randomNormal([512, 128], 0, 1, "float32", 6) as tf.Tensor2D;
    forgetSeenProducts();
    const fresh = tf.matMul(a, b).dataSync();
    const seen = tf.matMul(a, b).dataSync(); // XNNPACK, with B's packing
    // the two kernels round differently: why the choice must not drift
    assert.ok(seen.some((v, i) => v !== fresh[i]));
    forgetSeenProducts();
    assert.deepStrictEqual(tf.matMul(a, b).dataSync(), fresh);
  });
});
