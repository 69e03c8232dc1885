import * as tf from "../../src/deps/tfjs_core.ts";
import {
  deepStrictEqual as deepEqual,
  ok as assert,
  strictEqual as equal,
} from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import {
  BIG_MATMUL_MIN_B,
  forgetSeenProducts,
  PLAIN_MIN_WORK,
} from "../../src/backend/big_matmul.ts";
import { LstmKernel } from "../../src/wasm/kernel_instance.ts";
import { MATMUL_SCRATCH_FLOATS } from "../../src/wasm/lstm_pointers.ts";
import { setLstmThreads } from "../../src/backend/lstm_threads.ts";

await setupBackend({ log: false });

/** a b summed over K in chunks small enough for the backend's own kernel. */
function chunked(a: tf.Tensor2D, b: tf.Tensor2D, chunk = 1024): tf.Tensor {
  const K = a.shape[1];
  let sum: tf.Tensor = tf.zeros([a.shape[0], b.shape[1]]);
  for (let k = 0; k < K; k += chunk) {
    const n = Math.min(chunk, K - k);
    sum = tf.add(
      sum,
      tf.matMul(tf.slice(a, [0, k], [-1, n]), tf.slice(b, [k, 0], [n, -1])),
    );
  }
  return sum;
}

function maxRelError(got: tf.Tensor, want: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]! /
    tf.max(tf.abs(want)).dataSync()[0]!;
}

const shapes: [number, number, number][] = [
  [3, 4096, 260],
  [64, 5000, 256],
  [2, 1 << 16, 17],
  [5, 4099, 263],
];
for (const [M, K, N] of shapes) {
  Deno.test(`matMul() of [${M}, ${K}] x [${K}, ${N}] (large B) matches a chunked product`, () => {
    assert(K * N >= BIG_MATMUL_MIN_B);
    tf.tidy(() => {
      const a = tf.randomNormal([M, K], 0, 1, "float32", 1) as tf.Tensor2D;
      const b = tf.randomNormal([K, N], 0, 1, "float32", 2) as tf.Tensor2D;
      const got = tf.matMul(a, b);
      deepEqual(got.shape, [M, N]);
      assert(maxRelError(got, chunked(a, b)) < 1e-5);
    });
  });
}

Deno.test("matMul() with transposeA and a large B, and with a batch of one, match a chunked product", () => {
  tf.tidy(() => {
    const a = tf.randomNormal([4096, 7], 0, 1, "float32", 3) as tf.Tensor2D;
    const b = tf.randomNormal([4096, 256], 0, 1, "float32", 4) as tf.Tensor2D;
    const want = chunked(tf.transpose(a), b);
    assert(maxRelError(tf.matMul(a, b, true, false), want) < 1e-5);
    const batched = tf.matMul(
      tf.expandDims(tf.transpose(a), 0),
      tf.expandDims(b, 0),
    );
    deepEqual(batched.shape, [1, 7, 256]);
    assert(maxRelError(tf.squeeze(batched, [0]), want) < 1e-5);
  });
});

Deno.test("the kernel's own GEMM (used with one thread) matches a plain product", () => {
  // exercised directly: in a test process with a tfjs thread pool and no
  // LSTM pool the wrapper hands every product to XNNPACK
  const [M, K, N] = [5, 37, 19];
  const memory = new WebAssembly.Memory({ initial: 1 });
  const f32 = new Float32Array(memory.buffer);
  const aAt = 0, bAt = M * K, cAt = M * K + K * N;
  for (let i = 0; i < M * K; i++) f32[aAt + i] = Math.sin(i);
  for (let i = 0; i < K * N; i++) f32[bAt + i] = Math.cos(3 * i);
  const pk = (cAt + M * N) * 4;
  LstmKernel.create(memory).matmul(M, N, K, aAt * 4, bAt * 4, cAt * 4, pk);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let want = 0;
      for (let k = 0; k < K; k++) {
        want += f32[aAt + m * K + k]! * f32[bAt + k * N + n]!;
      }
      const got = f32[cAt + m * N + n]!;
      assert.ok(
        Math.abs(got - want) < 1e-4,
        `C[${m}, ${n}] = ${got}, expected ${want}`,
      );
    }
  }
});

Deno.test("with the LSTM pool on the shared heap, large products are split by rows and equal the one-thread kernel's bit for bit", async () => {
  equal(await setLstmThreads(2), 2);
  try {
    for (const [M, K, N] of [[5, 4099, 263], [64, 5000, 256]]) {
      tf.tidy(() => {
        const a = tf.randomNormal([M!, K!], 0, 1, "float32", 5) as tf.Tensor2D;
        const b = tf.randomNormal([K!, N!], 0, 1, "float32", 6) as tf.Tensor2D;
        const got = tf.matMul(a, b).dataSync();
        // the same product by the kernel alone, on a private memory
        const bytes = 4 * (M! * K! + K! * N! + M! * N! + MATMUL_SCRATCH_FLOATS);
        const memory = new WebAssembly.Memory({
          initial: Math.ceil(bytes / 65536),
        });
        const f32 = new Float32Array(memory.buffer);
        f32.set(a.dataSync(), 0);
        f32.set(b.dataSync(), M! * K!);
        LstmKernel.create(memory).matmul(
          M!,
          N!,
          K!,
          0,
          4 * M! * K!,
          4 * (M! * K! + K! * N!),
          4 * (M! * K! + K! * N! + M! * N!),
        );
        const want = f32.subarray(
          M! * K! + K! * N!,
          M! * K! + K! * N! + M! * N!,
        );
        deepEqual([...got], [...want]);
      });
    }
  } finally {
    await setLstmThreads(1);
  }
});

/** `kernel.matmulPlain` of a and b on a private memory. */
function plainProduct(a: tf.Tensor2D, b: tf.Tensor2D): Float32Array {
  const [M, K] = a.shape, N = b.shape[1];
  const cAt = M * K + K * N, pkAt = cAt + M * N;
  const memory = new WebAssembly.Memory({
    initial: Math.ceil((4 * (pkAt + MATMUL_SCRATCH_FLOATS)) / 65536),
  });
  const f32 = new Float32Array(memory.buffer);
  f32.set(a.dataSync(), 0);
  f32.set(b.dataSync(), M * K);
  LstmKernel.create(memory).matmulPlain(
    M,
    N,
    K,
    0,
    4 * M * K,
    4 * cAt,
    4 * pkAt,
  );
  return f32.slice(cAt, pkAt);
}

Deno.test("matmulPlain gives XNNPACK's numbers bit for bit (tails, several K blocks)", () => {
  // one thread: every one of these products is XNNPACK's (B under 2^16)
  for (
    const [M, K, N] of [[7, 33, 19], [1000, 32, 256], [33, 600, 60], [5, 3, 4]]
  ) {
    tf.tidy(() => {
      const a = tf.randomNormal([M!, K!], 0, 1, "float32", 7) as tf.Tensor2D;
      const b = tf.randomNormal([K!, N!], 0, 1, "float32", 8) as tf.Tensor2D;
      assert(b.size < BIG_MATMUL_MIN_B);
      deepEqual([...plainProduct(a, b)], [...tf.matMul(a, b).dataSync()]);
    });
  }
});

Deno.test("on the pool, a product of at least PLAIN_MIN_WORK multiply-adds with a small B keeps XNNPACK's numbers", async () => {
  const [M, K, N] = [1000, 32, 256]; // the seed's vocabulary table
  assert(M * K * N >= PLAIN_MIN_WORK && K * N < BIG_MATMUL_MIN_B);
  const a = tf.randomNormal([M, K], 0, 1, "float32", 9) as tf.Tensor2D;
  const b = tf.randomNormal([K, N], 0, 1, "float32", 10) as tf.Tensor2D;
  const want = [...tf.matMul(a, b).dataSync()]; // XNNPACK, one thread
  equal(await setLstmThreads(2), 2);
  try {
    forgetSeenProducts();
    const fresh = tf.add(b, 0) as tf.Tensor2D; // a B never multiplied
    // the calling thread's part runs matmulPlain: count it
    const plain = LstmKernel.prototype.matmulPlain;
    let calls = 0;
    LstmKernel.prototype.matmulPlain = function (...args) {
      calls++;
      return plain.apply(this, args);
    };
    try {
      deepEqual([...tf.matMul(a, fresh).dataSync()], want);
    } finally {
      LstmKernel.prototype.matmulPlain = plain;
    }
    equal(calls, 1);
    tf.dispose(fresh);
  } finally {
    await setLstmThreads(1);
    tf.dispose([a, b]);
  }
});

Deno.test("the kernel's GEMM with K = 0 writes zeros over every element of C", () => {
  const [M, N] = [3, 5]; // N not a multiple of 4
  const memory = new WebAssembly.Memory({ initial: 1 });
  const f32 = new Float32Array(memory.buffer);
  f32.fill(7, 0, M * N); // C at 0, filled with something else
  const kernel = LstmKernel.create(memory);
  kernel.matmul(M, N, 0, 4 * M * N, 4 * M * N, 0, 4 * (M * N + 16));
  deepEqual([...f32.subarray(0, M * N)], new Array(M * N).fill(0));
  f32.fill(7, 0, M * N);
  kernel.matmulPlain(M, N, 0, 4 * M * N, 4 * M * N, 0, 4 * (M * N + 16));
  deepEqual([...f32.subarray(0, M * N)], new Array(M * N).fill(0));
});
