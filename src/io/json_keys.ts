/**
 * One key style for every JSON file and `--json` output: snake_case keys
 * (`lstm_units`, `recall_at_10`) where the code has camelCase fields. The
 * conversions are deep and touch only keys, never values.
 *
 * @module
 */

/**
 * `msPerStep` -> `ms_per_step`, `recallAt10` -> `recall_at_10`.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { snakeCase } from "./json_keys.ts";
 * assert.strictEqual(snakeCase("recallAt10"), "recall_at_10");
 * assert.strictEqual(snakeCase("ms_per_step"), "ms_per_step");
 * assert.strictEqual(snakeCase("f1"), "f1");
 * ```
 */
export function snakeCase(key: string): string {
  // digits are a word of their own after a capitalised word (`At10`), but
  // not after a lower-case one (`f1`)
  return key
    .replace(/([A-Z][a-z]*)([0-9])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/**
 * `ms_per_step` -> `msPerStep`, `recall_at_10` -> `recallAt10`; camelCase
 * keys are left as they are.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { camelCase } from "./json_keys.ts";
 * assert.strictEqual(camelCase("recall_at_10"), "recallAt10");
 * assert.strictEqual(camelCase("msPerStep"), "msPerStep");
 * ```
 */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, rename));
  if (value === null || typeof value !== "object") return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [rename(k), mapKeys(v, rename)]),
  );
}

/**
 * A deep copy of a JSON-like value with every object key in snake_case
 * (see {@link snakeCase}); values are not changed.
 *
 * @param value plain objects, arrays and scalars
 * @returns the copy
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { toSnakeKeys } from "./json_keys.ts";
 * assert.deepStrictEqual(
 *   toSnakeKeys({ lstmUnits: 4, history: [{ msPerStep: 2, kind: "fooBar" }] }),
 *   { lstm_units: 4, history: [{ ms_per_step: 2, kind: "fooBar" }] },
 * );
 * ```
 */
export function toSnakeKeys(value: unknown): unknown {
  return mapKeys(value, snakeCase);
}

/**
 * A deep copy of a JSON-like value with every object key in camelCase (see
 * {@link camelCase}); keys already in camelCase stay, so both key styles
 * read alike.
 *
 * @param value plain objects, arrays and scalars
 * @returns the copy
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { toCamelKeys } from "./json_keys.ts";
 * assert.deepStrictEqual(
 *   toCamelKeys({ lstm_units: 4, embeddingDim: 2, best: { recall_at_10: 1 } }),
 *   { lstmUnits: 4, embeddingDim: 2, best: { recallAt10: 1 } },
 * );
 * ```
 */
export function toCamelKeys(value: unknown): unknown {
  return mapKeys(value, camelCase);
}
