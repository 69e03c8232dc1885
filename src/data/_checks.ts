/**
 * Private argument checks shared by the data modules.
 *
 * @module
 */

/**
 * Throws a RangeError unless `value` is an integer of at least `min`, e.g.
 * `Expected leftLen to be an integer of at least 1 but found 1.5`.
 */
export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Expected ${name} to be an integer of at least ${min} but found ${value}`,
    );
  }
}
