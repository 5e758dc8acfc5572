// Connection commands: PING, ECHO, QUIT, SELECT, HELLO, CLIENT ID/SETNAME/GETNAME/REPLY.
// https://redis.io/commands/ping/ /echo/ /quit/ /select/ /hello/

import { arityError, ERR_DB_INDEX, ERR_NOT_INTEGER, ERR_SYNTAX, formattedError, rangeError } from "../errors.ts";
import { INT32_MAX, INT32_MIN, parseInt64 } from "../int64.ts";
import { array, bulk, bulkBinary, bulkText, error, integer, map, NO_REPLY, NULL_BULK, OK, PONG, type Reply } from "../reply.ts";
import { REDIS_VERSION } from "./server.ts";
import type { CommandDefinition } from "./define.ts";
import type { CommandContext } from "./types.ts";

const PONG_PUSH = bulkBinary("pong");
const EMPTY = Buffer.alloc(0);

const ERR_PROTO_NOT_INTEGER = error("ERR Protocol version is not an integer or out of range");
const NOPROTO = error("NOPROTO unsupported protocol version");
const WRONGPASS = error("WRONGPASS invalid username-password pair or user is disabled.");
const ERR_CLIENT_NAME = error("ERR Client names cannot contain spaces, newlines or special characters.");

/**
 * HELLO [protover [AUTH username password] [SETNAME clientname]]: switches
 * this connection to RESP2 or RESP3 and replies the server's description as
 * a map (in the protocol just chosen). Without a version the protocol stays.
 * Nothing changes when an argument is wrong. AUTH: there are no users or
 * passwords here, so "default" with any password is accepted, as
 * redis-server's default user without requirepass (nopass) is.
 */
function hello(ctx: CommandContext, argv: Buffer[]): Reply {
  let version: 2 | 3 | null = null;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseInt64(argv[next++]!);
    if (v === null) return ERR_PROTO_NOT_INTEGER;
    if (v !== 2n && v !== 3n) return NOPROTO;
    version = v === 2n ? 2 : 3;
  }
  let name: string | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!.toString("latin1");
    if (opt.toLowerCase() === "auth" && more >= 2) {
      if (argv[j + 1]!.toString("latin1") !== "default") return WRONGPASS;
      j += 2;
    } else if (opt.toLowerCase() === "setname" && more >= 1) {
      name = argv[j + 1]!.toString("latin1");
      j++;
    } else {
      return formattedError(`ERR Syntax error in HELLO option '${opt}'`);
    }
  }
  if (name !== null) {
    if (/[^\x21-\x7e]/.test(name)) return ERR_CLIENT_NAME;
    ctx.client.name = name;
  }
  if (version !== null) ctx.client.protocol = version;
  return map([
    [bulkText("server"), bulkText("redis")],
    [bulkText("version"), bulkText(REDIS_VERSION)],
    [bulkText("proto"), integer(ctx.client.protocol)],
    [bulkText("id"), integer(ctx.client.id)],
    [bulkText("mode"), bulkText("standalone")],
    [bulkText("role"), bulkText(ctx.server.replication.role === "slave" ? "replica" : "master")],
    [bulkText("modules"), array([])],
  ]);
}

export const connectionCommands: readonly CommandDefinition[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast"],
    group: "connection",
    summary: "Ping the server",
    since: "1.0.0",
    handler: (ctx, argv) => {
      if (argv.length > 2) return arityError(ctx.command.name);
      // In RESP2 subscribed mode PING answers like a pushed message: ["pong", argument or ""]; in RESP3 as usual.
      // https://redis.io/docs/latest/commands/ping/
      if (ctx.client.subscribed && ctx.client.protocol === 2) return array([PONG_PUSH, bulk(argv[1] ?? EMPTY)]);
      return argv.length === 2 ? bulk(argv[1]!) : PONG;
    },
  },
  {
    name: "echo",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group: "connection",
    summary: "Echo the given string",
    since: "1.0.0",
    handler: (_ctx, argv) => bulk(argv[1]!),
  },
  {
    // Redis answers QUIT before even looking at its arguments; arity -1
    // gives the same result.
    name: "quit",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    summary: "Close the connection",
    since: "1.0.0",
    handler: (ctx) => {
      ctx.client.closeAfterReply = true;
      return OK;
    },
  },
  {
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group: "connection",
    summary: "Change the selected database for the current connection",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const index = parseInt64(argv[1]!);
      if (index === null) return ERR_NOT_INTEGER;
      if (index < BigInt(INT32_MIN) || index > BigInt(INT32_MAX)) {
        return rangeError(INT32_MIN, INT32_MAX);
      }
      const db = Number(index);
      if (db < 0 || db >= ctx.server.databases.length) return ERR_DB_INDEX;
      ctx.client.db = db;
      return OK;
    },
  },
  {
    name: "hello",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    summary: "Handshake with Redis",
    since: "6.0.0",
    handler: hello,
  },
  {
    name: "client",
    arity: -2,
    group: "connection",
    summary: "A container for client connection commands",
    since: "2.4.0",
    subcommands: [
      {
        name: "id",
        arity: 2,
        flags: ["noscript", "loading", "stale"],
        group: "connection",
        summary: "Returns the client ID for the current connection",
        since: "5.0.0",
        handler: (ctx) => integer(ctx.client.id),
      },
      {
        name: "setname",
        arity: 3,
        flags: ["noscript", "loading", "stale"],
        group: "connection",
        summary: "Set the current connection name",
        since: "2.6.9",
        handler: (ctx, argv) => {
          const name = argv[2]!.toString("latin1");
          if (/[^\x21-\x7e]/.test(name)) return ERR_CLIENT_NAME;
          ctx.client.name = name;
          return OK;
        },
      },
      {
        name: "getname",
        arity: 2,
        flags: ["noscript", "loading", "stale"],
        group: "connection",
        summary: "Get the current connection name",
        since: "2.6.9",
        handler: (ctx) => (ctx.client.name === "" ? NULL_BULK : bulkBinary(ctx.client.name)),
      },
      {
        // CLIENT REPLY ON|OFF|SKIP: OFF and SKIP get no reply themselves.
        name: "reply",
        arity: 3,
        flags: ["noscript", "loading", "stale"],
        group: "connection",
        summary: "Instruct the server whether to reply to commands",
        since: "3.2.0",
        handler: (ctx, argv) => {
          const mode = argv[2]!.toString("latin1").toLowerCase();
          if (mode !== "on" && mode !== "off" && mode !== "skip") return ERR_SYNTAX;
          ctx.client.replyMode = mode;
          return mode === "on" ? OK : NO_REPLY;
        },
      },
    ],
  },
];
