/**
 * The way back from Keras: a run directory whose branches take their
 * weights from stock layers models (a `--format keras` export, trained
 * further elsewhere and converted back with `tensorflowjs_converter
 * --input_format=keras --output_format=tfjs_layers_model`).
 *
 * The new run copies the template run's `config.json` (configs,
 * vocabularies, threshold) and `lexical.json`; only the branch weights
 * change. The threshold is the template's: run `deno task eval` on held-out
 * pairs to choose one for the new weights.
 *
 * @module
 */
import * as tfl from "../deps/tfjs_layers.ts";
import { fileLoader, fileSaver, writeDirAtomic } from "../io/file_io.ts";
import { loadModel } from "../run/format.ts";
import { importBranch } from "./keras.ts";

/**
 * Writes the run `out`: the template run `template` with the weights of
 * the stock layers models in `from/left` (and `from/right` unless the
 * encoder is shared).
 *
 * @param template a run directory (configs, vocabularies, lexical index)
 * @param from a directory with `left/` and `right/` layers models
 * @param out the new run directory (replaced atomically)
 * @throws Error naming the layer or weight that does not fit the config
 */
export async function importRun(
  template: string,
  from: string,
  out: string,
): Promise<void> {
  const run = await loadModel(template);
  const sides = run.model.shareWeights ? ["left"] : ["left", "right"];
  const branches: tfl.LayersModel[] = [];
  for (const side of sides) {
    const stock = await tfl.loadLayersModel(fileLoader(`${from}/${side}`));
    branches.push(importBranch(stock, run.model, side));
    stock.dispose();
  }
  await writeDirAtomic(out, async (tmp) => {
    for (const [k, side] of sides.entries()) {
      await branches[k]!.save(fileSaver(`${tmp}/${side}`));
    }
    for (const file of ["lexical.json", "config.json"]) {
      try {
        await Deno.copyFile(`${template}/${file}`, `${tmp}/${file}`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
  });
}
