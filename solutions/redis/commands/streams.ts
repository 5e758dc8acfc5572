// Stream commands: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD,
// XSETID, XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO (STREAM without FULL,
// GROUPS, CONSUMERS).
// https://redis.io/docs/latest/develop/data-types/streams/ and the command
// pages (https://redis.io/docs/latest/commands/xadd/ ...). Argument parsing,
// error texts and reply shapes follow Redis 7.0's t_stream.c.

import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, arityError, formattedError } from "../errors.ts";
import { parseInt64 } from "../int64.ts";
import { array, bulk, bulkBinary, error, integer, NULL_ARRAY, NULL_BULK, OK, ONE, ZERO, type Reply } from "../reply.ts";
import { byteString, isOption } from "../text.ts";
import {
  compareIds,
  type Consumer,
  ConsumerGroup,
  formatId,
  MAX_ID,
  MIN_ID,
  nextId,
  previousId,
  Stream,
  type StreamEntry,
  type StreamId,
  UINT64_MAX,
} from "../types/stream.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf, WRONG_TYPE } from "./helpers.ts";
import type { BlockRequest, CommandContext, CommandResult } from "./types.ts";

const ERR_INVALID_ID = error("ERR Invalid stream ID specified as stream command argument");
const ERR_ID_TOO_SMALL = error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
const ERR_ID_ZERO = error("ERR The ID specified in XADD must be greater than 0-0");
const ERR_EXHAUSTED = error("ERR The stream has exhausted the last possible ID, unable to add more items");

/** The stream at `key`: undefined if there is none, WRONG_TYPE for another type. */
function lookupStream(ctx: CommandContext, key: string): Stream | undefined | typeof WRONG_TYPE {
  const value = ctx.db.get(key);
  if (value === undefined) return undefined;
  return value.type === "stream" ? value.data : WRONG_TYPE;
}

const U64 = /^\d{1,20}$/;

function u64(text: string): bigint | null {
  if (!U64.test(text)) return null;
  const n = BigInt(text);
  return n <= UINT64_MAX ? n : null;
}

/** "<ms>-<seq>", or "<ms>" alone with `missingSeq` as the sequence. */
function parseId(arg: Uint8Array, missingSeq: bigint): StreamId | null {
  const text = byteString(arg);
  const dash = text.indexOf("-");
  if (dash < 0) {
    const ms = u64(text);
    return ms === null ? null : { ms, seq: missingSeq };
  }
  const ms = u64(text.slice(0, dash));
  const seq = u64(text.slice(dash + 1));
  return ms === null || seq === null ? null : { ms, seq };
}

/** An ID where redis-server's non-strict parser also takes "-" (0-0) and "+" (the greatest ID): XGROUP CREATE and SETID. */
function parseLooseId(arg: Uint8Array): StreamId | null {
  const text = byteString(arg);
  if (text === "-") return MIN_ID;
  if (text === "+") return MAX_ID;
  return parseId(arg, 0n);
}

function idReply(id: StreamId): Reply {
  return bulkBinary(formatId(id));
}

function entryReply(e: StreamEntry): Reply {
  return array([idReply(e.id), array(e.fields.map((f) => bulk(f)))]);
}

/** A COUNT-like argument: an int64, negative meaning 0. */
function parseCount(arg: Uint8Array): number | Reply {
  const n = parseInt64(arg);
  if (n === null) return ERR_NOT_INTEGER;
  return n < 0n ? 0 : Number(n);
}

// ---- XADD / XTRIM ---------------------------------------------------------

interface TrimSpec {
  kind: "maxlen" | "minid";
  approx: boolean;
  maxLen: number;
  minId: StreamId;
}

/** Parses MAXLEN|MINID [=|~] threshold [LIMIT n] at argv[i]; returns the next index. */
function parseTrim(argv: Buffer[], i: number): { trim: TrimSpec; next: number } | Reply {
  const kind = isOption(argv[i]!, "maxlen") ? "maxlen" : "minid";
  i++;
  let approx = false;
  const mod = argv[i] === undefined ? "" : byteString(argv[i]!);
  if ((mod === "~" || mod === "=") && i + 1 < argv.length) {
    approx = mod === "~";
    i++;
  }
  const arg = argv[i];
  if (arg === undefined) return ERR_SYNTAX;
  const trim: TrimSpec = { kind, approx, maxLen: 0, minId: MIN_ID };
  if (kind === "maxlen") {
    const n = parseInt64(arg);
    if (n === null) return ERR_NOT_INTEGER;
    if (n < 0n) return error("ERR The MAXLEN argument must be >= 0.");
    trim.maxLen = Number(n);
  } else {
    const id = parseId(arg, 0n);
    if (id === null) return ERR_INVALID_ID;
    trim.minId = id;
  }
  i++;
  if (argv[i] !== undefined && isOption(argv[i]!, "limit") && argv[i + 1] !== undefined) {
    const n = parseInt64(argv[i + 1]!);
    if (n === null || n < 0n) return error("ERR The LIMIT argument must be >= 0.");
    if (!approx) return error("ERR syntax error, LIMIT cannot be used without the special ~ option");
    i += 2;
  }
  return { trim, next: i };
}

/** Trims `s`; `~` trims only whole blocks of 100 entries, as Redis trims whole radix-tree nodes. */
function applyTrim(s: Stream, trim: TrimSpec): number {
  if (trim.kind === "maxlen") {
    const excess = s.length - trim.maxLen;
    if (excess <= 0) return 0;
    return s.trimToLength(trim.approx ? s.length - Math.floor(excess / 100) * 100 : trim.maxLen);
  }
  return s.trimBelow(trim.minId);
}

/** The ID for XADD: `*` (auto), `<ms>-*` (auto sequence) or explicit; an error if not greater than the top item. */
function xaddId(s: Stream | undefined, arg: Uint8Array, now: number): StreamId | Reply {
  const last = s?.lastId ?? MIN_ID;
  const text = byteString(arg);
  if (compareIds(last, MAX_ID) === 0) return ERR_EXHAUSTED;
  if (text === "*") {
    // Auto IDs use the millisecond clock, but never go below the last ID,
    // so they stay increasing even if the clock goes back.
    const ms = BigInt(now);
    return ms > last.ms ? { ms, seq: 0n } : nextId(last)!;
  }
  if (text.endsWith("-*")) {
    const ms = u64(text.slice(0, -2));
    if (ms === null) return ERR_INVALID_ID;
    if (ms < last.ms) return ERR_ID_TOO_SMALL;
    if (ms > last.ms) return { ms, seq: 0n };
    if (last.seq === UINT64_MAX) return ERR_ID_TOO_SMALL;
    return { ms, seq: last.seq + 1n };
  }
  const id = parseId(arg, 0n);
  if (id === null) return ERR_INVALID_ID;
  if (compareIds(id, MIN_ID) === 0) return ERR_ID_ZERO;
  if (compareIds(id, last) <= 0) return ERR_ID_TOO_SMALL;
  return id;
}

function xadd(ctx: CommandContext, argv: Buffer[]): Reply {
  let i = 2;
  let noMkStream = false;
  let trim: TrimSpec | null = null;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.length === 1 && arg[0] === 0x2a /* * */) break;
    if (isOption(arg, "nomkstream")) noMkStream = true;
    else if (isOption(arg, "maxlen") || isOption(arg, "minid")) {
      const parsed = parseTrim(argv, i);
      if ("kind" in parsed) return parsed;
      trim = parsed.trim;
      i = parsed.next - 1;
    } else break;
  }
  const fieldCount = argv.length - i - 1;
  if (fieldCount < 2 || fieldCount % 2 !== 0) return arityError("xadd");
  const idArg = argv[i]!;
  const idText = byteString(idArg);
  if (idText !== "*" && !idText.endsWith("-*")) {
    const id = parseId(idArg, 0n);
    if (id === null) return ERR_INVALID_ID;
    if (compareIds(id, MIN_ID) === 0) return ERR_ID_ZERO;
  }
  const key = keyOf(argv[1]!);
  const existing = lookupStream(ctx, key);
  if (existing === WRONG_TYPE) return ERR_WRONGTYPE;
  if (existing === undefined && noMkStream) return NULL_BULK;
  const id = xaddId(existing, idArg, ctx.db.now());
  if ("kind" in id) return id;
  const s = existing ?? new Stream();
  s.add(id, argv.slice(i + 1));
  if (trim !== null) applyTrim(s, trim);
  if (existing === undefined) ctx.db.set(key, { type: "stream", data: s });
  else ctx.db.touch(key);
  // Propagate the ID chosen, so replicas and the AOF get the same one.
  if (idText.includes("*")) ctx.propagate([argv[0]!, ...argv.slice(1, i), Buffer.from(formatId(id)), ...argv.slice(i + 1)]);
  return idReply(id);
}

function xtrim(ctx: CommandContext, argv: Buffer[]): Reply {
  const opt = argv[2]!;
  if (!isOption(opt, "maxlen") && !isOption(opt, "minid")) return ERR_SYNTAX;
  const parsed = parseTrim(argv, 2);
  if ("kind" in parsed) return parsed;
  if (parsed.next !== argv.length) return ERR_SYNTAX;
  const key = keyOf(argv[1]!);
  const s = lookupStream(ctx, key);
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return ZERO;
  const removed = applyTrim(s, parsed.trim);
  if (removed > 0) ctx.db.touch(key);
  return integer(removed);
}

function xdel(ctx: CommandContext, argv: Buffer[]): Reply {
  const ids: StreamId[] = [];
  for (const arg of argv.slice(2)) {
    const id = parseId(arg, 0n);
    if (id === null) return ERR_INVALID_ID;
    ids.push(id);
  }
  const key = keyOf(argv[1]!);
  const s = lookupStream(ctx, key);
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return ZERO;
  let deleted = 0;
  for (const id of ids) if (s.delete(id)) deleted++;
  // A stream stays when emptied: it keeps its last ID and its groups.
  if (deleted > 0) ctx.db.touch(key);
  return integer(deleted);
}

function xlen(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookupStream(ctx, keyOf(argv[1]!));
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  return integer(s?.length ?? 0);
}

// ---- XRANGE / XREVRANGE ---------------------------------------------------

/**
 * A range bound: "-" and "+" are the smallest and largest IDs, "<ms>" alone
 * means <ms>-0 as a start and <ms>-<max> as an end, and "(" makes the bound
 * exclusive (https://redis.io/docs/latest/commands/xrange/).
 */
function parseBound(arg: Uint8Array, isStart: boolean): StreamId | Reply {
  const text = byteString(arg);
  if (text === "-") return MIN_ID;
  if (text === "+") return MAX_ID;
  const exclusive = text.startsWith("(");
  const id = parseId(exclusive ? arg.subarray(1) : arg, isStart ? 0n : UINT64_MAX);
  if (id === null) return ERR_INVALID_ID;
  if (!exclusive) return id;
  const moved = isStart ? nextId(id) : previousId(id);
  if (moved === null) return error(`ERR invalid ${isStart ? "start" : "end"} ID for the interval`);
  return moved;
}

function xrangeGeneric(ctx: CommandContext, argv: Buffer[], rev: boolean): Reply {
  const start = parseBound(argv[rev ? 3 : 2]!, true);
  if ("kind" in start) return start;
  const end = parseBound(argv[rev ? 2 : 3]!, false);
  if ("kind" in end) return end;
  let count = -1;
  for (let i = 4; i < argv.length; i++) {
    if (isOption(argv[i]!, "count") && i + 1 < argv.length) {
      const n = parseCount(argv[++i]!);
      if (typeof n !== "number") return n;
      count = n;
    } else return ERR_SYNTAX;
  }
  const s = lookupStream(ctx, keyOf(argv[1]!));
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return array([]);
  if (count === 0) return NULL_ARRAY;
  return array(s.range(start, end, Math.max(count, 0), rev).map(entryReply));
}

// ---- XREAD / XREADGROUP ---------------------------------------------------

interface ReadArgs {
  count: number;
  /** ms; null without BLOCK, 0 = forever. */
  block: number | null;
  group: { name: string; consumer: string } | null;
  noAck: boolean;
  keys: string[];
  idArgs: Buffer[];
  /** The whole command (what XREADGROUP propagates, without BLOCK). */
  argv: Buffer[];
}

function parseReadArgs(argv: Buffer[], grouped: boolean): ReadArgs | Reply {
  const args: ReadArgs = { count: 0, block: null, group: null, noAck: false, keys: [], idArgs: [], argv };
  let streamsAt = 0;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const opt = argv[i]!;
    if (isOption(opt, "block") && more > 0) {
      const n = parseInt64(argv[++i]!);
      if (n === null) return error("ERR timeout is not an integer or out of range");
      if (n < 0n) return error("ERR timeout is negative");
      args.block = Number(n);
    } else if (isOption(opt, "count") && more > 0) {
      const n = parseCount(argv[++i]!);
      if (typeof n !== "number") return n;
      args.count = n;
    } else if (isOption(opt, "streams") && more > 0) {
      streamsAt = i + 1;
      const n = argv.length - streamsAt;
      if (n % 2 !== 0) {
        const name = grouped ? "XREADGROUP" : "XREAD";
        return error(`ERR Unbalanced ${name} list of streams: for each stream key an ID or '$' must be specified.`);
      }
      args.keys = argv.slice(streamsAt, streamsAt + n / 2).map(keyOf);
      args.idArgs = argv.slice(streamsAt + n / 2);
      break;
    } else if (grouped && isOption(opt, "group") && more >= 2) {
      args.group = { name: byteString(argv[i + 1]!), consumer: byteString(argv[i + 2]!) };
      i += 2;
    } else if (grouped && isOption(opt, "noack")) {
      args.noAck = true;
    } else return ERR_SYNTAX;
  }
  if (streamsAt === 0) return ERR_SYNTAX;
  if (grouped && args.group === null) return error("ERR Missing GROUP option for XREADGROUP");
  return args;
}

/** Where to read one stream from: after an ID, new entries for the group (">"), or the consumer's history after an ID. */
type ReadFrom = { kind: "after"; id: StreamId } | { kind: "new" } | { kind: "history"; id: StreamId };

/** Resolves each stream's ID argument ("$" = the current last ID) or returns an error. */
function resolveReadIds(ctx: CommandContext, args: ReadArgs): ReadFrom[] | Reply {
  const out: ReadFrom[] = [];
  for (let k = 0; k < args.keys.length; k++) {
    const key = args.keys[k]!;
    const s = lookupStream(ctx, key);
    if (s === WRONG_TYPE) return ERR_WRONGTYPE;
    if (args.group !== null && s?.groups.get(args.group.name) === undefined) {
      return formattedError(`NOGROUP No such key '${key}' or consumer group '${args.group.name}' in XREADGROUP with GROUP option`);
    }
    const text = byteString(args.idArgs[k]!);
    if (text === "$") {
      if (args.group !== null) {
        return error(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
        );
      }
      out.push({ kind: "after", id: s?.lastId ?? MIN_ID });
    } else if (text === ">") {
      if (args.group === null) {
        return error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
      }
      out.push({ kind: "new" });
    } else {
      const id = parseId(args.idArgs[k]!, 0n);
      if (id === null) return ERR_INVALID_ID;
      out.push(args.group !== null ? { kind: "history", id } : { kind: "after", id });
    }
  }
  return out;
}

/** Reads every stream once; the reply, or undefined if no stream had anything to serve. */
function serveRead(ctx: CommandContext, args: ReadArgs, from: readonly ReadFrom[], retrying = false): Reply | undefined {
  const now = ctx.db.now();
  const dirtyBefore = ctx.server.dirty;
  const served: Reply[] = [];
  for (let k = 0; k < args.keys.length; k++) {
    const key = args.keys[k]!;
    const where = from[k]!;
    const found = lookupStream(ctx, key);
    // Now, a key of another type is an error; while blocked, it is skipped (redis-server
    // serves a blocked XREAD only from keys that hold streams).
    if (found === WRONG_TYPE && !retrying) return ERR_WRONGTYPE;
    // A blocked XREADGROUP whose stream was deleted (or replaced) is told so, as redis-server 7.0 does.
    if (retrying && args.group !== null && (found === WRONG_TYPE || found === undefined)) return error("UNBLOCKED the stream key no longer exists");
    const s = found === WRONG_TYPE ? undefined : found;
    let group: ConsumerGroup | undefined;
    if (args.group !== null) {
      group = s?.groups.get(args.group.name);
      if (group === undefined) return formattedError(`NOGROUP No such key '${key}' or consumer group '${args.group.name}' in XREADGROUP with GROUP option`);
    }
    if (s === undefined) continue;
    if (where.kind === "after") {
      const entries = s.after(where.id, args.count);
      if (entries.length > 0) served.push(array([bulkBinary(key), array(entries.map(entryReply))]));
      continue;
    }
    const g = group!;
    const consumer = activeConsumer(ctx, Buffer.from(key, "latin1"), g, args.group!.consumer, now);
    if (where.kind === "new") {
      const entries = s.after(g.lastDelivered, args.count);
      if (entries.length === 0) continue;
      for (const e of entries) {
        s.advance(g, e.id);
        if (!args.noAck) g.deliver(e.id, consumer, now, true);
      }
      ctx.server.dirty++;
      served.push(array([bulkBinary(key), array(entries.map(entryReply))]));
    } else {
      // The consumer's own history: its pending entries after the ID given.
      // Always served, even when empty; each counts as delivered again.
      let pending = g.pendingInOrder(consumer).filter((p) => compareIds(p.id, where.id) > 0);
      if (args.count > 0) pending = pending.slice(0, args.count);
      const items = pending.map((p) => {
        g.deliver(p.id, consumer, now, true);
        const e = s.get(p.id);
        return e === undefined ? array([idReply(p.id), NULL_ARRAY]) : entryReply(e);
      });
      if (items.length > 0) ctx.server.dirty++;
      served.push(array([bulkBinary(key), array(items)]));
    }
  }
  // Group state changed: replicas and the AOF replay the read, never blocking.
  if (ctx.server.dirty !== dirtyBefore) ctx.propagate(withoutBlock(args.argv));
  return served.length > 0 ? array(served) : undefined;
}

/** The command without its BLOCK option, to propagate once a blocked XREADGROUP is served. */
function withoutBlock(argv: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (i > 0 && isOption(arg, "streams")) return [...out, ...argv.slice(i)];
    if (i > 0 && isOption(arg, "block")) i++;
    else if (i > 0 && isOption(arg, "group")) out.push(...argv.slice(i, (i += 2) + 1));
    else out.push(arg);
  }
  return out;
}

function xreadGeneric(ctx: CommandContext, argv: Buffer[], grouped: boolean): CommandResult {
  const args = parseReadArgs(argv, grouped);
  if ("kind" in args) return args;
  const from = resolveReadIds(ctx, args);
  if ("kind" in from) return from;
  const reply = serveRead(ctx, args, from);
  if (reply !== undefined) return reply;
  if (args.block === null) return NULL_ARRAY;
  // Nothing to read: block until one of the streams gets new entries
  // (https://redis.io/docs/latest/commands/xread/#blocking-for-data).
  const request: BlockRequest = {
    kind: "block",
    keys: args.keys,
    deadline: args.block === 0 ? 0 : Date.now() + args.block,
    retry: (retryCtx) => serveRead(retryCtx, args, from, true),
    timeout: () => NULL_ARRAY,
  };
  return request;
}

// ---- Consumer groups ------------------------------------------------------

function noGroup(key: string, group: string): Reply {
  return formattedError(`NOGROUP No such key '${key}' or consumer group '${group}'`);
}

/** The group `name` of the stream at `key`, or an error reply (XGROUP's wording). */
function lookupGroupForXgroup(ctx: CommandContext, argv: Buffer[]): { s: Stream; group: ConsumerGroup; key: string } | Reply {
  const key = keyOf(argv[2]!);
  const name = byteString(argv[3]!);
  const s = lookupStream(ctx, key);
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return ERR_XGROUP_NO_KEY;
  const group = s.groups.get(name);
  if (group === undefined) return formattedError(`NOGROUP No such consumer group '${name}' for key name '${key}'`);
  return { s, group, key };
}

const ERR_XGROUP_NO_KEY = error(
  "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
);

/** ENTRIESREAD <n>: a count of entries read, -1 (or absent) meaning unknown. */
function parseEntriesRead(arg: Uint8Array): number | null | Reply {
  const n = parseInt64(arg);
  if (n === null) return ERR_NOT_INTEGER;
  if (n < -1n) return error("ERR value for ENTRIESREAD must be positive or -1");
  return n === -1n ? null : Number(n);
}

function xgroupCreate(ctx: CommandContext, argv: Buffer[]): Reply {
  let mkStream = false;
  let entriesRead: number | null = null;
  for (let i = 5; i < argv.length; i++) {
    if (isOption(argv[i]!, "mkstream")) mkStream = true;
    else if (isOption(argv[i]!, "entriesread") && i + 1 < argv.length) {
      const n = parseEntriesRead(argv[++i]!);
      if (typeof n === "object" && n !== null) return n;
      entriesRead = n;
    } else return ERR_SYNTAX;
  }
  const key = keyOf(argv[2]!);
  const name = byteString(argv[3]!);
  const existing = lookupStream(ctx, key);
  if (existing === WRONG_TYPE) return ERR_WRONGTYPE;
  if (existing === undefined && !mkStream) return ERR_XGROUP_NO_KEY;
  let id: StreamId;
  if (byteString(argv[4]!) === "$") id = existing?.lastId ?? MIN_ID;
  else {
    const parsed = parseLooseId(argv[4]!);
    if (parsed === null) return ERR_INVALID_ID;
    id = parsed;
  }
  if (existing?.groups.has(name)) return error("BUSYGROUP Consumer Group name already exists");
  const s = existing ?? new Stream();
  const group = new ConsumerGroup(id);
  group.entriesRead = entriesRead;
  s.groups.set(name, group);
  if (existing === undefined) ctx.db.set(key, { type: "stream", data: s });
  else ctx.db.touch(key);
  return OK;
}

function xgroupSetId(ctx: CommandContext, argv: Buffer[]): Reply {
  let entriesRead: number | null = null;
  for (let i = 5; i < argv.length; i++) {
    if (isOption(argv[i]!, "entriesread") && i + 1 < argv.length) {
      const n = parseEntriesRead(argv[++i]!);
      if (typeof n === "object" && n !== null) return n;
      entriesRead = n;
    } else return ERR_SYNTAX;
  }
  const found = lookupGroupForXgroup(ctx, argv);
  if ("kind" in found) return found;
  let id: StreamId;
  if (byteString(argv[4]!) === "$") id = found.s.lastId;
  else {
    const parsed = parseLooseId(argv[4]!);
    if (parsed === null) return ERR_INVALID_ID;
    id = parsed;
  }
  found.group.lastDelivered = id;
  found.group.entriesRead = entriesRead;
  ctx.db.touch(found.key);
  return OK;
}

function xgroupDestroy(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = keyOf(argv[2]!);
  const s = lookupStream(ctx, key);
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return ERR_XGROUP_NO_KEY;
  if (!s.groups.delete(byteString(argv[3]!))) return ZERO;
  ctx.db.touch(key);
  return ONE;
}

function xgroupCreateConsumer(ctx: CommandContext, argv: Buffer[]): Reply {
  const found = lookupGroupForXgroup(ctx, argv);
  if ("kind" in found) return found;
  const name = byteString(argv[4]!);
  if (found.group.consumers.has(name)) return ZERO;
  found.group.consumer(name, ctx.db.now());
  ctx.server.dirty++;
  ctx.notify("stream", "xgroup-createconsumer", argv[2]!);
  return ONE;
}

function xgroupDelConsumer(ctx: CommandContext, argv: Buffer[]): Reply {
  const found = lookupGroupForXgroup(ctx, argv);
  if ("kind" in found) return found;
  const consumer = found.group.consumers.get(byteString(argv[4]!));
  if (consumer === undefined) return ZERO;
  const pending = consumer.pending.size;
  for (const p of [...consumer.pending.values()]) found.group.ack(p.id);
  found.group.consumers.delete(consumer.name);
  ctx.server.dirty++;
  ctx.notify("stream", "xgroup-delconsumer", argv[2]!);
  return integer(pending);
}

function xack(ctx: CommandContext, argv: Buffer[]): Reply {
  const ids: StreamId[] = [];
  for (const arg of argv.slice(3)) {
    const id = parseId(arg, 0n);
    if (id === null) return ERR_INVALID_ID;
    ids.push(id);
  }
  const s = lookupStream(ctx, keyOf(argv[1]!));
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  const group = s?.groups.get(byteString(argv[2]!));
  if (group === undefined) return ZERO;
  let acked = 0;
  for (const id of ids) if (group.ack(id)) acked++;
  ctx.server.dirty += acked;
  return integer(acked);
}

function xpending(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = keyOf(argv[1]!);
  const groupName = byteString(argv[2]!);
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) return ERR_SYNTAX;
  let extended: { minIdle: number; start: StreamId; end: StreamId; count: number; consumer: string | null } | null = null;
  if (argv.length >= 6) {
    let at = 3;
    let minIdle = 0;
    if (isOption(argv[3]!, "idle")) {
      const n = parseInt64(argv[4]!);
      if (n === null) return ERR_NOT_INTEGER;
      minIdle = Number(n);
      if (argv.length < 8) return ERR_SYNTAX;
      at = 5;
    }
    if (argv.length > at + 4) return ERR_SYNTAX;
    const count = parseCount(argv[at + 2]!);
    if (typeof count !== "number") return count;
    const start = parseBound(argv[at]!, true);
    if ("kind" in start) return start;
    const end = parseBound(argv[at + 1]!, false);
    if ("kind" in end) return end;
    const consumer = argv[at + 3] === undefined ? null : byteString(argv[at + 3]!);
    extended = { minIdle, start, end, count, consumer };
  }
  const s = lookupStream(ctx, key);
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  const group = s?.groups.get(groupName);
  if (group === undefined) return noGroup(key, groupName);
  if (extended === null) {
    // Summary: count, smallest and greatest pending ID, and per consumer (by name) how many it holds.
    const all = group.pendingInOrder();
    if (all.length === 0) return array([ZERO, NULL_BULK, NULL_BULK, NULL_ARRAY]);
    const consumers = [...group.consumers.values()]
      .filter((c) => c.pending.size > 0)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((c) => array([bulkBinary(c.name), bulkBinary(String(c.pending.size))]));
    return array([integer(all.length), idReply(all[0]!.id), idReply(all[all.length - 1]!.id), array(consumers)]);
  }
  const { minIdle, start, end, count, consumer: consumerName } = extended;
  let owner;
  if (consumerName !== null) {
    owner = group.consumers.get(consumerName);
    if (owner === undefined) return array([]);
  }
  const now = ctx.db.now();
  const out: Reply[] = [];
  for (const p of group.pendingInOrder(owner)) {
    if (out.length >= count) break;
    if (compareIds(p.id, start) < 0 || compareIds(p.id, end) > 0) continue;
    const idle = Math.max(0, now - p.deliveredAt);
    if (idle < minIdle) continue;
    out.push(array([idReply(p.id), bulkBinary(p.consumer.name), integer(idle), integer(p.deliveries)]));
  }
  return array(out);
}

/** XCLAIM/XAUTOCLAIM: the stream and group named by argv[1] and argv[2], and the min-idle-time in argv[4]; or an error. */
function claimSetup(ctx: CommandContext, argv: Buffer[], command: string): { s: Stream; group: ConsumerGroup; minIdle: number } | Reply {
  const key = keyOf(argv[1]!);
  const groupName = byteString(argv[2]!);
  const s = lookupStream(ctx, key);
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  const group = s?.groups.get(groupName);
  if (s === undefined || group === undefined) return noGroup(key, groupName);
  const minIdle = parseInt64(argv[4]!);
  if (minIdle === null) return error(`ERR Invalid min-idle-time argument for ${command}`);
  return { s, group, minIdle: Math.max(0, Number(minIdle)) };
}

/** The consumer `name` of `group`, created if new (a change), marked as seen now. */
function activeConsumer(ctx: CommandContext, key: Buffer, group: ConsumerGroup, name: string, now: number): Consumer {
  if (!group.consumers.has(name)) {
    ctx.server.dirty++;
    ctx.notify("stream", "xgroup-createconsumer", key);
  }
  const consumer = group.consumer(name, now);
  consumer.seenAt = now;
  return consumer;
}

function xclaim(ctx: CommandContext, argv: Buffer[]): Reply {
  const setup = claimSetup(ctx, argv, "XCLAIM");
  if ("kind" in setup) return setup;
  const { s, group, minIdle } = setup;
  const ids: StreamId[] = [];
  let i = 5;
  for (; i < argv.length; i++) {
    const id = parseId(argv[i]!, 0n);
    if (id === null) break;
    ids.push(id);
  }
  const now = ctx.db.now();
  let deliveredAt = now;
  let retryCount: number | null = null;
  let force = false;
  let justId = false;
  for (; i < argv.length; i++) {
    const opt = argv[i]!;
    const more = i + 1 < argv.length;
    if (isOption(opt, "force")) force = true;
    else if (isOption(opt, "justid")) justId = true;
    else if (isOption(opt, "idle") && more) {
      const n = parseInt64(argv[++i]!);
      if (n === null) return error("ERR Invalid IDLE option argument for XCLAIM");
      deliveredAt = now - Number(n);
    } else if (isOption(opt, "time") && more) {
      const n = parseInt64(argv[++i]!);
      if (n === null) return error("ERR Invalid TIME option argument for XCLAIM");
      deliveredAt = Number(n);
    } else if (isOption(opt, "retrycount") && more) {
      const n = parseInt64(argv[++i]!);
      if (n === null) return error("ERR Invalid RETRYCOUNT option argument for XCLAIM");
      retryCount = Number(n);
    } else if (isOption(opt, "lastid") && more) {
      const id = parseId(argv[++i]!, 0n);
      if (id === null) return ERR_INVALID_ID;
      if (compareIds(id, group.lastDelivered) > 0) group.lastDelivered = id;
    } else return formattedError(`ERR Unrecognized XCLAIM option '${byteString(opt)}'`);
  }
  const consumer = activeConsumer(ctx, argv[1]!, group, byteString(argv[3]!), now);
  const out: Reply[] = [];
  for (const id of ids) {
    let p = group.pending.get(formatId(id));
    const entry = s.get(id);
    if (p === undefined && !(force && entry !== undefined)) continue;
    if (entry === undefined) {
      // The entry was deleted (XDEL/XTRIM): it can no longer be claimed.
      group.ack(id);
      continue;
    }
    if (p !== undefined && minIdle > 0 && now - p.deliveredAt < minIdle) continue;
    p = group.deliver(id, consumer, now, !justId);
    p.deliveredAt = deliveredAt;
    if (retryCount !== null) p.deliveries = retryCount;
    out.push(justId ? idReply(id) : entryReply(entry));
  }
  ctx.server.dirty += out.length;
  return array(out);
}

/**
 * XAUTOCLAIM key group consumer min-idle-time start [COUNT n] [JUSTID]: scans
 * the group's PEL from `start` and claims (like XCLAIM) up to n entries idle
 * long enough; pending entries deleted from the stream are dropped from the
 * PEL and listed. Replies [next start (0-0 when the scan is done), claimed, deleted].
 */
function xautoclaim(ctx: CommandContext, argv: Buffer[]): Reply {
  // Unlike XCLAIM, XAUTOCLAIM checks its arguments before the key and the group (Redis 7.0's t_stream.c).
  if (parseInt64(argv[4]!) === null) return error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  const start = parseBound(argv[5]!, true);
  if ("kind" in start) return start;
  let count = 100;
  let justId = false;
  for (let i = 6; i < argv.length; i++) {
    if (isOption(argv[i]!, "count") && i + 1 < argv.length) {
      const n = parseInt64(argv[++i]!);
      if (n === null) return ERR_NOT_INTEGER;
      if (n < 1n || n > 2n ** 59n) return error("ERR COUNT must be > 0");
      count = Number(n);
    } else if (isOption(argv[i]!, "justid")) justId = true;
    else return ERR_SYNTAX;
  }
  const setup = claimSetup(ctx, argv, "XAUTOCLAIM");
  if ("kind" in setup) return setup;
  const { s, group, minIdle } = setup;
  const now = ctx.db.now();
  const consumer = activeConsumer(ctx, argv[1]!, group, byteString(argv[3]!), now);
  const pel = group.pendingInOrder().filter((p) => compareIds(p.id, start) >= 0);
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  let attempts = count * 10;
  let i = 0;
  for (; i < pel.length && attempts > 0 && count > 0; i++, attempts--) {
    const p = pel[i]!;
    const entry = s.get(p.id);
    if (entry === undefined) {
      group.ack(p.id);
      deleted.push(idReply(p.id));
      count--;
      continue;
    }
    if (minIdle > 0 && now - p.deliveredAt < minIdle) continue;
    group.deliver(p.id, consumer, now, !justId);
    claimed.push(justId ? idReply(p.id) : entryReply(entry));
    count--;
  }
  ctx.server.dirty += claimed.length + deleted.length;
  const next = pel[i]?.id ?? MIN_ID;
  return array([idReply(next), array(claimed), array(deleted)]);
}

// ---- XINFO ----------------------------------------------------------------

const ERR_NO_SUCH_KEY = error("ERR no such key");

function nullableInt(n: number | null): Reply {
  return n === null ? NULL_BULK : integer(n);
}

/** Flat [name, value, ...] pairs, as Redis 7.0 replies maps in RESP2. */
function fields(pairs: readonly (readonly [string, Reply])[]): Reply {
  return array(pairs.flatMap(([name, value]) => [bulkBinary(name), value]));
}

function xinfoStream(ctx: CommandContext, argv: Buffer[]): Reply {
  // XINFO STREAM key FULL is not supported: only the summary form.
  if (argv.length !== 3) return error("ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.");
  const s = lookupStream(ctx, keyOf(argv[2]!));
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return ERR_NO_SUCH_KEY;
  // Redis stores entries in radix-tree nodes of up to 100 entries; these two figures mimic that layout.
  const nodes = Math.ceil(s.length / 100);
  return fields([
    ["length", integer(s.length)],
    ["radix-tree-keys", integer(nodes)],
    ["radix-tree-nodes", integer(nodes + 1)],
    ["last-generated-id", idReply(s.lastId)],
    ["max-deleted-entry-id", idReply(s.maxDeletedId)],
    ["entries-added", integer(s.entriesAdded)],
    ["recorded-first-entry-id", idReply(s.first?.id ?? MIN_ID)],
    ["groups", integer(s.groups.size)],
    ["first-entry", s.first === undefined ? NULL_BULK : entryReply(s.first)],
    ["last-entry", s.last === undefined ? NULL_BULK : entryReply(s.last)],
  ]);
}

function xinfoGroups(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookupStream(ctx, keyOf(argv[2]!));
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return ERR_NO_SUCH_KEY;
  return array(
    [...s.groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, g]) =>
        fields([
          ["name", bulkBinary(name)],
          ["consumers", integer(g.consumers.size)],
          ["pending", integer(g.pending.size)],
          ["last-delivered-id", idReply(g.lastDelivered)],
          ["entries-read", nullableInt(g.entriesRead)],
          ["lag", nullableInt(s.lag(g))],
        ]),
      ),
  );
}

function xinfoConsumers(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = keyOf(argv[2]!);
  const s = lookupStream(ctx, key);
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return ERR_NO_SUCH_KEY;
  const name = byteString(argv[3]!);
  const group = s.groups.get(name);
  if (group === undefined) return formattedError(`NOGROUP No such consumer group '${name}' for key name '${key}'`);
  const now = ctx.db.now();
  return array(
    [...group.consumers.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((c) => fields([["name", bulkBinary(c.name)], ["pending", integer(c.pending.size)], ["idle", integer(Math.max(0, now - c.seenAt))]])),
  );
}

// ---- XSETID ---------------------------------------------------------------

/**
 * XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
 * (https://redis.io/docs/latest/commands/xsetid/): sets the stream's last ID
 * and, in 7.0, its entries-added counter and max-deleted-entry-id — what an
 * AOF rewrite uses to rebuild a stream exactly (Redis's aof.c
 * rewriteStreamObject). Options are checked before the key, as t_stream.c does.
 */
function xsetid(ctx: CommandContext, argv: Buffer[]): Reply {
  const id = parseId(argv[2]!, 0n);
  if (id === null) return ERR_INVALID_ID;
  let entriesAdded: number | null = null;
  let maxDeleted = MIN_ID;
  for (let i = 3; i < argv.length; i++) {
    const more = i + 1 < argv.length;
    if (isOption(argv[i]!, "entriesadded") && more) {
      const n = parseInt64(argv[++i]!);
      if (n === null) return ERR_NOT_INTEGER;
      if (n < 0n) return error("ERR entries_added must be positive");
      entriesAdded = Number(n);
    } else if (isOption(argv[i]!, "maxdeletedid") && more) {
      const parsed = parseId(argv[++i]!, 0n);
      if (parsed === null) return ERR_INVALID_ID;
      if (compareIds(id, parsed) < 0) return error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      maxDeleted = parsed;
    } else return ERR_SYNTAX;
  }
  const key = keyOf(argv[1]!);
  const s = lookupStream(ctx, key);
  if (s === WRONG_TYPE) return ERR_WRONGTYPE;
  if (s === undefined) return ERR_NO_SUCH_KEY;
  const top = s.last;
  if (top !== undefined) {
    if (compareIds(id, top.id) < 0) return error("ERR The ID specified in XSETID is smaller than the target stream top item");
    if (entriesAdded !== null && s.length > entriesAdded) return error("ERR The entries_added specified in XSETID is smaller than the target stream length");
  }
  s.lastId = id;
  if (entriesAdded !== null) s.entriesAdded = entriesAdded;
  if (compareIds(maxDeleted, MIN_ID) !== 0) s.maxDeletedId = maxDeleted;
  ctx.db.touch(key);
  return OK;
}

/** A stream command: group "stream", keys [1, 1, 1] unless given. */
function streamCommand(def: Omit<CommandDefinition, "group" | "summary">, summary: string): CommandDefinition {
  return { keys: [1, 1, 1], group: "stream", summary, ...def };
}

export const streamCommands: readonly CommandDefinition[] = [
  streamCommand({ name: "xadd", arity: -5, flags: ["write", "denyoom", "fast"], since: "5.0.0", handler: xadd },
    "Appends a new entry to a stream"),
  streamCommand({ name: "xsetid", arity: -3, flags: ["write", "denyoom", "fast"], since: "5.0.0", handler: xsetid }, "Set the last entry ID of a stream"),
  streamCommand({ name: "xlen", arity: 2, flags: ["readonly", "fast"], since: "5.0.0", handler: xlen },
    "Return the number of entries in a stream"),
  streamCommand({ name: "xrange", arity: -4, flags: ["readonly"], since: "5.0.0", handler: (ctx, argv) => xrangeGeneric(ctx, argv, false) },
    "Return a range of elements in a stream, with IDs matching the specified IDs interval"),
  streamCommand({ name: "xrevrange", arity: -4, flags: ["readonly"], since: "5.0.0", handler: (ctx, argv) => xrangeGeneric(ctx, argv, true) },
    "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE"),
  streamCommand({ name: "xdel", arity: -3, flags: ["write", "fast"], since: "5.0.0", handler: xdel },
    "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist."),
  streamCommand({ name: "xtrim", arity: -4, flags: ["write"], since: "5.0.0", handler: xtrim },
    "Trims the stream to (approximately if '~' is passed) a certain size"),
  // Keys follow STREAMS; COMMAND reports them with keyword search in Redis 7.
  streamCommand({ name: "xread", arity: -4, flags: ["readonly", "blocking", "movablekeys"], keys: [0, 0, 0], categories: ["@blocking"], since: "5.0.0", handler: (ctx, argv) => xreadGeneric(ctx, argv, false) },
    "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block."),
  streamCommand({ name: "xreadgroup", arity: -7, flags: ["write", "blocking", "movablekeys"], keys: [0, 0, 0], categories: ["@blocking"], since: "5.0.0", handler: (ctx, argv) => xreadGeneric(ctx, argv, true) },
    "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block."),
  streamCommand({ name: "xack", arity: -4, flags: ["write", "fast"], since: "5.0.0", handler: xack },
    "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL."),
  streamCommand({ name: "xpending", arity: -3, flags: ["readonly"], since: "5.0.0", handler: xpending },
    "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged."),
  streamCommand({ name: "xautoclaim", arity: -6, flags: ["write", "fast"], since: "6.2.0", handler: xautoclaim },
    "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer."),
  streamCommand({ name: "xclaim", arity: -6, flags: ["write", "fast"], since: "5.0.0", handler: xclaim },
    "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer."),
  {
    name: "xinfo",
    arity: -2,
    group: "stream",
    summary: "A container for stream introspection commands",
    since: "5.0.0",
    subcommands: [
      { name: "stream", arity: -3, flags: ["readonly"], keys: [2, 2, 1], group: "stream", summary: "Get information about a stream", since: "5.0.0", handler: xinfoStream },
      { name: "groups", arity: 3, flags: ["readonly"], keys: [2, 2, 1], group: "stream", summary: "List the consumer groups of a stream", since: "5.0.0", handler: xinfoGroups },
      { name: "consumers", arity: 4, flags: ["readonly"], keys: [2, 2, 1], group: "stream", summary: "List the consumers in a consumer group", since: "5.0.0", handler: xinfoConsumers },
    ],
  },
  {
    name: "xgroup",
    arity: -2,
    group: "stream",
    summary: "A container for consumer groups commands",
    since: "5.0.0",
    subcommands: [
      { name: "create", arity: -5, flags: ["write", "denyoom"], keys: [2, 2, 1], group: "stream", summary: "Create a consumer group.", since: "5.0.0", handler: xgroupCreate },
      { name: "setid", arity: -5, flags: ["write"], keys: [2, 2, 1], group: "stream", summary: "Set a consumer group to an arbitrary last delivered ID value.", since: "5.0.0", handler: xgroupSetId },
      { name: "destroy", arity: 4, flags: ["write"], keys: [2, 2, 1], group: "stream", summary: "Destroy a consumer group.", since: "5.0.0", handler: xgroupDestroy },
      { name: "createconsumer", arity: 5, flags: ["write", "denyoom"], keys: [2, 2, 1], group: "stream", summary: "Create a consumer in a consumer group.", since: "6.2.0", handler: xgroupCreateConsumer },
      { name: "delconsumer", arity: 5, flags: ["write"], keys: [2, 2, 1], group: "stream", summary: "Delete a consumer from a consumer group.", since: "5.0.0", handler: xgroupDelConsumer },
    ],
  },
];
