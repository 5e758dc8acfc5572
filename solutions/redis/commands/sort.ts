// SORT and SORT_RO. https://redis.io/docs/latest/commands/sort/
//
// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
//      [ASC|DESC] [ALPHA] [STORE destination]
//
// The elements of a list, set or sorted set (a missing key is empty) are
// sorted as numbers (each must read as a double), or as byte strings with
// ALPHA; equal numbers are ordered by the elements' bytes, as redis-server
// does, so the result never depends on how the elements were stored.
//   - BY: sort by the value of another key instead, the first "*" of the
//     pattern replaced by the element; "<pattern>->field" reads a hash field.
//     A pattern without "*" means "do not sort" (the elements' own order,
//     reversed by DESC for a list or sorted set; a
//     set is then still sorted by bytes, so the result is deterministic
//     whenever it is stored, as redis-server does for STORE). A missing value
//     counts as 0 (numbers) or sorts first (ALPHA).
//   - GET: reply (or store) other keys' values instead of the elements, one
//     per GET, in order; "#" is the element itself, a missing key nil.
//   - LIMIT offset count: a window after sorting; a negative offset is 0, a
//     negative count means "to the end".
//   - STORE: the result replaces destination as a list (nil values as empty
//     strings); an empty result deletes it. Replies its length.

import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from "../errors.ts";
import { parseInt64 } from "../int64.ts";
import { array, bulk, error, integer, NULL_BULK, type Reply } from "../reply.ts";
import { byteString, isOption } from "../text.ts";
import { RedisList } from "../types/list.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf } from "./helpers.ts";
import { strtod } from "./sorted-sets.ts";
import type { CommandContext } from "./types.ts";

const ERR_NOT_DOUBLE = error("ERR One or more scores can't be converted into double");

/** Deliberate mistakes for the sort fixtures (harness/fixtures/redis/sort/): all off. */
export const sortMistakes = {
  /** Equal numbers keep the elements' stored order instead of being ordered by their bytes. */
  tiesUnordered: false,
  /** Only lists are sorted: sets and sorted sets are WRONGTYPE. */
  listsOnly: false,
  /** DESC is ignored. */
  descIgnored: false,
  /** ALPHA is ignored: elements are always read as numbers. */
  alphaIgnored: false,
  /** An element that is not a number counts as 0 instead of failing. */
  lenientNumbers: false,
  /** A negative LIMIT count returns nothing instead of everything from the offset. */
  negativeCountEmpty: false,
  /** A negative LIMIT offset is refused as a syntax error. */
  negativeOffsetRefused: false,
  /** A LIMIT that is not an integer counts as 0. */
  limitNotIntegerAsZero: false,
  /** A missing BY value sorts last (as +inf) instead of as 0. */
  missingWeightLast: false,
  /** "->field" is not special in BY and GET patterns: the whole pattern names a string key. */
  noHashFields: false,
  /** A BY pattern without "*" still sorts (by the elements). */
  nosortSorts: false,
  /** BY nosort DESC keeps a list's order. */
  nosortDescIgnored: false,
  /** GET # is looked up as a key instead of giving the element. */
  getHashAsKey: false,
  /** A missing GET value is an empty string instead of nil. */
  getMissingAsEmpty: false,
  /** Only the first GET pattern is used. */
  firstGetOnly: false,
  /** STORE appends to a list already at the destination instead of replacing it. */
  storeAppends: false,
  /** An empty result leaves the destination as it was instead of deleting it. */
  storeEmptyKeepsDestination: false,
  /** A missing key replies nil instead of an empty array. */
  missingKeyNil: false,
  /** A key of another type is sorted as empty instead of WRONGTYPE. */
  wrongTypeEmpty: false,
  /** Unknown options are ignored instead of a syntax error. */
  unknownOptionIgnored: false,
  /** SORT_RO accepts STORE. */
  readOnlyStores: false,
  /** BY nosort … STORE of a set stores the set's own (hash) order instead of sorting by bytes. */
  setNosortStoreUnsorted: false,
  /** Numbers are compared as strings (10 before 9); they are still checked to be numbers. */
  numbersByBytes: false,
  /** LIMIT's second number is read as the last index, not a count. */
  limitAsRange: false,
  /** BY with a "*" pattern is ignored: the elements themselves are sorted. */
  byIgnored: false,
  /** STORE onto a key of another type is WRONGTYPE instead of replacing it. */
  storeWrongType: false,
  /** STORE leaves nil values out instead of storing empty strings. */
  storeSkipsNil: false,
};
const M = sortMistakes;

/** The value a BY or GET pattern names for `element`: null when missing (or of a type it cannot read). */
function lookupByPattern(ctx: CommandContext, pattern: string, element: string): Buffer | null {
  if (pattern === "#" && !M.getHashAsKey) return Buffer.from(element, "latin1");
  const star = pattern.indexOf("*");
  if (star < 0) return null;
  const arrow = pattern.indexOf("->", star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length && !M.noHashFields;
  const keyPattern = hasField ? pattern.slice(0, arrow) : pattern;
  const key = keyPattern.slice(0, star) + element + keyPattern.slice(star + 1);
  const value = ctx.db.get(key);
  if (value === undefined) return null;
  if (hasField) {
    if (value.type !== "hash") return null;
    return value.data.get(pattern.slice(arrow + 2)) ?? null;
  }
  return value.type === "string" ? value.data : null;
}

interface SortOptions {
  by: string | null;
  dontSort: boolean;
  offset: bigint;
  count: bigint;
  limited: boolean;
  gets: string[];
  desc: boolean;
  alpha: boolean;
  store: string | null;
}

function parseOptions(argv: Buffer[], readOnly: boolean): SortOptions | Reply {
  const o: SortOptions = { by: null, dontSort: false, offset: 0n, count: -1n, limited: false, gets: [], desc: false, alpha: false, store: null };
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const arg = argv[j]!;
    if (isOption(arg, "asc")) o.desc = false;
    else if (isOption(arg, "desc")) o.desc = true;
    else if (isOption(arg, "alpha")) o.alpha = true;
    else if (isOption(arg, "limit") && left >= 2) {
      const offset = parseInt64(argv[j + 1]!);
      const count = parseInt64(argv[j + 2]!);
      if ((offset === null || count === null) && !M.limitNotIntegerAsZero) return ERR_NOT_INTEGER;
      if (M.negativeOffsetRefused && offset !== null && offset < 0n) return ERR_SYNTAX;
      o.offset = offset ?? 0n;
      o.count = count ?? 0n;
      o.limited = true;
      j += 2;
    } else if (isOption(arg, "store") && left >= 1 && (!readOnly || M.readOnlyStores)) {
      o.store = keyOf(argv[j + 1]!);
      j++;
    } else if (isOption(arg, "by") && left >= 1) {
      o.by = byteString(argv[j + 1]!);
      // A BY pattern without "*" (e.g. "nosort") means: do not sort.
      if (!o.by.includes("*") && !M.nosortSorts) o.dontSort = true;
      j++;
    } else if (isOption(arg, "get") && left >= 1) {
      o.gets.push(byteString(argv[j + 1]!));
      j++;
    } else if (!M.unknownOptionIgnored) return ERR_SYNTAX;
  }
  return o;
}

/** The elements of the value at `key`, in its own order; null for a wrong type. */
function elementsOf(ctx: CommandContext, key: string, desc: boolean, dontSort: boolean): string[] | null {
  const value = ctx.db.get(key);
  if (value === undefined) return [];
  switch (value.type) {
    case "list": {
      // Not sorted: the list's own order, reversed for DESC.
      const items = [...value.data].map((b) => b.toString("latin1"));
      return dontSort && desc && !M.nosortDescIgnored ? items.reverse() : items;
    }
    case "set":
      return [...value.data];
    case "zset": {
      // Not sorted: the sorted set's own order, reversed for DESC.
      const members = [...value.data.byRank(0, value.data.size - 1, dontSort && desc)].map(([m]) => m);
      return members;
    }
    default:
      return null;
  }
}

/** Byte order of two byte strings. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sort(ctx: CommandContext, argv: Buffer[], readOnly: boolean): Reply {
  const parsed = parseOptions(argv, readOnly);
  if (!("by" in parsed)) return parsed;
  const o = parsed;
  const key = keyOf(argv[1]!);
  const value = ctx.db.get(key);
  const type = value?.type;
  if (value === undefined && M.missingKeyNil) return NULL_BULK;
  if (value !== undefined && M.listsOnly && type !== "list") return ERR_WRONGTYPE;
  if (value !== undefined && type !== "list" && type !== "set" && type !== "zset") return M.wrongTypeEmpty ? array([]) : ERR_WRONGTYPE;
  // Sets have no order of their own: sort them by bytes when they are not sorted but stored.
  let dontSort = o.dontSort;
  let alpha = o.alpha;
  let byBytes = false;
  if (dontSort && type === "set" && o.store !== null && !M.setNosortStoreUnsorted) {
    dontSort = false;
    alpha = true;
    byBytes = true;
  }
  const elements = elementsOf(ctx, key, o.desc, dontSort)!;

  if (!dontSort) {
    const weights = new Map<string, { num: number; text: Buffer | null }>();
    for (const element of elements) {
      const source = byBytes || o.by === null || M.byIgnored ? Buffer.from(element, "latin1") : lookupByPattern(ctx, o.by, element);
      if (alpha && !M.alphaIgnored) weights.set(element, { num: 0, text: source });
      else if (source !== null) {
        const r = strtod(source.toString("latin1"));
        if ((r === null || r.erange) && !M.lenientNumbers) return ERR_NOT_DOUBLE;
        weights.set(element, { num: r?.value ?? 0, text: null });
      } else weights.set(element, { num: M.missingWeightLast ? Infinity : 0, text: null });
    }
    elements.sort((a, b) => {
      const wa = weights.get(a)!;
      const wb = weights.get(b)!;
      let cmp: number;
      if (alpha && !M.alphaIgnored) {
        if (wa.text === null || wb.text === null) cmp = wa.text === wb.text ? 0 : wa.text === null ? -1 : 1;
        else cmp = Buffer.compare(wa.text, wb.text);
      } else if (M.numbersByBytes) cmp = compareBytes(a, b);
      else cmp = wa.num < wb.num ? -1 : wa.num > wb.num ? 1 : 0;
      // Equal weights: by the elements' bytes, so the order is always the same.
      if (cmp === 0 && !M.tiesUnordered) cmp = compareBytes(a, b);
      return o.desc && !M.descIgnored ? -cmp : cmp;
    });
  }

  // LIMIT: a negative offset is 0, a negative count (or none) is "to the end".
  const n = BigInt(elements.length);
  let start = o.offset < 0n ? 0n : o.offset;
  let end = o.count < 0n ? (M.negativeCountEmpty && o.limited ? start - 1n : n - 1n) : (M.limitAsRange ? o.count : start + o.count - 1n);
  if (start >= n) {
    start = 0n;
    end = -1n;
  }
  if (end >= n) end = n - 1n;
  const window = elements.slice(Number(start), Number(end + 1n));

  const values: (Buffer | null)[] = [];
  for (const element of window) {
    if (o.gets.length === 0) values.push(Buffer.from(element, "latin1"));
    else for (const pattern of M.firstGetOnly ? o.gets.slice(0, 1) : o.gets) values.push(lookupByPattern(ctx, pattern, element) ?? (M.getMissingAsEmpty ? Buffer.alloc(0) : null));
  }

  if (o.store === null) return array(values.map((v) => (v === null ? NULL_BULK : bulk(v))));
  const stored = M.storeSkipsNil ? values.filter((v) => v !== null) : values.map((v) => v ?? Buffer.alloc(0));
  const existing = ctx.db.get(o.store);
  if (M.storeWrongType && existing !== undefined && existing.type !== "list") return ERR_WRONGTYPE;
  if (M.storeAppends && existing?.type === "list") {
    for (const v of stored) existing.data.pushRight(v);
    ctx.db.touch(o.store);
    return integer(existing.data.length);
  }
  if (stored.length === 0) {
    if (!M.storeEmptyKeepsDestination) ctx.db.delete(o.store);
  } else ctx.db.set(o.store, { type: "list", data: RedisList.from(stored) });
  return integer(stored.length);
}

export const sortCommands: readonly CommandDefinition[] = [
  {
    name: "sort",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    group: "generic",
    summary: "Sort the elements in a list, set or sorted set",
    since: "1.0.0",
    handler: (ctx, argv) => sort(ctx, argv, false),
  },
  {
    name: "sort_ro",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "generic",
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    since: "7.0.0",
    handler: (ctx, argv) => sort(ctx, argv, true),
  },
];
