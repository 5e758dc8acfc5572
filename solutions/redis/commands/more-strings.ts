// The rest of Redis 7.0's string commands: SETNX, SETEX, PSETEX, MGET, MSET,
// MSETNX, GETSET, GETDEL, GETEX, INCRBYFLOAT, SETRANGE, GETRANGE (and its old
// name SUBSTR), LCS. https://redis.io/commands/<name>/ — reply shapes, error texts
// and their precedence follow Redis 7.0's t_string.c.

import { arityError, ERR_NOT_INTEGER, ERR_STRING_TOO_LONG, ERR_SYNTAX, ERR_WRONGTYPE } from "../errors.ts";
import { parseInt64 } from "../int64.ts";
import { array, bulk, error, integer, NULL_BULK, OK, ONE, ZERO, type Reply } from "../reply.ts";
import { PROTO_MAX_BULK_LEN } from "../resp.ts";
import { isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import { formatFloat, parseFloatArg } from "./hashes.ts";
import { keyOf, lookupString, WRONG_TYPE } from "./helpers.ts";
import { setDeadline } from "./strings.ts";
import type { CommandContext } from "./types.ts";

const EMPTY_BULK = bulk(Buffer.alloc(0));
const ERR_NOT_FLOAT = error("ERR value is not a valid float");
const ERR_NAN_OR_INFINITY = error("ERR increment would produce NaN or Infinity");
const ERR_OFFSET = error("ERR offset is out of range");
const SET = Buffer.from("SET");
const KEEPTTL = Buffer.from("KEEPTTL");

/** SETEX / PSETEX key <time> value: SET with EX / PX. */
function setWithTtl(ctx: CommandContext, argv: Buffer[], unit: "EX" | "PX"): Reply {
  const deadline = setDeadline(ctx, unit, argv[2]!);
  if (typeof deadline !== "number") return deadline;
  const key = keyOf(argv[1]!);
  ctx.db.set(key, { type: "string", data: argv[3]! });
  ctx.db.setExpire(key, deadline);
  return OK;
}

/** MSET / MSETNX key value [key value ...]; `nx`: set none if any key exists. */
function multiSet(ctx: CommandContext, argv: Buffer[], nx: boolean): Reply {
  if (argv.length % 2 === 0) return arityError(ctx.command.name);
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) if (ctx.db.has(keyOf(argv[i]!))) return ZERO;
  }
  for (let i = 1; i < argv.length; i += 2) ctx.db.set(keyOf(argv[i]!), { type: "string", data: argv[i + 1]! });
  return nx ? ONE : OK;
}

/** GETEX key [EX s | PX ms | EXAT ts | PXAT ts | PERSIST]. */
function getex(ctx: CommandContext, argv: Buffer[]): Reply {
  let unit: "EX" | "PX" | "EXAT" | "PXAT" | null = null;
  let expireArg: Buffer | null = null;
  let persist = false;
  // As Redis's parseExtendedStringArgumentsOrReply(COMMAND_GET): one kind of
  // expiry (repeating it is fine), or PERSIST alone; anything else is a syntax error.
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!;
    const next = argv[j + 1];
    let matched: "EX" | "PX" | "EXAT" | "PXAT" | null = null;
    for (const u of ["EX", "PX", "EXAT", "PXAT"] as const) if (isOption(opt, u.toLowerCase())) matched = u;
    if (matched !== null && !persist && (unit === null || unit === matched) && next !== undefined) {
      [unit, expireArg, j] = [matched, next, j + 1];
    } else if (isOption(opt, "persist") && unit === null) persist = true;
    else return ERR_SYNTAX;
  }
  const key = keyOf(argv[1]!);
  const value = lookupString(ctx.db, key);
  if (value === null) return NULL_BULK;
  if (value === WRONG_TYPE) return ERR_WRONGTYPE;
  if (unit !== null) {
    const deadline = setDeadline(ctx, unit, expireArg!);
    if (typeof deadline !== "number") return deadline;
    // An absolute time already past deletes the key (after replying with its value).
    if ((unit === "EXAT" || unit === "PXAT") && deadline <= ctx.db.now()) ctx.db.delete(key);
    else ctx.db.setExpire(key, deadline);
  } else if (persist) ctx.db.removeExpire(key);
  return bulk(value);
}

/** INCRBYFLOAT key increment: long-double arithmetic in Redis, doubles here (see formatFloat). */
function incrbyfloat(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = keyOf(argv[1]!);
  const current = lookupString(ctx.db, key);
  if (current === WRONG_TYPE) return ERR_WRONGTYPE;
  // Redis parses the stored value first, then the increment; inf is a valid float to both.
  const value = current === null ? 0 : parseFloatArg(current);
  const increment = parseFloatArg(argv[2]!);
  if (value === null || increment === null) return ERR_NOT_FLOAT;
  const result = value + increment;
  if (!Number.isFinite(result)) return ERR_NAN_OR_INFINITY;
  const text = Buffer.from(formatFloat(result));
  ctx.db.set(key, { type: "string", data: text }, { keepTtl: true });
  // Like Redis, propagate the result, not the increment (float rounding may differ elsewhere).
  ctx.propagate([SET, argv[1]!, text, KEEPTTL]);
  return bulk(text);
}

/** SETRANGE key offset value: overwrite from `offset`, padding with zero bytes. */
function setrange(ctx: CommandContext, argv: Buffer[]): Reply {
  const offset = parseInt64(argv[2]!);
  if (offset === null) return ERR_NOT_INTEGER;
  if (offset < 0n) return ERR_OFFSET;
  const key = keyOf(argv[1]!);
  const patch = argv[3]!;
  const current = lookupString(ctx.db, key);
  if (current === WRONG_TYPE) return ERR_WRONGTYPE;
  const length = current?.length ?? 0;
  // An empty value changes nothing (and creates no key).
  if (patch.length === 0) return integer(length);
  if (offset + BigInt(patch.length) > BigInt(PROTO_MAX_BULK_LEN)) return ERR_STRING_TOO_LONG;
  const start = Number(offset);
  const total = Math.max(length, start + patch.length);
  const data = Buffer.alloc(total);
  current?.copy(data);
  patch.copy(data, start);
  ctx.db.set(key, { type: "string", data, raw: true }, { keepTtl: true });
  return integer(total);
}

/** GETRANGE key start end (inclusive, negative from the end). */
function getrange(ctx: CommandContext, argv: Buffer[]): Reply {
  const first = parseInt64(argv[2]!);
  const last = parseInt64(argv[3]!);
  if (first === null || last === null) return ERR_NOT_INTEGER;
  const value = lookupString(ctx.db, keyOf(argv[1]!));
  if (value === null) return EMPTY_BULK;
  if (value === WRONG_TYPE) return ERR_WRONGTYPE;
  const length = BigInt(value.length);
  if (first < 0n && last < 0n && first > last) return EMPTY_BULK;
  let start = first < 0n ? length + first : first;
  let end = last < 0n ? length + last : last;
  // Redis clamps both ends to 0 (so GETRANGE k 0 -100 is the first byte), then the end to the last byte.
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= length) end = length - 1n;
  if (start > end || length === 0n) return EMPTY_BULK;
  return bulk(value.subarray(Number(start), Number(end) + 1));
}

/** The table of LCS lengths of every pair of prefixes: at [i * (b.length + 1) + j], LCS(a[0..i), b[0..j)). */
function lcsTable(a: Uint8Array, b: Uint8Array): Uint32Array {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] = a[i - 1] === b[j - 1]
        ? table[(i - 1) * width + j - 1]! + 1
        : Math.max(table[(i - 1) * width + j]!, table[i * width + j - 1]!);
    }
  }
  return table;
}

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], walking the table back as Redis 7.0 does. */
function lcs(ctx: CommandContext, argv: Buffer[]): Reply {
  const values = [argv[1]!, argv[2]!].map((k) => ctx.db.get(keyOf(k)));
  if (values.some((v) => v !== undefined && v.type !== "string")) return error("ERR The specified keys must contain string values");
  const [a, b] = values.map((v) => (v?.type === "string" ? v.data : Buffer.alloc(0))) as [Buffer, Buffer];
  let [getLen, getIdx, withMatchLen, minMatchLen] = [false, false, false, 0n];
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    if (isOption(opt, "idx")) getIdx = true;
    else if (isOption(opt, "len")) getLen = true;
    else if (isOption(opt, "withmatchlen")) withMatchLen = true;
    else if (isOption(opt, "minmatchlen") && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]!);
      if (n === null) return ERR_NOT_INTEGER;
      minMatchLen = n < 0n ? 0n : n;
    } else return ERR_SYNTAX;
  }
  if (getIdx && getLen) return error("ERR If you want both the length and indexes, please just use IDX.");
  const width = b.length + 1;
  const table = lcsTable(a, b);
  const total = table[a.length * width + b.length]!;
  if (getLen) return integer(total);
  const result = Buffer.alloc(total);
  const matches: Reply[] = [];
  // The current run of matching bytes, found backwards: a[aStart..aEnd] = b[bStart..bEnd]; aStart = a.length when none.
  let [aStart, aEnd, bStart, bEnd] = [a.length, 0, 0, 0];
  let [i, j, idx] = [a.length, b.length, total];
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === a.length) [aStart, aEnd, bStart, bEnd] = [i - 1, i - 1, j - 1, j - 1];
      else if (aStart === i && bStart === j) [aStart, bStart] = [aStart - 1, bStart - 1];
      else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      [idx, i, j] = [idx - 1, i - 1, j - 1];
    } else {
      if (table[(i - 1) * width + j]! > table[i * width + j - 1]!) i--;
      else j--;
      if (aStart !== a.length) emit = true;
    }
    if (emit) {
      const length = aEnd - aStart + 1;
      if (minMatchLen === 0n || BigInt(length) >= minMatchLen) {
        const match = [array([integer(aStart), integer(aEnd)]), array([integer(bStart), integer(bEnd)])];
        matches.push(array(withMatchLen ? [...match, integer(length)] : match));
      }
      aStart = a.length;
    }
  }
  if (getIdx) return array([bulk(Buffer.from("matches")), array(matches), bulk(Buffer.from("len")), integer(total)]);
  return bulk(result);
}

const STRING_KEY = [1, 1, 1] as const;

const getrangeDefinition = {
  arity: 4,
  flags: ["readonly"],
  keys: STRING_KEY,
  group: "string",
  handler: getrange,
} as const;

export const moreStringCommands: readonly CommandDefinition[] = [
  {
    name: "setnx",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Set the value of a key, only if the key does not exist",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const key = keyOf(argv[1]!);
      if (ctx.db.has(key)) return ZERO;
      ctx.db.set(key, { type: "string", data: argv[2]! });
      return ONE;
    },
  },
  {
    name: "setex",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: STRING_KEY,
    group: "string",
    summary: "Set the value and expiration of a key",
    since: "2.0.0",
    handler: (ctx, argv) => setWithTtl(ctx, argv, "EX"),
  },
  {
    name: "psetex",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: STRING_KEY,
    group: "string",
    summary: "Set the value and expiration in milliseconds of a key",
    since: "2.6.0",
    handler: (ctx, argv) => setWithTtl(ctx, argv, "PX"),
  },
  {
    name: "mget",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    group: "string",
    summary: "Get the values of all the given keys",
    since: "1.0.0",
    // A key holding another type reads as nil, not as an error.
    handler: (ctx, argv) =>
      array(argv.slice(1).map((k) => {
        const value = lookupString(ctx.db, keyOf(k));
        return value === null || value === WRONG_TYPE ? NULL_BULK : bulk(value);
      })),
  },
  {
    name: "mset",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    group: "string",
    summary: "Set multiple keys to multiple values",
    since: "1.0.1",
    handler: (ctx, argv) => multiSet(ctx, argv, false),
  },
  {
    name: "msetnx",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 2],
    group: "string",
    summary: "Set multiple keys to multiple values, only if none of the keys exist",
    since: "1.0.1",
    handler: (ctx, argv) => multiSet(ctx, argv, true),
  },
  {
    name: "getset",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Set the string value of a key and return its old value",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const key = keyOf(argv[1]!);
      const old = lookupString(ctx.db, key);
      if (old === WRONG_TYPE) return ERR_WRONGTYPE;
      ctx.db.set(key, { type: "string", data: argv[2]! });
      return old === null ? NULL_BULK : bulk(old);
    },
  },
  {
    name: "getdel",
    arity: 2,
    flags: ["write", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Get the value of a key and delete the key",
    since: "6.2.0",
    handler: (ctx, argv) => {
      const key = keyOf(argv[1]!);
      const value = lookupString(ctx.db, key);
      if (value === WRONG_TYPE) return ERR_WRONGTYPE;
      if (value === null) return NULL_BULK;
      ctx.db.delete(key);
      // Replicas and the AOF get a DEL, as from redis-server.
      ctx.propagate([Buffer.from("DEL"), argv[1]!]);
      return bulk(value);
    },
  },
  {
    name: "getex",
    arity: -2,
    flags: ["write", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Get the value of a key and optionally set its expiration",
    since: "6.2.0",
    handler: getex,
  },
  {
    name: "incrbyfloat",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Increment the float value of a key by the given amount",
    since: "2.6.0",
    handler: incrbyfloat,
  },
  {
    name: "setrange",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: STRING_KEY,
    group: "string",
    summary: "Overwrite part of a string at key starting at the specified offset",
    since: "2.2.0",
    handler: setrange,
  },
  {
    name: "lcs",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 2, 1],
    group: "string",
    summary: "Find longest common substring",
    since: "7.0.0",
    handler: lcs,
  },
  { name: "getrange", summary: "Get a substring of the string stored at a key", since: "2.4.0", ...getrangeDefinition },
  { name: "substr", summary: "Get a substring of the string stored at a key", since: "1.0.0", ...getrangeDefinition },
];
