// Server configuration: named string settings, as redis-server keeps them.
// Names are case-insensitive and stored lower-case. Values are strings
// exactly as given: CONFIG GET returns them verbatim (unlike redis-server, a
// relative `dir` is not made absolute, and the server does not chdir into it).
//
// Command line, like redis-server's: `--name value [value ...]` pairs, e.g.
//   bun solutions/redis/main.ts --port 6380 --dir /tmp/x --dbfilename a.rdb
// Any name is accepted and stored (later stages read e.g. `replicaof`,
// `appendonly`); several words after one name are joined with spaces
// (`--save 900 1` is "900 1"). An empty value is allowed (`--save ""`).

import { OTHER_REDIS_SETTINGS } from "./config-defaults.ts";

export const DEFAULT_PORT = 6379;
export const DEFAULT_HOST = "127.0.0.1";
/** Like redis-server: databases 0 to 15 (SELECT, SWAPDB, MOVE). */
export const DEFAULT_DATABASES = 16;

/** Defaults for settings later stages rely on; `dir` is the working directory. */
export function defaultSettings(): Array<[string, string]> {
  return [
  ["port", String(DEFAULT_PORT)],
  ["bind", DEFAULT_HOST],
  ["dir", process.cwd()],
  ["dbfilename", "dump.rdb"],
  ["save", ""],
  ["appendonly", "no"],
  ["appendfilename", "appendonly.aof"],
  ["maxmemory", "0"],
  ["maxmemory-policy", "noeviction"],
  ["databases", String(DEFAULT_DATABASES)],
  ["hz", "10"],
  // Data-structure tuning, redis-server 7.0's built-in defaults. The list,
  // stream and compression ones change nothing here (lists and streams have
  // one representation); the hash, sorted-set and set ones decide what OBJECT
  // ENCODING reports (commands/keys.ts).
  ["hash-max-listpack-entries", "512"],
  ["hash-max-listpack-value", "64"],
  ["zset-max-listpack-entries", "128"],
  ["zset-max-listpack-value", "64"],
  ["set-max-intset-entries", "512"],
  ["list-max-listpack-size", "-2"],
  ["list-compress-depth", "0"],
  ["stream-node-max-entries", "100"],
  ["stream-node-max-bytes", "4096"],
  // Two that redis-server hides from CONFIG GET * (debugging aids its test suite sets).
  ["rdb-key-save-delay", "0"],
  ["key-load-delay", "0"],
  // Every other setting redis-server has, so CONFIG GET/SET know its name.
  ...OTHER_REDIS_SETTINGS.map(([name, value]): [string, string] => [name, value]),
  ];
}

/** Old names redis-server 7.0 still accepts (CONFIG GET/SET, the command line): alias → name. */
export const CONFIG_ALIASES: ReadonlyMap<string, string> = new Map([
  ["hash-max-ziplist-entries", "hash-max-listpack-entries"],
  ["hash-max-ziplist-value", "hash-max-listpack-value"],
  ["zset-max-ziplist-entries", "zset-max-listpack-entries"],
  ["zset-max-ziplist-value", "zset-max-listpack-value"],
  ["list-max-ziplist-size", "list-max-listpack-size"],
]);

/** A setting's own name (lower case): an alias resolved. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return CONFIG_ALIASES.get(lower) ?? lower;
}

export class Config {
  private readonly values = new Map<string, string>();
  /** Bumped by every set(), so readers can cache what they derive from settings. */
  version = 0;

  constructor(entries: Iterable<readonly [string, string]> = defaultSettings()) {
    for (const [name, value] of entries) this.set(name, value);
  }

  get(name: string): string | undefined {
    return this.values.get(canonicalName(name));
  }

  set(name: string, value: string): void {
    this.values.set(canonicalName(name), value);
    this.version++;
  }

  /** Stores under `name` exactly, aliases not resolved (only the config fixtures do this). */
  setRaw(name: string, value: string): void {
    this.values.set(name, value);
    this.version++;
  }

  has(name: string): boolean {
    return this.values.has(canonicalName(name));
  }

  /** All settings as [name, value], in the order they were first set, then the aliases (as CONFIG GET * lists them). */
  *entries(): IterableIterator<[string, string]> {
    yield* this.values.entries();
    for (const [alias, name] of CONFIG_ALIASES) {
      const value = this.values.get(name);
      if (value !== undefined) yield [alias, value];
    }
  }

  get port(): number {
    return Number(this.get("port") ?? DEFAULT_PORT);
  }

  get dir(): string {
    return this.get("dir") ?? process.cwd();
  }

  get dbfilename(): string {
    return this.get("dbfilename") ?? "dump.rdb";
  }
}

export class ConfigArgsError extends Error {
  override name = "ConfigArgsError";
}

/** Builds a Config from command-line arguments (without the program name). */
export function parseArgs(argv: readonly string[]): Config {
  const config = new Config();
  let i = 0;
  while (i < argv.length) {
    const flag = argv[i]!;
    if (!flag.startsWith("--") || flag.length === 2) {
      throw new ConfigArgsError(`unexpected argument '${flag}' (expected --name value)`);
    }
    const name = flag.slice(2);
    const words: string[] = [];
    i++;
    while (i < argv.length && !argv[i]!.startsWith("--")) words.push(argv[i++]!);
    if (words.length === 0) throw new ConfigArgsError(`missing value for --${name}`);
    config.set(name, words.join(" "));
  }
  const port = config.get("port")!;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new ConfigArgsError(`invalid port '${port}' (expected 0-65535; 0 picks a free port)`);
  }
  return config;
}
