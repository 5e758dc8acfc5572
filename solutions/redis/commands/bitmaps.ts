// Bitmaps: strings read and written as arrays of bits. SETBIT, GETBIT,
// BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
// https://redis.io/commands/setbit/ (and /getbit/, /bitcount/, /bitpos/,
// /bitop/, /bitfield/, /bitfield_ro/). Bit 0 is the most significant bit of
// the first byte. Error texts and their precedence follow Redis 7.0's bitops.c.

import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from "../errors.ts";
import { parseInt64 } from "../int64.ts";
import { array, error, integer, NULL_BULK, ONE, ZERO, type Reply } from "../reply.ts";
import { PROTO_MAX_BULK_LEN } from "../resp.ts";
import { isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf, lookupString, WRONG_TYPE } from "./helpers.ts";
import type { CommandContext } from "./types.ts";

/**
 * Deliberate mistakes for the bitmaps fixtures (harness/fixtures/redis/bitmaps/),
 * all off: each fixture turns one on to prove the stage catches it.
 */
export const bitmapMistakes = {
  /** Bit 0 is the least significant bit of the first byte. */
  lsbFirst: false,
  /** SETBIT replies the bit's new value instead of its old one. */
  setbitReturnsNew: false,
  /** SETBIT takes any integer as the bit (non-zero sets it). */
  bitValueUnchecked: false,
  /** A negative bit offset reads as 0 instead of an error. */
  negativeOffsetAccepted: false,
  /** BITCOUNT/BITPOS ranges are always read as bytes (BIT ignored). */
  bitUnitIgnored: false,
  /** Negative range ends are clamped to 0 instead of counting from the end. */
  negativeRangeClamped: false,
  /** BITPOS for a clear bit, with the range's end given, answers the bit past the end instead of -1. */
  clearBitPastGivenEnd: false,
  /** BITOP's result is as long as the shortest source. */
  bitopShortest: false,
  /** BITOP NOT copies its source. */
  bitopNotCopies: false,
  /** BITOP with an empty result leaves the destination as it was. */
  bitopEmptyKeepsDestination: false,
  /** BITFIELD ignores OVERFLOW (always WRAP). */
  overflowIgnored: false,
  /** BITFIELD reads signed fields as unsigned. */
  signedAsUnsigned: false,
  /** BITFIELD's #N offsets are N bits, not N times the field's width. */
  hashOffsetInBits: false,
  /** BITFIELD_RO accepts SET and INCRBY. */
  readOnlyWrites: false,
  /** A key of another type reads as an empty bitmap. */
  wrongTypeAsEmpty: false,
};

const ERR_BIT_OFFSET = error("ERR bit offset is not an integer or out of range");
const ERR_BIT_VALUE = error("ERR bit is not an integer or out of range");
const ERR_BIT_ARGUMENT = error("ERR The bit argument must be 1 or 0.");
const ERR_BITFIELD_TYPE = error("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
const EMPTY = Buffer.alloc(0);

/** A bit offset (`#n` means n * bits when `bits` is given), or null when out of range. */
function bitOffset(arg: Buffer, bits = 0): bigint | null {
  const hash = bits > 0 && arg[0] === 0x23;
  let offset = parseInt64(hash ? arg.subarray(1) : arg);
  if (offset === null) return null;
  if (hash && !bitmapMistakes.hashOffsetInBits) offset *= BigInt(bits);
  if (offset < 0n && bitmapMistakes.negativeOffsetAccepted) offset = 0n;
  if (offset < 0n || offset >> 3n >= BigInt(PROTO_MAX_BULK_LEN)) return null;
  return offset;
}

/** The string at the key (empty when missing), or WRONG_TYPE. */
function readBits(ctx: CommandContext, arg: Buffer): Buffer | typeof WRONG_TYPE | null {
  const data = lookupString(ctx.db, keyOf(arg));
  return data === WRONG_TYPE && bitmapMistakes.wrongTypeAsEmpty ? null : data;
}

/**
 * The key's string padded with zero bytes to hold bit `maxBit`, as a new
 * buffer the caller may write; `grew` when the key was created or lengthened.
 */
function writableBits(ctx: CommandContext, arg: Buffer, maxBit: bigint): { data: Buffer; grew: boolean } | typeof WRONG_TYPE {
  const current = lookupString(ctx.db, keyOf(arg));
  if (current === WRONG_TYPE) return WRONG_TYPE;
  const needed = Number(maxBit >> 3n) + 1;
  const old = current ?? EMPTY;
  const data = Buffer.alloc(Math.max(old.length, needed));
  old.copy(data);
  return { data, grew: current === null || needed > old.length };
}

function store(ctx: CommandContext, arg: Buffer, data: Buffer): void {
  ctx.db.set(keyOf(arg), { type: "string", data, raw: true }, { keepTtl: true });
}

/** The mask of bit `offset` within its byte: bit 0 is the most significant bit. */
function bitMask(offset: number): number {
  return bitmapMistakes.lsbFirst ? 1 << (offset & 7) : 1 << (7 - (offset & 7));
}

function getBit(data: Uint8Array, offset: number): number {
  const byte = offset >> 3;
  return byte < data.length && (data[byte]! & bitMask(offset)) !== 0 ? 1 : 0;
}

/** SETBIT key offset 0|1: the bit's old value. */
function setbit(ctx: CommandContext, argv: Buffer[]): Reply {
  const offset = bitOffset(argv[2]!);
  if (offset === null) return ERR_BIT_OFFSET;
  const on = parseInt64(argv[3]!);
  if (on === null || (on !== 0n && on !== 1n && !bitmapMistakes.bitValueUnchecked)) return ERR_BIT_VALUE;
  const target = writableBits(ctx, argv[1]!, offset);
  if (target === WRONG_TYPE) return ERR_WRONGTYPE;
  const bit = Number(offset);
  const old = getBit(target.data, bit);
  // Nothing is written (no dirty, no event) when neither the length nor the bit changes.
  const value = on === 0n ? 0 : 1;
  if (target.grew || old !== value) {
    const mask = bitMask(bit);
    target.data[bit >> 3] = value === 1 ? target.data[bit >> 3]! | mask : target.data[bit >> 3]! & ~mask;
    store(ctx, argv[1]!, target.data);
    ctx.notify("string", "setbit", argv[1]!);
  }
  if (bitmapMistakes.setbitReturnsNew) return value ? ONE : ZERO;
  return old ? ONE : ZERO;
}

function popcount(byte: number): number {
  byte -= (byte >> 1) & 0x55;
  byte = (byte & 0x33) + ((byte >> 2) & 0x33);
  return (byte + (byte >> 4)) & 0x0f;
}

/**
 * A [start, end] range given in bytes or bits (negative from the end, clamped
 * as Redis does) turned into bit positions; null when empty.
 */
function bitRange(length: number, startArg: bigint, endArg: bigint | null, isBit: boolean): { first: number; last: number } | null {
  if (bitmapMistakes.bitUnitIgnored) isBit = false;
  const total = BigInt(isBit ? length * 8 : length);
  const fromEnd = !bitmapMistakes.negativeRangeClamped;
  let start = startArg < 0n && fromEnd ? total + startArg : startArg;
  let end = endArg === null ? total - 1n : endArg < 0n && fromEnd ? total + endArg : endArg;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  if (start > end) return null;
  return isBit ? { first: Number(start), last: Number(end) } : { first: Number(start) * 8, last: Number(end) * 8 + 7 };
}

/** BIT or BYTE (the default); null for anything else. */
function rangeUnit(arg: Buffer | undefined): boolean | null {
  if (arg === undefined || isOption(arg, "byte")) return false;
  if (isOption(arg, "bit")) return true;
  return null;
}

/** BITCOUNT key [start end [BYTE|BIT]]. */
function bitcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const data = readBits(ctx, argv[1]!);
  if (data === null) return ZERO;
  if (data === WRONG_TYPE) return ERR_WRONGTYPE;
  let range: { first: number; last: number } | null;
  if (argv.length === 2) range = data.length === 0 ? null : { first: 0, last: data.length * 8 - 1 };
  else if (argv.length === 4 || argv.length === 5) {
    const start = parseInt64(argv[2]!);
    const end = parseInt64(argv[3]!);
    if (start === null || end === null) return ERR_NOT_INTEGER;
    if (start < 0n && end < 0n && start > end) return ZERO;
    const isBit = rangeUnit(argv[4]);
    if (isBit === null) return ERR_SYNTAX;
    range = bitRange(data.length, start, end, isBit);
  } else return ERR_SYNTAX;
  if (range === null) return ZERO;
  let count = 0;
  let bit = range.first;
  for (; bit <= range.last && (bit & 7) !== 0; bit++) count += getBit(data, bit);
  for (; bit + 7 <= range.last; bit += 8) count += popcount(data[bit >> 3]!);
  for (; bit <= range.last; bit++) count += getBit(data, bit);
  return integer(count);
}

/** BITPOS key 0|1 [start [end [BYTE|BIT]]]. */
function bitpos(ctx: CommandContext, argv: Buffer[]): Reply {
  const wanted = parseInt64(argv[2]!);
  if (wanted === null) return ERR_NOT_INTEGER;
  if (wanted !== 0n && wanted !== 1n) return ERR_BIT_ARGUMENT;
  const data = readBits(ctx, argv[1]!);
  // A missing key is an endless run of zeros.
  if (data === null) return integer(wanted === 1n ? -1 : 0);
  if (data === WRONG_TYPE) return ERR_WRONGTYPE;
  if (argv.length > 6) return ERR_SYNTAX;
  let range: { first: number; last: number } | null = data.length === 0 ? null : { first: 0, last: data.length * 8 - 1 };
  let endGiven = false;
  if (argv.length >= 4) {
    const start = parseInt64(argv[3]!);
    if (start === null) return ERR_NOT_INTEGER;
    const isBit = rangeUnit(argv[5]);
    if (isBit === null) return ERR_SYNTAX;
    let end: bigint | null = null;
    if (argv.length >= 5) {
      end = parseInt64(argv[4]!);
      if (end === null) return ERR_NOT_INTEGER;
      endGiven = true;
    }
    range = bitRange(data.length, start, end, isBit);
  }
  if (range === null) return integer(-1);
  for (let bit = range.first; bit <= range.last; bit++) {
    if ((bit & 7) === 0 && bit + 7 <= range.last && data[bit >> 3] === (wanted === 1n ? 0 : 0xff)) {
      bit += 7;
      continue;
    }
    if (getBit(data, bit) === Number(wanted)) return integer(bit);
  }
  // No clear bit in the string: the first one past its end, unless the range had an end.
  if (wanted === 0n && (!endGiven || bitmapMistakes.clearBitPastGivenEnd)) return integer(range.last + 1);
  return integer(-1);
}

/** BITOP AND|OR|XOR|NOT destkey key [key ...]: the length of the result. */
function bitop(ctx: CommandContext, argv: Buffer[]): Reply {
  const op = (["and", "or", "xor", "not"] as const).find((name) => isOption(argv[1]!, name));
  if (op === undefined) return ERR_SYNTAX;
  if (op === "not" && argv.length !== 4) return error("ERR BITOP NOT must be called with a single source key.");
  const sources: Buffer[] = [];
  for (const arg of argv.slice(3)) {
    const data = readBits(ctx, arg);
    if (data === WRONG_TYPE) return ERR_WRONGTYPE;
    sources.push(data ?? EMPTY);
  }
  const lengths = sources.map((s) => s.length);
  const length = bitmapMistakes.bitopShortest ? Math.min(...lengths) : Math.max(...lengths);
  if (length === 0) {
    if (!bitmapMistakes.bitopEmptyKeepsDestination && ctx.db.delete(keyOf(argv[2]!))) {
      ctx.notify("generic", "del", argv[2]!);
    }
    return ZERO;
  }
  const result = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    let out = sources[0]![i] ?? 0;
    if (op === "not" && !bitmapMistakes.bitopNotCopies) out = ~out & 0xff;
    for (let j = 1; j < sources.length; j++) {
      const byte = sources[j]![i] ?? 0;
      out = op === "and" ? out & byte : op === "or" ? out | byte : out ^ byte;
    }
    result[i] = out;
  }
  ctx.db.set(keyOf(argv[2]!), { type: "string", data: result });
  ctx.notify("string", "set", argv[2]!);
  return integer(length);
}

type Overflow = "wrap" | "sat" | "fail";

interface FieldOp {
  op: "get" | "set" | "incrby";
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: Overflow;
}

function readField(data: Uint8Array, offset: number, bits: number, signed: boolean): bigint {
  let value = 0n;
  for (let i = 0; i < bits; i++) value = (value << 1n) | BigInt(getBit(data, offset + i));
  if (signed && !bitmapMistakes.signedAsUnsigned && value >> BigInt(bits - 1) === 1n) value -= 1n << BigInt(bits);
  return value;
}

function writeField(data: Uint8Array, offset: number, bits: number, value: bigint): void {
  const unsigned = BigInt.asUintN(bits, value);
  for (let i = 0; i < bits; i++) {
    const bit = offset + i;
    const mask = bitMask(bit);
    const on = (unsigned >> BigInt(bits - 1 - i)) & 1n;
    data[bit >> 3] = on ? data[bit >> 3]! | mask : data[bit >> 3]! & ~mask;
  }
}

/** `value` fitted to the field under the overflow policy; null when FAIL refuses it. */
function fitField(value: bigint, bits: number, signed: boolean, overflow: Overflow): bigint | null {
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (value >= min && value <= max) return value;
  if (overflow === "fail") return null;
  if (overflow === "sat") return value > max ? max : min;
  return signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
}

/** BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL]... */
function bitfield(ctx: CommandContext, argv: Buffer[], readOnly: boolean): Reply {
  const ops: FieldOp[] = [];
  let overflow: Overflow = "wrap";
  let highest = -1n;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = argv[j]!;
    let op: FieldOp["op"];
    if (isOption(sub, "get") && remaining >= 2) op = "get";
    else if (isOption(sub, "set") && remaining >= 3) op = "set";
    else if (isOption(sub, "incrby") && remaining >= 3) op = "incrby";
    else if (isOption(sub, "overflow") && remaining >= 1) {
      const kind = (["wrap", "sat", "fail"] as const).find((name) => isOption(argv[j + 1]!, name));
      if (kind === undefined) return error("ERR Invalid OVERFLOW type specified");
      overflow = bitmapMistakes.overflowIgnored ? "wrap" : kind;
      j++;
      continue;
    } else return ERR_SYNTAX;
    const type = argv[j + 1]!;
    const signed = type[0] === 0x69; // 'i'
    const width = type[0] === 0x69 || type[0] === 0x75 ? parseInt64(type.subarray(1)) : null;
    if (width === null || width < 1n || width > (signed ? 64n : 63n)) return ERR_BITFIELD_TYPE;
    const bits = Number(width);
    const offset = bitOffset(argv[j + 2]!, bits);
    if (offset === null) return ERR_BIT_OFFSET;
    let value = 0n;
    if (op !== "get") {
      if (offset + width - 1n > highest) highest = offset + width - 1n;
      const parsed = parseInt64(argv[j + 3]!);
      if (parsed === null) return ERR_NOT_INTEGER;
      value = parsed;
    }
    ops.push({ op, signed, bits, offset: Number(offset), value, overflow });
    j += op === "get" ? 2 : 3;
  }
  if (highest < 0n) {
    const data = readBits(ctx, argv[1]!);
    if (data === WRONG_TYPE) return ERR_WRONGTYPE;
    return array(ops.map((o) => integer(readField(data ?? EMPTY, o.offset, o.bits, o.signed))));
  }
  if (readOnly && !bitmapMistakes.readOnlyWrites) return error("ERR BITFIELD_RO only supports the GET subcommand");
  const target = writableBits(ctx, argv[1]!, highest);
  if (target === WRONG_TYPE) return ERR_WRONGTYPE;
  const data = target.data;
  let changes = 0;
  const replies = ops.map((o): Reply => {
    const old = readField(data, o.offset, o.bits, o.signed);
    if (o.op === "get") return integer(old);
    // An unsigned SET reads its value as a 64-bit unsigned number, as redis-server does.
    const wanted = o.op === "incrby" ? old + o.value : o.signed ? o.value : BigInt.asUintN(64, o.value);
    const fitted = fitField(wanted, o.bits, o.signed, o.overflow);
    if (fitted === null) return NULL_BULK;
    writeField(data, o.offset, o.bits, fitted);
    if (target.grew || fitted !== old) changes++;
    return integer(o.op === "incrby" ? fitted : old);
  });
  if (changes > 0) {
    store(ctx, argv[1]!, data);
    // One change per write that changed something, as redis-server counts (the store counted one).
    ctx.server.dirty += changes - 1;
    ctx.notify("string", "setbit", argv[1]!);
  }
  return array(replies);
}

const KEY = [1, 1, 1] as const;

export const bitmapCommands: readonly CommandDefinition[] = [
  {
    name: "setbit",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: KEY,
    categories: ["@bitmap"],
    group: "bitmap",
    summary: "Sets or clears the bit at offset in the string value stored at key",
    since: "2.2.0",
    handler: setbit,
  },
  {
    name: "getbit",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: KEY,
    categories: ["@bitmap"],
    group: "bitmap",
    summary: "Returns the bit value at offset in the string value stored at key",
    since: "2.2.0",
    handler: (ctx, argv) => {
      const offset = bitOffset(argv[2]!);
      if (offset === null) return ERR_BIT_OFFSET;
      const data = readBits(ctx, argv[1]!);
      if (data === WRONG_TYPE) return ERR_WRONGTYPE;
      return data !== null && getBit(data, Number(offset)) ? ONE : ZERO;
    },
  },
  {
    name: "bitcount",
    arity: -2,
    flags: ["readonly"],
    keys: KEY,
    categories: ["@bitmap"],
    group: "bitmap",
    summary: "Count set bits in a string",
    since: "2.6.0",
    handler: bitcount,
  },
  {
    name: "bitpos",
    arity: -3,
    flags: ["readonly"],
    keys: KEY,
    categories: ["@bitmap"],
    group: "bitmap",
    summary: "Find first bit set or clear in a string",
    since: "2.8.7",
    handler: bitpos,
  },
  {
    name: "bitop",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: [2, -1, 1],
    categories: ["@bitmap"],
    group: "bitmap",
    summary: "Perform bitwise operations between strings",
    since: "2.6.0",
    handler: bitop,
  },
  {
    name: "bitfield",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: KEY,
    categories: ["@bitmap"],
    group: "bitmap",
    summary: "Perform arbitrary bitfield integer operations on strings",
    since: "3.2.0",
    handler: (ctx, argv) => bitfield(ctx, argv, false),
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: KEY,
    categories: ["@bitmap"],
    group: "bitmap",
    summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    since: "6.0.0",
    handler: (ctx, argv) => bitfield(ctx, argv, true),
  },
];
