/**
 * A three-pair set with repeated and padded ids, and a tolerance check, for
 * the lexical channel's tests.
 *
 * @module
 */
import assert from "@std/assert";

/** `a` equals `b` within `tol`. */
export const close = (a: number, b: number, tol = 1e-6): void =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b} but found ${a}`);

/** Lefts of 2 ids and rights of 4, 0-padded. */
export const set = {
  size: 3,
  leftLen: 2,
  rightLen: 4,
  left: Int32Array.from([2, 3, 4, 0, 6, 6]),
  right: Int32Array.from([2, 3, 9, 0, 4, 5, 0, 0, 7, 7, 7, 0]),
};
