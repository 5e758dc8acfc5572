// DUMP and RESTORE: one key's value serialized as redis-server serializes it
// (RDB value encoding, RDB version, CRC64), so a payload DUMPed by
// redis-server RESTOREs here and the other way round.
// https://redis.io/commands/dump/, https://redis.io/commands/restore/ —
// option parsing and error precedence follow Redis 7.0's cluster.c.

import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../errors.ts";
import { AccessTracker } from "../eviction/index.ts";
import { parseInt64 } from "../int64.ts";
import { dumpValue, restoreValue } from "../persistence/rdb.ts";
import { bulk, error, NULL_BULK, OK, type Reply } from "../reply.ts";
import { isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import { keyOf } from "./helpers.ts";
import type { CommandContext } from "./types.ts";

const ABSTTL = Buffer.from("ABSTTL");

function dump(ctx: CommandContext, argv: Buffer[]): Reply {
  const value = ctx.db.get(keyOf(argv[1]!));
  if (value === undefined) return NULL_BULK;
  if (value.type === "stream") return error("ERR DUMP of a stream is not supported by this server");
  return bulk(dumpValue(value, ctx.server.config.get("rdbcompression") !== "no"));
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]. */
function restore(ctx: CommandContext, argv: Buffer[]): Reply {
  let [replace, absTtl, idle, freq] = [false, false, -1n, -1n];
  for (let j = 4; j < argv.length; j++) {
    const opt = argv[j]!;
    const more = j + 1 < argv.length;
    if (isOption(opt, "replace")) replace = true;
    else if (isOption(opt, "absttl")) absTtl = true;
    else if (isOption(opt, "idletime") && more && freq === -1n) {
      const n = parseInt64(argv[++j]!);
      if (n === null) return ERR_NOT_INTEGER;
      if (n < 0n) return error("ERR Invalid IDLETIME value, must be >= 0");
      idle = n;
    } else if (isOption(opt, "freq") && more && idle === -1n) {
      const n = parseInt64(argv[++j]!);
      if (n === null) return ERR_NOT_INTEGER;
      if (n < 0n || n > 255n) return error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = n;
    } else return ERR_SYNTAX;
  }
  const key = keyOf(argv[1]!);
  if (!replace && ctx.db.has(key)) return error("BUSYKEY Target key name already exists.");
  const ttl = parseInt64(argv[2]!);
  if (ttl === null) return ERR_NOT_INTEGER;
  if (ttl < 0n) return error("ERR Invalid TTL value, must be >= 0");
  const value = restoreValue(argv[3]!);
  if (value === "version") return error("ERR DUMP payload version or checksum are wrong");
  if (value === "format") return error("ERR Bad data format");
  const deleted = replace && ctx.db.delete(key);
  const deadline = ttl === 0n ? 0 : Number(ttl) + (absTtl ? 0 : ctx.db.now());
  if (deadline !== 0 && deadline < ctx.db.now()) {
    // Already expired: nothing is created (a replaced key is gone, propagated as DEL).
    if (deleted) ctx.propagate([Buffer.from("DEL"), argv[1]!]);
    return OK;
  }
  ctx.db.set(key, value);
  if (deadline !== 0) {
    ctx.db.setExpire(key, deadline);
    // Propagated with the absolute deadline, as redis-server does.
    if (!absTtl) ctx.propagate([argv[0]!, argv[1]!, Buffer.from(String(deadline)), ...argv.slice(3), ABSTTL]);
  }
  const meta = ctx.db.listener instanceof AccessTracker ? ctx.db.listener.meta.get(key) : undefined;
  if (meta !== undefined) {
    if (idle >= 0n) meta.lru = ctx.db.now() - Number(idle) * 1000;
    if (freq >= 0n) meta.counter = Number(freq);
  }
  return OK;
}

export const dumpCommands: readonly CommandDefinition[] = [
  {
    name: "dump",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "keyspace",
    summary: "Return a serialized version of the value stored at the specified key.",
    since: "2.6.0",
    handler: dump,
  },
  {
    name: "restore",
    arity: -4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    categories: ["@dangerous"],
    group: "keyspace",
    summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
    since: "2.6.0",
    handler: restore,
  },
];
