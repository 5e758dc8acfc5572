import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";

/** The sections every INFO / INFO all / INFO everything must have, in Redis's order. */
const SECTIONS = ["Server", "Clients", "Memory", "Stats", "Replication", "Keyspace"];

function headers(out: string): string[] {
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("# "))
    .map((l) => l.slice(2));
}

/** One numeric field of INFO <section>, read with redis-cli. */
async function field(t: CaseContext, redis: Program, section: string, name: string): Promise<number> {
  const out = await redisCli(t, redis).run(["INFO", section]);
  const line = out.split("\n").map((l) => l.trim()).find((l) => l.startsWith(`${name}:`));
  const n = Number(line?.slice(name.length + 1));
  if (line === undefined || !Number.isFinite(n)) {
    t.fail({
      message: `INFO ${section} should have a line "${name}:<number>".`,
      received: out,
      hint: `Add ${name} to INFO's # ${section[0]!.toUpperCase()}${section.slice(1)} section, one "${name}:<value>\\r\\n" line.`,
    });
  }
  return n;
}

export default stage(import.meta, [
  {
    name: "INFO <section> replies with that section only; INFO, INFO all and INFO everything with every section",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const server = await cli.run(["INFO", "server"]);
      if (headers(server).join(",") !== "Server" || !/^redis_version:/m.test(server)) {
        t.fail({ message: "INFO server should reply with the # Server section only, including redis_version.", expected: "# Server\nredis_version:…\n…", received: server, hint: "INFO <section> replies with one bulk string holding only that section: a \"# Server\" header line, then name:value lines, each ending in \\r\\n." });
      }
      const keyspace = await cli.run(["INFO", "KEYSPACE"]);
      if (keyspace.trim() !== "# Keyspace") {
        t.fail({ message: "INFO KEYSPACE on an empty server should reply with the # Keyspace header and no db line.", expected: "# Keyspace", received: keyspace, hint: "Section names are case-insensitive; an empty database has no db0 line." });
      }
      for (const args of [["INFO"], ["INFO", "all"], ["INFO", "everything"], ["INFO", "default"]]) {
        const out = await cli.run(args);
        const got = headers(out).filter((h) => SECTIONS.includes(h));
        if (got.join(",") !== SECTIONS.join(",")) {
          t.fail({
            message: `${args.join(" ")} should include the sections ${SECTIONS.join(", ")}, in that order.`,
            expected: SECTIONS.map((s) => `# ${s}`).join("\n"),
            received: headers(out).map((s) => `# ${s}`).join("\n"),
            hint: "INFO with no argument, \"default\", \"all\" or \"everything\" replies with every section, each a \"# Name\" line and its fields, separated by an empty line; the # Keyspace section comes last.",
          });
        }
      }
      await cli.expect(["INFO", "no-such-section"], "", { hint: "INFO with an unknown section name replies with an empty bulk string, not an error." });
    },
  },
  {
    name: "DBSIZE and the # Keyspace line count keys and keys with a TTL; FLUSHALL removes them all",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const prefix = t.rand.word();
      const n = t.rand.int(3, 6);
      for (let i = 0; i < n; i++) await cli.expect(["SET", `${prefix}:${i}`, t.rand.word()], "OK");
      await cli.expect(["SET", `${prefix}:ttl`, "v", "EX", "1000"], "OK");
      await cli.expect(["DBSIZE"], `(integer) ${n + 1}`, { hint: "DBSIZE replies with the number of keys in the database." });
      await cli.expectThat(["INFO", "keyspace"], (out) => new RegExp(`^db0:keys=${n + 1},expires=1,avg_ttl=\\d+$`, "m").test(out.replace(/\r/g, "")), {
        expected: `# Keyspace\ndb0:keys=${n + 1},expires=1,avg_ttl=<ms>`,
        hint: "The # Keyspace section has one line per non-empty database: db0:keys=<keys>,expires=<keys with a TTL>,avg_ttl=<average ms left>.",
      });
      await cli.steps([
        [["FLUSHALL"], "OK", "FLUSHALL deletes every key and replies +OK."],
        [["DBSIZE"], "(integer) 0", "After FLUSHALL the database is empty."],
      ]);
      await cli.expectThat(["INFO", "keyspace"], (out) => out.trim() === "# Keyspace", { expected: "# Keyspace", hint: "An empty database has no db0 line in # Keyspace." });
      await cli.steps([
        [["SET", `${prefix}:0`, "v"], "OK"],
        [["FLUSHALL", "ASYNC"], "OK", "FLUSHALL accepts ASYNC (and SYNC)."],
        [["DBSIZE"], "(integer) 0", "FLUSHALL ASYNC removes the keys at once (for clients, the database is empty right away)."],
        [["FLUSHALL", "SYNC"], "OK", "FLUSHALL accepts SYNC."],
        [["FLUSHALL", "LATER"], "(error) ERR syntax error", "FLUSHALL accepts only ASYNC or SYNC."],
      ]);
    },
  },
  {
    name: "keyspace_hits and keyspace_misses count reads that found a key and reads that did not",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key();
      await cli.expect(["SET", key, "v"], "OK");
      const hits0 = await field(t, redis, "stats", "keyspace_hits");
      const misses0 = await field(t, redis, "stats", "keyspace_misses");
      // Different counts, so that counters swapped by mistake cannot look right.
      const hits = t.rand.int(3, 5);
      const misses = t.rand.int(1, 2);
      for (let i = 0; i < hits; i++) await cli.expect(["GET", key], '"v"');
      for (let i = 0; i < misses; i++) await cli.expect(["GET", `${key}:missing`], "(nil)");
      // Writes count neither as hits nor as misses: one SET of the existing key, one of a new key.
      await cli.expect(["SET", key, "v"], "OK");
      await cli.expect(["SET", `${key}:new`, "v"], "OK");
      const hits1 = await field(t, redis, "stats", "keyspace_hits");
      const misses1 = await field(t, redis, "stats", "keyspace_misses");
      const what = `after ${hits} GETs of an existing key, ${misses} GETs of a missing key, and two SETs (of the existing key and of a new one)`;
      if (hits1 - hits0 !== hits || misses1 - misses0 !== misses) {
        t.fail({
          message: `keyspace_hits and keyspace_misses should grow by ${hits} and ${misses} ${what}.`,
          expected: `keyspace_hits +${hits}, keyspace_misses +${misses}`,
          received: `keyspace_hits +${hits1 - hits0}, keyspace_misses +${misses1 - misses0}`,
          hint: "Count a hit each time a read finds its key and a miss each time it does not (writes such as SET do not count).",
        });
      }
    },
  },
  {
    name: "total_commands_processed counts every command, expired_keys every key deleted by expiry",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const before = await field(t, redis, "stats", "total_commands_processed");
      for (let i = 0; i < 3; i++) await cli.expect(["PING"], "PONG");
      const after = await field(t, redis, "stats", "total_commands_processed");
      if (after - before !== 4) {
        t.fail({ message: "total_commands_processed should grow by 4 between two INFO calls with 3 PINGs in between (the first INFO counts too).", expected: `${before + 4}`, received: `${after}`, hint: "Count every command executed, including INFO itself, once it has run." });
      }
      const expired0 = await field(t, redis, "stats", "expired_keys");
      const key = t.rand.key();
      await cli.expect(["SET", key, "v", "PX", "50"], "OK");
      t.log.note("waiting 200 ms for the key to expire");
      await Bun.sleep(200);
      await cli.expect(["GET", key], "(nil)");
      const expired1 = await field(t, redis, "stats", "expired_keys");
      if (expired1 - expired0 !== 1) {
        t.fail({ message: "expired_keys should grow by 1 after one key expired.", expected: `${expired0 + 1}`, received: `${expired1}`, hint: "Count each key deleted because its TTL passed, whether it was noticed on access or by the background cycle." });
      }
      // A key that expires untouched is deleted by the background cycle, and counts too.
      const quiet = t.rand.key("quiet");
      await cli.expect(["SET", quiet, "v", "PX", "50"], "OK");
      t.log.note("waiting up to 3 s (polling INFO stats) for the key to expire in the background, without touching it");
      let expired2 = expired1;
      for (const start = Date.now(); expired2 === expired1 && Date.now() - start < 3000; ) {
        await Bun.sleep(150);
        expired2 = await field(t, redis, "stats", "expired_keys");
      }
      if (expired2 - expired1 !== 1) {
        t.fail({ message: "expired_keys should grow by 1 when a key expires untouched (SET … PX 50, then no command on it for 3 s).", expected: `${expired1 + 1}`, received: `${expired2}`, hint: "Keys are also deleted by the background expiry cycle (a few times a second), and those count in expired_keys too, not only the ones noticed on access." });
      }
      const evicted = await field(t, redis, "stats", "evicted_keys");
      if (evicted !== 0) t.fail({ message: "evicted_keys should be 0 without maxmemory.", received: `${evicted}` });
    },
  },
]);
