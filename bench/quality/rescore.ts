/**
 * Scores a bench run already trained (its best model in
 * `<data-dir>/runs/<dict>-<recipe>`) on the held-out file again, with the
 * current `held_out.ts` rows, without training:
 *
 *     deno run -A bench/quality/rescore.ts --dict foldoc --recipe matcher
 *
 * @module
 */
import { runMain } from "../../src/cli/main.ts";
import { startBackend } from "../../src/cli/backend.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { heldOutRows } from "./held_out.ts";
import { formatTable } from "./table.ts";

if (import.meta.main) {
  await runMain(async () => {
    const flags = parseFlags(Deno.args, {
      dict: { type: "string", default: "foldoc", help: "data set" },
      recipe: { type: "string", default: "matcher", help: "bench recipe" },
      "data-dir": { type: "string", default: "bench/.data", help: "data" },
      threads: { type: "int", default: 1, min: 1, help: "wasm threads" },
    });
    await startBackend(flags.threads as number);
    const dir = flags["data-dir"] as string;
    const dict = flags.dict as string;
    const recipe = flags.recipe as string;
    const rows = await heldOutRows(
      {
        name: recipe,
        note: `the bench recipe ${recipe}`,
        testPairs: 0,
        recallAt1: null,
        recallAt10: null,
        mrr: null,
        minutes: 0,
        source: "rescored",
        training: {
          pairs: 0,
          epochs: 0,
          steps: 0,
          msPerStep: 0,
          stoppedByBudget: true,
          dir: `${dir}/runs/${dict}-${recipe}`,
        },
      },
      `${dir}/${dict}_test.tsv`,
    );
    console.log(formatTable(rows));
    for (const r of rows) console.log(`${r.name}: ${r.note}`);
    return 0;
  });
}
