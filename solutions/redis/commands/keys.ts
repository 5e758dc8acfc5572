// Generic keyspace commands: DEL, UNLINK, EXISTS, KEYS, TYPE, TTL, PTTL,
// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, EXPIRETIME, PEXPIRETIME, PERSIST,
// RENAME, RENAMENX, SCAN, RANDOMKEY.
// https://redis.io/commands/expire/ (and /del/, /keys/, /rename/, /scan/, ...)
// Semantics follow Redis 7.0's db.c / expire.c.

import { ERR_NOT_INTEGER, ERR_SYNTAX, formattedError, invalidExpireTime } from "../errors.ts";
import { compileGlob } from "../glob.ts";
import { INT64_MAX, INT64_MIN, parseInt64 } from "../int64.ts";
import { array, bulkBinary, bulkText, error, integer, NULL_BULK, OK, ONE, simple, ZERO, type Reply } from "../reply.ts";
import { asciiLower, byteString, cString, isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf } from "./helpers.ts";
import { parseScanOptions, scanReply } from "./scan.ts";
import type { CommandContext } from "./types.ts";
import { AccessTracker } from "../eviction/index.ts";
import { LFU_INIT_VAL } from "../eviction/lfu.ts";
import type { RedisValue } from "../keyspace.ts";
import type { Config } from "../config.ts";

function ttl(ctx: CommandContext, argv: Buffer[], inMs: boolean): Reply {
  const key = keyOf(argv[1]!);
  if (!ctx.db.has(key)) return integer(-2);
  const deadline = ctx.db.getExpire(key);
  if (deadline === undefined) return integer(-1);
  const remaining = Math.max(0, deadline - ctx.db.now());
  // Seconds are rounded to the nearest second, as Redis does.
  return integer(inMs ? remaining : Math.floor((remaining + 500) / 1000));
}

const EXPIRE_FLAGS = ["nx", "xx", "gt", "lt"] as const;
type ExpireFlag = (typeof EXPIRE_FLAGS)[number];

/** EXPIRETIME/PEXPIRETIME: the absolute deadline, -1 without TTL, -2 without key. */
function expireTime(ctx: CommandContext, argv: Buffer[], inMs: boolean): Reply {
  const key = keyOf(argv[1]!);
  if (!ctx.db.has(key)) return integer(-2);
  const deadline = ctx.db.getExpire(key);
  if (deadline === undefined) return integer(-1);
  return integer(inMs ? deadline : Math.floor((deadline + 500) / 1000));
}

/**
 * EXPIRE/PEXPIRE key amount [NX | XX | GT | LT] (relative to now), and
 * EXPIREAT/PEXPIREAT key unix-time [NX | XX | GT | LT] (`absolute`).
 */
function expire(ctx: CommandContext, argv: Buffer[], unitMs: 1 | 1000, absolute = false): Reply {
  const flags = new Set<ExpireFlag>();
  for (let j = 3; j < argv.length; j++) {
    const flag = EXPIRE_FLAGS.find((f) => isOption(argv[j]!, f));
    if (flag === undefined) return formattedError(`ERR Unsupported option ${cString(argv[j]!)}`);
    flags.add(flag);
  }
  if (flags.has("nx") && (flags.has("xx") || flags.has("gt") || flags.has("lt"))) {
    return error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (flags.has("gt") && flags.has("lt")) {
    return error("ERR GT and LT options at the same time are not compatible");
  }

  const amount = parseInt64(argv[2]!);
  if (amount === null) return ERR_NOT_INTEGER;
  // Negative amounts are allowed (the key is deleted); only int64 overflow
  // of the unit conversion or of adding the current time is an error.
  const unit = BigInt(unitMs);
  if (amount > INT64_MAX / unit || amount < INT64_MIN / unit) {
    return invalidExpireTime(ctx.command.name);
  }
  const now = ctx.db.now();
  const deadlineBig = amount * unit + (absolute ? 0n : BigInt(now));
  if (deadlineBig > INT64_MAX) return invalidExpireTime(ctx.command.name);
  const deadline = Number(deadlineBig);

  const key = keyOf(argv[1]!);
  if (!ctx.db.has(key)) return ZERO;

  const current = ctx.db.getExpire(key);
  if (flags.has("nx") && current !== undefined) return ZERO;
  if (flags.has("xx") && current === undefined) return ZERO;
  // No TTL counts as an infinite one: GT never succeeds, LT always may.
  if (flags.has("gt") && (current === undefined || deadline <= current)) return ZERO;
  if (flags.has("lt") && current !== undefined && deadline >= current) return ZERO;

  if (deadline <= now) {
    // Already in the past: delete now rather than leave an expired key (propagated as DEL, as redis-server does).
    ctx.db.delete(key);
    ctx.propagate([Buffer.from("DEL"), argv[1]!]);
  } else {
    ctx.db.setExpire(key, deadline);
  }
  return ONE;
}

/**
 * RENAME/RENAMENX src dst: the value and its TTL move to dst (replacing
 * whatever dst held, unless NX), src is deleted. "ERR no such key" without src.
 */
function rename(ctx: CommandContext, argv: Buffer[], nx: boolean): Reply {
  const src = keyOf(argv[1]!);
  const dst = keyOf(argv[2]!);
  const value = ctx.db.peek(src);
  if (value === undefined) return error("ERR no such key");
  if (src === dst) return nx ? ZERO : OK;
  if (nx && ctx.db.has(dst)) return ZERO;
  const deadline = ctx.db.getExpire(src);
  ctx.db.set(dst, value);
  if (deadline !== undefined) ctx.db.setExpire(dst, deadline);
  ctx.db.delete(src);
  return nx ? ONE : OK;
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor is the
 * keyspace's bucket cursor (see buckets.ts for the guarantee); MATCH and TYPE
 * filter the keys found in the buckets visited, so a call may return no key
 * and a non-zero cursor. Only cursor 0 ends the iteration.
 */
function scan(ctx: CommandContext, argv: Buffer[]): Reply {
  const options = parseScanOptions(argv, 1, true);
  if (!("cursor" in options)) return options;
  const { match, type } = options;
  const result = ctx.db.scan(options.cursor, options.count);
  const keys = result.keys.filter((key) => (match === null || match(key)) && (type === null || ctx.db.peek(key)?.type === type));
  return scanReply(result.cursor, keys.map(bulkBinary));
}

/** A deep copy of a value: Buffers, arrays, Maps, Sets and class instances (list, sorted set, stream) are copied. */
function deepCopy<T>(x: T, seen = new Map<object, unknown>()): T {
  if (x === null || typeof x !== "object") return x;
  const known = seen.get(x);
  if (known !== undefined) return known as T;
  let out: unknown;
  if (Buffer.isBuffer(x)) {
    out = Buffer.from(x);
  } else if (Array.isArray(x)) {
    const copy: unknown[] = new Array(x.length);
    seen.set(x, copy);
    for (let i = 0; i < x.length; i++) if (i in x) copy[i] = deepCopy(x[i], seen);
    return copy as T;
  } else if (x instanceof Map) {
    const copy = new Map();
    seen.set(x, copy);
    for (const [k, v] of x) copy.set(deepCopy(k, seen), deepCopy(v, seen));
    return copy as T;
  } else if (x instanceof Set) {
    const copy = new Set();
    seen.set(x, copy);
    for (const v of x) copy.add(deepCopy(v, seen));
    return copy as T;
  } else {
    const copy = Object.create(Object.getPrototypeOf(x)) as Record<PropertyKey, unknown>;
    seen.set(x, copy);
    for (const key of Reflect.ownKeys(x)) copy[key] = deepCopy((x as Record<PropertyKey, unknown>)[key], seen);
    return copy as T;
  }
  seen.set(x, out);
  return out as T;
}

/** COPY source destination [DB n] [REPLACE]: a deep copy of the value and its TTL. */
function copy(ctx: CommandContext, argv: Buffer[]): Reply {
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (isOption(argv[i]!, "replace")) {
      replace = true;
    } else if (isOption(argv[i]!, "db") && i + 1 < argv.length) {
      const db = parseInt64(argv[++i]!);
      if (db === null) return ERR_NOT_INTEGER;
      // Only database 0 exists here (see state.ts).
      if (db !== BigInt(ctx.db.index)) return error("ERR DB index is out of range");
    } else {
      return ERR_SYNTAX;
    }
  }
  const src = keyOf(argv[1]!);
  const dst = keyOf(argv[2]!);
  if (src === dst) return error("ERR source and destination objects are the same");
  const value = ctx.db.peek(src);
  if (value === undefined) return ZERO;
  if (ctx.db.has(dst)) {
    if (!replace) return ZERO;
    ctx.db.delete(dst);
  }
  const deadline = ctx.db.getExpire(src);
  ctx.db.set(dst, deepCopy(value));
  if (deadline !== undefined) ctx.db.setExpire(dst, deadline);
  return ONE;
}

/**
 * Deliberate mistakes for the encoding fixtures (harness/fixtures/redis/keyspace/),
 * all off: each fixture turns one on.
 */
export const encodingMistakes = {
  /** Integer strings are reported as embstr, never int. */
  noIntStrings: false,
  /** Strings up to 64 bytes are embstr (redis-server: 44). */
  embstrUpTo64: false,
  /** A string changed by APPEND keeps its encoding (redis-server: raw). */
  appendKeepsEncoding: false,
  /** Lists are reported as listpack (that is Redis 7.2; 7.0 says quicklist). */
  listAsListpack: false,
  /** A collection with exactly *-max-*-entries entries is already large. */
  entriesLimitExclusive: false,
  /** Long values do not make a hash or sorted set large. */
  valueLimitIgnored: false,
  /** A set of any members is intset while it is small. */
  intsetForAnyMember: false,
  /** The limits are redis-server's defaults whatever CONFIG SET says. */
  limitsFixed: false,
};

const FIXED_LIMITS: Readonly<Record<string, string>> = {
  "hash-max-listpack-entries": "128",
  "hash-max-listpack-value": "64",
  "zset-max-listpack-entries": "128",
  "zset-max-listpack-value": "64",
  "set-max-intset-entries": "512",
};

/**
 * Redis 7.0's encoding names for a value (OBJECT ENCODING), from the size
 * limits in the configuration (hash-max-listpack-entries/-value,
 * zset-max-listpack-entries/-value, set-max-intset-entries). Worked out from
 * the value as it is now: redis-server converts a value to its large encoding
 * when it outgrows a limit and never back, so a hash that grew past the limit
 * and shrank again is "hashtable" there and "listpack" here.
 */
export function encodingOf(value: RedisValue, config: Config): string {
  const m = encodingMistakes;
  const limit = (name: string) => (m.limitsFixed ? Number(FIXED_LIMITS[name] ?? "0") : Number(config.get(name) ?? "0"));
  const small = (n: number, items: Iterable<string | Buffer>, maxEntries: number, maxLength: number) => {
    if (m.entriesLimitExclusive ? n >= maxEntries : n > maxEntries) return false;
    if (m.valueLimitIgnored) return true;
    for (const item of items) if (item.length > maxLength) return false;
    return true;
  };
  switch (value.type) {
    case "string": {
      const s = value.data;
      // A string changed in place (APPEND, SETRANGE, SETBIT, BITFIELD) stays raw, as in redis-server.
      if (value.raw && !m.appendKeepsEncoding) return "raw";
      if (!m.noIntStrings && s.length <= 20 && /^-?[1-9]\d*$|^0$/.test(s.toString("latin1")) && parseInt64(s) !== null) return "int";
      return s.length <= (m.embstrUpTo64 ? 64 : 44) ? "embstr" : "raw";
    }
    case "list":
      // Redis 7.0 keeps every list as a quicklist (7.2 added listpack for small lists).
      return m.listAsListpack ? "listpack" : "quicklist";
    case "hash":
      return small(value.data.size, [...value.data.keys(), ...value.data.values()], limit("hash-max-listpack-entries"), limit("hash-max-listpack-value")) ? "listpack" : "hashtable";
    case "set": {
      const ints = value.data.size <= limit("set-max-intset-entries") && (m.intsetForAnyMember || [...value.data].every((x) => /^-?[1-9]\d*$|^0$/.test(x) && parseInt64(Buffer.from(x, "latin1")) !== null));
      return ints ? "intset" : "hashtable";
    }
    case "zset":
      return small(value.data.size, [...value.data.entries()].map(([m]) => m), limit("zset-max-listpack-entries"), limit("zset-max-listpack-value")) ? "listpack" : "skiplist";
    case "stream":
      return "stream";
  }
}

const LFU_ONLY = "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/** OBJECT FREQ / IDLETIME read eviction's per-key access data (eviction/index.ts). */
function accessData(ctx: CommandContext, argv: Buffer[]): { lru: number; counter: number } | Reply {
  const key = keyOf(argv[2]!);
  if (ctx.db.peek(key) === undefined) return NULL_BULK;
  const meta = ctx.db.listener instanceof AccessTracker ? ctx.db.listener.meta.get(key) : undefined;
  return meta ?? { lru: ctx.db.now(), counter: LFU_INIT_VAL };
}

function isLfuPolicy(ctx: CommandContext): boolean {
  return (ctx.server.config.get("maxmemory-policy") ?? "").endsWith("-lfu");
}

function del(ctx: CommandContext, argv: Buffer[]): Reply {
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.db.delete(keyOf(argv[i]!))) deleted++;
  return integer(deleted);
}

const ONE_KEY = [1, 1, 1] as const;
const TWO_KEYS = [1, 2, 1] as const;
const ALL_KEYS = [1, -1, 1] as const;

export const keyCommands: readonly CommandDefinition[] = [
  {
    name: "del",
    arity: -2,
    flags: ["write"],
    keys: ALL_KEYS,
    group: "keyspace",
    summary: "Delete a key",
    since: "1.0.0",
    handler: del,
  },
  {
    name: "unlink",
    arity: -2,
    flags: ["write", "fast"],
    keys: ALL_KEYS,
    group: "keyspace",
    summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
    since: "4.0.0",
    // Nothing is freed in the background here: UNLINK is DEL.
    handler: del,
  },
  {
    name: "exists",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: ALL_KEYS,
    group: "keyspace",
    summary: "Determine if a key exists",
    since: "1.0.0",
    // A key named twice is counted twice (EXISTS a a is 2 when a exists).
    handler: (ctx, argv) => {
      let count = 0;
      for (let i = 1; i < argv.length; i++) if (ctx.db.has(keyOf(argv[i]!))) count++;
      return integer(count);
    },
  },
  {
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    categories: ["@dangerous"],
    group: "keyspace",
    summary: "Find all keys matching the given pattern",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const pattern = byteString(argv[1]!);
      // "*" lists every key, even the empty key that a glob never matches.
      const matches = pattern === "*" ? () => true : compileGlob(pattern);
      const out: Reply[] = [];
      for (const key of ctx.db.keys()) if (matches(key)) out.push(bulkBinary(key));
      return array(out);
    },
  },
  {
    name: "type",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Determine the type stored at key",
    since: "1.0.0",
    handler: (ctx, argv) => simple(ctx.db.get(keyOf(argv[1]!))?.type ?? "none"),
  },
  {
    name: "ttl",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Get the time to live for a key in seconds",
    since: "1.0.0",
    handler: (ctx, argv) => ttl(ctx, argv, false),
  },
  {
    name: "pttl",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Get the time to live for a key in milliseconds",
    since: "2.6.0",
    handler: (ctx, argv) => ttl(ctx, argv, true),
  },
  {
    name: "expire",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Set a key's time to live in seconds",
    since: "1.0.0",
    handler: (ctx, argv) => expire(ctx, argv, 1000),
  },
  {
    name: "pexpire",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Set a key's time to live in milliseconds",
    since: "2.6.0",
    handler: (ctx, argv) => expire(ctx, argv, 1),
  },
  {
    name: "persist",
    arity: 2,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Remove the expiration from a key",
    since: "2.2.0",
    handler: (ctx, argv) => {
      const key = keyOf(argv[1]!);
      if (!ctx.db.has(key)) return ZERO;
      return ctx.db.removeExpire(key) ? ONE : ZERO;
    },
  },
  {
    name: "expireat",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Set the expiration for a key as a UNIX timestamp",
    since: "1.2.0",
    handler: (ctx, argv) => expire(ctx, argv, 1000, true),
  },
  {
    name: "pexpireat",
    arity: -3,
    flags: ["write", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
    since: "2.6.0",
    handler: (ctx, argv) => expire(ctx, argv, 1, true),
  },
  {
    name: "expiretime",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Get the expiration Unix timestamp for a key",
    since: "7.0.0",
    handler: (ctx, argv) => expireTime(ctx, argv, false),
  },
  {
    name: "pexpiretime",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: ONE_KEY,
    group: "keyspace",
    summary: "Get the expiration Unix timestamp for a key in milliseconds",
    since: "7.0.0",
    handler: (ctx, argv) => expireTime(ctx, argv, true),
  },
  {
    name: "rename",
    arity: 3,
    flags: ["write"],
    keys: TWO_KEYS,
    group: "keyspace",
    summary: "Rename a key",
    since: "1.0.0",
    handler: (ctx, argv) => rename(ctx, argv, false),
  },
  {
    name: "renamenx",
    arity: 3,
    flags: ["write", "fast"],
    keys: TWO_KEYS,
    group: "keyspace",
    summary: "Rename a key, only if the new key does not exist",
    since: "1.0.0",
    handler: (ctx, argv) => rename(ctx, argv, true),
  },
  {
    name: "scan",
    arity: -2,
    flags: ["readonly"],
    group: "keyspace",
    summary: "Incrementally iterate the keys space",
    since: "2.8.0",
    handler: scan,
  },
  {
    name: "randomkey",
    arity: 1,
    flags: ["readonly"],
    group: "keyspace",
    summary: "Return a random key from the keyspace",
    since: "1.0.0",
    handler: (ctx) => {
      const key = ctx.db.randomKey();
      return key === undefined ? NULL_BULK : bulkBinary(key);
    },
  },
  {
    name: "copy",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: TWO_KEYS,
    group: "keyspace",
    summary: "Copy a key",
    since: "6.2.0",
    handler: copy,
  },
  {
    name: "object",
    arity: -2,
    group: "keyspace",
    summary: "A container for object introspection commands",
    since: "2.2.3",
    subcommands: [
      {
        name: "encoding",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        group: "keyspace",
        summary: "Inspect the internal encoding of a Redis object",
        since: "2.2.3",
        handler: (ctx, argv) => {
          const value = ctx.db.peek(keyOf(argv[2]!));
          return value === undefined ? NULL_BULK : bulkText(encodingOf(value, ctx.server.config));
        },
      },
      {
        name: "freq",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        group: "keyspace",
        summary: "Get the logarithmic access frequency counter of a Redis object",
        since: "4.0.0",
        handler: (ctx, argv) => {
          if (!isLfuPolicy(ctx)) return error(`ERR An LFU maxmemory policy is not selected, access frequency not tracked. ${LFU_ONLY}`);
          const data = accessData(ctx, argv);
          return "counter" in data ? integer(data.counter) : data;
        },
      },
      {
        name: "idletime",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        group: "keyspace",
        summary: "Get the time since a Redis object was last accessed",
        since: "2.2.3",
        handler: (ctx, argv) => {
          if (isLfuPolicy(ctx)) return error(`ERR An LFU maxmemory policy is selected, idle time not tracked. ${LFU_ONLY}`);
          const data = accessData(ctx, argv);
          return "lru" in data ? integer(Math.floor((ctx.db.now() - data.lru) / 1000)) : data;
        },
      },
      {
        name: "refcount",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        group: "keyspace",
        summary: "Get the number of references to the value of the key",
        since: "2.2.3",
        // Values are never shared here.
        handler: (ctx, argv) => (ctx.db.peek(keyOf(argv[2]!)) === undefined ? NULL_BULK : ONE),
      },
    ],
  },
];
