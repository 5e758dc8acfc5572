// Set commands: SADD SREM SISMEMBER SMISMEMBER SCARD SMEMBERS SINTER SUNION
// SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SINTERCARD SPOP SRANDMEMBER SMOVE.
// https://redis.io/docs/latest/develop/data-types/sets/ and each command's
// page https://redis.io/docs/latest/commands/<name>/ — reply shapes, error
// texts and their precedence follow Redis 7.0's t_set.c.
//
// A set is a JS Set of members (byte strings). Its order is insertion order;
// Redis's is hash-table order, and neither is promised to clients. As
// everywhere in Redis, an empty set is never stored.

import { ERR_SYNTAX, ERR_WRONGTYPE } from "../errors.ts";
import { parseInt64 } from "../int64.ts";
import { array, bulkBinary, error, integer, NULL_BULK, ONE, set, ZERO, type Reply } from "../reply.ts";
import { byteString, bytesOf, isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf, lookupTyped, parseRandomCount, randomSample, WRONG_TYPE } from "./helpers.ts";
import type { CommandContext, CommandHandler } from "./types.ts";

/** The members of the set at `key`, null if missing, WRONG_TYPE for another type. */
function readSet(ctx: CommandContext, key: string): Set<string> | null | typeof WRONG_TYPE {
  const value = lookupTyped(ctx.db, key, "set");
  return value === null || value === WRONG_TYPE ? value : value.data;
}

/** The sets at `keys`, missing ones as null; WRONG_TYPE if any key holds another type. */
function readSets(ctx: CommandContext, keys: readonly Buffer[]): (Set<string> | null)[] | typeof WRONG_TYPE {
  const sets: (Set<string> | null)[] = [];
  for (const k of keys) {
    const set = readSet(ctx, keyOf(k));
    if (set === WRONG_TYPE) return WRONG_TYPE;
    sets.push(set);
  }
  return sets;
}

const NO_MEMBERS: ReadonlySet<string> = new Set();

/** A command that reads the set at argv[1] (empty if missing); WRONGTYPE is replied here. */
function onSet(body: (members: ReadonlySet<string>, argv: Buffer[]) => Reply): CommandHandler {
  return (ctx, argv) => {
    const set = readSet(ctx, keyOf(argv[1]!));
    return set === WRONG_TYPE ? ERR_WRONGTYPE : body(set ?? NO_MEMBERS, argv);
  };
}

/** Members as a set reply (RESP3 "~", RESP2 an array), as SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count reply. */
function membersReply(members: Iterable<string>): Reply {
  return set([...members].map(bulkBinary));
}

/** After removing members from the set at `key`: delete it if empty, else mark it changed. */
function afterRemove(ctx: CommandContext, key: string, set: Set<string>, removed: number): void {
  if (set.size === 0) ctx.db.delete(key);
  else if (removed > 0) ctx.db.touch(key);
}

type Algebra = "inter" | "union" | "diff";

/** SINTER / SUNION / SDIFF of sets; a missing key is an empty set. */
function combine(op: Algebra, sets: readonly (Set<string> | null)[]): Set<string> {
  const [first, ...rest] = sets;
  if (op === "union") {
    const out = new Set<string>();
    for (const s of sets) for (const m of s ?? []) out.add(m);
    return out;
  }
  if (op === "diff") {
    const out = new Set(first ?? []);
    for (const s of rest) for (const m of s ?? []) out.delete(m);
    return out;
  }
  // Intersection: empty if any set is missing; walk the smallest set.
  if (sets.some((s) => s === null)) return new Set();
  const present = (sets as Set<string>[]).slice().sort((a, b) => a.size - b.size);
  const [smallest, ...others] = present;
  const out = new Set<string>();
  for (const m of smallest ?? []) if (others.every((s) => s.has(m))) out.add(m);
  return out;
}

function algebra(op: Algebra): (ctx: CommandContext, argv: Buffer[]) => Reply {
  return (ctx, argv) => {
    const sets = readSets(ctx, argv.slice(1));
    if (sets === WRONG_TYPE) return ERR_WRONGTYPE;
    return membersReply(combine(op, sets));
  };
}

/**
 * SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]: the
 * result replaces the destination (whatever it held, TTL dropped); an empty
 * result deletes the destination. Replies with the result's size.
 */
function algebraStore(op: Algebra): (ctx: CommandContext, argv: Buffer[]) => Reply {
  return (ctx, argv) => {
    const sets = readSets(ctx, argv.slice(2));
    if (sets === WRONG_TYPE) return ERR_WRONGTYPE;
    const result = combine(op, sets);
    const dest = keyOf(argv[1]!);
    if (result.size === 0) ctx.db.delete(dest);
    else ctx.db.set(dest, { type: "set", data: result });
    return integer(result.size);
  };
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
function sintercard(ctx: CommandContext, argv: Buffer[]): Reply {
  const numkeys = parseInt64(argv[1]!);
  if (numkeys === null || numkeys < 1n) return error("ERR numkeys should be greater than 0");
  if (numkeys > BigInt(argv.length - 2)) return error("ERR Number of keys can't be greater than number of args");
  const end = 2 + Number(numkeys);
  let limit = 0n;
  for (let j = end; j < argv.length; j++) {
    if (isOption(argv[j]!, "limit") && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]!);
      if (n === null || n < 0n) return error("ERR LIMIT can't be negative");
      limit = n;
    } else return ERR_SYNTAX;
  }
  const sets = readSets(ctx, argv.slice(2, end));
  if (sets === WRONG_TYPE) return ERR_WRONGTYPE;
  const size = BigInt(combine("inter", sets).size);
  return integer(limit > 0n && size > limit ? limit : size);
}

/** SPOP key [count]: removes and returns random members. */
function spop(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length > 3) return ERR_SYNTAX;
  let count: bigint | null = null;
  if (argv.length === 3) {
    // Redis's getPositiveLongFromObjectOrReply: one message for both mistakes.
    count = parseInt64(argv[2]!);
    if (count === null || count < 0n) return error("ERR value is out of range, must be positive");
  }
  const key = keyOf(argv[1]!);
  const set = readSet(ctx, key);
  if (set === WRONG_TYPE) return ERR_WRONGTYPE;
  if (set === null) return count === null ? NULL_BULK : array([]);
  if (count === 0n) return array([]);
  const popped = randomSample([...set], count ?? 1n);
  for (const m of popped) set.delete(m);
  afterRemove(ctx, key, set, popped.length);
  // Like Redis, replicate the members removed rather than a random choice.
  ctx.propagate(set.size === 0 ? [bytesOf("DEL"), argv[1]!] : [bytesOf("SREM"), argv[1]!, ...popped.map(bytesOf)]);
  return count === null ? bulkBinary(popped[0]!) : membersReply(popped);
}

/** SRANDMEMBER key [count]: random members, the set unchanged. */
function srandmember(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length > 3) return ERR_SYNTAX;
  if (argv.length === 2) {
    const set = readSet(ctx, keyOf(argv[1]!));
    if (set === WRONG_TYPE) return ERR_WRONGTYPE;
    if (set === null) return NULL_BULK;
    return bulkBinary(randomSample([...set], 1n)[0]!);
  }
  const count = parseRandomCount(argv[2]!);
  if (typeof count !== "bigint") return count;
  const set = readSet(ctx, keyOf(argv[1]!));
  if (set === WRONG_TYPE) return ERR_WRONGTYPE;
  return array(randomSample([...(set ?? [])], count).map(bulkBinary));
}

/** SMOVE source destination member. */
function smove(ctx: CommandContext, argv: Buffer[]): Reply {
  const [srcKey, dstKey] = [keyOf(argv[1]!), keyOf(argv[2]!)];
  const member = byteString(argv[3]!);
  const src = readSet(ctx, srcKey);
  const dst = readSet(ctx, dstKey);
  // Order of checks as in Redis: a missing source is 0 before any type check.
  if (src === null) return ZERO;
  if (src === WRONG_TYPE || dst === WRONG_TYPE) return ERR_WRONGTYPE;
  if (src === dst) return src.has(member) ? ONE : ZERO;
  if (!src.delete(member)) return ZERO;
  afterRemove(ctx, srcKey, src, 1);
  if (dst === null) ctx.db.set(dstKey, { type: "set", data: new Set([member]) });
  else if (!dst.has(member)) {
    dst.add(member);
    ctx.db.touch(dstKey);
  }
  return ONE;
}

const SET_KEY = [1, 1, 1] as const;
const ALL_KEYS = [1, -1, 1] as const;

export const setCommands: readonly CommandDefinition[] = [
  {
    name: "sadd",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: SET_KEY,
    group: "set",
    summary: "Add one or more members to a set",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const key = keyOf(argv[1]!);
      const existing = readSet(ctx, key);
      if (existing === WRONG_TYPE) return ERR_WRONGTYPE;
      const set = existing ?? new Set<string>();
      let added = 0;
      for (const m of argv.slice(2)) {
        const member = byteString(m);
        if (!set.has(member)) {
          set.add(member);
          added++;
        }
      }
      if (existing === null) ctx.db.set(key, { type: "set", data: set });
      else if (added > 0) ctx.db.touch(key);
      return integer(added);
    },
  },
  {
    name: "srem",
    arity: -3,
    flags: ["write", "fast"],
    keys: SET_KEY,
    group: "set",
    summary: "Remove one or more members from a set",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const key = keyOf(argv[1]!);
      const set = readSet(ctx, key);
      if (set === WRONG_TYPE) return ERR_WRONGTYPE;
      if (set === null) return ZERO;
      let removed = 0;
      for (const m of argv.slice(2)) if (set.delete(byteString(m))) removed++;
      afterRemove(ctx, key, set, removed);
      return integer(removed);
    },
  },
  {
    name: "sismember",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: SET_KEY,
    group: "set",
    summary: "Determine if a given value is a member of a set",
    since: "1.0.0",
    handler: onSet((set, argv) => (set.has(byteString(argv[2]!)) ? ONE : ZERO)),
  },
  {
    name: "smismember",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: SET_KEY,
    group: "set",
    summary: "Returns the membership associated with the given elements for a set",
    since: "6.2.0",
    handler: onSet((set, argv) => array(argv.slice(2).map((m) => (set.has(byteString(m)) ? ONE : ZERO)))),
  },
  {
    name: "scard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: SET_KEY,
    group: "set",
    summary: "Get the number of members in a set",
    since: "1.0.0",
    handler: onSet((set) => integer(set.size)),
  },
  {
    name: "smembers",
    arity: 2,
    flags: ["readonly"],
    keys: SET_KEY,
    group: "set",
    summary: "Get all the members in a set",
    since: "1.0.0",
    handler: onSet((set) => membersReply(set)),
  },
  {
    name: "sinter",
    arity: -2,
    flags: ["readonly"],
    keys: ALL_KEYS,
    group: "set",
    summary: "Intersect multiple sets",
    since: "1.0.0",
    handler: algebra("inter"),
  },
  {
    name: "sunion",
    arity: -2,
    flags: ["readonly"],
    keys: ALL_KEYS,
    group: "set",
    summary: "Add multiple sets",
    since: "1.0.0",
    handler: algebra("union"),
  },
  {
    name: "sdiff",
    arity: -2,
    flags: ["readonly"],
    keys: ALL_KEYS,
    group: "set",
    summary: "Subtract multiple sets",
    since: "1.0.0",
    handler: algebra("diff"),
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: ALL_KEYS,
    group: "set",
    summary: "Intersect multiple sets and store the resulting set in a key",
    since: "1.0.0",
    handler: algebraStore("inter"),
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: ALL_KEYS,
    group: "set",
    summary: "Add multiple sets and store the resulting set in a key",
    since: "1.0.0",
    handler: algebraStore("union"),
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: ALL_KEYS,
    group: "set",
    summary: "Subtract multiple sets and store the resulting set in a key",
    since: "1.0.0",
    handler: algebraStore("diff"),
  },
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    group: "set",
    summary: "Intersect multiple sets and return the cardinality of the result",
    since: "7.0.0",
    handler: sintercard,
  },
  {
    name: "spop",
    arity: -2,
    flags: ["write", "fast"],
    keys: SET_KEY,
    group: "set",
    summary: "Remove and return one or multiple random members from a set",
    since: "1.0.0",
    handler: spop,
  },
  {
    name: "srandmember",
    arity: -2,
    flags: ["readonly"],
    keys: SET_KEY,
    group: "set",
    summary: "Get one or multiple random members from a set",
    since: "1.0.0",
    handler: srandmember,
  },
  {
    name: "smove",
    arity: 4,
    flags: ["write", "fast"],
    keys: [1, 2, 1],
    group: "set",
    summary: "Move a member from one set to another",
    since: "1.0.0",
    handler: smove,
  },
];
