// CONFIG GET. https://redis.io/commands/config-get/
// Each argument is a setting name or a glob pattern (matched without regard
// to case); the reply is a map of name/value pairs (RESP2: a flat array), each setting at
// most once. An exact name is echoed as the client spelled it, as Redis does.

import { formattedError } from "../errors.ts";
import { EVICTION_POLICIES, parseMemory } from "../eviction/index.ts";
import { bulkBinary, bulkText, map, OK, type Reply } from "../reply.ts";
import { canonicalName } from "../config.ts";
import { compileGlob } from "../glob.ts";
import { formatEventFlags, notificationMistakes, parseEventFlags } from "../notifications.ts";
import { byteString } from "../text.ts";
import type { CommandDefinition } from "./define.ts";

/**
 * Deliberate mistakes for the encoding fixtures (harness/fixtures/redis/keyspace/),
 * all off: each fixture turns one on.
 */
export const configMistakes = {
  /** The old *-ziplist-* names are separate settings, not aliases. */
  aliasesSeparate: false,
  /** The encoding limits take any value. */
  limitsUnchecked: false,
};

/** Checks and normalises a CONFIG SET value: the value to store, or why it is refused. */
type ConfigValidator = (value: string) => { value: string } | { problem: string };

/** An integer as redis-server's string2ll reads it: no sign but "-", no leading zeros, no spaces. */
function integerBetween(min: bigint, max: bigint): ConfigValidator {
  return (value) => {
    if (!/^(-?[1-9]\d*|0)$/.test(value) || value.length > 20) return { problem: "argument couldn't be parsed into an integer" };
    const n = BigInt(value);
    return n >= min && n <= max ? { value: String(n) } : { problem: `argument must be between ${min} and ${max} inclusive` };
  };
}

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LLONG_MAX = 9223372036854775807n;

/** Settings whose values CONFIG SET checks (Redis 7.0 texts); other known settings are stored as given. */
const VALIDATORS: ReadonlyMap<string, ConfigValidator> = new Map([
  [
    "maxmemory",
    (value: string) => {
      const bytes = parseMemory(value);
      return bytes === null ? { problem: "argument must be a memory value" } : { value: String(bytes) };
    },
  ],
  [
    "maxmemory-policy",
    (value: string) =>
      (EVICTION_POLICIES as readonly string[]).includes(value.toLowerCase())
        ? { value: value.toLowerCase() }
        : { problem: `argument(s) must be one of the following: ${EVICTION_POLICIES.join(", ")}` },
  ],
  ["maxmemory-samples", integerBetween(1n, INT_MAX)],
  [
    "notify-keyspace-events",
    (value: string) => {
      const flags = parseEventFlags(value);
      if (flags === null) return { problem: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
      return { value: notificationMistakes.flagsAsGiven ? value : formatEventFlags(flags) };
    },
  ],
  ["lfu-log-factor", integerBetween(0n, INT_MAX)],
  ["lfu-decay-time", integerBetween(0n, INT_MAX)],
  ["hash-max-listpack-entries", integerBetween(0n, LLONG_MAX)],
  ["hash-max-listpack-value", integerBetween(0n, LLONG_MAX)],
  ["zset-max-listpack-entries", integerBetween(0n, LLONG_MAX)],
  ["zset-max-listpack-value", integerBetween(0n, LLONG_MAX)],
  ["set-max-intset-entries", integerBetween(0n, LLONG_MAX)],
  ["list-max-listpack-size", integerBetween(INT_MIN, INT_MAX)],
  ["list-compress-depth", integerBetween(0n, INT_MAX)],
  ["stream-node-max-entries", integerBetween(0n, LLONG_MAX)],
  [
    "stream-node-max-bytes",
    (value: string) => {
      const bytes = parseMemory(value);
      return bytes === null ? { problem: "argument must be a memory value" } : { value: String(bytes) };
    },
  ],
]);

export const configCommands: readonly CommandDefinition[] = [
  {
    name: "config",
    arity: -2,
    group: "server",
    summary: "A container for server configuration commands",
    since: "2.0.0",
    subcommands: [
      {
        name: "get",
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["@admin", "@dangerous"],
        group: "server",
        summary: "Get the values of configuration parameters",
        since: "2.0.0",
        handler: (ctx, argv) => {
          const config = ctx.server.config;
          const seen = new Set<string>();
          const out: [Reply, Reply][] = [];
          const add = (shown: Reply, name: string, value: string) => {
            if (seen.has(name)) return;
            seen.add(name);
            out.push([shown, bulkText(value)]);
          };
          for (const arg of argv.slice(2)) {
            const pattern = byteString(arg);
            if (!/[[*?]/.test(pattern)) {
              const value = config.get(pattern);
              if (value !== undefined) add(bulkBinary(pattern), pattern.toLowerCase(), value);
              continue;
            }
            const matches = compileGlob(pattern, true);
            for (const [name, value] of config.entries()) if (matches(name)) add(bulkText(name), name, value);
          }
          return map(out);
        },
      },
      {
        name: "resetstat",
        arity: 2,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["@admin", "@dangerous"],
        group: "server",
        summary: "Reset the stats returned by INFO",
        since: "2.0.0",
        // The INFO Stats counters this server keeps start again from 0 (https://redis.io/commands/config-resetstat/).
        handler: (ctx) => {
          const { server } = ctx;
          server.stats.connectionsReceived = 0;
          server.stats.commandsProcessed = 0;
          server.stats.evictedKeys = 0;
          for (const db of server.databases) [db.expiredKeys, db.hits, db.misses] = [0, 0, 0];
          return OK;
        },
      },
      {
        // CONFIG SET name value [name value ...]: all or nothing.
        name: "set",
        arity: -4,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["@admin", "@dangerous"],
        group: "server",
        summary: "Set configuration parameters to the given values",
        since: "2.0.0",
        handler: (ctx, argv) => {
          const config = ctx.server.config;
          const updates: Array<[string, string]> = [];
          for (let i = 2; i < argv.length; i += 2) {
            const name = byteString(argv[i]!).toLowerCase();
            const raw = argv[i + 1];
            if (raw === undefined || !(config.has(name) || VALIDATORS.has(canonicalName(name)))) {
              return formattedError(`ERR Unknown option or number of arguments for CONFIG SET - '${byteString(argv[i]!)}'`);
            }
            const unchecked = configMistakes.limitsUnchecked && /-max-(listpack|ziplist|intset)-/.test(name);
            const checked = (unchecked ? undefined : VALIDATORS.get(canonicalName(name))?.(byteString(raw))) ?? { value: byteString(raw) };
            if ("problem" in checked) {
              return formattedError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${checked.problem}`);
            }
            updates.push([name, checked.value]);
          }
          for (const [name, value] of updates) {
            if (configMistakes.aliasesSeparate && name.includes("ziplist")) config.setRaw(name, value);
            else config.set(canonicalName(name), value);
          }
          const names = updates.map(([name]) => canonicalName(name));
          for (const applied of ctx.server.configApplied) applied(names);
          return OK;
        },
      },
    ],
  },
];
