import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";

/** INFO keyspace as lines, without the header and carriage returns. */
function dbLines(out: string): string[] {
  return out.replace(/\r/g, "").split("\n").filter((l) => l.startsWith("db"));
}

export default stage(import.meta, [
  {
    name: "SELECT picks the connection's database, 0 to 15; keys of one database are not seen from another",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const db = t.rand.int(1, 14);
      const [key, value] = [t.rand.key(), t.rand.word()];
      // redis-cli -n <db> sends SELECT <db> first, on its own new connection.
      await cli.steps([
        [["-n", String(db), "SET", key, value], "OK", "SELECT <index> (0 to 15: there are 16 databases) then SET stores the key in that database."],
        [["-n", String(db), "GET", key], `"${value}"`, "A new connection that SELECTs the same database sees the key."],
        [["GET", key], "(nil)", "A new connection starts in database 0, which does not have the key: each connection has its own selected database, and each database its own keys."],
        [["-n", "15", "SET", key, "last"], "OK", "SELECT 15 is accepted: there are 16 databases, 0 to 15."],
        [["-n", String(db), "GET", key], `"${value}"`, "Database 15's key of the same name is another key."],
        [["SELECT", "16"], "(error) ERR DB index is out of range", "SELECT 16 (or any index outside 0–15) is refused with ERR DB index is out of range."],
        [["SELECT", "-1"], "(error) ERR DB index is out of range", "A negative index is out of range too."],
        [["SELECT", "one"], "(error) ERR value is not an integer or out of range", "An index that is not an integer is refused with ERR value is not an integer or out of range."],
      ]);
    },
  },
  {
    name: "DBSIZE counts the selected database; INFO keyspace has one line per non-empty database",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const db = t.rand.int(1, 15);
      const [inZero, inOther] = [t.rand.int(1, 3), t.rand.int(4, 6)];
      for (let i = 0; i < inZero; i++) await cli.expect(["SET", `k${i}`, "v"], "OK");
      for (let i = 0; i < inOther; i++) await cli.expect(["-n", String(db), "SET", `k${i}`, "v"], "OK");
      await cli.expect(["-n", String(db), "EXPIRE", "k0", "1000"], "(integer) 1");
      await cli.expect(["DBSIZE"], `(integer) ${inZero}`, { hint: "DBSIZE counts the keys of the selected database only." });
      await cli.expect(["-n", String(db), "DBSIZE"], `(integer) ${inOther}`, { hint: "DBSIZE counts the keys of the selected database only." });
      const empty = db === 15 ? 14 : 15;
      await cli.expect(["-n", String(empty), "DBSIZE"], "(integer) 0");
      await cli.expectThat(["INFO", "keyspace"], (out) => {
        const lines = dbLines(out);
        return lines.length === 2 && lines[0] === `db0:keys=${inZero},expires=0,avg_ttl=0` && new RegExp(`^db${db}:keys=${inOther},expires=1,avg_ttl=\\d+$`).test(lines[1]!);
      }, {
        expected: `# Keyspace\ndb0:keys=${inZero},expires=0,avg_ttl=0\ndb${db}:keys=${inOther},expires=1,avg_ttl=<ms>`,
        hint: "INFO's # Keyspace section has a line db<N>:keys=…,expires=…,avg_ttl=… for each database that has keys, in order of N, counting that database's keys only; empty databases have no line.",
      });
    },
  },
  {
    name: "FLUSHDB empties the selected database only; FLUSHALL empties them all",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const db = t.rand.int(1, 15);
      await cli.expect(["SET", "a", "1"], "OK");
      await cli.expect(["-n", String(db), "SET", "b", "2"], "OK");
      await cli.steps([
        [["-n", String(db), "FLUSHDB"], "OK", "FLUSHDB replies +OK."],
        [["-n", String(db), "DBSIZE"], "(integer) 0", "FLUSHDB deletes every key of the selected database."],
        [["GET", "a"], '"1"', "FLUSHDB leaves the other databases alone (FLUSHALL is the one that empties them all)."],
        [["-n", String(db), "SET", "b", "2"], "OK"],
        [["FLUSHALL"], "OK"],
        [["-n", String(db), "DBSIZE"], "(integer) 0", "FLUSHALL deletes the keys of every database, not only the selected one."],
        [["DBSIZE"], "(integer) 0", "FLUSHALL deletes the keys of every database."],
      ]);
    },
  },
  {
    name: "MOVE moves a key and its TTL to another database, unless it exists there",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const db = t.rand.int(1, 15);
      const [value, other] = [t.rand.word(), `${t.rand.word()}2`];
      await cli.expect(["SET", "k", value, "EX", "1000"], "OK");
      await cli.steps([
        [["MOVE", "k", String(db)], "(integer) 1", "MOVE key db replies 1 when it moved the key."],
        [["EXISTS", "k"], "(integer) 0", "MOVE removes the key from the selected database."],
        [["-n", String(db), "GET", "k"], `"${value}"`, "MOVE puts the key, with its value, in the target database."],
      ]);
      await cli.expectThat(["-n", String(db), "TTL", "k"], (out) => /^\(integer\) (9[0-9]{2}|1000)$/.test(out), { expected: "(integer) 1000 or a little less", hint: "MOVE keeps the key's TTL." });
      await cli.expect(["SET", "k", other], "OK");
      await cli.steps([
        [["MOVE", "k", String(db)], "(integer) 0", "When the key already exists in the target database, MOVE replies 0 and changes nothing."],
        [["GET", "k"], `"${other}"`, "A MOVE that replied 0 leaves the source key in place."],
        [["-n", String(db), "GET", "k"], `"${value}"`, "A MOVE that replied 0 leaves the target's key as it was."],
        [["MOVE", "missing", String(db)], "(integer) 0", "MOVE of a missing key replies 0."],
        [["MOVE", "k", "0"], "(error) ERR source and destination objects are the same", "MOVE to the selected database itself is refused with ERR source and destination objects are the same."],
        [["MOVE", "k", "16"], "(error) ERR DB index is out of range", "A target outside 0–15 is refused with ERR DB index is out of range."],
        [["MOVE", "k", "2147483647"], "(error) ERR DB index is out of range", "A target outside 0–15 is refused with ERR DB index is out of range (2147483647 is still a valid int, just not a database)."],
      ]);
    },
  },
  {
    name: "SWAPDB swaps two databases for every connection",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const db = t.rand.int(1, 15);
      const [a, b] = [t.rand.word(), `${t.rand.word()}2`];
      await cli.expect(["SET", "in-zero", a], "OK");
      await cli.expect(["-n", String(db), "SET", "in-other", b], "OK");
      // A connection that selected the other database before the swap.
      const watcher = await RespConnection.open(t, redis, "client in db " + db);
      await watcher.command("SELECT", String(db));
      await watcher.expectReply("+OK\r\n");
      await cli.expect(["SWAPDB", "0", String(db)], "OK", { hint: "SWAPDB index1 index2 replies +OK." });
      await cli.steps([
        [["GET", "in-zero"], "(nil)", "After SWAPDB 0 N, database 0 holds what database N held."],
        [["GET", "in-other"], `"${b}"`, "After SWAPDB 0 N, database 0 holds what database N held."],
        [["-n", String(db), "GET", "in-zero"], `"${a}"`, "After SWAPDB 0 N, database N holds what database 0 held."],
      ]);
      await watcher.command("GET", "in-zero");
      await watcher.expectReply(`$${a.length}\r\n${a}\r\n`, { hint: "SWAPDB swaps the databases for every client: a connection that had selected database N before the swap now sees database 0's old keys." });
      await cli.steps([
        [["SWAPDB", "0", "16"], "(error) ERR DB index is out of range", "An index outside 0–15 is refused with ERR DB index is out of range."],
        [["SWAPDB", "zero", "1"], "(error) ERR invalid first DB index", "A first index that is not an integer is refused with ERR invalid first DB index."],
        [["SWAPDB", "2147483648", "1"], "(error) ERR invalid first DB index", "A first index that does not fit in a 32-bit int is refused with ERR invalid first DB index."],
        [["SWAPDB", "0", "one"], "(error) ERR invalid second DB index", "A second index that is not an integer is refused with ERR invalid second DB index."],
      ]);
    },
  },
]);
