import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { infoField, waitForInfo, waitForOutput } from "./support.ts";

const SERVE_HINT =
  "As a master: answer PING, REPLCONF (+OK), then PSYNC ? -1 with +FULLRESYNC <40-character replication id> <offset>\\r\\n followed by an RDB snapshot of your data as $<length>\\r\\n<bytes> (no trailing \\r\\n) that redis-server 7.0 can load (RDB version ≤ 10, valid CRC64 or 0); keep the connection and stream every later write to it.";

export default stage(import.meta, [
  {
    name: "a real redis-server replica syncs your data and receives later writes",
    async run(t) {
      const master = await t.start();
      const cli = redisCli(t, master);
      const [s, l, gone] = [t.rand.key("s"), t.rand.key("l"), t.rand.key("gone")];
      const word = t.rand.word();
      await cli.steps([
        [["SET", s, word], "OK"],
        [["RPUSH", l, "x", "y"], "(integer) 2"],
        [["SET", gone, "1"], "OK"],
      ]);
      const replica = await t.startReal({ extraArgs: ["--replicaof", `127.0.0.1 ${master.port}`] });
      const rcli = redisCli(t, replica);
      await waitForInfo(t, rcli, (i) => infoField(i, "master_link_status") === "up", 8000, "The real replica (redis-server) did not get its link to your master up (master_link_status:up)", SERVE_HINT);
      await rcli.steps([
        [["GET", s], `"${word}"`, SERVE_HINT],
        [["LRANGE", l, "0", "-1"], '1) "x"\n2) "y"', SERVE_HINT],
      ]);
      const k = t.rand.key("after");
      await cli.steps([
        [["SET", k, "1"], "OK"],
        [["INCR", k], "(integer) 2"],
        [["DEL", gone], "(integer) 1"],
      ]);
      await waitForOutput(t, rcli, ["GET", k], '"2"', 3000, "Writes on your master did not reach the real replica", "Send every write command to each replica, as a RESP array, after the snapshot (a SELECT <db> first, as Redis does, is fine).");
      await rcli.expect(["EXISTS", gone], "(integer) 0", { hint: "DEL is streamed like any other write." });
    },
  },
  {
    name: "INFO replication, ROLE and WAIT see the connected replica",
    async run(t) {
      const master = await t.start();
      const cli = redisCli(t, master);
      const replica = await t.startReal({ extraArgs: ["--replicaof", `127.0.0.1 ${master.port}`] });
      await waitForInfo(t, redisCli(t, replica), (i) => infoField(i, "master_link_status") === "up", 8000, "The real replica did not get its link to your master up", SERVE_HINT);
      const info = await waitForInfo(t, cli, (i) => infoField(i, "connected_slaves") === "1", 3000, "Your master's INFO replication did not show connected_slaves:1", "INFO replication on a master lists role:master, connected_slaves:<n> and one slave<i>:ip=...,port=...,state=online,offset=...,lag=... line per replica.");
      t.expectEqual(infoField(info, "role") ?? "(missing)", "master", { message: "INFO replication role on your master" });
      await cli.expectThat(["ROLE"], (out) => out.split("\n")[0] === '1) "master"', { expected: '1) "master" …', hint: "ROLE on a master replies [\"master\", <offset>, [[ip, port, offset], ...]]." });
      await cli.expect(["SET", t.rand.key(), "v"], "OK");
      await cli.expect(["WAIT", "1", "3000"], "(integer) 1", {
        hint: "WAIT <n> <ms> blocks until n replicas acknowledged (REPLCONF ACK) every write made so far — ask them with REPLCONF GETACK * — and replies how many did; it returns at once when enough already have.",
      });
      await cli.expect(["WAIT", "2", "300"], "(integer) 1", { hint: "When the timeout passes first, WAIT replies with the number of replicas that did acknowledge." });
    },
  },
]);
