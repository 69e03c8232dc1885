/**
 * `@tensorflow/tfjs-layers`, pinned in this one place. Every module imports
 * it from here, so the source resolves for a program outside this checkout
 * that imports `mod.ts` by path, with no import map of its own.
 *
 * @module
 */
export * from "npm:@tensorflow/tfjs-layers@4.22.0";
