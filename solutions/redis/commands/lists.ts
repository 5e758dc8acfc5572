// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
// LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH, and the blocking BLPOP BRPOP
// BLMOVE BRPOPLPUSH.
// https://redis.io/docs/latest/develop/data-types/lists/ and each command's
// page (https://redis.io/docs/latest/commands/lpush/ ...). Reply shapes,
// argument checks and their order follow Redis 7.0's t_list.c.
//
// A list key exists only while the list has elements: pushing onto a missing
// key creates it, and the command that removes the last element deletes the
// key ("Automatic creation and removal of keys" on the lists page).

import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, arityError } from "../errors.ts";
import { parseInt64 } from "../int64.ts";
import type { Keyspace } from "../keyspace.ts";
import { array, bulk, bulkBinary, error, integer, NULL_ARRAY, NULL_BULK, OK, ZERO, type Reply } from "../reply.ts";
import { isOption } from "../text.ts";
import { RedisList } from "../types/list.ts";
import type { CommandDefinition } from "./define.ts";
import { clampRange, keyOf, parseTimeoutSeconds, WRONG_TYPE } from "./helpers.ts";
import type { BlockRequest, CommandContext, CommandResult } from "./types.ts";

export type End = "left" | "right";

const ERR_NO_SUCH_KEY = error("ERR no such key");
const ERR_INDEX_OUT_OF_RANGE = error("ERR index out of range");
const ERR_MUST_BE_POSITIVE = error("ERR value is out of range, must be positive");

/** The list stored at `key`, null if there is none, WRONG_TYPE for another type. */
export function lookupList(db: Keyspace, key: string): RedisList | null | typeof WRONG_TYPE {
  const value = db.get(key);
  if (value === undefined) return null;
  if (value.type !== "list") return WRONG_TYPE;
  return value.data;
}

/** An integer argument as a JS number (indexes and counts; precision beyond 2^53 does not matter for them). */
function intArg(arg: Uint8Array): number | null {
  const n = parseInt64(arg);
  return n === null ? null : Number(n);
}

/** A LEFT/RIGHT argument (LMOVE, BLMOVE), or null. */
function endArg(arg: Uint8Array): End | null {
  if (isOption(arg, "left")) return "left";
  if (isOption(arg, "right")) return "right";
  return null;
}

function pop(list: RedisList, end: End): Buffer | undefined {
  return end === "left" ? list.popLeft() : list.popRight();
}

/** After removing elements from the list at `key`: delete the key if it is empty, else report the change. */
function afterRemoval(db: Keyspace, key: string, list: RedisList): void {
  if (list.length === 0) db.delete(key);
  else db.touch(key);
}

/** Pushes `items` onto the list at `key` (created if missing); the new length. */
function pushOnto(db: Keyspace, key: string, list: RedisList | null, end: End, items: readonly Buffer[]): number {
  const target = list ?? new RedisList();
  for (const item of items) {
    if (end === "left") target.pushLeft(item);
    else target.pushRight(item);
  }
  if (list === null) db.set(key, { type: "list", data: target });
  else db.touch(key);
  return target.length;
}

/** LPUSH/RPUSH (and with `onlyIfExists`, LPUSHX/RPUSHX): elements pushed one after the other. */
function push(end: End, onlyIfExists: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const key = keyOf(argv[1]!);
    const list = lookupList(ctx.db, key);
    if (list === WRONG_TYPE) return ERR_WRONGTYPE;
    if (list === null && onlyIfExists) return ZERO;
    return integer(pushOnto(ctx.db, key, list, end, argv.slice(2)));
  };
}

/** LPOP/RPOP key [count]: one element as a bulk string, or with a count an array of up to count. */
function popCommand(end: End) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    if (argv.length > 3) return arityError(ctx.command.name);
    let count: number | null = null;
    if (argv.length === 3) {
      count = intArg(argv[2]!);
      if (count === null || count < 0) return ERR_MUST_BE_POSITIVE;
    }
    const key = keyOf(argv[1]!);
    const list = lookupList(ctx.db, key);
    if (list === WRONG_TYPE) return ERR_WRONGTYPE;
    if (list === null) return count === null ? NULL_BULK : NULL_ARRAY;
    if (count === null) {
      const item = pop(list, end)!;
      afterRemoval(ctx.db, key, list);
      return bulk(item);
    }
    const items: Reply[] = [];
    while (items.length < count && list.length > 0) items.push(bulk(pop(list, end)!));
    if (items.length > 0) afterRemoval(ctx.db, key, list);
    return array(items);
  };
}

function lrange(ctx: CommandContext, argv: Buffer[]): Reply {
  const start = intArg(argv[2]!);
  const stop = intArg(argv[3]!);
  if (start === null || stop === null) return ERR_NOT_INTEGER;
  const list = lookupList(ctx.db, keyOf(argv[1]!));
  if (list === WRONG_TYPE) return ERR_WRONGTYPE;
  if (list === null) return array([]);
  const range = clampRange(start, stop, list.length);
  if (range === null) return array([]);
  return array(list.slice(range.start, range.stop).map(bulk));
}

function ltrim(ctx: CommandContext, argv: Buffer[]): Reply {
  const start = intArg(argv[2]!);
  const stop = intArg(argv[3]!);
  if (start === null || stop === null) return ERR_NOT_INTEGER;
  const key = keyOf(argv[1]!);
  const list = lookupList(ctx.db, key);
  if (list === WRONG_TYPE) return ERR_WRONGTYPE;
  if (list === null) return OK;
  const range = clampRange(start, stop, list.length);
  const before = list.length;
  list.filter((_, i) => range !== null && i >= range.start && i <= range.stop);
  if (list.length !== before) afterRemoval(ctx.db, key, list);
  return OK;
}

function lindex(ctx: CommandContext, argv: Buffer[]): Reply {
  const index = intArg(argv[2]!);
  if (index === null) return ERR_NOT_INTEGER;
  const list = lookupList(ctx.db, keyOf(argv[1]!));
  if (list === WRONG_TYPE) return ERR_WRONGTYPE;
  if (list === null) return NULL_BULK;
  const item = list.at(index < 0 ? index + list.length : index);
  return item === undefined ? NULL_BULK : bulk(item);
}

function lset(ctx: CommandContext, argv: Buffer[]): Reply {
  const index = intArg(argv[2]!);
  if (index === null) return ERR_NOT_INTEGER;
  const key = keyOf(argv[1]!);
  const list = lookupList(ctx.db, key);
  if (list === WRONG_TYPE) return ERR_WRONGTYPE;
  if (list === null) return ERR_NO_SUCH_KEY;
  if (!list.set(index < 0 ? index + list.length : index, argv[3]!)) return ERR_INDEX_OUT_OF_RANGE;
  ctx.db.touch(key);
  return OK;
}

/** LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key. */
function linsert(ctx: CommandContext, argv: Buffer[]): Reply {
  const after = isOption(argv[2]!, "after");
  if (!after && !isOption(argv[2]!, "before")) return ERR_SYNTAX;
  const key = keyOf(argv[1]!);
  const list = lookupList(ctx.db, key);
  if (list === WRONG_TYPE) return ERR_WRONGTYPE;
  if (list === null) return ZERO;
  let at = -1;
  for (let i = 0; i < list.length && at < 0; i++) if (list.at(i)!.equals(argv[3]!)) at = i;
  if (at < 0) return integer(-1);
  list.insert(after ? at + 1 : at, argv[4]!);
  ctx.db.touch(key);
  return integer(list.length);
}

/** LREM key count element: count > 0 removes from the head, < 0 from the tail, 0 every match. */
function lrem(ctx: CommandContext, argv: Buffer[]): Reply {
  const count = intArg(argv[2]!);
  if (count === null) return ERR_NOT_INTEGER;
  const key = keyOf(argv[1]!);
  const list = lookupList(ctx.db, key);
  if (list === WRONG_TYPE) return ERR_WRONGTYPE;
  if (list === null) return ZERO;
  const element = argv[3]!;
  const matches: number[] = [];
  for (let i = 0; i < list.length; i++) if (list.at(i)!.equals(element)) matches.push(i);
  const limit = count === 0 ? matches.length : Math.min(Math.abs(count), matches.length);
  const doomed = new Set(count >= 0 ? matches.slice(0, limit) : matches.slice(matches.length - limit));
  if (doomed.size === 0) return ZERO;
  list.filter((_, i) => !doomed.has(i));
  afterRemoval(ctx.db, key, list);
  return integer(doomed.size);
}

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
function lpos(ctx: CommandContext, argv: Buffer[]): Reply {
  let rank = 1;
  let count: number | null = null;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const value = argv[j + 1];
    if (value === undefined) return ERR_SYNTAX;
    if (isOption(opt, "rank")) {
      const n = intArg(value);
      if (n === null) return ERR_NOT_INTEGER;
      if (n === 0) return error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
      rank = n;
    } else if (isOption(opt, "count")) {
      const n = intArg(value);
      if (n === null || n < 0) return error("ERR COUNT can't be negative");
      count = n;
    } else if (isOption(opt, "maxlen")) {
      const n = intArg(value);
      if (n === null || n < 0) return error("ERR MAXLEN can't be negative");
      maxlen = n;
    } else {
      return ERR_SYNTAX;
    }
    j++;
  }
  const list = lookupList(ctx.db, keyOf(argv[1]!));
  if (list === WRONG_TYPE) return ERR_WRONGTYPE;
  const found: number[] = [];
  const wanted = count === null ? 1 : count === 0 ? Infinity : count;
  if (list !== null) {
    const len = list.length;
    let skip = Math.abs(rank) - 1;
    for (let n = 0; n < len && (maxlen === 0 || n < maxlen) && found.length < wanted; n++) {
      const i = rank > 0 ? n : len - 1 - n;
      if (!list.at(i)!.equals(argv[2]!)) continue;
      if (skip > 0) skip--;
      else found.push(i);
    }
  }
  if (count !== null) return array(found.map((i) => integer(i)));
  return found.length > 0 ? integer(found[0]!) : NULL_BULK;
}

/**
 * Pops from `from` end of `source` and pushes onto `to` end of `destination`
 * (the same list rotates). Null when the source is missing or empty; the
 * destination's type is checked only when there is something to move.
 */
function move(ctx: CommandContext, source: string, destination: string, from: End, to: End): Reply | null {
  const src = lookupList(ctx.db, source);
  if (src === WRONG_TYPE) return ERR_WRONGTYPE;
  if (src === null) return null;
  const dst = lookupList(ctx.db, destination);
  if (dst === WRONG_TYPE) return ERR_WRONGTYPE;
  const item = pop(src, from)!;
  pushOnto(ctx.db, destination, dst, to, [item]);
  if (source !== destination) afterRemoval(ctx.db, source, src);
  return bulk(item);
}

function lmove(ctx: CommandContext, argv: Buffer[]): Reply {
  const from = endArg(argv[3]!);
  const to = endArg(argv[4]!);
  if (from === null || to === null) return ERR_SYNTAX;
  return move(ctx, keyOf(argv[1]!), keyOf(argv[2]!), from, to) ?? NULL_BULK;
}

function rpoplpush(ctx: CommandContext, argv: Buffer[]): Reply {
  return move(ctx, keyOf(argv[1]!), keyOf(argv[2]!), "right", "left") ?? NULL_BULK;
}

const END_NAMES: Record<End, string> = { left: "LEFT", right: "RIGHT" };

/**
 * A blocking request: `attempt` is tried now, and again each time one of
 * `keys` changes, until it serves or the deadline passes (replying `onTimeout`).
 * https://redis.io/docs/latest/commands/blpop/#blocking-behavior
 */
function blockOn(ctx: CommandContext, keys: string[], deadline: number, attempt: (ctx: CommandContext) => Reply | undefined, onTimeout: Reply): CommandResult {
  const now = attempt(ctx);
  if (now !== undefined) return now;
  const request: BlockRequest = { kind: "block", keys, deadline, retry: attempt, timeout: () => onTimeout };
  return request;
}

/**
 * BLPOP/BRPOP key [key ...] timeout: pops from the first non-empty list of
 * `keys` (in the order given) and replies [key, element]; blocks while all
 * are empty; a null array after the timeout. Served, it propagates as
 * LPOP/RPOP key.
 */
function blockingPop(end: End) {
  return (ctx: CommandContext, argv: Buffer[]): CommandResult => {
    const deadline = parseTimeoutSeconds(argv[argv.length - 1]!, Date.now());
    if (typeof deadline !== "number") return deadline;
    const keys = argv.slice(1, -1).map(keyOf);
    // Now, a key holding another type is an error; while blocked, it is skipped
    // (Redis serves a blocked client only from keys that hold lists).
    let first = true;
    const attempt = (c: CommandContext): Reply | undefined => {
      const checkTypes = first;
      first = false;
      for (const key of keys) {
        const list = lookupList(c.db, key);
        if (list === WRONG_TYPE) {
          if (checkTypes) return ERR_WRONGTYPE;
          continue;
        }
        if (list === null) continue;
        const item = pop(list, end)!;
        afterRemoval(c.db, key, list);
        c.propagate([Buffer.from(end === "left" ? "LPOP" : "RPOP"), Buffer.from(key, "latin1")]);
        return array([bulkBinary(key), bulk(item)]);
      }
      return undefined;
    };
    return blockOn(ctx, keys, deadline, attempt, NULL_ARRAY);
  };
}

/** BLMOVE/BRPOPLPUSH: LMOVE once the source has an element; served, it propagates as LMOVE. */
function blockingMove(ctx: CommandContext, source: string, destination: string, from: End, to: End, timeoutArg: Buffer): CommandResult {
  const deadline = parseTimeoutSeconds(timeoutArg, Date.now());
  if (typeof deadline !== "number") return deadline;
  let first = true;
  const attempt = (c: CommandContext): Reply | undefined => {
    const checkTypes = first;
    first = false;
    // While blocked, a source of another type leaves the client blocked; a
    // destination of another type ends the block with WRONGTYPE (as Redis 7.0).
    if (!checkTypes && lookupList(c.db, source) === WRONG_TYPE) return undefined;
    const reply = move(c, source, destination, from, to);
    if (reply === null) return undefined;
    if (reply.kind === "bulk") {
      c.propagate(["LMOVE", source, destination, END_NAMES[from], END_NAMES[to]].map((s) => Buffer.from(s, "latin1")));
    }
    return reply;
  };
  // Timing out replies a null array, as BLPOP does (Redis 7.0); inside
  // MULTI/EXEC, where it cannot block, BLMOVE replies a null bulk string.
  const result = blockOn(ctx, [source], deadline, attempt, NULL_ARRAY);
  return result.kind === "block" && ctx.client.inExec ? NULL_BULK : result;
}

const LIST_KEY = [1, 1, 1] as const;
const TWO_KEYS = [1, 2, 1] as const;
const BLOCKING = ["@blocking"];

export const listCommands: readonly CommandDefinition[] = [
  { name: "lpush", arity: -3, flags: ["write", "denyoom", "fast"], keys: LIST_KEY, group: "list", summary: "Prepend one or multiple elements to a list", since: "1.0.0", handler: push("left", false) },
  { name: "rpush", arity: -3, flags: ["write", "denyoom", "fast"], keys: LIST_KEY, group: "list", summary: "Append one or multiple elements to a list", since: "1.0.0", handler: push("right", false) },
  { name: "lpushx", arity: -3, flags: ["write", "denyoom", "fast"], keys: LIST_KEY, group: "list", summary: "Prepend an element to a list, only if the list exists", since: "2.2.0", handler: push("left", true) },
  { name: "rpushx", arity: -3, flags: ["write", "denyoom", "fast"], keys: LIST_KEY, group: "list", summary: "Append an element to a list, only if the list exists", since: "2.2.0", handler: push("right", true) },
  { name: "lpop", arity: -2, flags: ["write", "fast"], keys: LIST_KEY, group: "list", summary: "Remove and get the first elements in a list", since: "1.0.0", handler: popCommand("left") },
  { name: "rpop", arity: -2, flags: ["write", "fast"], keys: LIST_KEY, group: "list", summary: "Remove and get the last elements in a list", since: "1.0.0", handler: popCommand("right") },
  {
    name: "llen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: LIST_KEY,
    group: "list",
    summary: "Get the length of a list",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const list = lookupList(ctx.db, keyOf(argv[1]!));
      if (list === WRONG_TYPE) return ERR_WRONGTYPE;
      return integer(list === null ? 0 : list.length);
    },
  },
  { name: "lrange", arity: 4, flags: ["readonly"], keys: LIST_KEY, group: "list", summary: "Get a range of elements from a list", since: "1.0.0", handler: lrange },
  { name: "lindex", arity: 3, flags: ["readonly"], keys: LIST_KEY, group: "list", summary: "Get an element from a list by its index", since: "1.0.0", handler: lindex },
  { name: "lset", arity: 4, flags: ["write", "denyoom"], keys: LIST_KEY, group: "list", summary: "Set the value of an element in a list by its index", since: "1.0.0", handler: lset },
  { name: "linsert", arity: 5, flags: ["write", "denyoom"], keys: LIST_KEY, group: "list", summary: "Insert an element before or after another element in a list", since: "2.2.0", handler: linsert },
  { name: "lrem", arity: 4, flags: ["write"], keys: LIST_KEY, group: "list", summary: "Remove elements from a list", since: "1.0.0", handler: lrem },
  { name: "ltrim", arity: 4, flags: ["write"], keys: LIST_KEY, group: "list", summary: "Trim a list to the specified range", since: "1.0.0", handler: ltrim },
  { name: "lpos", arity: -3, flags: ["readonly"], keys: LIST_KEY, group: "list", summary: "Return the index of matching elements on a list", since: "6.0.6", handler: lpos },
  { name: "lmove", arity: 5, flags: ["write", "denyoom"], keys: TWO_KEYS, group: "list", summary: "Pop an element from a list, push it to another list and return it", since: "6.2.0", handler: lmove },
  { name: "rpoplpush", arity: 3, flags: ["write", "denyoom"], keys: TWO_KEYS, group: "list", summary: "Remove the last element in a list, prepend it to another list and return it", since: "1.2.0", handler: rpoplpush },
  { name: "blpop", arity: -3, flags: ["write", "noscript", "blocking"], keys: [1, -2, 1], categories: BLOCKING, group: "list", summary: "Remove and get the first element in a list, or block until one is available", since: "2.0.0", handler: blockingPop("left") },
  { name: "brpop", arity: -3, flags: ["write", "noscript", "blocking"], keys: [1, -2, 1], categories: BLOCKING, group: "list", summary: "Remove and get the last element in a list, or block until one is available", since: "2.0.0", handler: blockingPop("right") },
  {
    name: "blmove",
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: TWO_KEYS,
    categories: BLOCKING,
    group: "list",
    summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
    since: "6.2.0",
    handler: (ctx, argv) => {
      const from = endArg(argv[3]!);
      const to = endArg(argv[4]!);
      if (from === null || to === null) return ERR_SYNTAX;
      return blockingMove(ctx, keyOf(argv[1]!), keyOf(argv[2]!), from, to, argv[5]!);
    },
  },
  {
    name: "brpoplpush",
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: TWO_KEYS,
    categories: BLOCKING,
    group: "list",
    summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
    since: "2.2.0",
    handler: (ctx, argv) => blockingMove(ctx, keyOf(argv[1]!), keyOf(argv[2]!), "right", "left", argv[3]!),
  },
];
