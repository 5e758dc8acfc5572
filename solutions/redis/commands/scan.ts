// The SCAN family's shared parts and SSCAN, HSCAN, ZSCAN.
// https://redis.io/docs/latest/commands/scan/ (and /sscan/, /hscan/, /zscan/)
//
// SSCAN/HSCAN/ZSCAN key cursor [MATCH pattern] [COUNT count] keep SCAN's
// guarantee for the elements of one set, hash or sorted set: a full
// iteration (from cursor 0 until the reply's cursor is 0) returns every
// element present from its start to its end, at least once, even when
// elements are added or removed between calls.
//
// How: a collection is a JS Set/Map, which has no buckets. Each call lays its
// elements out in a virtual table of 2^n buckets (n from the current size,
// one element per bucket at most on average; element e is in bucket
// hash(e) & (2^n - 1), the keyspace's hash) and walks it from the cursor in
// the keyspace's reverse-binary order (buckets.ts). The table size may differ
// from one call to the next exactly as a real table grows and shrinks, and
// the reverse-binary order keeps the guarantee across any such change (see
// buckets.ts). Laying out costs O(size) per call.

import { hash, nextCursor } from "../buckets.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from "../errors.ts";
import { compileGlob } from "../glob.ts";
import { parseInt64 } from "../int64.ts";
import type { RedisValue } from "../keyspace.ts";
import { array, bulk, bulkBinary, bulkText, error, type Reply } from "../reply.ts";
import { asciiLower, byteString, isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf, lookupTyped, WRONG_TYPE } from "./helpers.ts";
import { formatScore } from "./sorted-sets.ts";
import type { CommandContext } from "./types.ts";

const UINT64_MAX = (1n << 64n) - 1n;
const ERR_INVALID_CURSOR = error("ERR invalid cursor");

export interface ScanOptions {
  /** Low 32 bits of the cursor (no table here has more than 2^32 buckets). */
  cursor: number;
  count: number;
  match: ((element: string) => boolean) | null;
  type: string | null;
}

/**
 * Parses `cursor [MATCH p] [COUNT n] [TYPE t]` from argv[at]. TYPE only when
 * `withType` (SCAN); elsewhere it is a syntax error, as in Redis 7.0.
 */
export function parseScanOptions(argv: readonly Buffer[], at: number, withType: boolean): ScanOptions | Reply {
  const cursorText = byteString(argv[at]!);
  if (!/^\d{1,20}$/.test(cursorText) || BigInt(cursorText) > UINT64_MAX) return ERR_INVALID_CURSOR;
  const options: ScanOptions = { cursor: Number(BigInt(cursorText) & 0xffffffffn), count: 10, match: null, type: null };
  for (let i = at + 1; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) return ERR_SYNTAX;
    if (isOption(argv[i]!, "count")) {
      const n = parseInt64(value);
      if (n === null) return ERR_NOT_INTEGER;
      if (n < 1n) return ERR_SYNTAX;
      options.count = n > 1_000_000n ? 1_000_000 : Number(n);
    } else if (isOption(argv[i]!, "match")) {
      const pattern = byteString(value);
      options.match = pattern === "*" ? null : compileGlob(pattern);
    } else if (withType && isOption(argv[i]!, "type")) {
      options.type = asciiLower(byteString(value));
    } else {
      return ERR_SYNTAX;
    }
  }
  return options;
}

/** The reply of every SCAN-family command: [cursor, [items…]]. */
export function scanReply(cursor: number, items: Reply[]): Reply {
  return array([bulkText(String(cursor)), array(items)]);
}

/**
 * One call over `elements` laid out in a virtual table (see the top of this
 * file): visits buckets from `cursor` until at least `count` elements were
 * found or 10 * count buckets were looked at; returns the next cursor (0 when
 * the iteration is complete) and the elements found.
 */
export function scanElements(elements: Iterable<string>, size: number, cursor: number, count: number): { cursor: number; found: string[] } {
  let buckets = 4;
  while (buckets < size) buckets *= 2;
  const mask = buckets - 1;
  const table = new Map<number, string[]>();
  for (const e of elements) {
    const b = hash(e) & mask;
    const bucket = table.get(b);
    if (bucket === undefined) table.set(b, [e]);
    else bucket.push(e);
  }
  const found: string[] = [];
  let next = cursor;
  let budget = count * 10;
  do {
    found.push(...(table.get(next & mask) ?? []));
    next = nextCursor(next, mask);
  } while (next !== 0 && budget-- > 0 && found.length < count);
  return { cursor: next, found };
}

/** What a scan sees of one collection: its elements, how many, and the reply items for one element. */
interface CollectionView {
  elements: Iterable<string>;
  size: number;
  items(element: string): Reply[];
}

/** SSCAN / HSCAN / ZSCAN over the collection of `type` at argv[1]. */
function collectionScan<T extends "set" | "hash" | "zset">(type: T, view: (value: Extract<RedisValue, { type: T }>) => CollectionView) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const options = parseScanOptions(argv, 2, false);
    if (!("cursor" in options)) return options;
    const value = lookupTyped(ctx.db, keyOf(argv[1]!), type);
    if (value === WRONG_TYPE) return ERR_WRONGTYPE;
    if (value === null) return scanReply(0, []);
    const v = view(value);
    const { cursor, found } = scanElements(v.elements, v.size, options.cursor, options.count);
    const kept = options.match === null ? found : found.filter(options.match);
    return scanReply(cursor, kept.flatMap((e) => v.items(e)));
  };
}

const sscan = collectionScan("set", (v) => ({ elements: v.data, size: v.data.size, items: (m) => [bulkBinary(m)] }));

const hscan = collectionScan("hash", (v) => ({ elements: v.data.keys(), size: v.data.size, items: (f) => [bulkBinary(f), bulk(v.data.get(f)!)] }));

const zscan = collectionScan("zset", (v) => ({
  elements: [...v.data.entries()].map(([m]) => m),
  size: v.data.size,
  items: (m) => [bulkBinary(m), bulkText(formatScore(v.data.score(m)!))],
}));

function scanCommand(name: string, group: string, summary: string, since: string, handler: (ctx: CommandContext, argv: Buffer[]) => Reply): CommandDefinition {
  return { name, arity: -3, flags: ["readonly"], keys: [1, 1, 1], group, summary, since, handler };
}

export const collectionScanCommands: readonly CommandDefinition[] = [
  scanCommand("sscan", "set", "Incrementally iterate Set elements", "2.8.0", sscan),
  scanCommand("hscan", "hash", "Incrementally iterate hash fields and associated values", "2.8.0", hscan),
  scanCommand("zscan", "sortedset", "Incrementally iterate sorted sets elements and associated scores", "2.8.0", zscan),
];
