import assert from "@std/assert";
import { helpText, parseFlags, UsageError } from "../../src/cli/flags.ts";
import { TRAIN_FLAGS } from "../../src/cli/train_command.ts";

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
});
