/**
 * Writing an ONNX model: the messages of `onnx.proto` this exporter uses,
 * with their field numbers, over the writer of `./protobuf.ts`.
 *
 * Only what a standard-domain inference graph needs: a model with one
 * opset import, a graph of nodes, initializers (weights, as `raw_data`,
 * little-endian) and typed inputs and outputs whose dimensions are numbers
 * or names (dynamic).
 *
 * @module
 */
import { ProtoWriter } from "./protobuf.ts";

/** ONNX `TensorProto.DataType` values used here. */
export const DType = { float: 1, int32: 6, int64: 7, bool: 9 } as const;

/** An element type of {@link DType}. */
export type DTypeName = keyof typeof DType;

/** An attribute value: int, ints, string, or a float as `{ float }`. */
export type AttrValue = number | number[] | string | { float: number };

/** A dimension: a fixed size, or a name for a dynamic one. */
export type Dim = number | string;

/** IR version 8 goes with opset 17 (ONNX 1.12). */
const IR_VERSION = 8;

/**
 * Collects nodes and weights of one graph and writes the model.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { OnnxGraph } from "./onnx_proto.ts";
 * const g = new OnnxGraph("add_one");
 * g.initializer("one", "float", [1], Float32Array.from([1]));
 * g.node("Add", ["x", "one"], ["y"]);
 * const bytes = g.toModel({
 *   inputs: [{ name: "x", type: "float", dims: ["batch"] }],
 *   outputs: [{ name: "y", type: "float", dims: ["batch"] }],
 *   opset: 17,
 *   producer: "test",
 * });
 * assert.ok(bytes.length > 40);
 * ```
 */
export class OnnxGraph {
  readonly #name: string;
  #nodes: ProtoWriter[] = [];
  #initializers: ProtoWriter[] = [];
  #names = new Set<string>();

  /** @param name the graph's name */
  constructor(name: string) {
    this.#name = name;
  }

  /**
   * Adds a weight (constant input) of `dims` from `data` (row-major).
   *
   * @returns its name
   */
  initializer(
    name: string,
    type: DTypeName,
    dims: readonly number[],
    data: Float32Array | Int32Array | readonly number[],
  ): string {
    this.#claim(name);
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.length !== count) {
      throw new RangeError(
        `Expected ${count} values for ${name} [${dims}] but found ${data.length}`,
      );
    }
    const t = new ProtoWriter().packedInts(1, [...dims]).int(2, DType[type])
      .string(8, name).bytesField(9, rawBytes(type, data));
    this.#initializers.push(t);
    return name;
  }

  /**
   * Adds a node computing `outputs` from `inputs` with a standard-domain
   * operator. An empty input name skips an optional input.
   */
  node(
    op: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Record<string, AttrValue> = {},
  ): void {
    for (const o of outputs) this.#claim(o);
    const n = new ProtoWriter();
    for (const i of inputs) n.string(1, i);
    for (const o of outputs) n.string(2, o);
    n.string(3, `${outputs[0]}_node`).string(4, op);
    for (const [key, value] of Object.entries(attributes)) {
      n.message(5, attribute(key, value));
    }
    this.#nodes.push(n);
  }

  /**
   * The model's bytes.
   *
   * @param spec graph inputs and outputs, opset and producer name
   */
  toModel(spec: {
    inputs: ValueSpec[];
    outputs: ValueSpec[];
    opset: number;
    producer: string;
    doc?: string;
  }): Uint8Array {
    const g = new ProtoWriter();
    for (const n of this.#nodes) g.message(1, n);
    g.string(2, this.#name);
    for (const t of this.#initializers) g.message(5, t);
    if (spec.doc !== undefined) g.string(10, spec.doc);
    for (const v of spec.inputs) g.message(11, valueInfo(v));
    for (const v of spec.outputs) g.message(12, valueInfo(v));
    const opset = new ProtoWriter().string(1, "").int(2, spec.opset);
    return new ProtoWriter().int(1, IR_VERSION).string(2, spec.producer)
      .message(7, g).message(8, opset).bytes();
  }

  #claim(name: string): void {
    if (this.#names.has(name)) {
      throw new Error(`ONNX graph ${this.#name}: ${name} defined twice`);
    }
    this.#names.add(name);
  }
}

/** A graph input or output: name, element type, dimensions. */
export interface ValueSpec {
  name: string;
  type: DTypeName;
  dims: Dim[];
}

function valueInfo(v: ValueSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = typeof d === "number"
      ? new ProtoWriter().int(1, d)
      : new ProtoWriter().string(2, d);
    shape.message(1, dim);
  }
  const tensor = new ProtoWriter().int(1, DType[v.type]).message(2, shape);
  const type = new ProtoWriter().message(1, tensor);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

/** AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, type 20. */
function attribute(name: string, value: AttrValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (typeof value === "number") return a.int(3, value).int(20, 2);
  if (typeof value === "string") return a.string(4, value).int(20, 3);
  if (Array.isArray(value)) return a.packedInts(8, value).int(20, 7);
  return a.float(2, value.float).int(20, 1);
}

function rawBytes(
  type: DTypeName,
  data: Float32Array | Int32Array | readonly number[],
): Uint8Array {
  const size = type === "int64" ? 8 : type === "bool" ? 1 : 4;
  const out = new Uint8Array(data.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (type === "float") view.setFloat32(i * 4, v, true);
    else if (type === "int32") view.setInt32(i * 4, v, true);
    else if (type === "int64") view.setBigInt64(i * 8, BigInt(v), true);
    else view.setUint8(i, v ? 1 : 0);
  }
  return out;
}
