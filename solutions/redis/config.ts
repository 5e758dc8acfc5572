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
  ];
}

export class Config {
  private readonly values = new Map<string, string>();
  /** Bumped by every set(), so readers can cache what they derive from settings. */
  version = 0;

  constructor(entries: Iterable<readonly [string, string]> = defaultSettings()) {
    for (const [name, value] of entries) this.set(name, value);
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  set(name: string, value: string): void {
    this.values.set(name.toLowerCase(), value);
    this.version++;
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }

  /** All settings as [name, value], in the order they were first set. */
  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
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
