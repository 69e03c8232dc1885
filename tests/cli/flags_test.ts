import assert from "@std/assert";
import { helpText, parseFlags, UsageError } from "../../src/cli/flags.ts";
import type { FlagTable } from "../../src/cli/flags.ts";

/** A table with every kind of flag, shaped like the commands' own. */
const TRAIN_FLAGS: FlagTable = {
  "epochs": { type: "int", default: 3, min: 1, help: "passes" },
  "batch-size": { type: "int", default: 32, min: 1, help: "pairs per step" },
  "learning-rate": {
    type: "float",
    default: 0.001,
    min: 0,
    exclusiveMin: true,
    help: "step size",
  },
  "margin": { type: "float", default: 1, min: 0, help: "margin" },
  "distance": {
    type: "enum",
    choices: ["cosine", "euclidean"],
    default: "cosine",
    help: "distance",
  },
  "lstm": {
    type: "enum",
    choices: ["stock", "fused"],
    default: "fused",
    help: "implementation",
  },
  "negatives": { type: "int", default: 1, min: 0, help: "negatives" },
  "vocab": { type: "int", default: 1000, min: 3, help: "vocabulary" },
  "lstm-units": { type: "int", default: 64, min: 1, help: "units" },
  "dense-units": { type: "int", default: 256, min: 1, help: "width" },
  "left-len": { type: "int", default: 52, min: 1, help: "left length" },
  "right-len": { type: "int", default: 600, min: 1, help: "right length" },
  "share-weights": { type: "bool", help: "one encoder" },
  "data": { type: "string", placeholder: "FILE", help: "pairs" },
};

const fails = (args: string[], message: string) =>
  assert.throws(() => parseFlags(args, TRAIN_FLAGS), UsageError, message);

Deno.test("parseFlags() fills in the seed's defaults", () => {
  const v = parseFlags([], TRAIN_FLAGS);
  assert.equal(v["batch-size"], 32);
  assert.equal(v.vocab, 1000);
  assert.equal(v["lstm-units"], 64);
  assert.equal(v["dense-units"], 256);
  assert.equal(v["left-len"], 52);
  assert.equal(v["right-len"], 600);
  assert.equal(v.distance, "cosine");
  assert.equal(v["share-weights"], false);
});

Deno.test("parseFlags() reads numbers, choices and switches", () => {
  const v = parseFlags(
    [
      "--epochs",
      "3",
      "--learning-rate=0.01",
      "--distance",
      "euclidean",
      "--share-weights",
    ],
    TRAIN_FLAGS,
  );
  assert.equal(v.epochs, 3);
  assert.equal(v["learning-rate"], 0.01);
  assert.equal(v.distance, "euclidean");
  assert.equal(v["share-weights"], true);
});

Deno.test("parseFlags() rejects an unknown flag by name", () => {
  fails(
    ["--epoch", "3"],
    "Unknown flag --epoch: see --help for the flags this command takes.",
  );
});

Deno.test("parseFlags() rejects a positional argument", () => {
  fails(
    ["data.tsv"],
    'Unexpected argument "data.tsv": this command takes only --flags (see --help).',
  );
});

Deno.test("parseFlags() rejects bad values naming the flag, the value and what was expected", () => {
  fails(["--epochs", "two"], '--epochs: expected an integer but found "two".');
  fails(["--epochs", "0"], "--epochs: expected an integer >= 1 but found 0.");
  fails(
    ["--batch-size", "1.5"],
    '--batch-size: expected an integer but found "1.5".',
  );
  fails(
    ["--learning-rate", "0"],
    "--learning-rate: expected a number > 0 but found 0.",
  );
  fails(["--margin", "abc"], '--margin: expected a number but found "abc".');
  fails(
    ["--distance", "manhattan"],
    '--distance: expected one of cosine, euclidean but found "manhattan".',
  );
  fails(
    ["--lstm", "gru"],
    '--lstm: expected one of stock, fused but found "gru".',
  );
  fails(
    ["--negatives", "-1"],
    "--negatives: expected an integer >= 0 but found -1.",
  );
});

Deno.test("parseFlags() rejects a missing value and a value given to a switch", () => {
  fails(["--epochs"], "Flag --epochs expects a value but none was given.");
  fails(
    ["--share-weights=yes"],
    "Flag --share-weights takes no value (it is a switch).",
  );
});

Deno.test("helpText() lists every flag with its default", () => {
  const text = helpText("train", "Trains.", TRAIN_FLAGS, ["deno task train"]);
  for (const name of Object.keys(TRAIN_FLAGS)) {
    assert.ok(text.includes(`--${name}`), name);
  }
  assert.ok(text.includes("--batch-size N") && text.includes("(default 32)"));
  assert.ok(text.includes("--distance cosine|euclidean"));
  assert.match(
    text,
    /Exit codes:\n {2}0 +done\n {2}1 +failed.*\n {2}2 +usage error/,
  );
});
