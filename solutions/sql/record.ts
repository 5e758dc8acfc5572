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

/** A big-endian two's-complement integer of n bytes (1-8): as a number while exact (up to 6 bytes), one BigInt at the end. */
function readInt(buf: Uint8Array, off: number, n: number): bigint {
  if (n <= 6) {
    let v = (buf[off]! << 24) >> 24; // first byte signed
    for (let i = 1; i < n; i++) v = v * 256 + buf[off + i]!;
    return BigInt(v);
  }
  const hi = (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
  const lo = ((buf[off + 4]! << 24) | (buf[off + 5]! << 16) | (buf[off + 6]! << 8) | buf[off + 7]!) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Texts of up to this many bytes go through the cache of short texts. */
const SHORT = 24;
const CACHE_SLOTS = 4096;
const cachedTexts: (string | undefined)[] = new Array(CACHE_SLOTS);
const cachedHashes = new Int32Array(CACHE_SLOTS);

/**
 * A short ASCII text (undefined if a byte is not ASCII), from a small cache
 * of texts decoded before: a column's values repeat (a status, a name), and
 * the same string back means no new string to build, and one whose hash a
 * Map already knows (GROUP BY, DISTINCT, IN).
 */
function shortAscii(buf: Uint8Array, off: number, n: number): string | undefined {
  let h = n;
  for (let i = 0; i < n; i++) {
    const b = buf[off + i]!;
    if (b >= 0x80) return undefined;
    h = Math.imul(h ^ b, 0x01000193);
  }
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
  const hit = cachedTexts[slot];
  if (hit !== undefined && cachedHashes[slot] === h && hit.length === n) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = hit.charCodeAt(i) === buf[off + i];
    if (same) return hit;
  }
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(buf[off + i]!);
  cachedTexts[slot] = s;
  cachedHashes[slot] = h;
  return s;
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A big-endian IEEE 754 double, through one scratch array (no DataView per value). */
function readFloat(buf: Uint8Array, off: number): number {
  for (let i = 0; i < 8; i++) F64_BYTES[LITTLE_ENDIAN ? 7 - i : i] = buf[off + i]!;
  return F64[0]!;
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
  const r = new RecordReader();
  r.reset(payload, 0, payload.length, encoding);
  const count = r.count;
  const out: Value[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = needed && !needed[i] ? null : r.value(i);
  return out;
}

/**
 * One record read in place (a row of a scan, without copying its payload
 * off the page): `reset` reads the header's serial types and where each
 * value starts; `value(i)` decodes column i alone, so a query decodes only
 * the columns it reads, and a WHERE term can reject a row before the other
 * columns are decoded. One reader serves every row of a scan.
 */
export class RecordReader {
  buf: Uint8Array = new Uint8Array(0);
  encoding = 1;
  private types = new Int32Array(16);
  private offsets = new Int32Array(16);
  /** Serial types read so far: the header is read as far as the columns asked for. */
  private parsed = 0;
  /** Where the next serial type is, where the header ends, and where the next value starts. */
  private at = 0;
  private end = 0;
  private next = 0;

  reset(buf: Uint8Array, start: number, size: number, encoding: number): void {
    this.buf = buf;
    this.encoding = encoding;
    let headerSize = buf[start]!;
    let p = start + 1;
    if (headerSize >= 0x80) {
      const [h, hl] = readSmallVarint(buf, start);
      headerSize = h;
      p = start + hl;
    }
    this.at = p;
    this.end = start + Math.min(headerSize, size);
    this.next = start + headerSize;
    this.parsed = 0;
  }

  /** Reads serial types until column i's is read; false when the record has no column i. */
  private reach(i: number): boolean {
    const buf = this.buf;
    let p = this.at;
    let n = this.parsed;
    let off = this.next;
    while (n <= i && p < this.end) {
      let t = buf[p]!;
      if (t < 0x80) p++;
      else if (buf[p + 1]! < 0x80) {
        // Two bytes: a text or blob of up to 8,185 bytes.
        t = ((t & 0x7f) << 7) | buf[p + 1]!;
        p += 2;
      } else {
        const [v, l] = readSmallVarint(buf, p);
        t = v;
        p += l;
      }
      if (n === this.types.length) {
        const types = new Int32Array(n * 2);
        types.set(this.types);
        this.types = types;
        const offsets = new Int32Array(n * 2);
        offsets.set(this.offsets);
        this.offsets = offsets;
      }
      this.types[n] = t;
      this.offsets[n] = off;
      off += t >= 12 ? (t - 12) >> 1 : SIZES[t]!;
      n++;
    }
    this.at = p;
    this.parsed = n;
    this.next = off;
    return i < n;
  }

  /** Number of values in the record. */
  get count(): number {
    this.reach(Number.MAX_SAFE_INTEGER);
    return this.parsed;
  }

  /**
   * Column i as a number when it is stored as an integer that a number holds
   * exactly (serial types 1-5, 8, 9), null when it is NULL, undefined
   * otherwise (a real, text, blob or 8-byte integer: decode it with value()).
   */
  intAt(i: number): number | null | undefined {
    if (i >= this.parsed && !this.reach(i)) return null;
    const t = this.types[i]!;
    if (t === 0) return null;
    if (t === 8) return 0;
    if (t === 9) return 1;
    if (t > 5) return undefined;
    const buf = this.buf;
    const off = this.offsets[i]!;
    const n = t === 5 ? 6 : t;
    let v = (buf[off]! << 24) >> 24;
    for (let k = 1; k < n; k++) v = v * 256 + buf[off + k]!;
    return v;
  }

  /** Column i's value (NULL past the record's last value). */
  value(i: number): Value {
    if (i >= this.parsed && !this.reach(i)) return null;
    return decodeValue(this.buf, this.offsets[i]!, this.types[i]!, this.encoding);
  }
}

const SIZES = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0];

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
      return readFloat(buf, off);
    case 8:
      return 0n;
    case 9:
      return 1n;
    case 10:
    case 11:
      throw new Error(`malformed record: reserved serial type ${t}`);
    default: {
      const n = serialSize(t);
      if (t % 2 === 0) return buf.slice(off, off + n);
      if (encoding === 1 && n <= SHORT) {
        const s = shortAscii(buf, off, n);
        if (s !== undefined) return s;
      }
      return DECODERS[encoding]!.decode(buf.subarray(off, off + n));
    }
  }
}
