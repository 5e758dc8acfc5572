// Generic keyspace commands: DEL, EXISTS, KEYS, TYPE, TTL, PTTL, EXPIRE,
// PEXPIRE, PERSIST. https://redis.io/commands/expire/ (and /del/, /keys/, ...)
// Semantics follow Redis 7.0's db.c / expire.c.

import { ERR_NOT_INTEGER, formattedError, invalidExpireTime } from "../errors.ts";
import { compileGlob } from "../glob.ts";
import { INT64_MAX, INT64_MIN, parseInt64 } from "../int64.ts";
import { array, bulkBinary, error, integer, ONE, simple, ZERO, type Reply } from "../reply.ts";
import { byteString, cString, isOption } from "../text.ts";
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

/** EXPIRE/PEXPIRE key amount [NX | XX | GT | LT]. */
function expire(ctx: CommandContext, argv: Buffer[], unitMs: 1 | 1000): Reply {
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
  const deadlineBig = amount * unit + BigInt(now);
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

const ONE_KEY = [1, 1, 1] as const;
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
    handler: (ctx, argv) => {
      let deleted = 0;
      for (let i = 1; i < argv.length; i++) if (ctx.db.delete(keyOf(argv[i]!))) deleted++;
      return integer(deleted);
    },
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
];
