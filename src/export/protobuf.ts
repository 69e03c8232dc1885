/**
 * A minimal Protocol Buffers writer: enough of the wire format to write an
 * ONNX model (`./onnx_proto.ts`) with no protobuf dependency.
 *
 * A message is a list of fields; each field is a key (field number << 3 |
 * wire type) followed by its value: a varint (wire type 0), 4 little-endian
 * bytes (wire type 5, float32), or a length-delimited byte string (wire
 * type 2: strings, bytes, nested messages, packed repeated numbers).
 *
 * @module
 */

/** Builds one message's bytes, field by field, in the order written. */
export class ProtoWriter {
  #parts: Uint8Array[] = [];
  #length = 0;

  /**
   * Writes an integer field (int32, int64, enum, bool) as a varint;
   * negative numbers take ten bytes, as protobuf's int64 does.
   *
   * @example
   * ```ts
   * import assert from "@std/assert";
   * import { ProtoWriter } from "./protobuf.ts";
   * assert.deepStrictEqual([...new ProtoWriter().int(1, 300).bytes()], [8, 0xac, 0x02]);
   * ```
   */
  int(field: number, value: number): this {
    this.#key(field, 0);
    this.#push(varint(value));
    return this;
  }

  /** Writes a float32 field (wire type 5). */
  float(field: number, value: number): this {
    this.#key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.#push(b);
    return this;
  }

  /** Writes a UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  /** Writes a bytes field (also: a nested message's bytes). */
  bytesField(field: number, value: Uint8Array): this {
    this.#key(field, 2);
    this.#push(varint(value.length));
    this.#push(value);
    return this;
  }

  /** Writes a nested message. */
  message(field: number, value: ProtoWriter): this {
    return this.bytesField(field, value.bytes());
  }

  /** Writes a packed repeated integer field (int64s, e.g. dims). */
  packedInts(field: number, values: readonly number[]): this {
    return this.bytesField(field, concat(values.map(varint)));
  }

  /** The message's bytes. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #key(field: number, wire: number): void {
    this.#push(varint(field * 8 + wire));
  }

  #push(b: Uint8Array): void {
    this.#parts.push(b);
    this.#length += b.length;
  }
}

/**
 * An integer as a protobuf varint: 7 bits a byte, low bits first.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { varint } from "./protobuf.ts";
 * assert.deepStrictEqual([...varint(1)], [1]);
 * assert.deepStrictEqual([...varint(-1)].length, 10);
 * ```
 */
export function varint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Expected a safe integer but found ${value}`);
  }
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
