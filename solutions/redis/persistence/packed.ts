// The compact encodings redis-server writes inside RDB strings: listpack
// (Redis 7: small lists, hashes, sorted sets), ziplist (before Redis 7) and
// intset (sets of integers). Each decoder returns the elements as byte
// strings/Buffers in order; integers come back as their decimal text.
// Listpack: https://github.com/redis/redis/blob/7.0/src/listpack.c
// Ziplist:  https://github.com/redis/redis/blob/7.0/src/ziplist.c

function corrupt(what: string, detail: string): never {
  throw new Error(`${what} is corrupt: ${detail}`);
}

function need(buf: Uint8Array, pos: number, n: number, what: string): void {
  if (pos + n > buf.length) corrupt(what, "truncated");
}

function signExtend(value: number, bits: number): number {
  const top = 2 ** (bits - 1);
  return value >= top ? value - 2 * top : value;
}

/** Size of a listpack entry's trailing back-length for an entry of `len` bytes (listpack.c's lpEncodeBacklen). */
function backlenSize(len: number): number {
  return len <= 127 ? 1 : len < 16383 ? 2 : len < 2097151 ? 3 : len < 268435455 ? 4 : 5;
}

/** The back-length bytes of an entry of `len` bytes: 7 bits a byte, most significant first, all but the first with 0x80. */
function encodeBacklen(len: number): number[] {
  const n = backlenSize(len);
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(Math.floor(len / 2 ** (7 * i)) % 128 | (i === n - 1 ? 0 : 0x80));
  return out;
}

const CANONICAL_INT = /^(0|-?[1-9][0-9]{0,18})$/;

/** One listpack entry (without its back-length): an integer in the smallest encoding, or a string. */
function encodeEntry(item: Buffer | bigint): Buffer {
  let v: bigint | null = null;
  if (typeof item === "bigint") v = item;
  else if (item.length <= 20 && CANONICAL_INT.test(item.toString("latin1"))) {
    const n = BigInt(item.toString("latin1"));
    if (n >= -(2n ** 63n) && n < 2n ** 63n) v = n;
  }
  if (v !== null) {
    if (v >= 0n && v <= 127n) return Buffer.from([Number(v)]);
    if (v >= -4096n && v <= 4095n) {
      const u = Number(v < 0n ? (1n << 13n) + v : v);
      return Buffer.from([(u >> 8) | 0xc0, u & 0xff]);
    }
    const sizes = [[2, 0xf1], [3, 0xf2], [4, 0xf3], [8, 0xf4]] as const;
    for (const [size, tag] of sizes) {
      const limit = 1n << BigInt(size * 8 - 1);
      if (v >= -limit && v < limit) {
        const b = Buffer.alloc(1 + size);
        b[0] = tag;
        if (size === 8) b.writeBigInt64LE(v, 1);
        else b.writeIntLE(Number(v), 1, size);
        return b;
      }
    }
  }
  const s = item as Buffer;
  if (s.length < 64) return Buffer.concat([Buffer.from([0x80 | s.length]), s]);
  if (s.length < 4096) return Buffer.concat([Buffer.from([0xe0 | (s.length >> 8), s.length & 0xff]), s]);
  const head = Buffer.alloc(5);
  head[0] = 0xf0;
  head.writeUInt32LE(s.length, 1);
  return Buffer.concat([head, s]);
}

/** A listpack holding `items` (byte strings that are canonical integers, and bigints, are stored as integers). */
export function encodeListpack(items: readonly (Buffer | bigint)[]): Buffer {
  const parts: Buffer[] = [];
  for (const item of items) {
    const entry = encodeEntry(item);
    parts.push(entry, Buffer.from(encodeBacklen(entry.length)));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(6);
  head.writeUInt32LE(6 + body.length + 1, 0);
  head.writeUInt16LE(Math.min(items.length, 65535), 4);
  return Buffer.concat([head, body, Buffer.from([0xff])]);
}

/** The elements of a listpack. */
export function decodeListpack(lp: Uint8Array): Buffer[] {
  const what = "listpack";
  need(lp, 0, 7, what);
  const view = Buffer.from(lp.buffer, lp.byteOffset, lp.byteLength);
  const total = view.readUInt32LE(0);
  if (total !== lp.length) corrupt(what, `header says ${total} bytes, found ${lp.length}`);
  const out: Buffer[] = [];
  let p = 6;
  for (;;) {
    need(lp, p, 1, what);
    const b = lp[p]!;
    if (b === 0xff) break;
    let entryLen: number;
    if ((b & 0x80) === 0) {
      out.push(Buffer.from(String(b & 0x7f)));
      entryLen = 1;
    } else if ((b & 0xc0) === 0x80) {
      const len = b & 0x3f;
      need(lp, p + 1, len, what);
      out.push(Buffer.from(lp.subarray(p + 1, p + 1 + len)));
      entryLen = 1 + len;
    } else if ((b & 0xe0) === 0xc0) {
      need(lp, p, 2, what);
      out.push(Buffer.from(String(signExtend(((b & 0x1f) << 8) | lp[p + 1]!, 13))));
      entryLen = 2;
    } else if ((b & 0xf0) === 0xe0) {
      need(lp, p, 2, what);
      const len = ((b & 0x0f) << 8) | lp[p + 1]!;
      need(lp, p + 2, len, what);
      out.push(Buffer.from(lp.subarray(p + 2, p + 2 + len)));
      entryLen = 2 + len;
    } else if (b === 0xf0) {
      need(lp, p, 5, what);
      const len = view.readUInt32LE(p + 1);
      need(lp, p + 5, len, what);
      out.push(Buffer.from(lp.subarray(p + 5, p + 5 + len)));
      entryLen = 5 + len;
    } else if (b >= 0xf1 && b <= 0xf4) {
      const size = [2, 3, 4, 8][b - 0xf1]!;
      need(lp, p + 1, size, what);
      let text: string;
      if (size === 2) text = String(view.readInt16LE(p + 1));
      else if (size === 3) text = String(view.readIntLE(p + 1, 3));
      else if (size === 4) text = String(view.readInt32LE(p + 1));
      else text = view.readBigInt64LE(p + 1).toString();
      out.push(Buffer.from(text));
      entryLen = 1 + size;
    } else {
      corrupt(what, `unknown entry encoding 0x${b.toString(16)} at byte ${p}`);
    }
    p += entryLen + backlenSize(entryLen);
  }
  const count = view.readUInt16LE(4);
  if (count !== 65535 && count !== out.length) corrupt(what, `header says ${count} elements, found ${out.length}`);
  return out;
}

/** The elements of a ziplist (RDB files of Redis before 7.0). */
export function decodeZiplist(zl: Uint8Array): Buffer[] {
  const what = "ziplist";
  need(zl, 0, 11, what);
  const view = Buffer.from(zl.buffer, zl.byteOffset, zl.byteLength);
  const out: Buffer[] = [];
  let p = 10;
  for (;;) {
    need(zl, p, 1, what);
    if (zl[p] === 0xff) break;
    p += zl[p] === 0xfe ? 5 : 1; // previous entry length
    need(zl, p, 1, what);
    const b = zl[p]!;
    const enc = b >> 6;
    if (enc === 0) {
      const len = b & 0x3f;
      need(zl, p + 1, len, what);
      out.push(Buffer.from(zl.subarray(p + 1, p + 1 + len)));
      p += 1 + len;
    } else if (enc === 1) {
      need(zl, p, 2, what);
      const len = ((b & 0x3f) << 8) | zl[p + 1]!;
      need(zl, p + 2, len, what);
      out.push(Buffer.from(zl.subarray(p + 2, p + 2 + len)));
      p += 2 + len;
    } else if (b === 0x80) {
      need(zl, p, 5, what);
      const len = view.readUInt32BE(p + 1);
      need(zl, p + 5, len, what);
      out.push(Buffer.from(zl.subarray(p + 5, p + 5 + len)));
      p += 5 + len;
    } else if (b === 0xc0) {
      need(zl, p, 3, what);
      out.push(Buffer.from(String(view.readInt16LE(p + 1))));
      p += 3;
    } else if (b === 0xd0) {
      need(zl, p, 5, what);
      out.push(Buffer.from(String(view.readInt32LE(p + 1))));
      p += 5;
    } else if (b === 0xe0) {
      need(zl, p, 9, what);
      out.push(Buffer.from(view.readBigInt64LE(p + 1).toString()));
      p += 9;
    } else if (b === 0xf0) {
      need(zl, p, 4, what);
      out.push(Buffer.from(String(view.readIntLE(p + 1, 3))));
      p += 4;
    } else if (b === 0xfe) {
      need(zl, p, 2, what);
      out.push(Buffer.from(String(view.readInt8(p + 1))));
      p += 2;
    } else if (b >= 0xf1 && b <= 0xfd) {
      out.push(Buffer.from(String((b & 0x0f) - 1)));
      p += 1;
    } else {
      corrupt(what, `unknown entry encoding 0x${b.toString(16)} at byte ${p}`);
    }
  }
  return out;
}

/** The members of an intset, as decimal text. */
export function decodeIntset(is: Uint8Array): string[] {
  const what = "intset";
  need(is, 0, 8, what);
  const view = Buffer.from(is.buffer, is.byteOffset, is.byteLength);
  const width = view.readUInt32LE(0);
  const count = view.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8) corrupt(what, `bad integer width ${width}`);
  need(is, 8, width * count, what);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * width;
    out.push(width === 2 ? String(view.readInt16LE(at)) : width === 4 ? String(view.readInt32LE(at)) : view.readBigInt64LE(at).toString());
  }
  return out;
}
