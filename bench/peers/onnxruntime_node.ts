/**
 * `onnxruntime-node`, pinned in this one place (tests and the bench import
 * it from here). Its CPU binary ships in the package; its install script,
 * which Deno does not run, only fetches GPU parts. Loading it needs
 * `--allow-ffi` (a native addon) and read access to the npm cache.
 *
 * @module
 */
export * from "npm:onnxruntime-node@1.30.0";
