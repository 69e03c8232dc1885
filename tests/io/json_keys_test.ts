import assert from "@std/assert";
import {
  camelCase,
  snakeCase,
  toCamelKeys,
  toSnakeKeys,
} from "../../src/io/json_keys.ts";

Deno.test("snakeCase() and camelCase() are each other's inverse on the run's keys", () => {
  for (
    const [camel, snake] of [
      ["msPerStep", "ms_per_step"],
      ["recallAt10", "recall_at_10"],
      ["recallAt1", "recall_at_1"],
      ["lexicalN", "lexical_n"],
      ["savedAt", "saved_at"],
      ["f1", "f1"],
      ["epoch", "epoch"],
    ]
  ) {
    assert.strictEqual(snakeCase(camel!), snake);
    assert.strictEqual(camelCase(snake!), camel);
  }
});

Deno.test("toSnakeKeys() converts keys deeply, leaves values and does not mutate", () => {
  const value = {
    lstmUnits: 4,
    history: [{ msPerStep: 1, val: { recallAt10: 0.5 } }],
    data: { kind: "file", leftTokenizer: "char" },
    none: null,
  };
  const copy = structuredClone(value);
  const snake = toSnakeKeys(value);
  assert.deepStrictEqual(snake, {
    lstm_units: 4,
    history: [{ ms_per_step: 1, val: { recall_at_10: 0.5 } }],
    data: { kind: "file", left_tokenizer: "char" },
    none: null,
  });
  assert.deepStrictEqual(value, copy);
  assert.deepStrictEqual(toCamelKeys(snake), value);
});
