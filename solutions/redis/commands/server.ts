// Server commands: DBSIZE, FLUSHALL, FLUSHDB, INFO.
// https://redis.io/commands/info/ (and /dbsize/, /flushall/, /flushdb/)

import { ERR_SYNTAX } from "../errors.ts";
import { array, bulkText, error, integer, NULL_BULK, OK, verbatim, type Reply } from "../reply.ts";
import { maxMemory, usedMemory } from "../eviction/index.ts";
import { humanBytes, keyBytes } from "../eviction/memory.ts";
import type { Keyspace } from "../keyspace.ts";
import { replicationInfo } from "../replication/info.ts";
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

/** Mean milliseconds left of the keys with a TTL (Redis estimates it by sampling; we compute it). */
function averageTtl(db: Keyspace): number {
  const now = db.now();
  let sum = 0;
  let n = 0;
  for (const key of db.keys()) {
    const deadline = db.getExpire(key);
    if (deadline === undefined) continue;
    sum += Math.max(0, deadline - now);
    n++;
  }
  return n === 0 ? 0 : Math.round(sum / n);
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
  ["Clients", (state) => [["connected_clients", state.stats.connectedClients], ["blocked_clients", state.blocking.size]]],
  [
    "Memory",
    (state) => [
      // An estimate, not the heap size: see eviction/memory.ts.
      ["used_memory", usedMemory(state)],
      ["used_memory_human", humanBytes(usedMemory(state))],
      ["maxmemory", maxMemory(state)],
      ["maxmemory_human", humanBytes(maxMemory(state))],
      ["maxmemory_policy", state.config.get("maxmemory-policy") ?? "noeviction"],
    ],
  ],
  [
    "Persistence",
    (state) => {
      const p = state.persistence;
      return [
        ["loading", 0],
        ["rdb_changes_since_last_save", state.dirty],
        ["rdb_bgsave_in_progress", p.bgsaveInProgress ? 1 : 0],
        ["rdb_last_save_time", p.lastSave],
        ["rdb_last_bgsave_status", p.lastBgsaveOk ? "ok" : "err"],
        ["rdb_saves", p.saves],
        ["rdb_last_load_keys_expired", p.lastLoadExpired],
        ["rdb_last_load_keys_loaded", p.lastLoadKeys],
        ["aof_enabled", p.aof ? 1 : 0],
        ["aof_rewrite_in_progress", p.aofRewriteInProgress ? 1 : 0],
        ["aof_rewrites", p.aofRewrites],
        ...(p.aof ? ([["aof_current_size", p.aof.baseSize + p.aof.size], ["aof_base_size", p.aof.baseSize]] as Array<[string, number]>) : []),
      ];
    },
  ],
  [
    "Stats",
    (state) => [
      ["total_connections_received", state.stats.connectionsReceived],
      ["total_commands_processed", state.stats.commandsProcessed],
      ["expired_keys", state.databases.reduce((n, db) => n + db.expiredKeys, 0)],
      ["evicted_keys", state.stats.evictedKeys],
      ["keyspace_hits", state.databases.reduce((n, db) => n + db.hits, 0)],
      ["keyspace_misses", state.databases.reduce((n, db) => n + db.misses, 0)],
    ],
  ],
  ["Replication", replicationInfo],
  [
    "Keyspace",
    (state) =>
      state.databases.flatMap((db, i): Array<[string, string]> =>
        db.size > 0 ? [[`db${i}`, `keys=${db.size},expires=${db.volatileSize},avg_ttl=${averageTtl(db)}`]] : [],
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
  return verbatim(Buffer.from(sections.join("\r\n"), "utf8"));
}

/**
 * MEMORY USAGE key [SAMPLES count]: an approximation. redis-server reports the
 * allocator's sizes for the key's structures (sampling collections); the
 * reference reports its own estimate of the key (eviction/memory.ts: the same
 * figure used_memory and maxmemory count), which is of the same order but not
 * the same number. https://redis.io/commands/memory-usage/
 */
function memoryUsage(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length !== 3 && !(argv.length === 5 && isOption(argv[3]!, "samples"))) return ERR_SYNTAX;
  if (argv.length === 5 && !/^-?\d+$/.test(byteString(argv[4]!))) return error("ERR value is not an integer or out of range");
  const key = byteString(argv[2]!);
  const value = ctx.db.peek(key);
  if (value === undefined) return NULL_BULK;
  return integer(keyBytes(key, value, ctx.db.getExpire(key) !== undefined));
}

export const serverCommands: readonly CommandDefinition[] = [
  {
    name: "memory",
    arity: -2,
    group: "server",
    summary: "A container for memory diagnostics commands",
    since: "4.0.0",
    subcommands: [
      {
        name: "usage",
        arity: -3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        group: "server",
        summary: "Estimate the memory usage of a key",
        since: "4.0.0",
        handler: memoryUsage,
      },
    ],
  },
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
    // TIME: [unix seconds, microseconds], as bulk strings.
    name: "time",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    group: "server",
    summary: "Return the current server time",
    since: "2.6.0",
    handler: () => {
      const micros = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
      return array([bulkText(String(micros / 1_000_000n)), bulkText(String(micros % 1_000_000n))]);
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
