import * as tf from "../../src/deps/tfjs_core.ts";
import assert from "@std/assert";
import { setupBackend } from "../../src/backend/setup.ts";
import { KERNELS, registerKernels } from "../../src/backend/kernels.ts";

await setupBackend({ log: false });

Deno.test("setupBackend() registers every kernel the model calls by name", () => {
  for (
    const name of [
      "FusedLstm",
      "FusedLstmGrad",
      "UnreadPlaceholder",
      "UnsortedSegmentSum",
      "MaskedMax",
      "MaskedMaxGrad",
    ]
  ) {
    assert.ok(tf.getKernel(name, "wasm") !== undefined, name);
  }
});

Deno.test("registerKernels() a second time changes no kernel", () => {
  const names = ["BatchMatMul", "Sum", "GatherV2", "Identity", "FusedLstm"];
  const before = names.map((n) => tf.getKernel(n, "wasm")?.kernelFunc);
  registerKernels();
  const after = names.map((n) => tf.getKernel(n, "wasm")?.kernelFunc);
  assert.deepEqual(after, before);
  assert.ok(KERNELS.length > 0);
});
