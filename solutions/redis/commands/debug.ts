// DEBUG: the few subcommands Redis's own test suite leans on that the
// reference can honour without redis-server's internals.
// https://redis.io/docs/latest/commands/debug/ (redis-server refuses DEBUG
// unless enable-debug-command allows it; the reference always accepts it.)
//
//   DEBUG SET-ACTIVE-EXPIRE 0|1   stop / restart the active expiry cycle
//   DEBUG RELOAD                  write the dataset as an RDB and load it back
//   DEBUG SLEEP <seconds>         block the server for that long
//   DEBUG OBJECT <key>            encoding and serialized length (no addresses,
//                                 refcount 1, lru 0: internals we do not have)
//
// Any other subcommand is an error, so a test that needs an internal this
// server does not have stops there rather than passing by accident.

import { formattedError } from "../errors.ts";
import { dumpValue, encodeRdb, loadRdb } from "../persistence/rdb.ts";
import { error, OK, simple, type Reply } from "../reply.ts";
import { encodingOf } from "./keys.ts";
import { asciiLower, byteString } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import type { CommandContext } from "./types.ts";

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
