import { quirks } from "./quirks.ts";

/**
 * SQLite varints (fileformat2 §"B-tree Pages"): big-endian, 1 to 9 bytes.
 * Bytes 1-8 give 7 bits each while their high bit is set; a 9th byte gives
 * all 8 of its bits.
 */
export interface Varint {
  value: bigint;
  length: number;
}

/** Reads a varint as a bigint (rowids and integer keys span 64 bits). */
export function readVarint(buf: Uint8Array, off: number): Varint {
  let v = 0n;
  for (let i = 0; i < 8; i++) {
    const b = buf[off + i]!;
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) return { value: BigInt.asIntN(64, v), length: i + 1 };
  }
  v = quirks.varintNinthByteSevenBits ? (v << 7n) | BigInt(buf[off + 8]! & 0x7f) : (v << 8n) | BigInt(buf[off + 8]!);
  return { value: BigInt.asIntN(64, v), length: 9 };
}

/** Reads a varint known to be small (sizes, serial types): a number and its length. */
export function readSmallVarint(buf: Uint8Array, off: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const b = buf[off + i]!;
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) return [v, i + 1];
  }
  return [v * 256 + buf[off + 8]!, 9];
}
