import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { infoField, waitForInfo, waitForOutput } from "./support.ts";

const SYNC_HINT =
  "Against a real master: after the handshake, +FULLRESYNC is followed by the RDB snapshot — redis-server 7.0 sends it as $<length>\\r\\n<bytes>, or, when your REPLCONF capa includes eof, as $EOF:<40-byte mark>\\r\\n<bytes><the same mark> — and it may send bare \\n keep-alives before it. Load the snapshot (an RDB file, with the encodings Redis 7.0 writes) in place of your data.";

export default stage(import.meta, [
  {
    name: "data on a real master before the replica connects arrives by full sync",
    async run(t) {
      const master = await t.startReal();
      const mcli = redisCli(t, master);
      const [s, n, l, h, ttl] = [t.rand.key("s"), t.rand.key("n"), t.rand.key("l"), t.rand.key("h"), t.rand.key("ttl")];
      const [word, items] = [t.rand.word(), [t.rand.word(), t.rand.word(), t.rand.word()]];
      const num = String(t.rand.int(1000, 100000000));
      await mcli.steps([
        [["SET", s, word], "OK"],
        [["SET", n, num], "OK"],
        [["RPUSH", l, ...items], `(integer) ${items.length}`],
        [["HSET", h, "f", word], "(integer) 1"],
        [["SET", ttl, "v", "EX", "1000"], "OK"],
      ]);
      const replica = await t.start({ extraArgs: ["--replicaof", `127.0.0.1 ${master.port}`] });
      const cli = redisCli(t, replica);
      await waitForInfo(t, cli, (i) => infoField(i, "master_link_status") === "up", 8000, "Your replica's INFO replication did not show master_link_status:up", SYNC_HINT);
      await cli.steps([
        [["GET", s], `"${word}"`, SYNC_HINT],
        [["GET", n], `"${num}"`, "Redis stores integer-looking strings as integers in the RDB (an encoded string): decode them back to their decimal text."],
        [["LRANGE", l, "0", "-1"], items.map((x, i) => `${i + 1}) "${x}"`).join("\n"), "Redis 7.0 writes small lists as a quicklist of listpacks in the RDB."],
        [["HGET", h, "f"], `"${word}"`, "Redis 7.0 writes small hashes as a listpack in the RDB."],
        [["DBSIZE"], "(integer) 5"],
      ]);
      await cli.expectThat(["TTL", ttl], (out) => /^\(integer\) (99\d|1000)$/.test(out), { expected: "(integer) 990..1000", hint: "Expiry times come with the keys in the snapshot (absolute, in milliseconds)." });
    },
  },
  {
    name: "writes on the master reach the replica, which refuses writes of its own",
    async run(t) {
      const master = await t.startReal();
      const replica = await t.start({ extraArgs: ["--replicaof", `127.0.0.1 ${master.port}`] });
      const [mcli, cli] = [redisCli(t, master), redisCli(t, replica)];
      await waitForInfo(t, cli, (i) => infoField(i, "role") === "slave" && infoField(i, "master_link_status") === "up", 8000, "Your replica's INFO replication did not show role:slave and master_link_status:up", SYNC_HINT);
      await waitForInfo(t, mcli, (i) => /^slave0:.*state=online/m.test(i), 5000, "The real master does not list your replica as online (INFO replication slave0:...state=online)", "The master counts a replica online once it has sent the snapshot; keep the connection open afterwards.");
      const [k, c, l] = [t.rand.key(), t.rand.key("counter"), t.rand.key("list")];
      const v = t.rand.word();
      await mcli.steps([
        [["SET", k, v], "OK"],
        [["INCR", c], "(integer) 1"],
        [["INCR", c], "(integer) 2"],
        [["LPUSH", l, "a", "b"], "(integer) 2"],
      ]);
      await waitForOutput(t, cli, ["GET", c], '"2"', 3000, "Writes on the master did not reach your replica", "After the snapshot, apply every command the master streams, in order.");
      await cli.steps([
        [["GET", k], `"${v}"`],
        [["LRANGE", l, "0", "-1"], '1) "b"\n2) "a"'],
        [["SET", k, "mine"], "(error) READONLY You can't write against a read only replica.", "A replica is read-only: commands that write fail with READONLY, so replica and master cannot diverge."],
        [["GET", k], `"${v}"`],
      ]);
      await mcli.expect(["DEL", k], "(integer) 1");
      await waitForOutput(t, cli, ["GET", k], "(nil)", 3000, "A DEL on the master did not reach your replica", "Deletes are streamed like any other write.");
    },
  },
]);
