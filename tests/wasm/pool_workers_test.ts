import assert from "@std/assert";
import { kernelBase64 } from "../../src/wasm/kernel_bytes.ts";
import { MATMUL_SCRATCH_FLOATS } from "../../src/wasm/lstm_pointers.ts";
import {
  MATMUL,
  post,
  SPIN_MS,
  startWorkers,
  stopWorkers,
  wait,
} from "../../src/wasm/pool_workers.ts";

const PAGE = 65536;

/**
 * A [n, n] x [n, n] product posted to one worker; A at 0, B, C, then the
 * product's scratch.
 */
async function product(n: number, pages: number) {
  const memory = new WebAssembly.Memory({
    initial: pages,
    maximum: pages,
    shared: true,
  });
  const [w] = await startWorkers(1, memory, kernelBase64(true));
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < n * n; i++) {
    f[i] = Math.sin(i);
    f[n * n + i] = Math.cos(3 * i);
  }
  return {
    w: w!,
    f,
    bytes: [0, 4 * n * n, 8 * n * n, 12 * n * n] as const,
  };
}

Deno.test("wait returns only when a job longer than its spin is done, with every result written", async () => {
  // 512^3 multiply-adds take several times SPIN_MS here: wait has to sleep
  const n = 512;
  const { w, f, bytes } = await product(
    n,
    Math.ceil((4 * (3 * n * n + MATMUL_SCRATCH_FLOATS)) / PAGE),
  );
  try {
    const t0 = performance.now();
    post(w, MATMUL, [n, n, n, ...bytes]);
    wait(w);
    const ms = performance.now() - t0;
    assert.ok(ms > SPIN_MS, `the job took ${ms} ms: make it longer`);
    for (const [m, c] of [[0, 0], [n - 1, n - 1], [137, 300]] as const) {
      let want = 0;
      for (let k = 0; k < n; k++) want += f[m * n + k]! * f[n * n + k * n + c]!;
      const got = f[2 * n * n + m * n + c]!;
      assert.ok(Math.abs(got - want) < 1e-3, `C[${m}, ${c}] ${got} vs ${want}`);
    }
  } finally {
    stopWorkers([w]);
  }
});

Deno.test("wait reports a job that trapped", async () => {
  const { w } = await product(4, 1);
  try {
    // C far past the end of the memory: the kernel's store traps
    post(w, MATMUL, [4, 4, 4, 0, 64, 1 << 30, 128]);
    assert.throws(() => wait(w), /the kernel trapped/);
  } finally {
    stopWorkers([w]);
  }
});
