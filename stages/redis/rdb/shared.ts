// Helpers shared by the rdb and aof extensions' stages (not a stage itself):
// the test data written by real redis-server, starting a program on a dump,
// starting a real redis-server on the files a program wrote, and reading a
// key's whole content through redis-cli.
import { copyFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { redisCli, type RedisCli } from "../../../challenges/redis/clients/redis.ts";
import { requireBinary } from "../../../harness/clients/require.ts";
import { isListening } from "../../../harness/process/listening.ts";
import { GroupProcess } from "../../../harness/process/spawn.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

/** challenges/redis/data: RDB files written by redis-server 7.0 (see make-rdb.sh there). */
export const DATA_DIR = join(import.meta.dir, "../../../challenges/redis/data");

/**
 * Copies a test dump into the case's directory under a random name and
 * starts the program on it; if it cannot start, fails with `hint` (what the
 * dump contains that a loader must handle).
 */
export async function startOnDump(t: CaseContext, dump: string, hint: string): Promise<{ redis: Program; cli: RedisCli; file: string }> {
  const file = `${t.rand.word()}.rdb`;
  copyFileSync(join(DATA_DIR, dump), join(t.dir, file));
  t.log.command(`cp challenges/redis/data/${dump} ${join(t.dir, file)}`);
  try {
    const redis = await t.start({ extraArgs: ["--dir", t.dir, "--dbfilename", file] });
    return { redis, cli: redisCli(t, redis), file };
  } catch (e) {
    if (!(e instanceof StageFailure)) throw e;
    throw new StageFailure({ ...e.details, message: `${e.details.message} It was started on challenges/redis/data/${dump}, a dump written by redis-server 7.0.`, hint });
  }
}

/** The directories a `CONFIG GET dir` may show for `dir` (redis-server resolves symlinks). */
export function sameDirs(dir: string): string[] {
  return [dir, realpathSync(dir)];
}

/** How redis-cli (--no-raw) quotes a bulk string (Redis's sdscatrepr). */
export function repr(s: string | Buffer): string {
  const bytes = typeof s === "string" ? Buffer.from(s, "latin1") : s;
  let out = '"';
  for (const c of bytes) {
    if (c === 0x5c) out += "\\\\";
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x07) out += "\\a";
    else if (c === 0x08) out += "\\b";
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return `${out}"`;
}

/** Drops redis-cli's "N) " numbering. */
function items(out: string): string[] {
  if (out === "(empty array)") return [];
  return out.split("\n").map((l) => l.replace(/^\s*\d+\) /, ""));
}

export type Content =
  | { type: "string"; value: string }
  | { type: "list"; items: string[] }
  | { type: "hash"; pairs: Array<[string, string]> }
  | { type: "set"; members: string[] }
  | { type: "zset"; entries: Array<[string, string]> }
  | { type: "none" };

/** A key's content in one comparable text: its type, then its elements as redis-cli shows them (sets and hashes sorted). */
export function describe(c: Content): string {
  switch (c.type) {
    case "none":
      return "none";
    case "string":
      return `string: ${repr(c.value)}`;
    case "list":
      return `list of ${c.items.length}: ${c.items.map((i) => repr(i)).join(" ")}`;
    case "set":
      return `set of ${c.members.length}: ${c.members.map((m) => repr(m)).sort().join(" ")}`;
    case "hash":
      return `hash of ${c.pairs.length}: ${c.pairs.map(([f, v]) => `${repr(f)}=${repr(v)}`).sort().join(" ")}`;
    case "zset":
      return `zset of ${c.entries.length}: ${c.entries.map(([m, s]) => `${repr(m)}@${repr(s)}`).join(" ")}`;
  }
}

/** Reads `key` with TYPE and GET / LRANGE / HGETALL / SMEMBERS / ZRANGE WITHSCORES, as describe() shows it. */
export async function readKey(cli: RedisCli, key: string): Promise<string> {
  const type = await cli.run(["TYPE", key]);
  switch (type) {
    case "none":
      return "none";
    case "string":
      return `string: ${await cli.run(["GET", key])}`;
    case "list": {
      const l = items(await cli.run(["LRANGE", key, "0", "-1"]));
      return `list of ${l.length}: ${l.join(" ")}`;
    }
    case "set": {
      const m = items(await cli.run(["SMEMBERS", key]));
      return `set of ${m.length}: ${m.sort().join(" ")}`;
    }
    case "hash": {
      const flat = items(await cli.run(["HGETALL", key]));
      const pairs: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
      return `hash of ${pairs.length}: ${pairs.sort().join(" ")}`;
    }
    case "zset": {
      const flat = items(await cli.run(["ZRANGE", key, "0", "-1", "WITHSCORES"]));
      const pairs: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push(`${flat[i]}@${flat[i + 1]}`);
      return `zset of ${pairs.length}: ${pairs.join(" ")}`;
    }
    default:
      return `unexpected TYPE reply: ${type}`;
  }
}

/** Fails unless `key` holds exactly `expected` (shown shortened when long). */
export async function expectKey(cli: RedisCli, key: string, expected: string, hint: string): Promise<void> {
  const got = await readKey(cli, key);
  if (got !== expected) {
    const cut = (s: string) => (s.length > 600 ? `${s.slice(0, 600)} …` : s);
    throw new StageFailure({ message: `Key ${repr(key)} does not hold what the file holds.`, expected: cut(expected), received: cut(got), hint });
  }
}

/** Sorted key names as redis-cli shows KEYS *. */
export async function keyNames(cli: RedisCli): Promise<string[]> {
  return items(await cli.run(["KEYS", "*"])).sort();
}

/**
 * Starts a real redis-server (7.0) with `args` (e.g. --dir, --dbfilename,
 * --appendonly) to check the files a program wrote; stopped when the case ends.
 */
export async function startRealRedis(t: CaseContext, args: string[]): Promise<{ cli: RedisCli; port: number; output: () => string }> {
  requireBinary("redis-server", "redis-server");
  const port = await t.port();
  const argv = ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", ...args];
  t.log.command(`${argv.map((a) => (a === "" ? "''" : a)).join(" ")} &`);
  const proc = new GroupProcess(argv, { cwd: t.dir });
  t.defer(() => proc.stop());
  const deadline = Date.now() + 5000;
  while (!isListening(port, "tcp")) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      throw new StageFailure({
        message: `The real redis-server could not start on the files your program wrote (it ${proc.exitCode !== null ? `exited with code ${proc.exitCode}` : "did not listen"}).`,
        received: proc.output.tail(12),
        hint: "redis-server refuses to start when it cannot load a file: its log above says what is wrong with it.",
      });
    }
    await Bun.sleep(20);
  }
  const cli = redisCli(t, { port, host: "127.0.0.1" } as Program);
  return { cli, port, output: () => proc.output.tail(12) };
}

/** Random data of every type (and a key with an expiry in 2100), written with redis-cli; returns each key's describe(). */
export async function writeRandomData(t: CaseContext, cli: RedisCli): Promise<Map<string, string>> {
  const r = t.rand;
  const out = new Map<string, string>();
  const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${r.word()}-${tag}${i}`);
  const str = r.key("str");
  const num = r.key("num");
  const long = r.key("long");
  const list = r.key("list");
  const hash = r.key("hash");
  const ints = r.key("intset");
  const set = r.key("set");
  const zset = r.key("zset");
  const ttl = r.key("ttl");
  const n = String(r.int(-100000, 100000));
  const longValue = r.word().repeat(r.int(20, 40));
  const listItems = [...words(r.int(3, 8), "l"), String(r.int(1, 9999))];
  const hashPairs: Array<[string, string]> = words(r.int(3, 6), "f").map((f) => [f, r.word()]);
  const intMembers = [...new Set(Array.from({ length: 6 }, () => String(r.int(-5000, 5000))))];
  const setMembers = words(r.int(3, 6), "m");
  const zsetEntries: Array<[string, string]> = words(4, "z").map((m, i) => [m, String(i * 10 + 0.5)]);
  await cli.steps([
    [["SET", str, "a\"b\\c d"], "OK"],
    [["SET", num, n], "OK"],
    [["SET", long, longValue], "OK"],
    [["RPUSH", list, ...listItems], `(integer) ${listItems.length}`],
    [["HSET", hash, ...hashPairs.flat()], `(integer) ${hashPairs.length}`],
    [["SADD", ints, ...intMembers], `(integer) ${intMembers.length}`],
    [["SADD", set, ...setMembers], `(integer) ${setMembers.length}`],
    [["ZADD", zset, ...zsetEntries.flatMap(([m, s]) => [s, m])], `(integer) ${zsetEntries.length}`],
    [["SET", ttl, "expires in 2100"], "OK"],
    [["PEXPIREAT", ttl, "4102444800000"], "(integer) 1"],
  ]);
  out.set(str, describe({ type: "string", value: "a\"b\\c d" }));
  out.set(num, describe({ type: "string", value: n }));
  out.set(long, describe({ type: "string", value: longValue }));
  out.set(list, describe({ type: "list", items: listItems }));
  out.set(hash, describe({ type: "hash", pairs: hashPairs }));
  out.set(ints, describe({ type: "set", members: intMembers }));
  out.set(set, describe({ type: "set", members: setMembers }));
  out.set(zset, describe({ type: "zset", entries: zsetEntries }));
  out.set(ttl, describe({ type: "string", value: "expires in 2100" }));
  return out;
}

/** Fails unless `cli`'s server holds exactly `data` (and the "ttl" key still expires in 2100). */
export async function expectData(cli: RedisCli, data: Map<string, string>, hint: string): Promise<void> {
  await cli.expect(["DBSIZE"], `(integer) ${data.size}`, { hint });
  for (const [key, expected] of data) await expectKey(cli, key, expected, hint);
  const ttlKey = [...data.keys()].find((k) => k.startsWith("ttl:"));
  if (ttlKey) await cli.expect(["PEXPIRETIME", ttlKey], "(integer) 4102444800000", { hint: `${hint} The expiry time is kept too (op-code 0xFC, milliseconds since the epoch).` });
}
