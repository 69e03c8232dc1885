import { deepStrictEqual, ok, rejects, strictEqual } from "@std/assert";
import * as tf from "../../src/deps/tfjs_core.ts";
import * as tfl from "../../src/deps/tfjs_layers.ts";
import { setupBackend } from "../../src/backend/setup.ts";
import {
  fileLoader,
  fileSaver,
  writeFileAtomic,
  writeJsonAtomic,
} from "../../src/io/file_io.ts";
import { tempDir } from "../_temp_file.ts";

await setupBackend({ log: false });

function smallModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(
    tfl.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }),
  );
  model.add(tfl.layers.lstm({ units: 3, recurrentActivation: "sigmoid" }));
  model.add(tfl.layers.dense({ units: 2 }));
  return model;
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

function predict(model: tfl.LayersModel): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor2d([[1, 2, 3, 0, 0], [9, 8, 7, 6, 5]], [2, 5], "int32");
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

Deno.test("fileSaver() and fileLoader() round-trip a layers model with identical predictions", async () => {
  const model = smallModel();
  const dir = `${await tempDir()}/runs/a/model`; // parents are created
  await model.save(fileSaver(dir));
  const back = await tfl.loadLayersModel(fileLoader(dir));
  deepStrictEqual([...predict(back)], [...predict(model)]);
  deepStrictEqual(await listDir(dir), ["model.json", "weights.bin"]);
  model.dispose();
  back.dispose();
});

Deno.test("fileSaver() writes model.json in the TF.js layers format", async () => {
  const model = smallModel();
  const dir = `${await tempDir()}/model`;
  await model.save(
    fileSaver(dir, { userDefinedMetadata: { vocab: { size: 10 } } }),
  );
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  strictEqual(json.format, "layers-model");
  strictEqual(json.convertedBy, null);
  ok(
    String(json.generatedBy).startsWith("TensorFlow.js tfjs-layers"),
    json.generatedBy,
  );
  strictEqual(json.modelTopology.class_name, "Sequential");
  strictEqual(json.weightsManifest.length, 1);
  deepStrictEqual(json.weightsManifest[0].paths, ["weights.bin"]);
  deepStrictEqual(json.userDefinedMetadata, { vocab: { size: 10 } });
  const back = await tfl.loadLayersModel(fileLoader(dir));
  deepStrictEqual(back.getUserDefinedMetadata(), { vocab: { size: 10 } });
  back.dispose();
  const bytes = (await Deno.stat(`${dir}/weights.bin`)).size;
  strictEqual(bytes, 4 * model.countParams());
  model.dispose();
});

Deno.test("fileSaver() replaces an existing model and leaves no temporary siblings", async () => {
  const parent = await tempDir();
  const dir = `${parent}/model`;
  const first = smallModel();
  const second = smallModel();
  await first.save(fileSaver(dir));
  await Deno.writeTextFile(`${dir}/stale.txt`, "old");
  await second.save(fileSaver(dir));
  deepStrictEqual(await listDir(parent), ["model"]);
  deepStrictEqual(await listDir(dir), ["model.json", "weights.bin"]);
  const back = await tfl.loadLayersModel(fileLoader(dir));
  deepStrictEqual([...predict(back)], [...predict(second)]);
  for (const m of [first, second, back]) m.dispose();
});

Deno.test("fileSaver() leaves an existing model untouched when the write fails", async () => {
  const parent = await tempDir();
  const dir = `${parent}/model`;
  const model = smallModel();
  await model.save(fileSaver(dir));
  const before = await Deno.readFile(`${dir}/model.json`);
  // A BigInt cannot be serialised: weights.bin is already written when this fails.
  const bad = fileSaver(dir, { userDefinedMetadata: { step: 1n } });
  await rejects(model.save(bad), { name: "TypeError" });
  deepStrictEqual(await listDir(parent), ["model"]);
  deepStrictEqual(await Deno.readFile(`${dir}/model.json`), before);
  model.dispose();
});

Deno.test("fileSaver() creates no target when the first write fails", async () => {
  const parent = await tempDir();
  const model = smallModel();
  await rejects(
    model.save(
      fileSaver(`${parent}/model`, { userDefinedMetadata: { step: 1n } }),
    ),
  );
  deepStrictEqual(await listDir(parent), []);
  model.dispose();
});

Deno.test("fileLoader() names a missing model.json", async () => {
  const dir = await tempDir();
  await rejects(tfl.loadLayersModel(fileLoader(dir)), {
    message: `Expected a model file ${dir}/model.json but found none`,
  });
});

Deno.test("fileLoader() rejects a truncated weights.bin", async () => {
  const model = smallModel();
  const dir = `${await tempDir()}/model`;
  await model.save(fileSaver(dir));
  const full = await Deno.readFile(`${dir}/weights.bin`);
  await Deno.writeFile(`${dir}/weights.bin`, full.subarray(0, 100));
  await rejects(tfl.loadLayersModel(fileLoader(dir)), {
    message:
      `Expected the weight files in ${dir} to hold ${full.length} bytes as model.json describes but found 100`,
  });
  model.dispose();
});

Deno.test("fileLoader() rejects weight paths outside the directory", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(
    `${dir}/model.json`,
    JSON.stringify({
      modelTopology: {},
      weightsManifest: [{ paths: ["../x.bin"], weights: [] }],
    }),
  );
  await rejects(fileLoader(dir).load!(), {
    message:
      `Expected weight paths to be file names in ${dir} but found "../x.bin"`,
  });
});

Deno.test("writeFileAtomic() replaces a file's contents", async () => {
  const dir = await tempDir();
  await writeFileAtomic(`${dir}/a.bin`, new Uint8Array([1, 2, 3]));
  await writeFileAtomic(`${dir}/a.bin`, new Uint8Array([4]));
  deepStrictEqual([...await Deno.readFile(`${dir}/a.bin`)], [4]);
  deepStrictEqual(await listDir(dir), ["a.bin"]);
});

Deno.test("writeFileAtomic() leaves no temporary file when the rename fails", async () => {
  const dir = await tempDir();
  await Deno.mkdir(`${dir}/target`);
  await rejects(writeFileAtomic(`${dir}/target`, "text"));
  deepStrictEqual(await listDir(dir), ["target"]);
  deepStrictEqual(await listDir(`${dir}/target`), []);
});

Deno.test("writeJsonAtomic() writes indented JSON with a final newline", async () => {
  const dir = await tempDir();
  await writeJsonAtomic(`${dir}/c.json`, { a: [1] });
  strictEqual(
    await Deno.readTextFile(`${dir}/c.json`),
    '{\n  "a": [\n    1\n  ]\n}\n',
  );
});

Deno.test("writeJsonAtomic() keeps the old file when the value cannot be serialised", async () => {
  const dir = await tempDir();
  await writeJsonAtomic(`${dir}/c.json`, { ok: true });
  await rejects(writeJsonAtomic(`${dir}/c.json`, { n: 1n }), {
    name: "TypeError",
  });
  strictEqual(await Deno.readTextFile(`${dir}/c.json`), '{\n  "ok": true\n}\n');
  deepStrictEqual(await listDir(dir), ["c.json"]);
});
