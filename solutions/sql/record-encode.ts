/** Encoding records and varints (fileformat2 §2.1, §1.6), for writing. */
import type { Value } from "./value.ts";

export function encodeVarint(v: bigint): number[] {
  let u = BigInt.asUintN(64, v);
  if (u >> 56n !== 0n) {
    // Nine bytes: eight of 7 bits, then a last byte of 8 bits.
    const out = new Array<number>(9);
    out[8] = Number(u & 0xffn);
    u >>= 8n;
    for (let i = 7; i >= 0; i--) {
      out[i] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    return out;
  }
  const bytes: number[] = [Number(u & 0x7fn)];
  u >>= 7n;
  while (u > 0n) {
    bytes.unshift(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  return bytes;
}

function intSerial(v: bigint): [number, number] {
  if (v === 0n) return [8, 0];
  if (v === 1n) return [9, 0];
  const fits = (bits: bigint) => v >= -(1n << (bits - 1n)) && v < 1n << (bits - 1n);
  if (fits(8n)) return [1, 1];
  if (fits(16n)) return [2, 2];
  if (fits(24n)) return [3, 3];
  if (fits(32n)) return [4, 4];
  if (fits(48n)) return [5, 6];
  return [6, 8];
}

const utf8 = new TextEncoder();

/** A record: the header (its size, then a serial type per value), then the values. */
export function encodeRecord(values: Value[]): Uint8Array {
  const types: number[] = [];
  const bodies: Uint8Array[] = [];
  for (const v of values) {
    if (v === null) {
      types.push(0);
      bodies.push(new Uint8Array());
    } else if (typeof v === "bigint") {
      const [t, n] = intSerial(v);
      types.push(t);
      const b = new Uint8Array(n);
      let x = BigInt.asUintN(64, v);
      for (let i = n - 1; i >= 0; i--) {
        b[i] = Number(x & 0xffn);
        x >>= 8n;
      }
      bodies.push(b);
    } else if (typeof v === "number") {
      types.push(7);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v);
      bodies.push(b);
    } else if (typeof v === "string") {
      const b = utf8.encode(v);
      types.push(b.length * 2 + 13);
      bodies.push(b);
    } else {
      types.push(v.length * 2 + 12);
      bodies.push(v);
    }
  }
  const typeBytes = types.flatMap((t) => encodeVarint(BigInt(t)));
  let headerSize = typeBytes.length + 1;
  if (encodeVarint(BigInt(headerSize)).length > 1) headerSize = typeBytes.length + encodeVarint(BigInt(typeBytes.length + 2)).length;
  const header = [...encodeVarint(BigInt(headerSize)), ...typeBytes];
  const total = header.length + bodies.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let at = header.length;
  for (const b of bodies) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
