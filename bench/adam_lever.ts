/**
 * One lever of issue 18, measured in one process, alternating: the seed
 * model's (or `--matcher`'s) training step with tfjs's Adam against
 * {@link FusedAdam} (one kernel call per variable). Two models of the same
 * settings, one per optimizer; rounds of `--steps` steps each, alternating;
 * prints the median ms per step of each and their ratio.
 *
 *     deno run --allow-read bench/adam_lever.ts [--threads N] [--rounds 6] [--steps 10] [--matcher]
 *
 * @module
 */
import * as tf from "../src/deps/tfjs_core.ts";
import { parseArgs } from "@std/cli/parse-args";
import { startBackend } from "../src/cli/backend.ts";
import { buildSiamese } from "../src/model/siamese.ts";
import { modelConfig } from "../src/model/config.ts";
import { trainStep } from "../src/train/step.ts";
import { FusedAdam } from "../src/train/fused_adam.ts";
import { stepLossOptions } from "./step_bench.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "6" },
    steps: { type: "string", default: "10" },
    matcher: { type: "boolean", default: false },
  },
});
await startBackend(Number(values.threads));
const matcher = values.matcher;
const config = modelConfig({
  ...(matcher
    ? {
      vocab: 100,
      lstmUnits: 128,
      shareWeights: true,
      pooling: "max" as const,
      rightLen: 256,
    }
    : {}),
});
const ids = (t: number) =>
  tf.tensor2d(
    Int32Array.from({ length: 32 * t }, (_, i) => 1 + (i * 7919) % 99),
    [32, t],
    "int32",
  );
const batch = {
  left: ids(config.leftLen),
  right: ids(config.rightLen),
  labels: tf.tensor1d(Float32Array.from({ length: 32 }, (_, i) => i % 2)),
};
const loss = stepLossOptions(matcher ? "matcher" : "seed");
const arms = [
  {
    name: "tf.train.adam",
    model: buildSiamese(config, 1),
    optimizer: tf.train.adam(1e-3) as tf.Optimizer,
    ms: [] as number[],
  },
  {
    name: "FusedAdam",
    model: buildSiamese(config, 1),
    optimizer: new FusedAdam(1e-3) as tf.Optimizer,
    ms: [] as number[],
  },
];
for (const a of arms) {
  for (let i = 0; i < 3; i++) trainStep(a.model, batch, a.optimizer, loss);
}
for (let r = 0; r < Number(values.rounds); r++) {
  for (const a of arms) {
    for (let i = 0; i < Number(values.steps); i++) {
      const t0 = performance.now();
      trainStep(a.model, batch, a.optimizer, loss);
      a.ms.push(performance.now() - t0);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
for (const a of arms) {
  console.log(
    `${a.name.padEnd(14)} ${
      median(a.ms).toFixed(1)
    } ms per step (median of ${a.ms.length})`,
  );
}
console.log(
  `FusedAdam / tf.train.adam: ${
    (median(arms[1]!.ms) / median(arms[0]!.ms)).toFixed(3)
  }`,
);
Deno.exit(0);
