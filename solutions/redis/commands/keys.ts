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
import type { CommandContext } from "./types.ts";

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
    // Already in the past: delete now rather than leave an expired key.
    ctx.db.delete(key);
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

const UINT64_MAX = (1n << 64n) - 1n;

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor is the
 * keyspace's bucket cursor (see buckets.ts for the guarantee); MATCH and TYPE
 * filter the keys found in the buckets visited, so a call may return no key
 * and a non-zero cursor. Only cursor 0 ends the iteration.
 */
function scan(ctx: CommandContext, argv: Buffer[]): Reply {
  const cursorText = byteString(argv[1]!);
  if (!/^\d{1,20}$/.test(cursorText) || BigInt(cursorText) > UINT64_MAX) return error("ERR invalid cursor");
  let count = 10;
  let match: ((key: string) => boolean) | null = null;
  let type: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) return ERR_SYNTAX;
    if (isOption(argv[i]!, "count")) {
      const n = parseInt64(value);
      if (n === null) return ERR_NOT_INTEGER;
      if (n < 1n) return ERR_SYNTAX;
      count = n > 1_000_000n ? 1_000_000 : Number(n);
    } else if (isOption(argv[i]!, "match")) {
      const pattern = byteString(value);
      match = pattern === "*" ? null : compileGlob(pattern);
    } else if (isOption(argv[i]!, "type")) {
      type = asciiLower(byteString(value));
    } else {
      return ERR_SYNTAX;
    }
  }
  // Our table never has more than 2^32 buckets: only the low 32 bits matter.
  const result = ctx.db.scan(Number(BigInt(cursorText) & 0xffffffffn), count);
  const keys = result.keys.filter((key) => (match === null || match(key)) && (type === null || ctx.db.peek(key)?.type === type));
  return array([bulkText(String(result.cursor)), array(keys.map(bulkBinary))]);
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
];
