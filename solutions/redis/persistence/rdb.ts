// RDB, Redis's snapshot file format: encodeRdb() writes the whole dataset,
// loadRdb() reads a file written by redis-server (or by us) back in.
// Format: https://rdb.fnordig.de/file_format.html (unofficial but complete)
// and Redis's src/rdb.c; persistence overview:
// https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
//
//   "REDIS0010" | aux fields | per db: SELECTDB, RESIZEDB, [EXPIRETIME_MS]
//   type key value ... | EOF (0xff) | CRC-64 of everything before it (LE)
//
// We write RDB version 10 (Redis 7.0) with the simplest encoding of each
// type that every Redis since 2.x loads: strings (integer-encoded when they
// are small integers, LZF-compressed when longer than 20 bytes and that
// helps), lists as plain lists (type 1), sets (2), sorted sets with binary
// scores (5) and hashes (4). We read versions 1..11 with every encoding
// redis-server 7.0 writes and the older ones it still reads: ziplists,
// intsets, quicklists of ziplists or listpacks, listpack hashes/zsets/sets.
// Streams are written as Redis 7.0 writes them (RDB_TYPE_STREAM_LISTPACKS_2,
// type 19: listpack nodes, consumer groups, pending entries) and read in the
// three stream types (15, 19, 21). Modules and functions are not supported.

import type { RedisValue } from "../keyspace.ts";
import type { ServerState } from "../state.ts";
import { byteString } from "../text.ts";
import { RedisList } from "../types/list.ts";
import { SortedSet } from "../types/sorted-set.ts";
import { Crc64 } from "./crc64.ts";
import { lzfCompress, lzfDecompress } from "./lzf.ts";
import { decodeIntset, decodeListpack, decodeZiplist, encodeListpack } from "./packed.ts";
import { ConsumerGroup, MAX_ID, MIN_ID, Stream, formatId, type StreamId } from "../types/stream.ts";

export const RDB_VERSION = 10;
/** The highest version we read (Redis 7.2 writes 11). */
const MAX_READ_VERSION = 11;

const enum Op {
  FUNCTION2 = 245,
  FUNCTION = 246,
  MODULE_AUX = 247,
  IDLE = 248,
  FREQ = 249,
  AUX = 250,
  RESIZEDB = 251,
  EXPIRETIME_MS = 252,
  EXPIRETIME = 253,
  SELECTDB = 254,
  EOF = 255,
}

const enum T {
  STRING = 0,
  LIST = 1,
  SET = 2,
  ZSET = 3,
  HASH = 4,
  ZSET_2 = 5,
  MODULE = 6,
  MODULE_2 = 7,
  HASH_ZIPMAP = 9,
  LIST_ZIPLIST = 10,
  SET_INTSET = 11,
  ZSET_ZIPLIST = 12,
  HASH_ZIPLIST = 13,
  LIST_QUICKLIST = 14,
  STREAM_LISTPACKS = 15,
  HASH_LISTPACK = 16,
  ZSET_LISTPACK = 17,
  LIST_QUICKLIST_2 = 18,
  STREAM_LISTPACKS_2 = 19,
  SET_LISTPACK = 20,
  STREAM_LISTPACKS_3 = 21,
}

/** Strings longer than this are LZF-compressed when that saves space (Redis: rdbcompression yes). */
const COMPRESS_MIN = 20;

// ---------------------------------------------------------------- writing

class RdbWriter {
  private readonly chunks: Buffer[] = [];

  byte(b: number): void {
    this.chunks.push(Buffer.from([b]));
  }

  raw(bytes: Buffer): void {
    this.chunks.push(bytes);
  }

  /** A length that may not fit a double (stream IDs, counters): the 64-bit form past 2^32-1. */
  lengthBig(n: bigint): void {
    if (n <= 0xffffffffn) return this.length(Number(n));
    const b = Buffer.alloc(9);
    b[0] = 0x81;
    b.writeBigUInt64BE(n, 1);
    this.raw(b);
  }

  /** Length encoding: 6-bit, 14-bit, 32-bit or 64-bit (big-endian). */
  length(n: number): void {
    if (n < 1 << 6) this.byte(n);
    else if (n < 1 << 14) this.raw(Buffer.from([0x40 | (n >> 8), n & 0xff]));
    else if (n <= 0xffffffff) {
      const b = Buffer.alloc(5);
      b[0] = 0x80;
      b.writeUInt32BE(n, 1);
      this.raw(b);
    } else {
      const b = Buffer.alloc(9);
      b[0] = 0x81;
      b.writeBigUInt64BE(BigInt(n), 1);
      this.raw(b);
    }
  }

  /** A string: as an integer if it is one that fits 32 bits, LZF if that helps, else raw. */
  string(s: Buffer, compress = true): void {
    if (s.length <= 11 && s.length > 0) {
      const text = s.toString("latin1");
      if (/^(0|-?[1-9][0-9]*)$/.test(text)) {
        const n = Number(text);
        if (n >= -128 && n <= 127) return this.raw(Buffer.from([0xc0, n & 0xff]));
        if (n >= -32768 && n <= 32767) {
          const b = Buffer.alloc(3);
          b[0] = 0xc1;
          b.writeInt16LE(n, 1);
          return this.raw(b);
        }
        if (n >= -2147483648 && n <= 2147483647) {
          const b = Buffer.alloc(5);
          b[0] = 0xc2;
          b.writeInt32LE(n, 1);
          return this.raw(b);
        }
      }
    }
    if (compress && s.length > COMPRESS_MIN) {
      const packed = lzfCompress(s, s.length - 4);
      if (packed) {
        this.byte(0xc3);
        this.length(packed.length);
        this.length(s.length);
        return this.raw(packed);
      }
    }
    this.length(s.length);
    this.raw(s);
  }

  text(s: string): void {
    this.string(Buffer.from(s, "latin1"));
  }

  /** Binary double (ZSET_2 scores). */
  double(d: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(d, 0);
    this.raw(b);
  }

  done(): Buffer {
    const body = Buffer.concat(this.chunks);
    return Buffer.concat([body, new Crc64().update(body).digestLE()]);
  }
}

export interface EncodeOptions {
  /** LZF-compress long strings (Redis's rdbcompression, default yes). */
  compress?: boolean;
  /** ctime aux field, ms since the epoch (default now). */
  now?: number;
  /** The base of an AOF (aux field aof-base 1). */
  aofBase?: boolean;
}

/** The whole dataset as an RDB file (version 10), checksum included. */
export function encodeRdb(state: ServerState, options: EncodeOptions = {}): Buffer {
  const compress = options.compress ?? state.config.get("rdbcompression") !== "no";
  const now = options.now ?? Date.now();
  const w = new RdbWriter();
  w.raw(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, "0")}`));
  const aux = (name: string, value: string) => {
    w.byte(Op.AUX);
    w.text(name);
    w.text(value);
  };
  aux("redis-ver", "7.0.15");
  aux("redis-bits", "64");
  aux("ctime", String(Math.floor(now / 1000)));
  aux("used-mem", String(process.memoryUsage().heapUsed));
  aux("aof-base", options.aofBase ? "1" : "0");
  state.databases.forEach((db, index) => {
    // An AOF rewrite's base leaves streams out: the new incr file rebuilds
    // them with commands (aof-streams.ts), as redis-server's rewrite does.
    const keys = [...db.keys()].filter((k) => !(options.aofBase && db.peek(k)?.type === "stream"));
    if (keys.length === 0) return;
    w.byte(Op.SELECTDB);
    w.length(index);
    w.byte(Op.RESIZEDB);
    w.length(keys.length);
    w.length(keys.filter((k) => db.getExpire(k) !== undefined).length);
    for (const key of keys) {
      const value = db.get(key);
      if (value === undefined) continue;
      const expireAt = db.getExpire(key);
      if (expireAt !== undefined) {
        w.byte(Op.EXPIRETIME_MS);
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(BigInt(expireAt), 0);
        w.raw(b);
      }
      writeValue(w, key, value, compress);
    }
  });
  w.byte(Op.EOF);
  return w.done();
}

/** The type byte we write for each value type. */
const WRITE_TYPE = { string: T.STRING, list: T.LIST, set: T.SET, zset: T.ZSET_2, hash: T.HASH, stream: T.STREAM_LISTPACKS_2 } as const;

function writeValue(w: RdbWriter, key: string, value: RedisValue, compress: boolean): void {
  w.byte(WRITE_TYPE[value.type]);
  w.string(Buffer.from(key, "latin1"), compress);
  writeBody(w, value, compress);
}

/** A stream ID as a node key or a pending entry: 16 bytes, ms then seq, big-endian. */
function rawId(id: StreamId): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(id.ms, 0);
  b.writeBigUInt64BE(id.seq, 8);
  return b;
}

function millisecondTime(ms: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(Math.max(0, Math.floor(ms))), 0);
  return b;
}

/** Entries per listpack node, as redis-server's stream-node-max-entries default. */
const STREAM_NODE_ENTRIES = 100;
const STREAM_FLAG_DELETED = 1;
const STREAM_FLAG_SAMEFIELDS = 2;
/** A consumer group's unknown entries-read, saved as (uint64)-1. */
const ENTRIES_READ_UNKNOWN = 2n ** 64n - 1n;

/**
 * A stream as RDB_TYPE_STREAM_LISTPACKS_2 (Redis 7.0, t_stream.c and
 * rdb.c): listpack nodes of up to 100 entries keyed by their master ID, each
 * a master entry (count, deleted, the first entry's field names, 0) then the
 * entries (flags 0, ms and seq relative to the master ID, the fields and
 * values, the entry's element count); then the length, last ID, first ID,
 * max deleted ID, entries added, and the consumer groups with their pending
 * entries and consumers.
 */
function writeStream(w: RdbWriter, s: Stream, compress: boolean): void {
  const entries = s.range(MIN_ID, MAX_ID);
  const nodes = Math.ceil(entries.length / STREAM_NODE_ENTRIES);
  w.length(nodes);
  for (let n = 0; n < nodes; n++) {
    const chunk = entries.slice(n * STREAM_NODE_ENTRIES, (n + 1) * STREAM_NODE_ENTRIES);
    const master = chunk[0]!;
    const names = master.fields.filter((_, i) => i % 2 === 0);
    const items: (Buffer | bigint)[] = [BigInt(chunk.length), 0n, BigInt(names.length), ...names, 0n];
    for (const e of chunk) {
      const count = e.fields.length / 2;
      items.push(0n, BigInt.asIntN(64, e.id.ms - master.id.ms), BigInt.asIntN(64, e.id.seq - master.id.seq), BigInt(count), ...e.fields, BigInt(2 * count + 4));
    }
    w.string(rawId(master.id), compress);
    w.string(encodeListpack(items), compress);
  }
  w.length(s.length);
  for (const id of [s.lastId, s.first?.id ?? MIN_ID, s.maxDeletedId]) {
    w.lengthBig(id.ms);
    w.lengthBig(id.seq);
  }
  w.length(s.entriesAdded);
  w.length(s.groups.size);
  for (const [name, group] of s.groups) {
    w.string(Buffer.from(name, "latin1"), compress);
    w.lengthBig(group.lastDelivered.ms);
    w.lengthBig(group.lastDelivered.seq);
    w.lengthBig(group.entriesRead === null ? ENTRIES_READ_UNKNOWN : BigInt(group.entriesRead));
    const pending = group.pendingInOrder();
    w.length(pending.length);
    for (const p of pending) {
      w.raw(rawId(p.id));
      w.raw(millisecondTime(p.deliveredAt));
      w.length(p.deliveries);
    }
    w.length(group.consumers.size);
    for (const consumer of group.consumers.values()) {
      w.string(Buffer.from(consumer.name, "latin1"), compress);
      w.raw(millisecondTime(consumer.seenAt));
      const own = group.pendingInOrder(consumer);
      w.length(own.length);
      for (const p of own) w.raw(rawId(p.id));
    }
  }
}

/** A value's encoding after its type byte (and key). */
function writeBody(w: RdbWriter, value: RedisValue, compress: boolean): void {
  const str = (b: Buffer) => w.string(b, compress);
  const txt = (s: string) => w.string(Buffer.from(s, "latin1"), compress);
  switch (value.type) {
    case "stream":
      return writeStream(w, value.data, compress);
    case "string":
      return str(value.data);
    case "list":
      w.length(value.data.length);
      for (const item of value.data) str(item);
      return;
    case "set":
      w.length(value.data.size);
      for (const member of value.data) txt(member);
      return;
    case "zset":
      w.length(value.data.size);
      for (const [member, score] of value.data.entries()) {
        txt(member);
        w.double(score);
      }
      return;
    case "hash":
      w.length(value.data.size);
      for (const [field, v] of value.data) {
        txt(field);
        str(v);
      }
      return;
  }
}

/**
 * DUMP's serialization of one value, as redis-server makes it: the type
 * byte and the value as in an RDB file, then the RDB version (2 bytes,
 * little-endian) and a CRC64 (Jones) of everything before it (8 bytes,
 * little-endian). https://redis.io/commands/dump/
 */
export function dumpValue(value: RedisValue, compress = true): Buffer {
  const w = new RdbWriter();
  w.byte(WRITE_TYPE[value.type]);
  writeBody(w, value, compress);
  const version = Buffer.alloc(2);
  version.writeUInt16LE(RDB_VERSION, 0);
  w.raw(version);
  return w.done();
}

// ---------------------------------------------------------------- reading

export class RdbError extends Error {
  override name = "RdbError";
}

/** The decoders of compressed/packed encodings (replaceable for tests). */
export interface Decoders {
  lzf: (input: Uint8Array, length: number) => Buffer;
  listpack: (bytes: Uint8Array) => Buffer[];
  ziplist: (bytes: Uint8Array) => Buffer[];
  intset: (bytes: Uint8Array) => string[];
}

const DECODERS: Decoders = { lzf: lzfDecompress, listpack: decodeListpack, ziplist: decodeZiplist, intset: decodeIntset };

class RdbReader {
  pos = 0;
  private readonly view: Buffer;

  constructor(
    readonly bytes: Uint8Array,
    readonly decoders: Decoders = DECODERS,
  ) {
    this.view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(detail: string): never {
    throw new RdbError(`bad RDB file: ${detail} (at byte ${this.pos} of ${this.bytes.length})`);
  }

  take(n: number): Buffer {
    if (this.pos + n > this.bytes.length) this.fail("unexpected end of file");
    const out = this.view.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  byte(): number {
    return this.take(1)[0]!;
  }

  /** A length, or a special string encoding (`encoded`: the low 6 bits). */
  lengthOrEncoding(): { encoded: boolean; value: number } {
    const b = this.byte();
    const kind = b >> 6;
    if (kind === 0) return { encoded: false, value: b & 0x3f };
    if (kind === 1) return { encoded: false, value: ((b & 0x3f) << 8) | this.byte() };
    if (kind === 3) return { encoded: true, value: b & 0x3f };
    if (b === 0x80) return { encoded: false, value: this.take(4).readUInt32BE(0) };
    if (b === 0x81) {
      const n = this.take(8).readBigUInt64BE(0);
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${n} too large`);
      return { encoded: false, value: Number(n) };
    }
    this.fail(`bad length encoding 0x${b.toString(16)}`);
  }

  /** A length that may be past 2^53 (stream IDs and counters). */
  lengthBig(): bigint {
    const b = this.bytes[this.pos];
    if (b === 0x81) {
      this.pos++;
      return this.take(8).readBigUInt64BE(0);
    }
    return BigInt(this.length());
  }

  length(): number {
    const l = this.lengthOrEncoding();
    if (l.encoded) this.fail("expected a length, found a string encoding");
    return l.value;
  }

  string(): Buffer {
    const l = this.lengthOrEncoding();
    if (!l.encoded) return Buffer.from(this.take(l.value));
    switch (l.value) {
      case 0:
        return Buffer.from(String(this.take(1).readInt8(0)));
      case 1:
        return Buffer.from(String(this.take(2).readInt16LE(0)));
      case 2:
        return Buffer.from(String(this.take(4).readInt32LE(0)));
      case 3: {
        const clen = this.length();
        const len = this.length();
        const packed = this.take(clen);
        try {
          return this.decoders.lzf(packed, len);
        } catch (e) {
          this.fail((e as Error).message);
        }
      }
    }
    this.fail(`unknown string encoding ${l.value}`);
  }

  text(): string {
    return byteString(this.string());
  }

  /** ZSET (type 3) score: a length-prefixed decimal, or 253/254/255 for nan/+inf/-inf. */
  stringDouble(): number {
    const len = this.byte();
    if (len === 253) return NaN;
    if (len === 254) return Infinity;
    if (len === 255) return -Infinity;
    return Number(this.take(len).toString("latin1"));
  }
}

export interface RdbEntry {
  db: number;
  key: string;
  value: RedisValue;
  /** ms since the epoch, or undefined for no expiry. */
  expireAt?: number;
}

export interface ParsedRdb {
  version: number;
  aux: Map<string, string>;
  entries: RdbEntry[];
}

function parseScore(s: Buffer, r: RdbReader): number {
  const t = s.toString("latin1").toLowerCase();
  const n = t === "inf" || t === "+inf" ? Infinity : t === "-inf" ? -Infinity : Number(t);
  if (Number.isNaN(n)) r.fail(`bad sorted set score "${t}"`);
  return n;
}

function pairs<T>(items: T[], r: RdbReader, what: string): Array<[T, T]> {
  if (items.length % 2 !== 0) r.fail(`${what} has an odd number of elements`);
  const out: Array<[T, T]> = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  return out;
}

function packed<T>(r: RdbReader, decode: (b: Uint8Array) => T): T {
  const blob = r.string();
  try {
    return decode(blob);
  } catch (e) {
    r.fail((e as Error).message);
  }
}

function readId(r: RdbReader): StreamId {
  const b = r.take(16);
  return { ms: b.readBigUInt64BE(0), seq: b.readBigUInt64BE(8) };
}

/** A stream in any of the three RDB stream types (15: Redis 5-6, 19: 7.0, 21: 7.2). */
function readStream(r: RdbReader, type: number): Stream {
  const s = new Stream();
  const int = (b: Buffer | undefined) => {
    if (b === undefined) r.fail("stream listpack ends early");
    return BigInt(b.toString("latin1"));
  };
  const nodes = r.length();
  for (let n = 0; n < nodes; n++) {
    const key = r.string();
    if (key.length !== 16) r.fail("stream node key is not 16 bytes");
    const master: StreamId = { ms: key.readBigUInt64BE(0), seq: key.readBigUInt64BE(8) };
    const items = packed(r, r.decoders.listpack);
    const total = Number(int(items[0]) + int(items[1]));
    const nameCount = Number(int(items[2]));
    const names = items.slice(3, 3 + nameCount);
    let pos = 3 + nameCount + 1; // after the master entry's terminating 0
    for (let i = 0; i < total; i++) {
      const flags = Number(int(items[pos++]));
      const id = { ms: BigInt.asUintN(64, master.ms + int(items[pos++])), seq: BigInt.asUintN(64, master.seq + int(items[pos++])) };
      const fields: Buffer[] = [];
      if (flags & STREAM_FLAG_SAMEFIELDS) {
        for (const name of names) fields.push(name, items[pos++] ?? r.fail("stream listpack ends early"));
      } else {
        const count = Number(int(items[pos++]));
        for (let f = 0; f < 2 * count; f++) fields.push(items[pos++] ?? r.fail("stream listpack ends early"));
      }
      pos++; // the entry's element count
      if (!(flags & STREAM_FLAG_DELETED)) s.add(id, fields);
    }
  }
  r.lengthBig(); // the length: the entries themselves say it
  s.lastId = { ms: r.lengthBig(), seq: r.lengthBig() };
  if (type !== T.STREAM_LISTPACKS) {
    r.lengthBig();
    r.lengthBig(); // the first ID: the entries say it
    s.maxDeletedId = { ms: r.lengthBig(), seq: r.lengthBig() };
    s.entriesAdded = Number(r.lengthBig());
  } else s.entriesAdded = s.length;
  const groups = r.length();
  for (let g = 0; g < groups; g++) {
    const name = r.text();
    const group = new ConsumerGroup({ ms: r.lengthBig(), seq: r.lengthBig() });
    if (type !== T.STREAM_LISTPACKS) {
      const read = r.lengthBig();
      group.entriesRead = read === ENTRIES_READ_UNKNOWN ? null : Number(read);
    }
    const pending = new Map<string, { id: StreamId; at: number; deliveries: number }>();
    const count = r.length();
    for (let i = 0; i < count; i++) {
      const id = readId(r);
      const at = Number(r.take(8).readBigUInt64LE(0));
      pending.set(formatId(id), { id, at, deliveries: r.length() });
    }
    const consumers = r.length();
    for (let c = 0; c < consumers; c++) {
      const consumerName = r.text();
      const seen = Number(r.take(8).readBigUInt64LE(0));
      if (type === T.STREAM_LISTPACKS_3) r.take(8); // active-time (Redis 7.2)
      const consumer = group.consumer(consumerName, seen);
      const own = r.length();
      for (let i = 0; i < own; i++) {
        const p = pending.get(formatId(readId(r)));
        if (p === undefined) r.fail("a consumer's pending entry is not in its group's");
        const entry = group.deliver(p.id, consumer, p.at, false);
        entry.deliveries = p.deliveries;
      }
    }
    s.groups.set(name, group);
  }
  return s;
}

function readValue(r: RdbReader, type: number): RedisValue {
  switch (type) {
    case T.STRING:
      return { type: "string", data: r.string() };
    case T.LIST: {
      const n = r.length();
      const items: Buffer[] = [];
      for (let i = 0; i < n; i++) items.push(r.string());
      return { type: "list", data: RedisList.from(items) };
    }
    case T.SET: {
      const n = r.length();
      const set = new Set<string>();
      for (let i = 0; i < n; i++) set.add(r.text());
      return { type: "set", data: set };
    }
    case T.ZSET:
    case T.ZSET_2: {
      const n = r.length();
      const zset = new SortedSet();
      for (let i = 0; i < n; i++) {
        const member = r.text();
        const score = type === T.ZSET_2 ? r.take(8).readDoubleLE(0) : r.stringDouble();
        zset.add(member, score);
      }
      return { type: "zset", data: zset };
    }
    case T.HASH: {
      const n = r.length();
      const hash = new Map<string, Buffer>();
      for (let i = 0; i < n; i++) {
        const field = r.text();
        hash.set(field, r.string());
      }
      return { type: "hash", data: hash };
    }
    case T.LIST_ZIPLIST:
      return { type: "list", data: RedisList.from(packed(r, r.decoders.ziplist)) };
    case T.SET_INTSET:
      return { type: "set", data: new Set(packed(r, r.decoders.intset)) };
    case T.SET_LISTPACK:
      return { type: "set", data: new Set(packed(r, r.decoders.listpack).map(byteString)) };
    case T.ZSET_ZIPLIST:
    case T.ZSET_LISTPACK: {
      const items = packed(r, type === T.ZSET_ZIPLIST ? r.decoders.ziplist : r.decoders.listpack);
      const zset = new SortedSet();
      for (const [m, s] of pairs(items, r, "sorted set")) zset.add(byteString(m), parseScore(s, r));
      return { type: "zset", data: zset };
    }
    case T.HASH_ZIPLIST:
    case T.HASH_LISTPACK: {
      const items = packed(r, type === T.HASH_ZIPLIST ? r.decoders.ziplist : r.decoders.listpack);
      return { type: "hash", data: new Map(pairs(items, r, "hash").map(([f, v]) => [byteString(f), v])) };
    }
    case T.LIST_QUICKLIST:
    case T.LIST_QUICKLIST_2: {
      const nodes = r.length();
      const items: Buffer[] = [];
      for (let i = 0; i < nodes; i++) {
        // QUICKLIST_2 nodes say whether they are one plain element (1) or a listpack (2).
        const container = type === T.LIST_QUICKLIST_2 ? r.length() : 2;
        if (container === 1) items.push(r.string());
        else if (container === 2) items.push(...packed(r, type === T.LIST_QUICKLIST ? r.decoders.ziplist : r.decoders.listpack));
        else r.fail(`unknown quicklist container ${container}`);
      }
      return { type: "list", data: RedisList.from(items) };
    }
    case T.STREAM_LISTPACKS:
    case T.STREAM_LISTPACKS_2:
    case T.STREAM_LISTPACKS_3:
      return { type: "stream", data: readStream(r, type) };
    case T.MODULE:
    case T.MODULE_2:
      return r.fail("module values are not supported");
    case T.HASH_ZIPMAP:
      r.fail("zipmap hashes (RDB before Redis 2.6) are not supported");
  }
  r.fail(`unknown value type ${type}`);
}

/** Parses and checks a whole RDB file (checksum included) without touching any state. */
export function parseRdb(bytes: Uint8Array, decoders: Partial<Decoders> = {}): ParsedRdb {
  const r = new RdbReader(bytes, { ...DECODERS, ...decoders });
  if (bytes.length < 9 || byteString(bytes.subarray(0, 5)) !== "REDIS") {
    r.fail('it does not start with "REDIS"');
  }
  const versionText = byteString(bytes.subarray(5, 9));
  const version = Number(versionText);
  if (!/^\d{4}$/.test(versionText) || version < 1 || version > MAX_READ_VERSION) {
    r.fail(`unsupported RDB version "${versionText}" (this server reads 1 to ${MAX_READ_VERSION})`);
  }
  r.pos = 9;
  const aux = new Map<string, string>();
  const entries: RdbEntry[] = [];
  let db = 0;
  let expireAt: number | undefined;
  for (;;) {
    const op = r.byte();
    switch (op) {
      case Op.EOF: {
        const end = r.pos;
        if (version >= 5) {
          const stored = r.take(8);
          const zero = stored.every((b) => b === 0); // rdbchecksum no
          if (!zero && !new Crc64().update(bytes.subarray(0, end)).digestLE().equals(stored)) {
            r.pos = end;
            r.fail("wrong checksum (the CRC-64 after the EOF byte does not match the file)");
          }
        }
        return { version, aux, entries };
      }
      case Op.SELECTDB:
        db = r.length();
        continue;
      case Op.RESIZEDB:
        r.length();
        r.length();
        continue;
      case Op.AUX:
        aux.set(r.text(), r.text());
        continue;
      case Op.EXPIRETIME_MS:
        expireAt = Number(r.take(8).readBigInt64LE(0));
        continue;
      case Op.EXPIRETIME:
        expireAt = r.take(4).readInt32LE(0) * 1000;
        continue;
      case Op.IDLE:
        r.length();
        continue;
      case Op.FREQ:
        r.byte();
        continue;
      case Op.MODULE_AUX:
        return r.fail("module data is not supported");
      case Op.FUNCTION:
      case Op.FUNCTION2:
        r.fail("functions (Redis 7 libraries) are not supported");
    }
    const key = r.text();
    const value = readValue(r, op);
    entries.push(expireAt === undefined ? { db, key, value } : { db, key, value, expireAt });
    expireAt = undefined;
  }
}

export interface LoadOptions {
  /** Also load keys whose expiry has passed (a replica does; a master skips them). Default false. */
  keepExpired?: boolean;
  /** ms since the epoch used to decide what has expired (default now). */
  now?: number;
  /** Replaces decoders (tests and broken-implementation fixtures). */
  decoders?: Partial<Decoders>;
}

export interface LoadResult {
  keys: number;
  expiredSkipped: number;
}

/** Empty aggregates are never stored (Redis 7 skips them with a warning too). */
function isEmpty(value: RedisValue): boolean {
  switch (value.type) {
    case "list":
      return value.data.length === 0;
    case "set":
    case "hash":
    case "zset":
      return value.data.size === 0;
    default:
      return false;
  }
}

/**
 * Loads an RDB file into the server's databases (adding to what is there,
 * replacing same-named keys). Throws an RdbError, loading nothing, if the
 * file is malformed, has a wrong checksum, or names a database this server
 * does not have. Keys already expired are skipped unless `keepExpired`.
 * The dirty counter is left as it was (loading is not a change to save).
 */
export function loadRdb(state: ServerState, bytes: Uint8Array, options: LoadOptions = {}): LoadResult {
  const parsed = parseRdb(bytes, options.decoders);
  const now = options.now ?? Date.now();
  for (const e of parsed.entries) {
    if (state.databases[e.db] === undefined) {
      throw new RdbError(`bad RDB file: it holds keys of database ${e.db}, but this server has ${state.databases.length} database(s)`);
    }
  }
  const dirty = state.dirty;
  const result: LoadResult = { keys: 0, expiredSkipped: 0 };
  for (const e of parsed.entries) {
    if (e.expireAt !== undefined && e.expireAt < now && !options.keepExpired) {
      result.expiredSkipped++;
      continue;
    }
    if (isEmpty(e.value)) continue;
    const db = state.databases[e.db]!;
    db.set(e.key, e.value);
    if (e.expireAt !== undefined) db.setExpire(e.key, e.expireAt);
    result.keys++;
  }
  state.dirty = dirty;
  return result;
}

/**
 * The value in a DUMP payload: "version" when its RDB version is newer than
 * this server reads or its checksum is wrong, "format" when it does not
 * decode to exactly one non-empty value (RESTORE's two errors).
 */
export function restoreValue(
  payload: Uint8Array,
  checks: { version?: boolean; checksum?: boolean; onlyWrittenTypes?: boolean } = {},
): RedisValue | "version" | "format" {
  if (payload.length < 10) return "version";
  const footer = payload.length - 10;
  const version = payload[footer]! | (payload[footer + 1]! << 8);
  if (version > MAX_READ_VERSION && checks.version !== false) return "version";
  const body = payload.subarray(0, payload.length - 8);
  const crc = new Crc64().update(body).digestLE();
  if (Buffer.compare(crc, Buffer.from(payload.subarray(payload.length - 8))) !== 0 && checks.checksum !== false) return "version";
  const r = new RdbReader(payload.subarray(0, footer));
  try {
    const type = r.byte();
    if (checks.onlyWrittenTypes && !(Object.values(WRITE_TYPE) as number[]).includes(type)) return "format";
    const value = readValue(r, type);
    if (r.pos !== footer || isEmpty(value)) return "format";
    return value;
  } catch (e) {
    if (e instanceof RdbError) return "format";
    throw e;
  }
}
