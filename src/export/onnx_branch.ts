/**
 * One branch as an ONNX graph of standard operators (opset 17):
 *
 *     ids [B, T] int64 -> Transpose -> Gather(embeddings)        x [T, B, E]
 *     lengths [B] = ReduceSum(Cast(ids > 0))                     real steps per row
 *     LSTM(x, W, R, B, sequence_lens = lengths)                  Y [T, dirs, B, H], Y_h [dirs, B, H]
 *     pooling: last = Y_h; mean = ReduceSum(Y * mask) / max(lengths, 1);
 *              max = ReduceMax(Where(mask, Y, -3.4e38)), 0 for an empty row
 *     Transpose + Reshape -> [B, dirs H] -> Gemm(dense)          vector [B, D]
 *
 * Why this is exact: padding is 0 and at the end of a row, so the model's
 * mask (`ids != 0`) is the first `lengths` steps. A masked step leaves the
 * LSTM state unchanged, so the last state is ONNX's `Y_h` after `lengths`
 * steps; the backward LSTM reads the reversed row `[pad.., xn .. x1]` from a
 * zero state, which is ONNX's reverse direction over the first `lengths`
 * steps. Pooling over time does not depend on the order of the steps.
 *
 * Gate order: tfjs-layers and Keras store the four gates as i, f, c, o
 * (kernel `[E, 4H]`); ONNX wants i, o, f, c with the matrices transposed
 * (`W [dirs, 4H, E]`, `R [dirs, 4H, H]`), and two biases `[Wb, Rb]` per
 * direction (here `[bias, 0]`).
 *
 * @module
 */
import type { BranchWeights, LstmWeights } from "./branch_weights.ts";
import { OnnxGraph } from "./onnx_proto.ts";

/** The opset the graphs use. */
export const OPSET = 17;

/** ONNX gate i, o, f, c <- tfjs gate index (i 0, f 1, c 2, o 3). */
const ONNX_GATES = [0, 3, 1, 2];

/**
 * The ONNX model of one branch: input `ids` int64 `[batch, len]`, output
 * `vector` float32 `[batch, D]`.
 *
 * @param w the branch's weights (see `./branch_weights.ts`)
 * @param options sequence length of the side, graph name, producer string
 * @returns the model's bytes
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { setupBackend } from "../backend/setup.ts";
 * import { buildBranch } from "../model/siamese.ts";
 * import { modelConfig } from "../model/config.ts";
 * import { readBranch } from "./branch_weights.ts";
 * import { branchToOnnx } from "./onnx_branch.ts";
 * await setupBackend({ log: false });
 * const c = modelConfig({ vocab: 9, embeddingDim: 2, lstmUnits: 3, denseUnits: 4 });
 * const bytes = branchToOnnx(readBranch(buildBranch(c, "left", 1), "left"), { len: 5, name: "left" });
 * assert.ok(bytes.length > 100);
 * ```
 */
export function branchToOnnx(
  w: BranchWeights,
  options: { len: number; name: string; producer?: string },
): Uint8Array {
  const { units: H, embeddingDim: E } = w;
  const dirs = w.bidirectional ? 2 : 1;
  const lstms = w.backward ? [w.forward, w.backward] : [w.forward];
  const g = new OnnxGraph(options.name);
  const i64 = (name: string, values: number[]) =>
    g.initializer(name, "int64", [values.length], values);
  const scalar = (name: string, type: "float" | "int64", v: number) =>
    g.initializer(name, type, [], [v]);

  // embedding, time-major
  g.initializer("embeddings", "float", [w.vocab, E], w.embeddings);
  g.node("Transpose", ["ids"], ["ids_tb"], { perm: [1, 0] }); // [T, B]
  g.node("Gather", ["embeddings", "ids_tb"], ["x"], { axis: 0 }); // [T, B, E]
  // real steps per row: ids are padded with 0 at the end
  scalar("zero_id", "int64", 0);
  g.node("Greater", ["ids", "zero_id"], ["mask"]); // [B, T] bool
  g.node("Cast", ["mask"], ["mask_i32"], { to: 6 });
  i64("time_axis", [1]);
  g.node("ReduceSum", ["mask_i32", "time_axis"], ["lengths"], {
    keepdims: 0,
  }); // [B]

  // the LSTM, one or two directions
  g.initializer(
    "W",
    "float",
    [dirs, 4 * H, E],
    stack(lstms, (l) => gatesT(l.kernel, E, H)),
  );
  g.initializer(
    "R",
    "float",
    [dirs, 4 * H, H],
    stack(lstms, (l) => gatesT(l.recurrentKernel, H, H)),
  );
  g.initializer("B", "float", [dirs, 8 * H], stack(lstms, (l) => biases(l, H)));
  g.node("LSTM", ["x", "W", "R", "B", "lengths"], ["Y", "Y_h"], {
    hidden_size: H,
    direction: w.bidirectional ? "bidirectional" : "forward",
  }); // Y [T, dirs, B, H], Y_h [dirs, B, H]

  // pooling -> [dirs, B, H]
  let pooled = "Y_h";
  if (w.pooling !== "last") {
    i64("mask_axes", [1, 3]);
    i64("row_axes", [0, 2]);
    g.node("Transpose", ["mask"], ["mask_tb"], { perm: [1, 0] }); // [T, B]
    g.node("Unsqueeze", ["mask_tb", "mask_axes"], ["mask4"]); // [T, 1, B, 1]
    if (w.pooling === "mean") {
      g.node("Cast", ["mask4"], ["mask4_f"], { to: 1 });
      g.node("Mul", ["Y", "mask4_f"], ["Y_masked"]);
      i64("step_axis", [0]);
      g.node("ReduceSum", ["Y_masked", "step_axis"], ["sums"], { keepdims: 0 });
      g.node("Cast", ["lengths"], ["lengths_f"], { to: 1 });
      scalar("one", "float", 1);
      g.node("Max", ["lengths_f", "one"], ["counts"]); // [B]
      g.node("Unsqueeze", ["counts", "row_axes"], ["counts3"]); // [1, B, 1]
      g.node("Div", ["sums", "counts3"], ["pooled"]);
    } else {
      scalar("lowest", "float", -3.4028234663852886e38);
      scalar("zero", "float", 0);
      g.node("Where", ["mask4", "Y", "lowest"], ["Y_masked"]);
      g.node("ReduceMax", ["Y_masked"], ["maxes"], { axes: [0], keepdims: 0 });
      g.node("Greater", ["lengths", "zero_i32"], ["nonempty"]); // [B]
      g.initializer("zero_i32", "int32", [], [0]);
      g.node("Unsqueeze", ["nonempty", "row_axes"], ["nonempty3"]); // [1, B, 1]
      g.node("Where", ["nonempty3", "maxes", "zero"], ["pooled"]);
    }
    pooled = "pooled";
  }
  g.node("Transpose", [pooled], ["pooled_bdh"], { perm: [1, 0, 2] }); // [B, dirs, H]
  i64("flat", [0, -1]);
  g.node("Reshape", ["pooled_bdh", "flat"], ["state"]); // [B, dirs H]

  // dense
  g.initializer(
    "dense_kernel",
    "float",
    [dirs * H, w.denseUnits],
    w.denseKernel,
  );
  g.initializer("dense_bias", "float", [w.denseUnits], w.denseBias);
  g.node("Gemm", ["state", "dense_kernel", "dense_bias"], ["vector"]);
  return g.toModel({
    inputs: [{ name: "ids", type: "int64", dims: ["batch", options.len] }],
    outputs: [{ name: "vector", type: "float", dims: ["batch", w.denseUnits] }],
    opset: OPSET,
    producer: options.producer ?? "siamese-wasm",
    doc: `${options.name} branch: token ids (0-padded at the end) -> vector`,
  });
}

/** tfjs `[rows, 4H]` (gates i, f, c, o) -> ONNX `[4H, rows]` (i, o, f, c). */
function gatesT(m: Float32Array, rows: number, H: number): Float32Array {
  const out = new Float32Array(4 * H * rows);
  ONNX_GATES.forEach((tf, k) => {
    for (let j = 0; j < H; j++) {
      for (let r = 0; r < rows; r++) {
        out[(k * H + j) * rows + r] = m[r * 4 * H + tf * H + j]!;
      }
    }
  });
  return out;
}

/** `[Wb (gates i, o, f, c), Rb = 0]`, `[8H]`. */
function biases(l: LstmWeights, H: number): Float32Array {
  const out = new Float32Array(8 * H);
  ONNX_GATES.forEach((tf, k) => {
    out.set(l.bias.subarray(tf * H, (tf + 1) * H), k * H);
  });
  return out;
}

function stack(
  lstms: LstmWeights[],
  f: (l: LstmWeights) => Float32Array,
): Float32Array {
  const parts = lstms.map(f);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.forEach((p, i) => out.set(p, i * p.length));
  return out;
}
