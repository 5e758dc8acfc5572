// DUMP payloads as redis-server 7.0 makes them, built by the tests themselves:
// the value's type byte and RDB encoding, the RDB version (2 bytes,
// little-endian), then the CRC-64/Jones of all that (8 bytes, little-endian).
// https://redis.io/commands/dump/ ; the encodings: https://rdb.fnordig.de/file_format.html

/** CRC-64/Jones as Redis's crc64.c (reflected polynomial 0xad93d23594c935a9, init 0): crc64("123456789") = 0xe9c6d914c4b8d9ca. */
export function crc64(bytes: Uint8Array): bigint {
  const poly = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 bit-reflected
  let crc = 0n;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

/** `body` (type byte and value) followed by the version and the checksum. */
export function payload(body: Uint8Array, version = 10): Buffer {
  const head = Buffer.concat([Buffer.from(body), Buffer.from([version & 0xff, version >> 8])]);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(head), 0);
  return Buffer.concat([head, crc]);
}

/** An RDB string of fewer than 64 bytes: its length in one byte, then the bytes. */
export function shortString(s: Buffer): Buffer {
  if (s.length >= 64) throw new Error("shortString: 63 bytes at most");
  return Buffer.concat([Buffer.from([s.length]), s]);
}

/** A set of small integers as redis-server dumps it: type 11 (intset), the intset as an RDB string (16-bit entries). */
export function intsetPayload(members: readonly number[]): Buffer {
  const sorted = [...members].sort((a, b) => a - b);
  const intset = Buffer.alloc(8 + 2 * sorted.length);
  intset.writeUInt32LE(2, 0);
  intset.writeUInt32LE(sorted.length, 4);
  sorted.forEach((m, i) => intset.writeInt16LE(m, 8 + 2 * i));
  return payload(Buffer.concat([Buffer.from([11]), shortString(intset)]));
}
