// Small helpers shared by command handlers.

import { ERR_NOT_INTEGER, rangeError } from "../errors.ts";
import { INT64_MAX, parseInt64 } from "../int64.ts";
import type { Keyspace, RedisValue, ValueType } from "../keyspace.ts";
import { error, type Reply } from "../reply.ts";
import { byteString } from "../text.ts";

/** Marks a key that exists but holds another type (reply WRONGTYPE). */
export const WRONG_TYPE = Symbol("wrong type");

/** The map key for a key argument (binary-safe byte string). */
export function keyOf(arg: Uint8Array): string {
  return byteString(arg);
}

/** The string stored at `key`, null if there is none, WRONG_TYPE for another type. */
export function lookupString(db: Keyspace, key: string): Buffer | null | typeof WRONG_TYPE {
  const value = db.get(key);
  if (value === undefined) return null;
  if (value.type !== "string") return WRONG_TYPE;
  return value.data;
}

/**
 * Inclusive start..stop indexes (negative ones counting from the end, -1 the
 * last element) clamped to a sequence of `length` items, as LRANGE, LTRIM and
 * ZRANGE read them; null when the range selects nothing.
 */
export function clampRange(start: number, stop: number, length: number): { start: number; stop: number } | null {
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return null;
  if (stop >= length) stop = length - 1;
  return { start, stop };
}

/** A decimal float as Redis's strtold-based parsing accepts it (no spaces, no trailing bytes). */
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The deadline of a blocking command's timeout in seconds (BLPOP, BZPOPMIN
 * ...): ms since the epoch, 0 to wait forever, or the error Redis 7.0 replies
 * (https://redis.io/docs/latest/commands/blpop/: "A timeout of zero can be
 * used to block indefinitely"; fractional seconds are allowed).
 */
export function parseTimeoutSeconds(arg: Uint8Array, now: number): number | Reply {
  const text = byteString(arg);
  if (!FLOAT.test(text)) return error("ERR timeout is not a float or out of range");
  const seconds = Number(text);
  if (!Number.isFinite(seconds)) return error("ERR timeout is not a float or out of range");
  // Like Redis: (long long)(seconds * 1000), so 0.0001 rounds to 0 = forever.
  const ms = Math.trunc(seconds * 1000);
  if (ms < 0) return error("ERR timeout is negative");
  return ms === 0 ? 0 : now + ms;
}

/** The value of type `type` stored at `key` (its `data` may be changed in place), null if there is none, WRONG_TYPE for another type. */
export function lookupTyped<T extends ValueType>(
  db: Keyspace,
  key: string,
  type: T,
): Extract<RedisValue, { type: T }> | null | typeof WRONG_TYPE {
  const value = db.get(key);
  if (value === undefined) return null;
  if (value.type !== type) return WRONG_TYPE;
  return value as Extract<RedisValue, { type: T }>;
}

/**
 * The count of SRANDMEMBER / HRANDFIELD / ZRANDMEMBER: an integer in
 * [-LONG_MAX, LONG_MAX] (Redis's getRangeLongFromObjectOrReply), or the error.
 */
export function parseRandomCount(arg: Uint8Array): bigint | Reply {
  const n = parseInt64(arg);
  if (n === null) return ERR_NOT_INTEGER;
  if (n < -INT64_MAX) return rangeError(-INT64_MAX, INT64_MAX);
  return n;
}

/**
 * Random elements of `items` for a count argument, as SRANDMEMBER and
 * HRANDFIELD pick them (https://redis.io/docs/latest/commands/srandmember/):
 * a positive count gives min(count, size) distinct elements, a negative
 * count gives exactly -count elements that may repeat.
 */
export function randomSample<T>(items: readonly T[], count: bigint): T[] {
  if (items.length === 0 || count === 0n) return [];
  if (count < 0n) {
    const out: T[] = [];
    for (let n = -count; n > 0n; n--) out.push(items[Math.floor(Math.random() * items.length)]!);
    return out;
  }
  const pool = [...items];
  const take = count >= BigInt(pool.length) ? pool.length : Number(count);
  // Partial Fisher-Yates: the first `take` slots end up a uniform sample.
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, take);
}
