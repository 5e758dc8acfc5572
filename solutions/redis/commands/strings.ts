// String commands: SET, GET, INCR, INCRBY, DECR, DECRBY, APPEND, STRLEN.
// https://redis.io/commands/set/ (and /get/, /incr/, ... ) — option parsing,
// reply shapes and error precedence follow Redis 7.0's t_string.c behaviour.

import {
  ERR_DECREMENT_OVERFLOW,
  ERR_NOT_INTEGER,
  ERR_OVERFLOW,
  ERR_STRING_TOO_LONG,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  invalidExpireTime,
} from "../errors.ts";
import { INT64_MAX, INT64_MIN, fitsInt64, parseInt64 } from "../int64.ts";
import { bulk, integer, NULL_BULK, OK, type Reply } from "../reply.ts";
import { PROTO_MAX_BULK_LEN } from "../resp.ts";
import { isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf, lookupString, WRONG_TYPE } from "./helpers.ts";
import type { CommandContext } from "./types.ts";

type ExpireUnit = "EX" | "PX" | "EXAT" | "PXAT";

/**
 * Converts a SET expire argument to an absolute deadline in ms, or an error
 * reply. Relative units are added to the current time; values must be
 * positive and the result must fit in a signed 64-bit integer.
 */
export function setDeadline(ctx: CommandContext, unit: ExpireUnit, arg: Uint8Array): number | Reply {
  const n = parseInt64(arg);
  if (n === null) return ERR_NOT_INTEGER;
  const seconds = unit === "EX" || unit === "EXAT";
  if (n <= 0n || (seconds && n > INT64_MAX / 1000n)) return invalidExpireTime(ctx.command.name);
  let ms = seconds ? n * 1000n : n;
  if (unit === "EX" || unit === "PX") ms += BigInt(ctx.db.now());
  if (ms > INT64_MAX) return invalidExpireTime(ctx.command.name);
  return Number(ms);
}

function set(ctx: CommandContext, argv: Buffer[]): Reply {
  let nx = false;
  let xx = false;
  let get = false;
  let keepTtl = false;
  let unit: ExpireUnit | null = null;
  let expireArg: Buffer | null = null;

  // Same acceptance rules as Redis: NX/XX exclude each other, KEEPTTL and the
  // expire options exclude each other, repeating the same option is fine.
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const next = argv[j + 1];
    const timed = (u: ExpireUnit) => !keepTtl && (unit === null || unit === u) && next !== undefined;
    if (isOption(opt, "nx") && !xx) nx = true;
    else if (isOption(opt, "xx") && !nx) xx = true;
    else if (isOption(opt, "get")) get = true;
    else if (isOption(opt, "keepttl") && unit === null) keepTtl = true;
    else if (isOption(opt, "ex") && timed("EX")) [unit, expireArg, j] = ["EX", next!, j + 1];
    else if (isOption(opt, "px") && timed("PX")) [unit, expireArg, j] = ["PX", next!, j + 1];
    else if (isOption(opt, "exat") && timed("EXAT")) [unit, expireArg, j] = ["EXAT", next!, j + 1];
    else if (isOption(opt, "pxat") && timed("PXAT")) [unit, expireArg, j] = ["PXAT", next!, j + 1];
    else return ERR_SYNTAX;
  }

  let deadline: number | null = null;
  if (unit !== null && expireArg !== null) {
    const d = setDeadline(ctx, unit, expireArg);
    if (typeof d !== "number") return d;
    deadline = d;
  }

  const key = keyOf(argv[1]!);
  let old: Buffer | null = null;
  if (get) {
    const current = lookupString(ctx.db, key);
    if (current === WRONG_TYPE) return ERR_WRONGTYPE;
    old = current;
  }

  const found = ctx.db.has(key);
  if ((nx && found) || (xx && !found)) {
    return old !== null ? bulk(old) : NULL_BULK;
  }

  ctx.db.set(key, { type: "string", data: argv[2]! }, { keepTtl });
  if (deadline !== null) ctx.db.setExpire(key, deadline);
  if (get) return old !== null ? bulk(old) : NULL_BULK;
  return OK;
}

function incrementBy(ctx: CommandContext, keyArg: Uint8Array, delta: bigint): Reply {
  const key = keyOf(keyArg);
  const current = lookupString(ctx.db, key);
  if (current === WRONG_TYPE) return ERR_WRONGTYPE;
  let value = 0n;
  if (current !== null) {
    const parsed = parseInt64(current);
    if (parsed === null) return ERR_NOT_INTEGER;
    value = parsed;
  }
  const result = value + delta;
  if (!fitsInt64(result)) return ERR_OVERFLOW;
  ctx.db.set(key, { type: "string", data: Buffer.from(result.toString()) }, { keepTtl: true });
  return integer(result);
}

const STRING_KEY = [1, 1, 1] as const;

export const stringCommands: readonly CommandDefinition[] = [
  {
    name: "set",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: STRING_KEY,
    group: "string",
    summary: "Set the string value of a key",
    since: "1.0.0",
    handler: set,
  },
  {
    name: "get",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Get the value of a key",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const value = lookupString(ctx.db, keyOf(argv[1]!));
      if (value === WRONG_TYPE) return ERR_WRONGTYPE;
      return value === null ? NULL_BULK : bulk(value);
    },
  },
  {
    name: "incr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Increment the integer value of a key by one",
    since: "1.0.0",
    handler: (ctx, argv) => incrementBy(ctx, argv[1]!, 1n),
  },
  {
    name: "decr",
    arity: 2,
    flags: ["write", "denyoom", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Decrement the integer value of a key by one",
    since: "1.0.0",
    handler: (ctx, argv) => incrementBy(ctx, argv[1]!, -1n),
  },
  {
    name: "incrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Increment the integer value of a key by the given amount",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const delta = parseInt64(argv[2]!);
      if (delta === null) return ERR_NOT_INTEGER;
      return incrementBy(ctx, argv[1]!, delta);
    },
  },
  {
    name: "decrby",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Decrement the integer value of a key by the given number",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const delta = parseInt64(argv[2]!);
      if (delta === null) return ERR_NOT_INTEGER;
      // Negating the smallest int64 does not fit in an int64.
      if (delta === INT64_MIN) return ERR_DECREMENT_OVERFLOW;
      return incrementBy(ctx, argv[1]!, -delta);
    },
  },
  {
    name: "append",
    arity: 3,
    flags: ["write", "denyoom", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Append a value to a key",
    since: "2.0.0",
    handler: (ctx, argv) => {
      const key = keyOf(argv[1]!);
      const suffix = argv[2]!;
      const current = lookupString(ctx.db, key);
      if (current === WRONG_TYPE) return ERR_WRONGTYPE;
      if (current === null) {
        ctx.db.set(key, { type: "string", data: suffix });
        return integer(suffix.length);
      }
      const total = current.length + suffix.length;
      if (total > PROTO_MAX_BULK_LEN) return ERR_STRING_TOO_LONG;
      ctx.db.set(key, { type: "string", data: Buffer.concat([current, suffix], total), raw: true }, { keepTtl: true });
      return integer(total);
    },
  },
  {
    name: "strlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: STRING_KEY,
    group: "string",
    summary: "Get the length of the value stored in a key",
    since: "2.2.0",
    handler: (ctx, argv) => {
      const value = lookupString(ctx.db, keyOf(argv[1]!));
      if (value === WRONG_TYPE) return ERR_WRONGTYPE;
      return integer(value === null ? 0 : value.length);
    },
  },
];
