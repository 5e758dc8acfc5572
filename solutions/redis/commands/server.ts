// Server commands: DBSIZE, FLUSHALL, FLUSHDB, INFO.
// https://redis.io/commands/info/ (and /dbsize/, /flushall/, /flushdb/)

import { ERR_SYNTAX } from "../errors.ts";
import { bulkText, integer, OK, type Reply } from "../reply.ts";
import type { ServerState } from "../state.ts";
import { asciiLower, byteString, isOption } from "../text.ts";
import type { CommandDefinition } from "./define.ts";
import type { CommandContext } from "./types.ts";

/** The version INFO reports: the Redis release whose behaviour we follow. */
export const REDIS_VERSION = "7.0.15-syscraft";

/** FLUSHALL/FLUSHDB accept one optional ASYNC or SYNC (both flush at once here). */
function flushArgsError(argv: Buffer[]): Reply | null {
  if (argv.length > 2) return ERR_SYNTAX;
  if (argv.length === 2 && !isOption(argv[1]!, "sync") && !isOption(argv[1]!, "async")) {
    return ERR_SYNTAX;
  }
  return null;
}

type InfoSection = (state: ServerState) => Array<[string, string | number]>;

const INFO_SECTIONS: ReadonlyArray<readonly [string, InfoSection]> = [
  [
    "Server",
    (state) => [
      ["redis_version", REDIS_VERSION],
      ["redis_mode", "standalone"],
      ["os", `${process.platform} ${process.arch}`],
      ["arch_bits", 64],
      ["process_id", process.pid],
      ["tcp_port", state.config.get("port") ?? ""],
      ["uptime_in_seconds", Math.floor((Date.now() - state.stats.startedAt) / 1000)],
      ["uptime_in_days", Math.floor((Date.now() - state.stats.startedAt) / 86_400_000)],
      ["hz", state.config.get("hz") ?? "10"],
      ["executable", process.argv[1] ?? ""],
      ["config_file", ""],
    ],
  ],
  ["Clients", (state) => [["connected_clients", state.stats.connectedClients]]],
  [
    "Memory",
    (state) => [
      ["used_memory", process.memoryUsage().heapUsed],
      ["maxmemory", state.config.get("maxmemory") ?? "0"],
      ["maxmemory_policy", state.config.get("maxmemory-policy") ?? "noeviction"],
    ],
  ],
  ["Persistence", () => [["loading", 0]]],
  [
    "Stats",
    (state) => [
      ["total_connections_received", state.stats.connectionsReceived],
      ["total_commands_processed", state.stats.commandsProcessed],
      ["expired_keys", state.databases.reduce((n, db) => n + db.expiredKeys, 0)],
    ],
  ],
  [
    "Replication",
    () => [
      ["role", "master"],
      ["connected_slaves", 0],
    ],
  ],
  [
    "Keyspace",
    (state) =>
      state.databases.flatMap((db, i): Array<[string, string]> =>
        db.size > 0 ? [[`db${i}`, `keys=${db.size},expires=${db.volatileSize},avg_ttl=0`]] : [],
      ),
  ],
];

/** INFO [section ...]: "default"/"all"/"everything" or section names, any case. */
function info(ctx: CommandContext, argv: Buffer[]): Reply {
  const wanted = new Set(argv.slice(1).map((a) => asciiLower(byteString(a))));
  const everything = wanted.size === 0 || ["default", "all", "everything"].some((w) => wanted.has(w));
  const sections: string[] = [];
  for (const [title, render] of INFO_SECTIONS) {
    if (!everything && !wanted.has(title.toLowerCase())) continue;
    const lines = render(ctx.server).map(([k, v]) => `${k}:${v}\r\n`);
    sections.push(`# ${title}\r\n${lines.join("")}`);
  }
  return bulkText(sections.join("\r\n"));
}

export const serverCommands: readonly CommandDefinition[] = [
  {
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    group: "keyspace",
    summary: "Return the number of keys in the selected database",
    since: "1.0.0",
    handler: (ctx) => integer(ctx.db.size),
  },
  {
    name: "flushall",
    arity: -1,
    flags: ["write"],
    categories: ["@dangerous"],
    group: "server",
    summary: "Remove all keys from all databases",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const err = flushArgsError(argv);
      if (err) return err;
      for (const db of ctx.server.databases) db.clear();
      return OK;
    },
  },
  {
    name: "flushdb",
    arity: -1,
    flags: ["write"],
    categories: ["@dangerous"],
    group: "server",
    summary: "Remove all keys from the current database",
    since: "1.0.0",
    handler: (ctx, argv) => {
      const err = flushArgsError(argv);
      if (err) return err;
      ctx.db.clear();
      return OK;
    },
  },
  {
    name: "info",
    arity: -1,
    flags: ["loading", "stale"],
    categories: ["@dangerous"],
    group: "server",
    summary: "Get information and statistics about the server",
    since: "1.0.0",
    handler: info,
  },
];
