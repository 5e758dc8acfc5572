import { redisCli, type Step } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { Pipeline } from "../keyspace/pipeline.ts";

const OLD_BIT = "SETBIT replies the bit's OLD value (0 for a bit that was clear, 1 for one that was set), not the value just written.";
const GROWS = "SETBIT on a missing key (or past the end) grows the string with zero bytes up to the byte holding the bit: STRLEN is offset / 8 + 1.";
const PAST_END = "GETBIT of a bit past the end of the string (or of a missing key) is 0.";
const MSB_FIRST = "Bit 0 is the most significant bit of the first byte (0x80), bit 7 its least significant (0x01), bit 8 the most significant bit of the second byte.";
const OFFSET_ERR = "A negative (or non-integer) offset is -ERR bit offset is not an integer or out of range.";
const BIT_ERR = "SETBIT's value must be 0 or 1: anything else is -ERR bit is not an integer or out of range.";
const WRONGTYPE = "The bit commands work on strings only: a key of another type is -WRONGTYPE Operation against a key holding the wrong kind of value.";
const COUNT = "BITCOUNT counts the bits set to 1 in the string (or in the range).";
const NEGATIVE = "Negative range indexes count from the end: -1 is the last byte (or bit), -2 the one before.";
const BIT_UNIT = "With BIT, BITCOUNT's and BITPOS's start and end are bit indexes, not byte indexes.";
const SYNTAX = "The range's unit is BYTE or BIT; anything else is -ERR syntax error.";
const PAST_STRING = "BITPOS looking for a 0 in a string of ones, without an end, answers the first bit past the string (the string reads as padded with zeros).";
const GIVEN_END = "With an end given, BITPOS looking for a 0 in a range of ones answers -1: the range is not padded.";
const MISSING_POS = "A missing key is all zeros: BITPOS key 0 is 0, BITPOS key 1 is -1.";
const BIT_ARG = "BITPOS's bit must be 0 or 1: anything else is -ERR The bit argument must be 1 or 0.";
const BITOP_LEN = "BITOP replies the length of the result: that of the longest source, shorter ones read as padded with zero bytes.";
const BITOP_NOT = "BITOP NOT inverts every bit of its one source.";
const BITOP_NOT_ONE = "BITOP NOT takes exactly one source: -ERR BITOP NOT must be called with a single source key.";
const BITOP_EMPTY = "BITOP with an empty result (every source missing) deletes the destination and replies 0.";
const SIGNED = "A signed field (i8) is read as two's complement: the byte 200 read as i8 is -56.";
const HASH = "BITFIELD's #n offset means n times the field's width: u8 #1 is the second byte (bits 8-15).";
const SAT = "OVERFLOW SAT saturates: an unsigned 8-bit INCRBY past 255 gives 255.";
const FAIL = "OVERFLOW FAIL refuses the write: that INCRBY replies nil and the field keeps its value.";
const WRAP = "Without OVERFLOW (WRAP) an INCRBY past the maximum wraps around (modulo 2^bits).";
const TYPE_ERR = "u64 is not a valid type: -ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
const RO = "BITFIELD_RO runs GET only: a SET is -ERR BITFIELD_RO only supports the GET subcommand.";

/** A byte string as redis-cli --no-raw prints it (sdscatrepr): quoted, \xHH for bytes that are not printable. */
function repr(bytes: readonly number[]): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x5c || b === 0x22) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x07) out += "\\a";
    else if (b === 0x08) out += "\\b";
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `${out}"`;
}

const int = (n: number | bigint) => `(integer) ${n}`;
const ints = (items: readonly (number | null)[]) => items.map((x, i) => `${i + 1}) ${x === null ? "(nil)" : int(x)}`).join("\n");
const ERR_WRONGTYPE = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";

function letters(t: CaseContext, n: number): number[] {
  return Array.from({ length: n }, () => t.rand.int(0x41, 0x5a));
}

function bitsOf(bytes: readonly number[]): number[] {
  return bytes.flatMap((b) => Array.from({ length: 8 }, (_, i) => (b >> (7 - i)) & 1));
}

function reverseBits(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
}

/** A letter whose bits read backwards are another byte (so bit order shows). */
function asymmetricLetter(t: CaseContext): number {
  const choices = Array.from({ length: 26 }, (_, i) => 0x41 + i).filter((b) => reverseBits(b) !== b);
  return t.rand.pick(choices);
}

const text = (bytes: readonly number[]) => String.fromCharCode(...bytes);

export default stage(import.meta, [
  {
    name: "SETBIT and GETBIT: old values, growth, bit order, errors",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [key, built, list] = ["bits", "built", "list"].map((k) => t.rand.key(k)) as [string, string, string];
      const offset = t.rand.int(8, 63);
      const pair = [asymmetricLetter(t), asymmetricLetter(t)];
      const set = bitsOf(pair).flatMap((bit, i) => (bit ? [i] : []));
      await p.run([["RPUSH", list, "x"], ...t.rand.shuffle(set).map((i) => ["SETBIT", built, String(i), "1"])]);
      t.log.note(`${built} was built with SETBIT at bits ${set.join(", ")}: the bytes of "${text(pair)}"`);
      const cli = redisCli(t, redis);
      const steps: Step[] = [
        [["SETBIT", key, String(offset), "1"], int(0), OLD_BIT],
        [["STRLEN", key], int(Math.floor(offset / 8) + 1), GROWS],
        [["GETBIT", key, String(offset)], int(1), MSB_FIRST],
        [["GETBIT", key, String(offset - 1)], int(0), MSB_FIRST],
        [["GETBIT", key, String(t.rand.int(1000, 100000))], int(0), PAST_END],
        [["SETBIT", key, String(offset), "1"], int(1), OLD_BIT],
        [["SETBIT", key, String(offset), "0"], int(1), OLD_BIT],
        [["GETBIT", key, String(offset)], int(0), OLD_BIT],
        [["GET", built], repr(pair), MSB_FIRST],
        [["SETBIT", key, `-${t.rand.int(1, 9)}`, "1"], "(error) ERR bit offset is not an integer or out of range", OFFSET_ERR],
        [["SETBIT", key, "0", String(t.rand.int(2, 9))], "(error) ERR bit is not an integer or out of range", BIT_ERR],
        [["GETBIT", list, "0"], ERR_WRONGTYPE, WRONGTYPE],
      ];
      await cli.steps(steps);
    },
  },
  {
    name: "BITCOUNT: the whole string, byte ranges from the end, bit ranges, errors",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [key, list] = [t.rand.key("word"), t.rand.key("list")];
      const bytes = letters(t, t.rand.int(6, 10));
      await p.run([["SET", key, text(bytes)], ["RPUSH", list, "x"]]);
      const bits = bitsOf(bytes);
      const count = (from: number, to: number) => bits.slice(from, to + 1).reduce((a, b) => a + b, 0);
      const byteCount = (from: number, to: number) => count(from * 8, to * 8 + 7);
      // A bit range whose count differs from the same numbers read as bytes (and is not the whole string).
      let [start, end] = [0, 0];
      for (let tries = 0; tries < 200; tries++) {
        start = t.rand.int(1, 12);
        end = start + t.rand.int(3, 20);
        if (count(start, end) !== byteCount(start, Math.min(end, bytes.length - 1))) break;
      }
      const from = t.rand.int(0, 2);
      const cli = redisCli(t, redis);
      await cli.steps([
        [["BITCOUNT", key], int(count(0, bits.length - 1)), COUNT],
        [["BITCOUNT", key, String(from), "-2"], int(byteCount(from, bytes.length - 2)), NEGATIVE],
        [["BITCOUNT", key, String(start), String(end), "BIT"], int(count(start, end)), BIT_UNIT],
        [["BITCOUNT", t.rand.key("missing")], int(0), "A missing key counts 0."],
        [["BITCOUNT", key, "0", "1", t.rand.pick(["BITS", "WORD", "BYTES"])], "(error) ERR syntax error", SYNTAX],
        [["BITCOUNT", list], ERR_WRONGTYPE, WRONGTYPE],
      ]);
    },
  },
  {
    name: "BITPOS: first 0 past a string of ones, with an end given, bit ranges, missing keys, errors",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [ones, key] = [t.rand.key("ones"), t.rand.key("word")];
      const n = t.rand.int(2, 4);
      const bytes = letters(t, t.rand.int(5, 8));
      await p.run([...Array.from({ length: n * 8 }, (_, i) => ["SETBIT", ones, String(i), "1"]), ["SET", key, text(bytes)]]);
      t.log.note(`${ones} holds ${n} bytes 0xff (built with SETBIT)`);
      const bits = bitsOf(bytes);
      const first = (bit: number, from: number, to: number) => {
        for (let i = from; i <= to; i++) if (bits[i] === bit) return i;
        return -1;
      };
      const start = t.rand.int(2, 20);
      const end = start + t.rand.int(2, 10);
      const byteFrom = t.rand.int(1, 3);
      const cli = redisCli(t, redis);
      await cli.steps([
        [["BITPOS", ones, "0"], int(n * 8), PAST_STRING],
        [["BITPOS", ones, "0", "0", "-1"], int(-1), GIVEN_END],
        [["BITPOS", key, "1", String(start), String(end), "BIT"], int(first(1, start, end)), BIT_UNIT],
        [["BITPOS", key, "0", String(start), String(end), "BIT"], int(first(0, start, end)), BIT_UNIT],
        [["BITPOS", key, "1", String(byteFrom), "-1"], int(first(1, byteFrom * 8, bits.length - 1)), NEGATIVE],
        [["BITPOS", t.rand.key("missing"), "0"], int(0), MISSING_POS],
        [["BITPOS", t.rand.key("missing"), "1"], int(-1), MISSING_POS],
        [["BITPOS", key, String(t.rand.int(2, 9))], "(error) ERR The bit argument must be 1 or 0.", BIT_ARG],
      ]);
    },
  },
  {
    name: "BITOP: AND, OR, XOR of strings of different lengths, NOT, an empty result, errors",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [a, b, dest, list] = ["a", "b", "dest", "list"].map((k) => t.rand.key(k)) as [string, string, string, string];
      const short = letters(t, t.rand.int(3, 5));
      const long = letters(t, t.rand.int(6, 9));
      await p.run([["SET", a, text(short)], ["SET", b, text(long)], ["RPUSH", list, "x"]]);
      const op = (f: (x: number, y: number) => number) => long.map((y, i) => f(short[i] ?? 0, y) & 0xff);
      const cli = redisCli(t, redis);
      const steps: Step[] = [];
      for (const [name, f] of t.rand.shuffle([
        ["AND", (x: number, y: number) => x & y],
        ["OR", (x: number, y: number) => x | y],
        ["XOR", (x: number, y: number) => x ^ y],
      ] as const)) {
        steps.push([["BITOP", name, dest, a, b], int(long.length), BITOP_LEN]);
        steps.push([["GET", dest], repr(op(f)), `${BITOP_LEN} (BITOP ${name})`]);
      }
      steps.push(
        [["BITOP", "NOT", dest, a], int(short.length), BITOP_NOT],
        [["GET", dest], repr(short.map((x) => ~x & 0xff)), BITOP_NOT],
        [["BITOP", "NOT", dest, a, b], "(error) ERR BITOP NOT must be called with a single source key.", BITOP_NOT_ONE],
        [["BITOP", "AND", dest, t.rand.key("missing"), t.rand.key("missing")], int(0), BITOP_EMPTY],
        [["EXISTS", dest], int(0), BITOP_EMPTY],
        [["BITOP", "OR", dest, a, list], ERR_WRONGTYPE, WRONGTYPE],
      );
      await cli.steps(steps);
    },
  },
  {
    name: "BITFIELD: unsigned and signed fields, #n offsets, OVERFLOW SAT/FAIL/WRAP, types, BITFIELD_RO",
    async run(t) {
      const redis = await t.start();
      const key = t.rand.key("fields");
      const first = t.rand.int(200, 255);
      const second = t.rand.int(100, 200);
      const add = t.rand.int(200, 255);
      const cli = redisCli(t, redis);
      await cli.steps([
        [["BITFIELD", key, "SET", "u8", "0", String(first)], ints([0]), "BITFIELD SET replies the field's old value (0 in a new key)."],
        [["BITFIELD", key, "GET", "u8", "0", "GET", "i8", "0"], ints([first, first - 256]), SIGNED],
        [["BITFIELD", key, "SET", "u8", "#1", String(second)], ints([0]), HASH],
        [["STRLEN", key], int(2), HASH],
        [["BITFIELD", key, "GET", "u8", "8"], ints([second]), HASH],
        [["BITFIELD", key, "OVERFLOW", "SAT", "INCRBY", "u8", "0", "100"], ints([255]), SAT],
        [["BITFIELD", key, "OVERFLOW", "FAIL", "INCRBY", "u8", "#1", "300"], ints([null]), FAIL],
        [["BITFIELD", key, "GET", "u8", "#1"], ints([second]), FAIL],
        [["BITFIELD", key, "INCRBY", "u8", "#1", String(add)], ints([(second + add) % 256]), WRAP],
        [["BITFIELD", key, "GET", "u64", "0"], "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.", TYPE_ERR],
        [["BITFIELD_RO", key, "GET", "u8", "0"], ints([255]), RO],
        [["BITFIELD_RO", key, "SET", "u8", "0", "1"], "(error) ERR BITFIELD_RO only supports the GET subcommand", RO],
      ]);
    },
  },
]);
