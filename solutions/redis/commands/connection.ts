// Connection commands: PING, ECHO, QUIT, SELECT.
// https://redis.io/commands/ping/ /echo/ /quit/ /select/

import { arityError, ERR_DB_INDEX, ERR_NOT_INTEGER, rangeError } from "../errors.ts";
import { INT32_MAX, INT32_MIN, parseInt64 } from "../int64.ts";
import { array, bulk, bulkBinary, OK, PONG } from "../reply.ts";
import type { CommandDefinition } from "./define.ts";

const PONG_PUSH = bulkBinary("pong");
const EMPTY = Buffer.alloc(0);

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
      // In RESP2 subscribed mode PING answers like a pushed message: ["pong", argument or ""].
      // https://redis.io/docs/latest/commands/ping/
      if (ctx.client.subscribed) return array([PONG_PUSH, bulk(argv[1] ?? EMPTY)]);
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
];
