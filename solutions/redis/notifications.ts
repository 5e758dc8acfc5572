// Keyspace notifications: Pub/Sub messages about changes to keys.
// https://redis.io/docs/latest/develop/use/keyspace-notifications/
//
// `notify-keyspace-events` holds the classes of events to send (g generic,
// $ string, l list, s set, h hash, z sorted set, x expired, e evicted,
// t stream, d module, n new key, m key miss; A for g$lshzxetd) and where: K
// sends PUBLISH __keyspace@<db>__:<key> <event>, E sends
// PUBLISH __keyevent@<db>__:<event> <key>. Nothing is sent unless K or E and
// the event's class are both on. The flag texts follow Redis 7.0's notify.c.
//
// Commands name their events with ctx.notify (commands/call.ts); a command
// that names none gets the events of EVENT_TABLE below, worked out from the
// keys it changed.

import type { ServerState } from "./state.ts";

/**
 * Deliberate mistakes for the keyspace notification fixtures
 * (harness/fixtures/redis/pubsub/), all off: each fixture turns one on.
 */
export const notificationMistakes = {
  /** Events are sent even when notify-keyspace-events is empty. */
  onByDefault: false,
  /** The __keyevent@ message goes out before the __keyspace@ one. */
  keyeventFirst: false,
  /** Channels always say database 0. */
  alwaysDbZero: false,
  /** Every class is on as soon as K or E is. */
  classesIgnored: false,
  /** The __keyevent@ message carries the event name instead of the key. */
  keyeventPayloadIsEvent: false,
  /** No "expired" events. */
  noExpired: false,
  /** No "del" when a command empties a collection. */
  noDelWhenEmptied: false,
  /** RENAME says rename_to for the old name and rename_from for the new one. */
  renameSwapped: false,
  /** CONFIG GET shows the flags as given, not in redis-server's order. */
  flagsAsGiven: false,
  /** A letter that is no class is accepted (and ignored). */
  unknownLetterAccepted: false,
  /** "new" is sent for every write of a key, not only when it is created. */
  newOnEveryWrite: false,
  /** The event is the command's name: INCR says "incr" (redis-server: "incrby"). */
  commandNames: false,
};

export type EventClass = "generic" | "string" | "list" | "set" | "hash" | "zset" | "expired" | "evicted" | "stream" | "module" | "new" | "keymiss";

const KEYSPACE = 1 << 0;
const KEYEVENT = 1 << 1;
const CLASS_BITS: Readonly<Record<EventClass, number>> = {
  generic: 1 << 2,
  string: 1 << 3,
  list: 1 << 4,
  set: 1 << 5,
  hash: 1 << 6,
  zset: 1 << 7,
  expired: 1 << 8,
  evicted: 1 << 9,
  stream: 1 << 10,
  keymiss: 1 << 11,
  module: 1 << 13,
  new: 1 << 14,
};
const ALL = ["generic", "string", "list", "set", "hash", "zset", "expired", "evicted", "stream", "module"].reduce(
  (bits, name) => bits | CLASS_BITS[name as EventClass],
  0,
);
const LETTERS: ReadonlyArray<readonly [string, number]> = [
  ["g", CLASS_BITS.generic],
  ["$", CLASS_BITS.string],
  ["l", CLASS_BITS.list],
  ["s", CLASS_BITS.set],
  ["h", CLASS_BITS.hash],
  ["z", CLASS_BITS.zset],
  ["x", CLASS_BITS.expired],
  ["e", CLASS_BITS.evicted],
  ["t", CLASS_BITS.stream],
  ["d", CLASS_BITS.module],
  ["n", CLASS_BITS.new],
];

/** The flags of a `notify-keyspace-events` value, or null when it has a letter that is no class. */
export function parseEventFlags(text: string): number | null {
  let flags = 0;
  for (const c of text) {
    if (c === "A") flags |= ALL;
    else if (c === "K") flags |= KEYSPACE;
    else if (c === "E") flags |= KEYEVENT;
    else if (c === "m") flags |= CLASS_BITS.keymiss;
    else {
      const letter = LETTERS.find(([l]) => l === c);
      if (letter === undefined) {
        if (notificationMistakes.unknownLetterAccepted) continue;
        return null;
      }
      flags |= letter[1];
    }
  }
  return flags;
}

/** The flags written back as CONFIG GET shows them (A when every class of A is on, then K, E, m). */
export function formatEventFlags(flags: number): string {
  let out = "";
  if ((flags & ALL) === ALL) {
    out = "A";
    if (flags & CLASS_BITS.new) out += "n";
  } else for (const [letter, bit] of LETTERS) if (flags & bit) out += letter;
  if (flags & KEYSPACE) out += "K";
  if (flags & KEYEVENT) out += "E";
  if (flags & CLASS_BITS.keymiss) out += "m";
  return out;
}

let cachedText = "";
let cachedFlags = 0;

function currentFlags(server: ServerState): number {
  const text = server.config.get("notify-keyspace-events") ?? "";
  if (text !== cachedText) [cachedText, cachedFlags] = [text, parseEventFlags(text) ?? 0];
  if (notificationMistakes.onByDefault && cachedFlags === 0) return ALL | KEYSPACE | KEYEVENT;
  if (notificationMistakes.classesIgnored && (cachedFlags & (KEYSPACE | KEYEVENT)) !== 0) return cachedFlags | ALL | CLASS_BITS.new;
  return cachedFlags;
}

/** Whether any keyspace event would be sent now. */
export function notificationsOn(server: ServerState): boolean {
  const flags = currentFlags(server);
  return (flags & ~(KEYSPACE | KEYEVENT)) !== 0 && (flags & (KEYSPACE | KEYEVENT)) !== 0;
}

/** Publishes `event` about `key` (a byte string) in database `db`, if its class is on. */
export function notifyKeyspaceEvent(server: ServerState, db: number, cls: EventClass, event: string, key: string): void {
  const flags = currentFlags(server);
  if ((flags & CLASS_BITS[cls]) === 0) return;
  if (cls === "expired" && notificationMistakes.noExpired) return;
  if (notificationMistakes.alwaysDbZero) db = 0;
  const sends: (() => void)[] = [];
  if (flags & KEYSPACE) sends.push(() => server.pubsub.publish(`__keyspace@${db}__:${key}`, Buffer.from(event, "latin1")));
  const payload = notificationMistakes.keyeventPayloadIsEvent ? event : key;
  if (flags & KEYEVENT) sends.push(() => server.pubsub.publish(`__keyevent@${db}__:${event}`, Buffer.from(payload, "latin1")));
  if (notificationMistakes.keyeventFirst) sends.reverse();
  for (const send of sends) send();
}

/** The class of a command group's events. */
const GROUP_CLASS: Readonly<Record<string, EventClass>> = {
  string: "string",
  bitmap: "string",
  list: "list",
  set: "set",
  hash: "hash",
  sortedset: "zset",
  stream: "stream",
  keyspace: "generic",
  generic: "generic",
};

/**
 * The event a command sends for each key it changed, when it names none
 * itself and it is not the command's own name. `store`: the command writes
 * a result to its key, and an empty result deletes the key (only "del" then).
 */
const EVENT_TABLE: Readonly<Record<string, { event?: string; cls?: EventClass; store?: boolean }>> = {
  setnx: { event: "set" },
  getset: { event: "set" },
  mset: { event: "set" },
  msetnx: { event: "set" },
  incr: { event: "incrby" },
  decr: { event: "incrby" },
  decrby: { event: "incrby" },
  del: { event: "del" },
  unlink: { event: "del" },
  getdel: { event: "del", cls: "generic" },
  expire: { store: true },
  pexpire: { event: "expire", store: true },
  expireat: { event: "expire", store: true },
  pexpireat: { event: "expire", store: true },
  hmset: { event: "hset" },
  hsetnx: { event: "hset" },
  lpushx: { event: "lpush" },
  rpushx: { event: "rpush" },
  blpop: { event: "lpop" },
  brpop: { event: "rpop" },
  zincrby: { event: "zincr" },
  bzpopmin: { event: "zpopmin" },
  bzpopmax: { event: "zpopmax" },
  restore: { cls: "generic", store: true },
  // Stream reads and claims announce only the consumers they create (streams.ts).
  xreadgroup: { event: "" },
  xclaim: { event: "" },
  xautoclaim: { event: "" },
  xack: { event: "" },
  sinterstore: { store: true },
  sunionstore: { store: true },
  sdiffstore: { store: true },
  zunionstore: { store: true },
  zinterstore: { store: true },
  zdiffstore: { store: true },
  zrangestore: { store: true },
};

/** Events of a command that named none, for the keys it changed (in order, each once). */
export function defaultEvents(
  server: ServerState,
  clientDb: number,
  command: { name: string; group: string },
  argv: readonly Buffer[],
  changed: readonly (readonly [number, string])[],
): void {
  const entry = EVENT_TABLE[command.name] ?? {};
  const cls = entry.cls ?? GROUP_CLASS[command.group];
  if (cls === undefined) return;
  const has = (word: string) => argv.some((a, i) => i > 0 && a.length === word.length && a.toString("latin1").toLowerCase() === word);
  let event = notificationMistakes.commandNames ? command.name : entry.event ?? command.name.replace("|", "-");
  if (event === "") return;
  if (command.name === "zadd" && has("incr")) event = "zincr";
  // Commands that move something between two keys announce the source first, as redis-server does.
  const source = argv[1]?.toString("latin1");
  const ordered = ["rename", "renamenx", "rpoplpush", "brpoplpush", "lmove", "blmove", "smove"].includes(command.name)
    ? [...changed.filter(([, k]) => k === source), ...changed.filter(([, k]) => k !== source)]
    : changed;
  const seen = new Set<string>();
  for (const [db, key] of ordered) {
    if (seen.has(`${db}:${key}`)) continue;
    seen.add(`${db}:${key}`);
    const exists = server.databases[db]!.has(key);
    if (command.name === "move") {
      notifyKeyspaceEvent(server, db, "generic", db === clientDb ? "move_from" : "move_to", key);
      continue;
    }
    const special = twoKeyEvent(command.name, argv, key, exists);
    if (special !== undefined) {
      notifyKeyspaceEvent(server, db, special[0], special[1], key);
      if (!exists && special[1] !== "del" && special[1] !== "rename_from") notifyKeyspaceEvent(server, db, "generic", "del", key);
      continue;
    }
    if (command.name === "getex") {
      notifyKeyspaceEvent(server, db, "generic", exists ? (has("persist") ? "persist" : "expire") : "del", key);
      continue;
    }
    if (event === "del") {
      if (!exists) notifyKeyspaceEvent(server, db, "generic", "del", key);
      continue;
    }
    if (exists || !entry.store) notifyKeyspaceEvent(server, db, cls, event, key);
    // A collection emptied by the command is deleted: "del" follows.
    if (!exists && !notificationMistakes.noDelWhenEmptied) notifyKeyspaceEvent(server, db, "generic", "del", key);
    // SETEX, PSETEX and SET with an expiry also announce the expiry.
    else if (command.name === "setex" || command.name === "psetex" || (command.name === "set" && ["ex", "px", "exat", "pxat"].some(has))) {
      notifyKeyspaceEvent(server, db, "generic", "expire", key);
    }
  }
}

/** The event of commands that treat their keys differently (source and destination). */
function twoKeyEvent(name: string, argv: readonly Buffer[], key: string, exists: boolean): readonly [EventClass, string] | undefined {
  const isFirst = argv[1]?.toString("latin1") === key;
  const word = (i: number) => argv[i]?.toString("latin1").toLowerCase();
  switch (name) {
    case "rename":
    case "renamenx":
      return ["generic", (isFirst && !exists) !== notificationMistakes.renameSwapped ? "rename_from" : "rename_to"];
    case "copy":
      return ["generic", "copy_to"];
    case "rpoplpush":
    case "brpoplpush":
      return ["list", isFirst ? "rpop" : "lpush"];
    case "lmove":
    case "blmove":
      return ["list", isFirst ? `${word(3)}pop` : `${word(4)}push`];
    case "smove":
      return ["set", isFirst ? "srem" : "sadd"];
    case "lmpop":
      return ["list", `${word(2 + Number(word(1)))}pop`];
    case "blmpop":
      return ["list", `${word(3 + Number(word(2)))}pop`];
    case "zmpop":
      return ["zset", `zpop${word(2 + Number(word(1)))}`];
    case "bzmpop":
      return ["zset", `zpop${word(3 + Number(word(2)))}`];
    default:
      return undefined;
  }
}
