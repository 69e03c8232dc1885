/**
 * Where a training or inference batch of the seed model spends its time:
 * wall time per kernel over one profiled batch, summed by kernel name.
 *
 *     deno run -A bench/profile.ts [--threads N] [--batch 32] [--left 52] [--right 600] [--infer] [--shapes] [--matcher]
 *
 * `--shapes` also lists each product, gather, segment sum, sum, multiply and
 * identity with its input shapes and time.
 *
 * Uses `tf.profile`, which times each kernel on the wasm backend with the
 * wall clock; the rest of the batch's time (JavaScript between kernels:
 * the tape, layer calls, Adam's bookkeeping) is printed as "outside kernels".
 *
 * @module
 */
import * as tf from "../src/deps/tfjs_core.ts";
import { parseArgs } from "@std/cli/parse-args";
import { startBackend } from "../src/cli/backend.ts";
import { buildSiamese, encode } from "../src/model/siamese.ts";
import { modelConfig } from "../src/model/config.ts";
import { trainStep } from "../src/train/step.ts";
import { FusedAdam } from "../src/train/fused_adam.ts";
import { fullBatch } from "./step_bench.ts";

const { values } = parseArgs({
  options: {
    threads: { type: "string", default: "1" },
    batch: { type: "string", default: "32" },
    left: { type: "string", default: "52" },
    right: { type: "string", default: "600" },
    infer: { type: "boolean", default: false },
    shapes: { type: "boolean", default: false },
    matcher: { type: "boolean", default: false },
  },
});
const threads = Number(values.threads);
const B = Number(values.batch), T1 = Number(values.left);
const T2 = Number(values.right);
await startBackend(threads);

// --matcher: the matcher recipe's model and loss (128 units, one shared
// encoder, max pooling, in-batch softmax) instead of the seed's
const model = buildSiamese(
  modelConfig({
    leftLen: T1,
    rightLen: T2,
    ...(values.matcher
      ? { lstmUnits: 128, shareWeights: true, pooling: "max" as const }
      : {}),
  }),
  1,
);
const batch = fullBatch(B, T1, T2, 1000);
const optimizer = new FusedAdam(1e-3); // as the trainer
const options = {
  distance: "cosine" as const,
  margin: 1,
  ...(values.matcher ? { loss: "infonce" as const, temperature: 0.05 } : {}),
};
const run = values.infer
  ? () =>
    tf.tidy(() => {
      const a = encode(model.left, batch.left);
      const b = encode(model.right, batch.right);
      a.dataSync();
      b.dataSync();
    })
  : () => void trainStep(model, batch, optimizer, options);

for (let i = 0; i < 3; i++) run(); // warm-up: weights, Adam slots
const t0 = performance.now();
for (let i = 0; i < 5; i++) run();
const plain = (performance.now() - t0) / 5;

const t1 = performance.now();
const info = await tf.profile(run);
const profiled = performance.now() - t1;
if (values.shapes) {
  for (const k of info.kernels) {
    if (!/MatMul|Identity|Gather|Segment|Sum|Multiply/.test(k.name)) continue;
    const ms = await k.kernelTimeMs as number;
    console.log(
      `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(" x ")} ${
        ms.toFixed(2)
      } ms`,
    );
  }
}
const byName = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const ms = await k.kernelTimeMs as number;
  const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += typeof ms === "number" ? ms : 0;
  e.calls++;
  byName.set(k.name, e);
}
const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
const inKernels = rows.reduce((s, [, e]) => s + e.ms, 0);
console.log(
  `${values.infer ? "inference" : "training"} batch B ${B}, ${T1}+${T2}, ` +
    `threads ${threads}: ${plain.toFixed(1)} ms unprofiled, ` +
    `${profiled.toFixed(1)} ms profiled`,
);
console.log("kernel                    calls        ms   share");
for (const [name, e] of rows) {
  if (e.ms < 0.05 * inKernels / 100) continue;
  console.log(
    `${name.padEnd(24)} ${String(e.calls).padStart(6)} ${
      e.ms.toFixed(1).padStart(9)
    } ${(100 * e.ms / profiled).toFixed(1).padStart(6)}%`,
  );
}
console.log(
  `${"outside kernels".padEnd(24)} ${"".padStart(6)} ${
    (profiled - inKernels).toFixed(1).padStart(9)
  } ${(100 * (profiled - inKernels) / profiled).toFixed(1).padStart(6)}%`,
);
Deno.exit(0);
