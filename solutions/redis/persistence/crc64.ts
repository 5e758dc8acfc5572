// CRC-64/Jones, the checksum at the end of every RDB file: reflected
// polynomial 0xad93d23594c935a9, initial value 0, no final xor (Redis's
// src/crc64.c). crc64(0, "123456789") is 0xe9c6d914c4b8d9ca.
//
// Computed on two 32-bit halves per table entry, so no BigInt per byte.

const POLY_HI = 0x95ac9329; // the polynomial bit-reflected: 0x95ac9329ac4bc9b5
const POLY_LO = 0xac4bc9b5;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[i] = hi;
  TABLE_LO[i] = lo;
}

/** Running CRC-64 state (hi/lo 32-bit halves). */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  update(bytes: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < bytes.length; i++) {
      const idx = (lo ^ bytes[i]!) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
      hi = hi >>> 8;
      hi = (hi ^ TABLE_HI[idx]!) >>> 0;
      lo = (lo ^ TABLE_LO[idx]!) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** The checksum as 8 little-endian bytes, as RDB stores it. */
  digestLE(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }

  digest(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

export function crc64(bytes: Uint8Array): bigint {
  return new Crc64().update(bytes).digest();
}
