// Commands across the numbered databases: SWAPDB and MOVE (SELECT is in
// connection.ts, DBSIZE and FLUSHDB/FLUSHALL in server.ts).
// https://redis.io/commands/swapdb/ and /move/ — replies and error texts as
// Redis 7.0's db.c gives them.

import { ERR_DB_INDEX, ERR_NOT_INTEGER, rangeError } from "../errors.ts";
import { INT32_MAX, INT32_MIN, parseInt64 } from "../int64.ts";
import { error, OK, ONE, ZERO, type Reply } from "../reply.ts";
import type { ServerState } from "../state.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf } from "./helpers.ts";
import type { CommandContext } from "./types.ts";

const ERR_SAME_OBJECT = error("ERR source and destination objects are the same");

/**
 * A database number argument as Redis's getIntFromObjectOrReply reads it: an
 * int, or the error (`message` replaces both errors when given, as SWAPDB's do).
 */
function parseDbIndex(arg: Uint8Array, message?: string): number | Reply {
  const n = parseInt64(arg);
  if (n === null) return message === undefined ? ERR_NOT_INTEGER : error(message);
  if (n < BigInt(INT32_MIN) || n > BigInt(INT32_MAX)) return message === undefined ? rangeError(INT32_MIN, INT32_MAX) : error(message);
  return Number(n);
}

function exists(server: ServerState, index: number): boolean {
  return index >= 0 && index < server.databases.length;
}

/** SWAPDB index1 index2: the two databases exchange their contents, for every client. */
function swapdb(ctx: CommandContext, argv: Buffer[]): Reply {
  const first = parseDbIndex(argv[1]!, "ERR invalid first DB index");
  if (typeof first !== "number") return first;
  const second = parseDbIndex(argv[2]!, "ERR invalid second DB index");
  if (typeof second !== "number") return second;
  const { server } = ctx;
  if (!exists(server, first) || !exists(server, second)) return ERR_DB_INDEX;
  if (first === second) return OK;
  const a = server.databases[first]!;
  const b = server.databases[second]!;
  // The keyspace objects change places and numbers; clients keep their number.
  [server.databases[first], server.databases[second]] = [b, a];
  [a.index, b.index] = [second, first];
  server.dirty++;
  // Clients watching keys of either database fail their EXEC; clients blocked on a key now present retry.
  for (const db of [a, b]) {
    server.watches.flushed(db.index, (key) => a.holds(key) || b.holds(key));
    for (const key of db.keys()) server.blocking.keyModified(db.index, key);
  }
  return OK;
}

/** MOVE key db: moves the key (value and TTL) from the selected database to `db`, unless it exists there. */
function move(ctx: CommandContext, argv: Buffer[]): Reply {
  const target = parseDbIndex(argv[2]!);
  if (typeof target !== "number") return target;
  if (!exists(ctx.server, target)) return ERR_DB_INDEX;
  const source = ctx.db;
  const destination = ctx.server.databases[target]!;
  if (destination === source) return ERR_SAME_OBJECT;
  const key = keyOf(argv[1]!);
  const value = source.peek(key);
  if (value === undefined || destination.has(key)) return ZERO;
  const deadline = source.getExpire(key);
  destination.set(key, value);
  if (deadline !== undefined) destination.setExpire(key, deadline);
  source.delete(key);
  return ONE;
}

export const databaseCommands: readonly CommandDefinition[] = [
  {
    name: "swapdb",
    arity: 3,
    flags: ["write", "fast"],
    categories: ["@dangerous"],
    group: "server",
    summary: "Swaps two Redis databases",
    since: "4.0.0",
    handler: swapdb,
  },
  {
    name: "move",
    arity: 3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "keyspace",
    summary: "Move a key to another database",
    since: "1.0.0",
    handler: move,
  },
];
