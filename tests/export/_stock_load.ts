/**
 * Child process of keras_test.ts: loads a layers model with stock
 * TensorFlow.js only (tfjs-core, tfjs-layers and the stock wasm backend, no
 * module of this repository that registers a class or kernel), runs it on
 * the ids given, and prints the outputs as JSON.
 *
 *     deno run --allow-read tests/export/_stock_load.ts MODEL_DIR IDS_JSON LEN
 *
 * @module
 */
import * as tf from "../../src/deps/tfjs_core.ts";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import "../../src/deps/tfjs_backend_wasm.ts";

const [dir, idsJson, len] = Deno.args as [string, string, string];
await tf.setBackend("wasm");
const registered = Object.keys(
  tf.serialization.SerializationMap.getMap().classNameMap,
);
const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
const weights = await Deno.readFile(`${dir}/weights.bin`);
const model = await tfl.loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology,
  weightSpecs: json.weightsManifest[0].weights,
  weightData: weights.buffer,
}));
const ids = JSON.parse(idsJson) as number[];
const x = tf.tensor2d(ids, [ids.length / +len, +len], "int32");
const y = model.predict(x) as tf.Tensor;
console.log(JSON.stringify({
  backend: tf.getBackend(),
  classes: model.layers.map((l) => l.getClassName()),
  custom: registered.filter((c) =>
    ["FusedLSTM", "MaskedPooling", "ReverseTime"].includes(c)
  ),
  vectors: Array.from(y.dataSync()),
}));
