// Replication commands: REPLICAOF (and its old name SLAVEOF), REPLCONF,
// PSYNC, WAIT, ROLE. https://redis.io/docs/latest/commands/replicaof/,
// /replconf/, /psync/, /wait/, /role/.

import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../errors.ts";
import { parseInt64 } from "../int64.ts";
import { acknowledge, fullResync, replicaLink, replicasAt, requestAcks } from "../replication/master.ts";
import { promote, replicaOf } from "../replication/replica.ts";
import { array, bulkText, error, integer, NO_REPLY, OK, simple, type Reply } from "../reply.ts";
import { asciiLower, byteString, isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import type { CommandContext, CommandResult } from "./types.ts";

function replicaof(ctx: CommandContext, argv: Buffer[]): Reply {
  const host = byteString(argv[1]!);
  if (isOption(argv[1]!, "no") && isOption(argv[2]!, "one")) {
    promote(ctx.server);
    return OK;
  }
  const n = parseInt64(argv[2]!);
  if (n === null || n < 0n || n > 65535n) return error("ERR Invalid master port");
  const master = ctx.server.replication.master;
  if (master !== null && master.host === host && master.port === Number(n)) {
    return simple("OK Already connected to specified master");
  }
  replicaOf(ctx.server, host, Number(n));
  return OK;
}

function replconf(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length % 2 === 0) return ERR_SYNTAX;
  for (let i = 1; i < argv.length; i += 2) {
    const option = asciiLower(byteString(argv[i]!));
    const value = argv[i + 1]!;
    if (option === "ack") {
      const offset = parseInt64(value);
      if (offset !== null) acknowledge(ctx.server, ctx.client, Number(offset));
      return NO_REPLY;
    }
    if (option === "getack") return NO_REPLY;
    if (option === "listening-port") {
      const port = parseInt64(value);
      if (port === null) return ERR_NOT_INTEGER;
      replicaLink(ctx.server, ctx.client).listeningPort = Number(port);
    } else if (!["capa", "ip-address", "rdb-only", "rdb-filter-only"].includes(option)) {
      return error(`ERR Unrecognized REPLCONF option: ${byteString(argv[i]!)}`);
    }
  }
  return OK;
}

/** PSYNC (always a full resynchronisation) and SYNC, its pre-2.8 form (the snapshot with no +FULLRESYNC line). */
function psync(ctx: CommandContext, announce: boolean): Reply {
  if (ctx.server.replication.role !== "master") {
    return error("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  return fullResync(ctx.server, ctx.client, announce);
}

function wait(ctx: CommandContext, argv: Buffer[]): CommandResult {
  if (ctx.server.replication.role !== "master") {
    return error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
  }
  const wanted = parseInt64(argv[1]!);
  const timeout = parseInt64(argv[2]!);
  if (wanted === null || timeout === null) return ERR_NOT_INTEGER;
  if (timeout < 0n) return error("ERR timeout is negative");
  const server = ctx.server;
  const target = server.replication.offset;
  const count = (): Reply => integer(replicasAt(server, target));
  if (replicasAt(server, target) >= Number(wanted)) return count();
  requestAcks(server);
  return {
    kind: "block",
    keys: [],
    deadline: timeout === 0n ? 0 : Date.now() + Number(timeout),
    retry: () => (replicasAt(server, target) >= Number(wanted) ? count() : undefined),
    timeout: count,
  };
}

function role(ctx: CommandContext): Reply {
  const repl = ctx.server.replication;
  if (repl.master === null) {
    const replicas = [...repl.replicas.values()].map((l) => {
      const ip = l.client.peer.slice(0, l.client.peer.lastIndexOf(":"));
      return array([bulkText(ip), bulkText(String(l.listeningPort)), bulkText(String(l.ackOffset))]);
    });
    return array([bulkText("master"), integer(repl.offset), array(replicas)]);
  }
  const m = repl.master;
  const state = m.state === "connected" ? "connected" : m.state === "sync" ? "sync" : m.state === "handshake" ? "handshake" : "connect";
  return array([bulkText("slave"), bulkText(m.host), integer(m.port), bulkText(state), integer(m.offset)]);
}

const replicaofDef = {
  arity: 3,
  flags: ["admin", "noscript", "stale", "no_async_loading"],
  group: "server",
  since: "5.0.0",
  handler: replicaof,
} as const;

export const replicationCommands: readonly CommandDefinition[] = [
  { name: "replicaof", summary: "Configure a server as replica of another, or promote it to a master", ...replicaofDef },
  { name: "slaveof", summary: "Sets a Redis server as a replica of another, or promotes it to being a master", ...replicaofDef, since: "1.0.0" },
  {
    name: "replconf",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "allow_busy"],
    group: "server",
    summary: "An internal command for configuring the replication stream",
    since: "3.0.0",
    handler: replconf,
  },
  {
    name: "psync",
    arity: -3,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    group: "server",
    summary: "An internal command used in replication",
    since: "2.8.0",
    handler: (ctx) => psync(ctx, true),
  },
  {
    name: "sync",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    group: "server",
    summary: "Internal command used for replication",
    since: "1.0.0",
    handler: (ctx) => psync(ctx, false),
  },
  {
    name: "wait",
    arity: 3,
    flags: ["noscript"],
    categories: ["@connection"],
    group: "generic",
    summary: "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed",
    since: "3.0.0",
    handler: wait,
  },
  {
    name: "role",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast"],
    categories: ["@admin", "@dangerous"],
    group: "server",
    summary: "Returns the replication role",
    since: "2.8.12",
    handler: role,
  },
];
