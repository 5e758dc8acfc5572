// DEBUG: the few subcommands Redis's own test suite leans on that the
// reference can honour without redis-server's internals.
// https://redis.io/docs/latest/commands/debug/ (redis-server refuses DEBUG
// unless enable-debug-command allows it; the reference always accepts it.)
//
//   DEBUG SET-ACTIVE-EXPIRE 0|1   stop / restart the active expiry cycle
//   DEBUG RELOAD                  write the dataset as an RDB and load it back
//   DEBUG SLEEP <seconds>         block the server for that long
//   DEBUG DIGEST-VALUE <key>...   a digest per key, equal for equal values
//   DEBUG DIGEST                  one digest of the whole dataset
//   DEBUG OBJECT <key>            encoding and serialized length (no addresses,
//                                 refcount 1, lru 0: internals we do not have)
//
// Any other subcommand is an error, so a test that needs an internal this
// server does not have stops there rather than passing by accident.

import { formattedError } from "../errors.ts";
import { dumpValue, encodeRdb, loadRdb } from "../persistence/rdb.ts";
import { createHash } from "node:crypto";
import type { RedisValue } from "../keyspace.ts";
import { array, bulkText, error, OK, simple, type Reply } from "../reply.ts";
import { encodingOf } from "./keys.ts";
import { asciiLower, byteString } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import type { CommandContext } from "./types.ts";

function sha1(data: Uint8Array): Buffer {
  return createHash("sha1").update(data).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((x, i) => x ^ b[i]!));
}

/**
 * A digest of a value (40 hex digits, zeros for a missing key) that is the
 * same for equal values whatever their encoding or order: SHA-1 of a string,
 * chained over a list's elements or a stream's entries, XORed over a set's
 * members, a hash's fields and values, a sorted set's members and scores.
 * Not redis-server's digest (which mixes its own way); equal values give
 * equal digests in each, which is what its test suite compares.
 */
function digestOf(value: RedisValue | undefined): string {
  if (value === undefined) return "0".repeat(40);
  const latin = (s: string) => Buffer.from(s, "latin1");
  let acc: Buffer = Buffer.alloc(20);
  switch (value.type) {
    case "string":
      acc = sha1(value.data);
      break;
    case "list":
      for (const item of value.data) acc = sha1(Buffer.concat([acc, item]));
      break;
    case "set":
      for (const m of value.data) acc = xor(acc, sha1(latin(m)));
      break;
    case "hash":
      for (const [f, v] of value.data) acc = xor(acc, sha1(Buffer.concat([latin(f), Buffer.from([0]), v])));
      break;
    case "zset":
      for (const [m, score] of value.data.entries()) acc = xor(acc, sha1(latin(`${m}\0${score}`)));
      break;
    case "stream":
      acc = sha1(dumpValue(value));
      break;
  }
  return acc.toString("hex");
}

function debug(ctx: CommandContext, argv: Buffer[]): Reply {
  const sub = asciiLower(byteString(argv[1]!));
  const server = ctx.server;
  if (sub === "set-active-expire" && argv.length === 3) {
    const on = byteString(argv[2]!) !== "0";
    for (const db of server.databases) {
      if (on) db.startActiveExpiry();
      else db.stopActiveExpiry();
    }
    return OK;
  }
  if (sub === "reload" && argv.length === 2) {
    const bytes = encodeRdb(server);
    for (const db of server.databases) db.clear();
    loadRdb(server, bytes);
    return OK;
  }
  if (sub === "object" && argv.length === 3) {
    // Only what the reference knows: the encoding OBJECT ENCODING reports,
    // the length DUMP's payload would have, and the idle time.
    const value = ctx.db.peek(byteString(argv[2]!));
    if (value === undefined) return error("ERR no such key");
    const length = dumpValue(value).length - 10;
    return simple(`Value at:0x0 refcount:1 encoding:${encodingOf(value, server.config)} serializedlength:${length} lru:0 lru_seconds_idle:0`);
  }
  if (sub === "digest-value" && argv.length >= 2) {
    return array(argv.slice(2).map((k) => bulkText(digestOf(ctx.db.peek(byteString(k))))));
  }
  if (sub === "digest" && argv.length === 2) {
    let acc: Buffer = Buffer.alloc(20);
    for (const db of server.databases) {
      for (const key of db.keys()) acc = xor(acc, sha1(Buffer.concat([Buffer.from(String(db.index)), Buffer.from(key, "latin1"), Buffer.from(digestOf(db.peek(key)), "latin1")])));
    }
    return simple(acc.equals(Buffer.alloc(20)) ? "0".repeat(40) : acc.toString("hex"));
  }
  if (sub === "sleep" && argv.length === 3) {
    const seconds = Number(byteString(argv[2]!));
    if (!Number.isFinite(seconds) || seconds < 0) return error("ERR value is not a valid float");
    Bun.sleepSync(seconds * 1000);
    return OK;
  }
  return formattedError(`ERR unknown subcommand or wrong number of arguments for '${byteString(argv[1]!)}'. Try DEBUG HELP.`);
}

export const debugCommands: readonly CommandDefinition[] = [
  {
    name: "debug",
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    group: "server",
    summary: "A container for debugging commands",
    since: "1.0.0",
    handler: debug,
  },
];
