// Sorted set commands: ZADD ZINCRBY ZCARD ZSCORE ZMSCORE ZREM ZRANK ZREVRANK
// ZCOUNT ZLEXCOUNT ZRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZREVRANGE
// ZRANGEBYLEX ZREVRANGEBYLEX ZPOPMIN ZPOPMAX.
// https://redis.io/docs/latest/develop/data-types/sorted-sets/ and each
// command's page (https://redis.io/docs/latest/commands/zadd/, ...). Option
// parsing, error texts and their precedence follow Redis 7.0's t_zset.c.

import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, rangeError } from "../errors.ts";
import { parseInt64 } from "../int64.ts";
import { array, bulkBinary, double, integer, NULL_ARRAY, NULL_BULK, pairs, ZERO, error, type Reply } from "../reply.ts";
import { byteString, isOption } from "../text.ts";
import { SortedSet, type LexBound, type LexRange, type ScoreRange, type Window } from "../types/sorted-set.ts";
import type { CommandDefinition } from "./define.ts";
import { clampRange, keyOf, parseTimeoutSeconds, WRONG_TYPE } from "./helpers.ts";
import type { BlockRequest, CommandContext, CommandResult } from "./types.ts";

const ERR_NOT_FLOAT = error("ERR value is not a valid float");
const ERR_NAN = error("ERR resulting score is not a number (NaN)");
const ERR_SCORE_RANGE = error("ERR min or max is not a float");
const ERR_LEX_RANGE = error("ERR min or max not valid string range item");
const ERR_NX_XX = error("ERR XX and NX options at the same time are not compatible");
const ERR_GT_LT_NX = error("ERR GT, LT, and/or NX options at the same time are not compatible");
const ERR_INCR_PAIRS = error("ERR INCR option supports a single increment-element pair");
const ERR_LIMIT_RANK = error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
const ERR_WITHSCORES_LEX = error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
const ERR_POSITIVE = error("ERR value is out of range, must be positive");
const EMPTY_ARRAY = array([]);

// --- scores as text ---

/** What C's strtod accepts as a whole: decimal, hex (0x1.8p3) or inf/infinity, with a sign; NaN is left out. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITE = /^([+-]?)inf(?:inity)?$/i;

/**
 * `text` read by strtod when it must be consumed whole; `erange` says whether
 * strtod would report ERANGE with 0 or ±HUGE_VAL. Null if strtod would stop
 * early (or it is NaN).
 */
export function strtod(text: string): { value: number; erange: boolean } | null {
  const inf = INFINITE.exec(text);
  if (inf) return { value: inf[1] === "-" ? -Infinity : Infinity, erange: false };
  let value: number;
  let digits: string;
  if (DECIMAL.test(text)) {
    value = Number.parseFloat(text);
    digits = text.replace(/[eE].*$/, "");
  } else {
    const hex = HEX.exec(text);
    if (!hex || (hex[2] === "" && (hex[3] ?? "") === "")) return null;
    digits = `${hex[2]}${hex[3] ?? ""}`;
    value = Number.parseInt(digits, 16) * 2 ** (Number(hex[4] ?? "0") - 4 * (hex[3] ?? "").length);
    if (hex[1] === "-") value = -value;
  }
  // ERANGE: too large (±HUGE_VAL), or a non-zero number that became 0.
  return { value, erange: !Number.isFinite(value) || (value === 0 && /[1-9a-fA-F]/.test(digits)) };
}

/** A score argument, as Redis's getDoubleFromObject reads it: the whole text, no spaces, no overflow, not NaN. */
export function parseScore(arg: Uint8Array): number | null {
  const r = strtod(byteString(arg));
  return r === null || r.erange ? null : r.value;
}

import { formatScore } from "../double.ts";

export { formatScore };

/** A score: a RESP3 double, in RESP2 a bulk string of the same text. */
function scoreReply(score: number): Reply {
  return double(score);
}

/** One end of a BYSCORE range, as zslParseRange reads it: "(" makes it exclusive; strtod up to the end (or a NUL). */
function parseScoreBound(arg: Uint8Array): { value: number; exclusive: boolean } | null {
  let text = byteString(arg);
  const nul = text.indexOf("\0");
  if (nul >= 0) text = text.slice(0, nul);
  const exclusive = text.startsWith("(");
  if (exclusive) text = text.slice(1);
  // strtod skips leading white space; with no number at all it consumes nothing (fine only if nothing is there).
  const body = text.replace(/^[ \t\n\v\f\r]+/, "");
  if (text === "") return { value: 0, exclusive };
  const r = strtod(body);
  return r === null ? null : { value: r.value, exclusive };
}

export function parseScoreRange(min: Uint8Array, max: Uint8Array): ScoreRange | null {
  const lo = parseScoreBound(min);
  const hi = parseScoreBound(max);
  if (lo === null || hi === null) return null;
  return { min: lo.value, minExclusive: lo.exclusive, max: hi.value, maxExclusive: hi.exclusive };
}

/** One end of a BYLEX range: "-", "+", "[member" or "(member". */
function parseLexBound(arg: Uint8Array): LexBound | null {
  const first = arg[0];
  const alone = arg.length === 1 || arg[1] === 0;
  if (first === 0x2b /* + */) return alone ? "+" : null;
  if (first === 0x2d /* - */) return alone ? "-" : null;
  if (first === 0x28 /* ( */ || first === 0x5b /* [ */) return { value: byteString(arg.subarray(1)), exclusive: first === 0x28 };
  return null;
}

export function parseLexRange(min: Uint8Array, max: Uint8Array): LexRange | null {
  const lo = parseLexBound(min);
  const hi = parseLexBound(max);
  return lo === null || hi === null ? null : { min: lo, max: hi };
}

// --- lookups and writes ---

function lookupZset(ctx: CommandContext, key: string): SortedSet | null | typeof WRONG_TYPE {
  const value = ctx.db.get(key);
  if (value === undefined) return null;
  return value.type === "zset" ? value.data : WRONG_TYPE;
}

/** After removing members: delete the key if the set is now empty, else tell the server it changed. */
function afterRemove(ctx: CommandContext, key: string, zset: SortedSet): void {
  if (zset.size === 0) ctx.db.delete(key);
  else ctx.db.touch(key);
}

/** [member, ...], or with scores member-score pairs (RESP2: flat [member, score, …]; RESP3: [[member, score], …]). */
function entriesReply(entries: Iterable<[string, number]>, withScores: boolean): Reply {
  if (withScores) return pairs([...entries].map(([member, score]) => [bulkBinary(member), scoreReply(score)] as const));
  const out: Reply[] = [];
  for (const [member] of entries) out.push(bulkBinary(member));
  return array(out);
}

// --- ZADD / ZINCRBY ---

/**
 * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and
 * ZINCRBY key increment member (= ZADD key INCR increment member). Options are
 * read from argv[2] on until the first word that is not one, as Redis does.
 */
function zadd(ctx: CommandContext, argv: Buffer[], incrCommand: boolean): Reply {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const opt = argv[idx]!;
    if (isOption(opt, "nx")) nx = true;
    else if (isOption(opt, "xx")) xx = true;
    else if (isOption(opt, "ch")) ch = true;
    else if (isOption(opt, "incr")) incr = true;
    else if (isOption(opt, "gt")) gt = true;
    else if (isOption(opt, "lt")) lt = true;
    else break;
  }
  const pairs = argv.length - idx;
  if (pairs === 0 || pairs % 2 !== 0) return ERR_SYNTAX;
  if (nx && xx) return ERR_NX_XX;
  if ((gt && nx) || (lt && nx) || (gt && lt)) return ERR_GT_LT_NX;
  if (incr && pairs > 2) return ERR_INCR_PAIRS;

  // Every score is parsed before anything changes: the command applies fully or not at all.
  const scores: number[] = [];
  for (let j = idx; j < argv.length; j += 2) {
    const score = parseScore(argv[j]!);
    if (score === null) return ERR_NOT_FLOAT;
    scores.push(score);
  }

  const key = keyOf(argv[1]!);
  const existing = lookupZset(ctx, key);
  if (existing === WRONG_TYPE) return ERR_WRONGTYPE;
  if (existing === null && xx) return incr ? NULL_BULK : ZERO;
  const zset = existing ?? new SortedSet();

  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  let nan = false;
  for (let p = 0; p < scores.length; p++) {
    const member = byteString(argv[idx + 2 * p + 1]!);
    let score = scores[p]!;
    const current = zset.score(member);
    if (current === undefined) {
      if (xx) continue;
      zset.add(member, score);
      added++;
    } else {
      if (nx) continue;
      if (incr) {
        score += current;
        if (Number.isNaN(score)) {
          nan = true;
          break;
        }
      }
      // GT/LT only update an existing member when the new score is greater/less.
      if ((lt && score >= current) || (gt && score <= current)) continue;
      if (score !== current) {
        zset.add(member, score);
        updated++;
      }
    }
    processed++;
    result = zset.score(member)!;
  }

  if (added + updated > 0) {
    if (existing === null) ctx.db.set(key, { type: "zset", data: zset });
    else ctx.db.touch(key);
  }
  if (nan) return ERR_NAN;
  if (incr) return processed > 0 ? scoreReply(result) : NULL_BULK;
  return integer(ch ? added + updated : added);
}

// --- ranges ---

type RangeType = "auto" | "rank" | "score" | "lex";
type Direction = "auto" | "forward" | "reverse";

/**
 * ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]
 * [WITHSCORES], and the older commands that are fixed forms of it (Redis's
 * zrangeGenericCommand). With REV (or ZREV*BYSCORE/BYLEX) a score or lex
 * range is given as max then min.
 */
function zrange(ctx: CommandContext, argv: Buffer[], rangeType: RangeType, direction: Direction, store = false): Reply {
  // ZRANGESTORE dst src min max …: the source and range one argument later.
  const base = store ? 2 : 1;
  let withScores = false;
  let window: Window = { offset: 0, count: -1 };
  let limited = false;
  for (let j = base + 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const left = argv.length - j - 1;
    if (!store && isOption(opt, "withscores")) withScores = true;
    else if (isOption(opt, "limit") && left >= 2) {
      const offset = parseInt64(argv[j + 1]!);
      const count = parseInt64(argv[j + 2]!);
      if (offset === null || count === null) return ERR_NOT_INTEGER;
      window = { offset: Number(offset), count: Number(count) };
      limited = true;
      j += 2;
    } else if (direction === "auto" && isOption(opt, "rev")) direction = "reverse";
    else if (rangeType === "auto" && isOption(opt, "bylex")) rangeType = "lex";
    else if (rangeType === "auto" && isOption(opt, "byscore")) rangeType = "score";
    else return ERR_SYNTAX;
  }
  const reverse = direction === "reverse";
  const type = rangeType === "auto" ? "rank" : rangeType;
  if (limited && type === "rank") return ERR_LIMIT_RANK;
  if (withScores && type === "lex") return ERR_WITHSCORES_LEX;

  const [minArg, maxArg] = reverse && type !== "rank" ? [argv[base + 2]!, argv[base + 1]!] : [argv[base + 1]!, argv[base + 2]!];
  let start = 0;
  let stop = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === "rank") {
    const a = parseInt64(minArg);
    const b = parseInt64(maxArg);
    if (a === null || b === null) return ERR_NOT_INTEGER;
    [start, stop] = [Number(a), Number(b)];
  } else if (type === "score") {
    scoreRange = parseScoreRange(minArg, maxArg);
    if (scoreRange === null) return ERR_SCORE_RANGE;
  } else {
    lexRange = parseLexRange(minArg, maxArg);
    if (lexRange === null) return ERR_LEX_RANGE;
  }

  const zset = lookupZset(ctx, keyOf(argv[base]!));
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  let entries: Iterable<[string, number]> = [];
  if (zset === null) entries = [];
  else if (scoreRange !== null) entries = zset.byScore(scoreRange, reverse, window);
  else if (lexRange !== null) entries = zset.byLex(lexRange, reverse, window);
  else {
    // Negative indexes count from the end; out-of-range indexes are clamped.
    const range = clampRange(start, stop, zset.size);
    if (range !== null) entries = zset.byRank(range.start, range.stop, reverse);
  }
  if (store) return storeZset(ctx, argv[1]!, entries);
  return entriesReply(entries, withScores);
}

/** Replaces `dest` with a sorted set of `entries` (an empty one deletes it); replies its size. */
function storeZset(ctx: CommandContext, dest: Buffer, entries: Iterable<[string, number]>): Reply {
  const result = new SortedSet();
  for (const [member, score] of entries) result.add(member, score);
  const key = keyOf(dest);
  if (result.size === 0) ctx.db.delete(key);
  else ctx.db.set(key, { type: "zset", data: result });
  return integer(result.size);
}

// --- the rest ---

function zrank(ctx: CommandContext, argv: Buffer[], reverse: boolean): Reply {
  const zset = lookupZset(ctx, keyOf(argv[1]!));
  if (zset === null) return NULL_BULK;
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  const rank = zset.rank(byteString(argv[2]!));
  if (rank === undefined) return NULL_BULK;
  return integer(reverse ? zset.size - 1 - rank : rank);
}

/** ZCOUNT / ZLEXCOUNT: the range is checked before the key. */
function zcount(ctx: CommandContext, argv: Buffer[], lex: boolean): Reply {
  const scores = lex ? null : parseScoreRange(argv[2]!, argv[3]!);
  const lexes = lex ? parseLexRange(argv[2]!, argv[3]!) : null;
  if (scores === null && lexes === null) return lex ? ERR_LEX_RANGE : ERR_SCORE_RANGE;
  const zset = lookupZset(ctx, keyOf(argv[1]!));
  if (zset === null) return ZERO;
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  return integer(lexes !== null ? zset.countByLex(lexes) : zset.countByScore(scores!));
}

/** ZPOPMIN/ZPOPMAX key [count]: member-score pairs; without a count one flat [member, score] (in RESP3 too). */
function zpop(ctx: CommandContext, argv: Buffer[], max: boolean): Reply {
  if (argv.length > 3) return ERR_SYNTAX;
  let count = 1;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]!);
    if (n === null || n < 0n) return ERR_POSITIVE;
    count = Number(n);
  }
  const key = keyOf(argv[1]!);
  const zset = lookupZset(ctx, key);
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  if (zset === null || count === 0) return EMPTY_ARRAY;
  const popped = [...zset.byRank(0, Math.min(count, zset.size) - 1, max)];
  for (const [member] of popped) zset.remove(member);
  afterRemove(ctx, key, zset);
  if (argv.length === 2) return array(popped.flatMap(([member, score]) => [bulkBinary(member), scoreReply(score)]));
  return entriesReply(popped, true);
}

/** Pops up to `count` members from the first non-empty sorted set of `keys`: the key and the pairs; null when all are empty. */
function popFirst(ctx: CommandContext, keys: readonly string[], max: boolean, count: number, checkTypes: boolean): { key: string; popped: [string, number][] } | null | typeof WRONG_TYPE {
  for (const key of keys) {
    const zset = lookupZset(ctx, key);
    if (zset === WRONG_TYPE) {
      if (checkTypes) return WRONG_TYPE;
      continue;
    }
    if (zset === null || zset.size === 0) continue;
    const popped = [...zset.byRank(0, Math.min(count, zset.size) - 1, max)];
    for (const [member] of popped) zset.remove(member);
    afterRemove(ctx, key, zset);
    // Replicas and the AOF get ZPOPMIN/ZPOPMAX key count, as from redis-server.
    ctx.propagate([Buffer.from(max ? "ZPOPMAX" : "ZPOPMIN"), Buffer.from(key, "latin1"), Buffer.from(String(popped.length))]);
    return { key, popped };
  }
  return null;
}

/** [key, [[member, score], …]], as ZMPOP and BZMPOP reply in both protocols. */
function mpopReply(key: string, popped: readonly [string, number][]): Reply {
  return array([bulkBinary(key), array(popped.map(([member, score]) => array([bulkBinary(member), scoreReply(score)])))]);
}

/**
 * ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP timeout
 * numkeys …: the first non-empty set of the keys, in the order given.
 * https://redis.io/commands/zmpop/
 */
function zmpop(ctx: CommandContext, argv: Buffer[], blocking: boolean): CommandResult {
  const numkeysIdx = blocking ? 2 : 1;
  const numkeys = parseInt64(argv[numkeysIdx]!);
  if (numkeys === null || numkeys < 1n) return error("ERR numkeys should be greater than 0");
  const whereIdx = numkeysIdx + Number(numkeys) + 1;
  if (numkeys >= BigInt(argv.length) || whereIdx >= argv.length) return ERR_SYNTAX;
  let max: boolean;
  if (isOption(argv[whereIdx]!, "min")) max = false;
  else if (isOption(argv[whereIdx]!, "max")) max = true;
  else return ERR_SYNTAX;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && isOption(argv[j]!, "count") && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]!);
      if (n === null || n < 1n) return error("ERR count should be greater than 0");
      count = Number(n > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : n);
    } else return ERR_SYNTAX;
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx).map(keyOf);
  if (!blocking) {
    const found = popFirst(ctx, keys, max, count, true);
    if (found === WRONG_TYPE) return ERR_WRONGTYPE;
    return found === null ? NULL_ARRAY : mpopReply(found.key, found.popped);
  }
  return blockingZpop(ctx, argv[1]!, keys, max, count, (found) => mpopReply(found.key, found.popped));
}

/** Serves a blocking pop now, or blocks until one of `keys` gets members (a null array at the timeout). */
function blockingZpop(
  ctx: CommandContext,
  timeoutArg: Buffer,
  keys: string[],
  max: boolean,
  count: number,
  reply: (found: { key: string; popped: [string, number][] }) => Reply,
): CommandResult {
  const deadline = parseTimeoutSeconds(timeoutArg, Date.now());
  if (typeof deadline !== "number") return deadline;
  let first = true;
  const attempt = (c: CommandContext): Reply | undefined => {
    const found = popFirst(c, keys, max, count, first);
    first = false;
    if (found === WRONG_TYPE) return ERR_WRONGTYPE;
    return found === null ? undefined : reply(found);
  };
  const now = attempt(ctx);
  if (now !== undefined) return now;
  const request: BlockRequest = { kind: "block", keys, deadline, retry: attempt, timeout: () => NULL_ARRAY };
  return request;
}

/** BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score]. */
function bzpop(ctx: CommandContext, argv: Buffer[], max: boolean): CommandResult {
  return blockingZpop(ctx, argv[argv.length - 1]!, argv.slice(1, -1).map(keyOf), max, 1, ({ key, popped }) =>
    array([bulkBinary(key), bulkBinary(popped[0]![0]), scoreReply(popped[0]![1])]));
}

/**
 * ZRANDMEMBER key [count [WITHSCORES]]: one member (nil when missing), or
 * `count` distinct members (at most the set's size), or with a negative
 * count that many draws that may repeat. https://redis.io/commands/zrandmember/
 */
function zrandmember(ctx: CommandContext, argv: Buffer[]): Reply {
  let count: bigint | null = null;
  let withScores = false;
  if (argv.length >= 3) {
    count = parseInt64(argv[2]!);
    if (count === null) return ERR_NOT_INTEGER;
    if (count < -(2n ** 63n - 1n)) return rangeError(-(2n ** 63n - 1n), 2n ** 63n - 1n);
    if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3]!, "withscores"))) return ERR_SYNTAX;
    if (argv.length === 4) {
      withScores = true;
      const half = (2n ** 63n - 1n) / 2n;
      if (count < -half || count > half) return error("ERR value is out of range");
    }
  }
  const zset = lookupZset(ctx, keyOf(argv[1]!));
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  if (count === null) {
    if (zset === null) return NULL_BULK;
    const rank = randomIndex(zset.size);
    return bulkBinary(zset.byRank(rank, rank, false).next().value![0]);
  }
  if (zset === null || count === 0n) return EMPTY_ARRAY;
  const size = zset.size;
  let picked: [string, number][];
  if (count < 0n) {
    const n = Number(-count);
    picked = [];
    for (let i = 0; i < n; i++) {
      const rank = randomIndex(size);
      picked.push(zset.byRank(rank, rank, false).next().value!);
    }
  } else if (count >= BigInt(size)) picked = [...zset.byRank(0, size - 1, false)];
  else {
    // Distinct ranks, drawn by a partial Fisher-Yates shuffle.
    const ranks = Array.from({ length: size }, (_, i) => i);
    const n = Number(count);
    for (let i = 0; i < n; i++) {
      const j = i + randomIndex(size - i);
      [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
    }
    picked = ranks.slice(0, n).map((r) => zset.byRank(r, r, false).next().value!);
  }
  return entriesReply(picked, withScores);
}

function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

type SetOp = "union" | "inter" | "diff";

/** Each key's members and scores (a set's scores are 1; a missing key is empty), or WRONG_TYPE. */
function readZsetInputs(ctx: CommandContext, keys: Buffer[]): Map<string, number>[] | typeof WRONG_TYPE {
  const inputs: Map<string, number>[] = [];
  for (const k of keys) {
    const value = ctx.db.get(keyOf(k));
    if (value === undefined) inputs.push(new Map());
    else if (value.type === "zset") inputs.push(new Map(value.data.byRank(0, value.data.size - 1)));
    else if (value.type === "set") inputs.push(new Map([...value.data].map((m) => [m, 1] as const)));
    else return WRONG_TYPE;
  }
  return inputs;
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit]: the size of the intersection (at most limit when not 0). */
function zintercard(ctx: CommandContext, argv: Buffer[]): Reply {
  const numkeys = parseInt64(argv[1]!);
  if (numkeys === null) return ERR_NOT_INTEGER;
  if (numkeys < 1n) return error("ERR at least 1 input key is needed for 'zintercard' command");
  if (numkeys > BigInt(argv.length - 2)) return ERR_SYNTAX;
  const end = 2 + Number(numkeys);
  let limit = 0;
  for (let j = end; j < argv.length; j++) {
    if (isOption(argv[j]!, "limit") && j + 1 < argv.length) {
      const v = parseInt64(argv[++j]!);
      if (v === null || v < 0n) return error("ERR LIMIT can't be negative");
      limit = Number(v);
    } else return ERR_SYNTAX;
  }
  const inputs = readZsetInputs(ctx, argv.slice(2, end));
  if (inputs === WRONG_TYPE) return ERR_WRONGTYPE;
  let size = 0;
  for (const m of inputs[0]!.keys()) {
    if (inputs.every((input) => input.has(m))) size++;
    if (limit > 0 && size >= limit) break;
  }
  return integer(size);
}

/**
 * ZUNION/ZINTER/ZDIFF numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
 * and their STORE forms (destination first, no WITHSCORES). Sets count as
 * sorted sets with every score 1; a missing key is empty. ZDIFF takes no
 * WEIGHTS or AGGREGATE. A weighted score that is NaN (inf × 0, inf + -inf) is 0.
 */
function zsetOp(ctx: CommandContext, argv: Buffer[], op: SetOp, store: boolean): Reply {
  const numAt = store ? 2 : 1;
  const n = parseInt64(argv[numAt]!);
  if (n === null) return ERR_NOT_INTEGER;
  if (n < 1n) return error(`ERR at least 1 input key is needed for '${ctx.command.name}' command`);
  if (n > BigInt(argv.length - numAt - 1)) return ERR_SYNTAX;
  const count = Number(n);
  const inputs = readZsetInputs(ctx, argv.slice(numAt + 1, numAt + 1 + count));
  if (inputs === WRONG_TYPE) return ERR_WRONGTYPE;
  const weights = new Array<number>(count).fill(1);
  let aggregate: "sum" | "min" | "max" = "sum";
  let withScores = false;
  for (let j = numAt + 1 + count; j < argv.length; j++) {
    const left = argv.length - j;
    if (op !== "diff" && left >= count + 1 && isOption(argv[j]!, "weights")) {
      for (let i = 0; i < count; i++) {
        const w = parseScore(argv[j + 1 + i]!);
        if (w === null) return error("ERR weight value is not a float");
        weights[i] = w;
      }
      j += count;
    } else if (op !== "diff" && left >= 2 && isOption(argv[j]!, "aggregate")) {
      const a = byteString(argv[j + 1]!).toLowerCase();
      if (a !== "sum" && a !== "min" && a !== "max") return ERR_SYNTAX;
      aggregate = a;
      j++;
    } else if (!store && left >= 1 && isOption(argv[j]!, "withscores")) withScores = true;
    else return ERR_SYNTAX;
  }
  const weighted = (score: number, i: number) => {
    const s = score * weights[i]!;
    return Number.isNaN(s) ? 0 : s;
  };
  const combine = (a: number, b: number) => {
    const s = aggregate === "sum" ? a + b : aggregate === "min" ? Math.min(a, b) : Math.max(a, b);
    return Number.isNaN(s) ? 0 : s;
  };
  const result = new SortedSet();
  if (op === "diff") {
    for (const [m, s] of inputs[0]!) if (!inputs.slice(1).some((other) => other.has(m))) result.add(m, s);
  } else if (op === "inter") {
    for (const [m, s] of inputs[0]!) {
      if (!inputs.every((input) => input.has(m))) continue;
      let score = weighted(s, 0);
      for (let i = 1; i < count; i++) score = combine(score, weighted(inputs[i]!.get(m)!, i));
      result.add(m, score);
    }
  } else {
    const scores = new Map<string, number>();
    inputs.forEach((input, i) => {
      for (const [m, s] of input) {
        const w = weighted(s, i);
        const prev = scores.get(m);
        scores.set(m, prev === undefined ? w : combine(prev, w));
      }
    });
    for (const [m, s] of scores) result.add(m, s);
  }
  if (store) {
    const dest = keyOf(argv[1]!);
    if (result.size === 0) ctx.db.delete(dest);
    else ctx.db.set(dest, { type: "zset", data: result });
    return integer(result.size);
  }
  return entriesReply(result.byRank(0, result.size - 1), withScores);
}

/** ZREMRANGEBYSCORE / ZREMRANGEBYLEX / ZREMRANGEBYRANK key min max: removes the range; replies how many went. */
function zremrange(ctx: CommandContext, argv: Buffer[], type: "score" | "lex" | "rank"): Reply {
  let scores: ScoreRange | null = null;
  let lexes: LexRange | null = null;
  let start = 0;
  let stop = 0;
  if (type === "rank") {
    const a = parseInt64(argv[2]!);
    const b = parseInt64(argv[3]!);
    if (a === null || b === null) return ERR_NOT_INTEGER;
    [start, stop] = [Number(a), Number(b)];
  } else if (type === "score") {
    scores = parseScoreRange(argv[2]!, argv[3]!);
    if (scores === null) return ERR_SCORE_RANGE;
  } else {
    lexes = parseLexRange(argv[2]!, argv[3]!);
    if (lexes === null) return ERR_LEX_RANGE;
  }
  const key = keyOf(argv[1]!);
  const zset = lookupZset(ctx, key);
  if (zset === null) return ZERO;
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  let doomed: [string, number][];
  if (scores !== null) doomed = [...zset.byScore(scores)];
  else if (lexes !== null) doomed = [...zset.byLex(lexes)];
  else {
    // Negative indexes count from the end; out-of-range indexes are clamped (as ZRANGE).
    const range = clampRange(start, stop, zset.size);
    doomed = range === null ? [] : [...zset.byRank(range.start, range.stop)];
  }
  for (const [member] of doomed) zset.remove(member);
  if (doomed.length > 0) afterRemove(ctx, key, zset);
  return integer(doomed.length);
}

/** ZREM key member [member ...]: how many of the members were removed. */
function zrem(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = keyOf(argv[1]!);
  const zset = lookupZset(ctx, key);
  if (zset === null) return ZERO;
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  let removed = 0;
  for (let j = 2; j < argv.length; j++) if (zset.remove(byteString(argv[j]!))) removed++;
  if (removed > 0) afterRemove(ctx, key, zset);
  return integer(removed);
}

function zcard(ctx: CommandContext, argv: Buffer[]): Reply {
  const zset = lookupZset(ctx, keyOf(argv[1]!));
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  return integer(zset?.size ?? 0);
}

/** ZSCORE key member (one bulk string or nil) and ZMSCORE key member [member ...] (an array of them). */
function zscores(ctx: CommandContext, argv: Buffer[], many: boolean): Reply {
  const zset = lookupZset(ctx, keyOf(argv[1]!));
  if (zset === WRONG_TYPE) return ERR_WRONGTYPE;
  const scoreOf = (m: Buffer): Reply => {
    const score = zset?.score(byteString(m));
    return score === undefined ? NULL_BULK : scoreReply(score);
  };
  return many ? array(argv.slice(2).map(scoreOf)) : scoreOf(argv[2]!);
}

// Flags as Redis 7.0's COMMAND INFO reports them.
const WRITE = ["write", "denyoom", "fast"];
const DELETE = ["write", "fast"];
const READ_FAST = ["readonly", "fast"];
const READ = ["readonly"];

function command(name: string, arity: number, flags: readonly string[], since: string, summary: string, handler: NonNullable<CommandDefinition["handler"]>): CommandDefinition {
  return { name, arity, flags, keys: [1, 1, 1], group: "sortedset", summary, since, handler };
}

export const sortedSetCommands: readonly CommandDefinition[] = [
  command("zadd", -4, WRITE, "1.2.0", "Add one or more members to a sorted set, or update its score if it already exists", (ctx, argv) => zadd(ctx, argv, false)),
  command("zincrby", 4, WRITE, "1.2.0", "Increment the score of a member in a sorted set", (ctx, argv) => zadd(ctx, argv, true)),
  command("zrem", -3, DELETE, "1.2.0", "Remove one or more members from a sorted set", zrem),
  command("zremrangebyscore", 4, ["write"], "1.2.0", "Remove all members in a sorted set within the given scores", (ctx, argv) => zremrange(ctx, argv, "score")),
  command("zremrangebylex", 4, ["write"], "2.8.9", "Remove all members in a sorted set between the given lexicographical range", (ctx, argv) => zremrange(ctx, argv, "lex")),
  command("zremrangebyrank", 4, ["write"], "2.0.0", "Remove all members in a sorted set within the given indexes", (ctx, argv) => zremrange(ctx, argv, "rank")),
  command("zunionstore", -4, ["write", "denyoom"], "2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key", (ctx, argv) => zsetOp(ctx, argv, "union", true)),
  command("zinterstore", -4, ["write", "denyoom"], "2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key", (ctx, argv) => zsetOp(ctx, argv, "inter", true)),
  command("zdiffstore", -4, ["write", "denyoom"], "6.2.0", "Subtract multiple sorted sets and store the resulting sorted set in a new key", (ctx, argv) => zsetOp(ctx, argv, "diff", true)),
  command("zunion", -3, READ, "6.2.0", "Add multiple sorted sets", (ctx, argv) => zsetOp(ctx, argv, "union", false)),
  command("zinter", -3, READ, "6.2.0", "Intersect multiple sorted sets", (ctx, argv) => zsetOp(ctx, argv, "inter", false)),
  command("zdiff", -3, READ, "6.2.0", "Subtract multiple sorted sets", (ctx, argv) => zsetOp(ctx, argv, "diff", false)),
  command("zintercard", -3, READ, "7.0.0", "Intersect multiple sorted sets and return the cardinality of the result", zintercard),
  command("zpopmin", -2, DELETE, "5.0.0", "Remove and return members with the lowest scores in a sorted set", (ctx, argv) => zpop(ctx, argv, false)),
  command("zpopmax", -2, DELETE, "5.0.0", "Remove and return members with the highest scores in a sorted set", (ctx, argv) => zpop(ctx, argv, true)),
  { name: "zmpop", arity: -4, flags: ["write"], keys: [0, 0, 0], group: "sortedset", summary: "Remove and return members with scores in a sorted set", since: "7.0.0", handler: (ctx, argv) => zmpop(ctx, argv, false) },
  { name: "bzmpop", arity: -5, flags: ["write"], keys: [0, 0, 0], categories: ["@blocking"], group: "sortedset", summary: "Remove and return members with scores in a sorted set or block until one is available", since: "7.0.0", handler: (ctx, argv) => zmpop(ctx, argv, true) },
  { name: "bzpopmin", arity: -3, flags: ["write", "fast"], keys: [1, -2, 1], categories: ["@blocking"], group: "sortedset", summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", since: "5.0.0", handler: (ctx, argv) => bzpop(ctx, argv, false) },
  { name: "bzpopmax", arity: -3, flags: ["write", "fast"], keys: [1, -2, 1], categories: ["@blocking"], group: "sortedset", summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", since: "5.0.0", handler: (ctx, argv) => bzpop(ctx, argv, true) },
  { name: "zrangestore", arity: -5, flags: ["write", "denyoom"], keys: [1, 2, 1], group: "sortedset", summary: "Store a range of members from sorted set into another key", since: "6.2.0", handler: (ctx, argv) => zrange(ctx, argv, "auto", "auto", true) },
  command("zrandmember", -2, READ, "6.2.0", "Get one or multiple random elements from a sorted set", zrandmember),
  command("zcard", 2, READ_FAST, "1.2.0", "Get the number of members in a sorted set", zcard),
  command("zscore", 3, READ_FAST, "1.2.0", "Get the score associated with the given member in a sorted set", (ctx, argv) => zscores(ctx, argv, false)),
  command("zmscore", -3, READ_FAST, "6.2.0", "Get the score associated with the given members in a sorted set", (ctx, argv) => zscores(ctx, argv, true)),
  command("zrank", 3, READ_FAST, "2.0.0", "Determine the index of a member in a sorted set", (ctx, argv) => zrank(ctx, argv, false)),
  command("zrevrank", 3, READ_FAST, "2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low", (ctx, argv) => zrank(ctx, argv, true)),
  command("zcount", 4, READ_FAST, "2.0.0", "Count the members in a sorted set with scores within the given values", (ctx, argv) => zcount(ctx, argv, false)),
  command("zlexcount", 4, READ_FAST, "2.8.9", "Count the number of members in a sorted set between a given lexicographical range", (ctx, argv) => zcount(ctx, argv, true)),
  command("zrange", -4, READ, "1.2.0", "Return a range of members in a sorted set", (ctx, argv) => zrange(ctx, argv, "auto", "auto")),
  command("zrevrange", -4, READ, "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low", (ctx, argv) => zrange(ctx, argv, "rank", "reverse")),
  command("zrangebyscore", -4, READ, "1.0.5", "Return a range of members in a sorted set, by score", (ctx, argv) => zrange(ctx, argv, "score", "forward")),
  command("zrevrangebyscore", -4, READ, "2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low", (ctx, argv) => zrange(ctx, argv, "score", "reverse")),
  command("zrangebylex", -4, READ, "2.8.9", "Return a range of members in a sorted set, by lexicographical range", (ctx, argv) => zrange(ctx, argv, "lex", "forward")),
  command("zrevrangebylex", -4, READ, "2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings", (ctx, argv) => zrange(ctx, argv, "lex", "reverse")),
];
