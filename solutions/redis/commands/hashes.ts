// Hash commands: HSET HMSET HSETNX HGET HMGET HDEL HLEN HEXISTS HSTRLEN
// HGETALL HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD.
// https://redis.io/docs/latest/develop/data-types/hashes/ and each command's
// page https://redis.io/docs/latest/commands/<name>/ — reply shapes, error
// texts and their precedence follow Redis 7.0's t_hash.c.
//
// A hash is a Map from field (byte string) to value (bytes). As everywhere in
// Redis, an empty hash is never stored: deleting the last field deletes the key.

import { arityError, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_SYNTAX, ERR_WRONGTYPE } from "../errors.ts";
import { fitsInt64, INT64_MAX, parseInt64 } from "../int64.ts";
import type { HashValue } from "../keyspace.ts";
import { array, bulk, bulkBinary, error, integer, map, NULL_BULK, OK, ONE, pairs, ZERO, type Reply } from "../reply.ts";
import { byteString, isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf, lookupTyped, parseRandomCount, randomSample, WRONG_TYPE } from "./helpers.ts";
import type { CommandContext, CommandHandler } from "./types.ts";

const ERR_HASH_NOT_INTEGER = error("ERR hash value is not an integer");
const ERR_HASH_NOT_FLOAT = error("ERR hash value is not a float");
const ERR_NOT_FLOAT = error("ERR value is not a valid float");
const ERR_NAN_OR_INFINITY = error("ERR value is NaN or Infinity");
const ERR_PRODUCES_NAN_OR_INFINITY = error("ERR increment would produce NaN or Infinity");

/** The hash at argv[1] for reading: its fields, null if missing, WRONG_TYPE otherwise. */
function readHash(ctx: CommandContext, keyArg: Uint8Array): Map<string, Buffer> | null | typeof WRONG_TYPE {
  const value = lookupTyped(ctx.db, keyOf(keyArg), "hash");
  return value === null || value === WRONG_TYPE ? value : value.data;
}

const NO_FIELDS: ReadonlyMap<string, Buffer> = new Map();

/** A command that reads the hash at argv[1] (empty if missing); WRONGTYPE is replied here. */
function onHash(body: (fields: ReadonlyMap<string, Buffer>, argv: Buffer[]) => Reply): CommandHandler {
  return (ctx, argv) => {
    const fields = readHash(ctx, argv[1]!);
    return fields === WRONG_TYPE ? ERR_WRONGTYPE : body(fields ?? NO_FIELDS, argv);
  };
}

/**
 * The hash at `key` for writing, created (not yet stored) if missing. `store`
 * must be called after changing it: it stores a new hash, or touches an
 * existing one (WATCH, blocked clients, dirty counter, propagation).
 */
function writeHash(ctx: CommandContext, key: string): { fields: Map<string, Buffer>; store(): void } | typeof WRONG_TYPE {
  const existing = lookupTyped(ctx.db, key, "hash");
  if (existing === WRONG_TYPE) return WRONG_TYPE;
  if (existing !== null) return { fields: existing.data, store: () => ctx.db.touch(key) };
  const created: HashValue = { type: "hash", data: new Map() };
  return { fields: created.data, store: () => ctx.db.set(key, created) };
}

/** HSET / HMSET: sets field-value pairs; the number of fields that were new. */
function setFields(ctx: CommandContext, argv: Buffer[]): number | Reply {
  // Fields and values come in pairs after the key.
  if (argv.length % 2 === 1) return arityError(ctx.command.name);
  const hash = writeHash(ctx, keyOf(argv[1]!));
  if (hash === WRONG_TYPE) return ERR_WRONGTYPE;
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) {
    const field = byteString(argv[i]!);
    if (!hash.fields.has(field)) added++;
    hash.fields.set(field, argv[i + 1]!);
  }
  hash.store();
  return added;
}

/** HINCRBY key field increment: 64-bit integer arithmetic on a field. */
function hincrby(ctx: CommandContext, argv: Buffer[]): Reply {
  const increment = parseInt64(argv[3]!);
  if (increment === null) return ERR_NOT_INTEGER;
  const hash = writeHash(ctx, keyOf(argv[1]!));
  if (hash === WRONG_TYPE) return ERR_WRONGTYPE;
  const field = byteString(argv[2]!);
  const current = hash.fields.get(field);
  let value = 0n;
  if (current !== undefined) {
    const parsed = parseInt64(current);
    if (parsed === null) return ERR_HASH_NOT_INTEGER;
    value = parsed;
  }
  const result = value + increment;
  if (!fitsInt64(result)) return ERR_OVERFLOW;
  hash.fields.set(field, Buffer.from(result.toString()));
  hash.store();
  return integer(result);
}

/** A decimal float, or inf/infinity, as strtold reads it: no spaces, nothing after. */
const FLOAT_TEXT = /^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity)$/i;

/** Parses a float argument the way Redis's string2ld does; null if it is not one. */
export function parseFloatArg(bytes: Uint8Array): number | null {
  const text = byteString(bytes);
  if (!FLOAT_TEXT.test(text)) return null;
  const lower = text.toLowerCase();
  if (lower.endsWith("inf") || lower.endsWith("infinity")) return lower.startsWith("-") ? -Infinity : Infinity;
  const n = Number(text);
  // strtold reports overflow (ERANGE with HUGE_VAL) as a failure.
  return Number.isFinite(n) ? n : null;
}

/**
 * A float as Redis's ld2string(LD_STR_HUMAN) writes it: fixed point (never
 * an exponent), at most 17 decimals, trailing zeros dropped, "-0" as "0".
 * Redis computes in long double; this server uses doubles, so results agree
 * when they are exact in binary (10.5, 0.25, 3000) and may differ in the
 * last digits otherwise (Redis: 5005.60000000000000009, here 5005.6).
 */
export function formatFloat(x: number): string {
  let text: string;
  if (Math.abs(x) >= 1e21) text = BigInt(x).toString();
  else {
    text = String(x);
    if (text.includes("e") || (text.split(".")[1]?.length ?? 0) > 17) {
      text = x.toFixed(17).replace(/\.?0+$/, "");
    }
  }
  return text === "-0" ? "0" : text;
}

/** HINCRBYFLOAT key field increment. */
function hincrbyfloat(ctx: CommandContext, argv: Buffer[]): Reply {
  const increment = parseFloatArg(argv[3]!);
  if (increment === null) return ERR_NOT_FLOAT;
  if (!Number.isFinite(increment)) return ERR_NAN_OR_INFINITY;
  const key = keyOf(argv[1]!);
  const hash = writeHash(ctx, key);
  if (hash === WRONG_TYPE) return ERR_WRONGTYPE;
  const field = byteString(argv[2]!);
  const current = hash.fields.get(field);
  let value = 0;
  if (current !== undefined) {
    const parsed = parseFloatArg(current);
    if (parsed === null) return ERR_HASH_NOT_FLOAT;
    value = parsed;
  }
  const result = value + increment;
  if (!Number.isFinite(result)) return ERR_PRODUCES_NAN_OR_INFINITY;
  const text = Buffer.from(formatFloat(result));
  hash.fields.set(field, text);
  hash.store();
  // Like Redis, replicate the result, not the increment (float rounding may differ elsewhere).
  ctx.propagate([Buffer.from("HSET"), argv[1]!, argv[2]!, text]);
  return bulk(text);
}

/** HRANDFIELD key [count [WITHVALUES]]. */
function hrandfield(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 2) {
    const fields = readHash(ctx, argv[1]!);
    if (fields === WRONG_TYPE) return ERR_WRONGTYPE;
    if (fields === null) return NULL_BULK;
    return bulkBinary(randomSample([...fields.keys()], 1n)[0]!);
  }
  const count = parseRandomCount(argv[2]!);
  if (typeof count !== "bigint") return count;
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3]!, "withvalues"))) return ERR_SYNTAX;
  const withValues = argv.length === 4;
  // The reply has two elements per field: Redis refuses counts that would overflow.
  if (withValues && (count < -INT64_MAX / 2n || count > INT64_MAX / 2n)) return error("ERR value is out of range");
  const fields = readHash(ctx, argv[1]!);
  if (fields === WRONG_TYPE) return ERR_WRONGTYPE;
  if (fields === null) return array([]);
  const picked = randomSample([...fields.entries()], count);
  if (withValues) return pairs(picked.map(([f, v]) => [bulkBinary(f), bulk(v)] as const));
  return array(picked.map(([f]) => bulkBinary(f)));
}

const HASH_KEY = [1, 1, 1] as const;

export const hashCommands: readonly CommandDefinition[] = [
  {
    name: "hset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Set the string value of a hash field",
    since: "2.0.0",
    handler: (ctx, argv) => {
      const added = setFields(ctx, argv);
      return typeof added === "number" ? integer(added) : added;
    },
  },
  {
    name: "hmset",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Set multiple hash fields to multiple values",
    since: "2.0.0",
    handler: (ctx, argv) => {
      const added = setFields(ctx, argv);
      return typeof added === "number" ? OK : added;
    },
  },
  {
    name: "hsetnx",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Set the value of a hash field, only if the field does not exist",
    since: "2.0.0",
    handler: (ctx, argv) => {
      const hash = writeHash(ctx, keyOf(argv[1]!));
      if (hash === WRONG_TYPE) return ERR_WRONGTYPE;
      const field = byteString(argv[2]!);
      if (hash.fields.has(field)) return ZERO;
      hash.fields.set(field, argv[3]!);
      hash.store();
      return ONE;
    },
  },
  {
    name: "hget",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Get the value of a hash field",
    since: "2.0.0",
    handler: onHash((fields, argv) => {
      const value = fields.get(byteString(argv[2]!));
      return value === undefined ? NULL_BULK : bulk(value);
    }),
  },
  {
    name: "hmget",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Get the values of all the given hash fields",
    since: "2.0.0",
    handler: onHash((fields, argv) =>
      array(
        argv.slice(2).map((f) => {
          const value = fields.get(byteString(f));
          return value === undefined ? NULL_BULK : bulk(value);
        }),
      ),
    ),
  },
  {
    name: "hdel",
    arity: -3,
    flags: ["write", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Delete one or more hash fields",
    since: "2.0.0",
    handler: (ctx, argv) => {
      const key = keyOf(argv[1]!);
      const fields = readHash(ctx, argv[1]!);
      if (fields === WRONG_TYPE) return ERR_WRONGTYPE;
      if (fields === null) return ZERO;
      let deleted = 0;
      for (const f of argv.slice(2)) if (fields.delete(byteString(f))) deleted++;
      if (fields.size === 0) ctx.db.delete(key);
      else if (deleted > 0) ctx.db.touch(key);
      return integer(deleted);
    },
  },
  {
    name: "hlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Get the number of fields in a hash",
    since: "2.0.0",
    handler: onHash((fields) => integer(fields.size)),
  },
  {
    name: "hexists",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Determine if a hash field exists",
    since: "2.0.0",
    handler: onHash((fields, argv) => (fields.has(byteString(argv[2]!)) ? ONE : ZERO)),
  },
  {
    name: "hstrlen",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Get the length of the value of a hash field",
    since: "3.2.0",
    handler: onHash((fields, argv) => integer(fields.get(byteString(argv[2]!))?.length ?? 0)),
  },
  {
    name: "hgetall",
    arity: 2,
    flags: ["readonly"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Get all the fields and values in a hash",
    since: "2.0.0",
    handler: onHash((fields) => map([...fields].map(([f, v]) => [bulkBinary(f), bulk(v)] as const))),
  },
  {
    name: "hkeys",
    arity: 2,
    flags: ["readonly"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Get all the fields in a hash",
    since: "2.0.0",
    handler: onHash((fields) => array([...fields.keys()].map((f) => bulkBinary(f)))),
  },
  {
    name: "hvals",
    arity: 2,
    flags: ["readonly"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Get all the values in a hash",
    since: "2.0.0",
    handler: onHash((fields) => array([...fields.values()].map((v) => bulk(v)))),
  },
  {
    name: "hincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Increment the integer value of a hash field by the given number",
    since: "2.0.0",
    handler: hincrby,
  },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Increment the float value of a hash field by the given amount",
    since: "2.6.0",
    handler: hincrbyfloat,
  },
  {
    name: "hrandfield",
    arity: -2,
    flags: ["readonly"],
    keys: HASH_KEY,
    group: "hash",
    summary: "Get one or multiple random fields from a hash",
    since: "6.2.0",
    handler: hrandfield,
  },
];
