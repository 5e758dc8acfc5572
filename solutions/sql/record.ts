/**
 * The record format (fileformat2 §2.1): a header (its size as a varint, then
 * one serial type per column) followed by the column values.
 */
import type { Value } from "./value.ts";
import { readSmallVarint } from "./varint.ts";

const DECODERS: Record<number, TextDecoder> = {
  1: new TextDecoder("utf-8"),
  2: new TextDecoder("utf-16le"),
  3: new TextDecoder("utf-16be"),
};

function readInt(buf: Uint8Array, off: number, n: number): bigint {
  let v = BigInt((buf[off]! << 24) >> 24); // first byte signed
  for (let i = 1; i < n; i++) v = (v << 8n) | BigInt(buf[off + i]!);
  return v;
}

/** Bytes a serial type's value takes in the body. */
export function serialSize(t: number): number {
  if (t >= 12) return (t - 12) >> 1;
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][t]!;
}

/**
 * Decodes a record payload into its values (text in the database's
 * encoding). With `needed`, columns it marks false are skipped (left NULL).
 */
export function decodeRecord(payload: Uint8Array, encoding = 1, needed?: boolean[]): Value[] {
  const [headerSize, hl] = readSmallVarint(payload, 0);
  const types: number[] = [];
  for (let p = hl; p < headerSize; ) {
    const [t, l] = readSmallVarint(payload, p);
    types.push(t);
    p += l;
  }
  const out: Value[] = [];
  let off = headerSize;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    out.push(needed && !needed[i] ? null : decodeValue(payload, off, t, encoding));
    off += serialSize(t);
  }
  return out;
}

function decodeValue(buf: Uint8Array, off: number, t: number, encoding: number): Value {
  switch (t) {
    case 0:
      return null;
    case 1:
    case 2:
    case 3:
    case 4:
      return readInt(buf, off, t);
    case 5:
      return readInt(buf, off, 6);
    case 6:
      return readInt(buf, off, 8);
    case 7:
      return new DataView(buf.buffer, buf.byteOffset + off, 8).getFloat64(0);
    case 8:
      return 0n;
    case 9:
      return 1n;
    case 10:
    case 11:
      throw new Error(`malformed record: reserved serial type ${t}`);
    default: {
      const n = serialSize(t);
      const bytes = buf.subarray(off, off + n);
      if (t % 2 === 0) return bytes.slice();
      if (encoding === 1 && n < 64) {
        // Short ASCII texts are common: skip the decoder for them.
        let ascii = "";
        for (let i = 0; i < n; i++) {
          const b = bytes[i]!;
          if (b >= 0x80) return DECODERS[1]!.decode(bytes);
          ascii += String.fromCharCode(b);
        }
        return ascii;
      }
      return DECODERS[encoding]!.decode(bytes);
    }
  }
}
