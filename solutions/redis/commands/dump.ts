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

/**
 * Deliberate mistakes for the DUMP/RESTORE fixtures (harness/fixtures/redis/keyspace/),
 * all off: each fixture turns one on.
 */
export const dumpMistakes = {
  /** DUMP of a missing key replies an empty string, not nil. */
  missingAsEmpty: false,
  /** DUMP writes the checksum big-endian. */
  checksumBigEndian: false,
  /** DUMP leaves out the RDB version. */
  noVersion: false,
  /** RESTORE does not check the checksum. */
  checksumIgnored: false,
  /** RESTORE takes any RDB version. */
  versionIgnored: false,
  /** RESTORE reads only the encodings DUMP writes here (no intset, listpack, quicklist…). */
  onlyOwnEncodings: false,
  /** RESTORE replaces an existing key without REPLACE. */
  overwrites: false,
  /** RESTORE refuses an existing key even with REPLACE. */
  replaceIgnored: false,
  /** RESTORE's TTL is ignored (the key never expires). */
  ttlIgnored: false,
  /** ABSTTL is ignored: the TTL is read as relative. */
  absTtlIgnored: false,
  /** A negative TTL is taken as 0. */
  negativeTtlAccepted: false,
  /** A payload that decodes to nothing valid is reported as a checksum error. */
  badFormatAsChecksum: false,
  /** Unknown options are ignored. */
  unknownOptionIgnored: false,
};

function dump(ctx: CommandContext, argv: Buffer[]): Reply {
  const value = ctx.db.get(keyOf(argv[1]!));
  if (value === undefined) return dumpMistakes.missingAsEmpty ? bulk(Buffer.alloc(0)) : NULL_BULK;
  const payload = dumpValue(value, ctx.server.config.get("rdbcompression") !== "no");
  if (dumpMistakes.checksumBigEndian) payload.subarray(payload.length - 8).reverse();
  if (dumpMistakes.noVersion) return bulk(Buffer.concat([payload.subarray(0, payload.length - 10), payload.subarray(payload.length - 8)]));
  return bulk(payload);
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
    } else if (!dumpMistakes.unknownOptionIgnored) return ERR_SYNTAX;
  }
  if (dumpMistakes.overwrites) replace = true;
  if (dumpMistakes.replaceIgnored) replace = false;
  if (dumpMistakes.absTtlIgnored) absTtl = false;
  const key = keyOf(argv[1]!);
  if (!replace && ctx.db.has(key)) return error("BUSYKEY Target key name already exists.");
  let ttl = parseInt64(argv[2]!);
  if (ttl === null) return ERR_NOT_INTEGER;
  if (ttl < 0n && dumpMistakes.negativeTtlAccepted) ttl = 0n;
  if (ttl < 0n) return error("ERR Invalid TTL value, must be >= 0");
  if (dumpMistakes.ttlIgnored) ttl = 0n;
  const value = restoreValue(argv[3]!, {
    checksum: !dumpMistakes.checksumIgnored,
    version: !dumpMistakes.versionIgnored,
    onlyWrittenTypes: dumpMistakes.onlyOwnEncodings,
  });
  if (value === "version") return error("ERR DUMP payload version or checksum are wrong");
  if (value === "format") return error(dumpMistakes.badFormatAsChecksum ? "ERR DUMP payload version or checksum are wrong" : "ERR Bad data format");
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
