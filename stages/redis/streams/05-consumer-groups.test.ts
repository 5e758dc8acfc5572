import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { expectNoReply, expectPending, expectShown, sampleEntries, showRead, startWithStream, type Entry } from "./replies.ts";

const ONCE = 'XREADGROUP GROUP <group> <consumer> ... STREAMS key > delivers entries the group has not delivered to anyone yet: keep one "last delivered ID" per group (not per consumer) and move it forward, so each entry goes to exactly one consumer of the group.';
const HISTORY = "XREADGROUP with an ID instead of > reads the consumer's own pending entries (delivered to it, not yet acknowledged) with IDs greater than that ID; the reply has the stream even when the list is empty.";
const ACK = "XACK removes the IDs from the group's pending entries list (and from the consumer's) and replies how many were pending; acknowledging again replies 0.";
const PENDING = "XPENDING lists the group's pending entries: each entry delivered with XREADGROUP > is pending, owned by the consumer it went to, until XACK; reading it again through the history (or XCLAIM) adds one to its delivery count and resets its idle time.";

/** `n` jobs, one per millisecond. */
function jobs(t: CaseContext, n: number): Entry[] {
  return sampleEntries(t, n, () => ["job", t.rand.word()]);
}

/** Two consumer names in byte order. */
function twoConsumers(t: CaseContext): [string, string] {
  const a = t.rand.pick(["alice", "amir", "ana"]);
  const b = t.rand.pick(["bob", "bea", "bruno"]);
  return [a, b];
}

export default stage(import.meta, [
  {
    name: "XGROUP CREATE makes a group, MKSTREAM creates the stream, a second CREATE is BUSYGROUP",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("jobs");
      const group = t.rand.word();
      await cli.steps([
        [["XGROUP", "CREATE", key, group, "$"], "(error) ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.", "XGROUP CREATE on a key that does not exist is an error unless MKSTREAM is given."],
        [["EXISTS", key], "(integer) 0"],
        [["XGROUP", "CREATE", key, group, "$", "MKSTREAM"], "OK", "With MKSTREAM, XGROUP CREATE creates an empty stream and replies +OK."],
        [["TYPE", key], "stream", "MKSTREAM creates a stream, even though it has no entries."],
        [["XLEN", key], "(integer) 0"],
        [["XGROUP", "CREATE", key, group, "0"], "(error) BUSYGROUP Consumer Group name already exists", 'Creating a group that exists replies "-BUSYGROUP Consumer Group name already exists".'],
        [["XREADGROUP", "GROUP", "nosuchgroup", "c1", "STREAMS", key, ">"], `(error) NOGROUP No such key '${key}' or consumer group 'nosuchgroup' in XREADGROUP with GROUP option`, "XREADGROUP with a group that does not exist is a NOGROUP error."],
      ]);
    },
  },
  {
    name: "XREADGROUP > delivers each entry to only one consumer of the group",
    async run(t) {
      const [c1, c2] = twoConsumers(t);
      const e = jobs(t, 5);
      const { cli, key } = await startWithStream(t, e, "jobs");
      await cli.expect(["XGROUP", "CREATE", key, "workers", "0"], "OK");
      await cli.steps([
        [["XREADGROUP", "GROUP", "workers", c1, "COUNT", "2", "STREAMS", key, ">"], showRead([[key, e.slice(0, 2)]]), `${ONCE} A group created at 0 starts with the first entry; COUNT limits how many are delivered.`],
        [["XREADGROUP", "GROUP", "workers", c2, "COUNT", "2", "STREAMS", key, ">"], showRead([[key, e.slice(2, 4)]]), ONCE],
        [["XREADGROUP", "GROUP", "workers", c1, "STREAMS", key, ">"], showRead([[key, e.slice(4)]]), ONCE],
        [["XREADGROUP", "GROUP", "workers", c2, "STREAMS", key, ">"], "(nil)", `${ONCE} With nothing new for the group, reply a null array (redis-cli: (nil)).`],
        [["XGROUP", "CREATE", key, "audit", "0"], "OK"],
        [["XREADGROUP", "GROUP", "audit", c1, "STREAMS", key, ">"], showRead([[key, e]]), "Each group has its own last delivered ID: another group gets every entry again."],
        [["XGROUP", "CREATE", key, "late", "$"], "OK"],
        [["XREADGROUP", "GROUP", "late", c1, "STREAMS", key, ">"], "(nil)", 'A group created with "$" starts after the stream\'s last entry: it gets only entries added later.'],
      ]);
    },
  },
  {
    name: "XREADGROUP with an ID reads the consumer's pending entries, and XACK removes them",
    async run(t) {
      const [c1, c2] = twoConsumers(t);
      const e = jobs(t, 3);
      const { cli, key } = await startWithStream(t, e, "jobs");
      await cli.steps([
        [["XGROUP", "CREATE", key, "workers", "0"], "OK"],
        [["XREADGROUP", "GROUP", "workers", c1, "COUNT", "2", "STREAMS", key, ">"], showRead([[key, e.slice(0, 2)]]), ONCE],
        [["XREADGROUP", "GROUP", "workers", c2, "STREAMS", key, ">"], showRead([[key, e.slice(2)]]), ONCE],
        [["XREADGROUP", "GROUP", "workers", c1, "STREAMS", key, "0"], showRead([[key, e.slice(0, 2)]]), HISTORY],
        [["XREADGROUP", "GROUP", "workers", c2, "STREAMS", key, "0"], showRead([[key, e.slice(2)]]), `${HISTORY} Each consumer sees only its own pending entries.`],
        [["XACK", key, "workers", e[0]![0]], "(integer) 1", ACK],
        [["XACK", key, "workers", e[0]![0]], "(integer) 0", ACK],
        [["XREADGROUP", "GROUP", "workers", c1, "STREAMS", key, "0"], showRead([[key, e.slice(1, 2)]]), `${ACK} An acknowledged entry is no longer in the consumer's history.`],
        [["XACK", key, "workers", e[1]![0], e[2]![0], "999999-0"], "(integer) 2", `${ACK} IDs that are not pending are not counted.`],
        [["XREADGROUP", "GROUP", "workers", c1, "STREAMS", key, "0"], `1) 1) "${key}"\n   2) (empty array)`, `${HISTORY} With everything acknowledged, the stream's list is an empty array.`],
        [["XLEN", key], "(integer) 3", "XACK does not delete entries from the stream."],
      ]);
    },
  },
  {
    name: "XPENDING summarizes the pending entries and lists them with owner, idle time and delivery count",
    async run(t) {
      const [c1, c2] = twoConsumers(t);
      const e = jobs(t, 4);
      const { redis, cli, key } = await startWithStream(t, e, "jobs");
      await cli.expect(["XGROUP", "CREATE", key, "workers", "0"], "OK");
      await cli.expect(["XGROUP", "CREATE", key, "idle", "0"], "OK");
      await cli.expect(["XPENDING", key, "idle"], "1) (integer) 0\n2) (nil)\n3) (nil)\n4) (nil)", { hint: "With nothing pending, XPENDING's summary is 0 followed by three nulls." });
      const delivered = Date.now();
      await cli.run(["XREADGROUP", "GROUP", "workers", c1, "COUNT", "2", "STREAMS", key, ">"]);
      await cli.run(["XREADGROUP", "GROUP", "workers", c2, "COUNT", "1", "STREAMS", key, ">"]);
      await cli.expect(["XPENDING", key, "workers"], `1) (integer) 3\n2) "${e[0]![0]}"\n3) "${e[2]![0]}"\n4) 1) 1) "${c1}"\n      2) "2"\n   2) 1) "${c2}"\n      2) "1"`, {
        hint: `${PENDING} The summary is: the number of pending entries, the smallest and greatest pending ID, and for each consumer with pending entries its name and count (the count as a bulk string).`,
      });
      const conn = await RespConnection.open(t, redis, "client 1");
      await expectPending(conn, ["XPENDING", key, "workers", "-", "+", "10"], [[e[0]![0], c1, 1], [e[1]![0], c1, 1], [e[2]![0], c2, 1]], delivered, {
        message: `XPENDING ${key} workers - + 10 should list each pending entry: [ID, consumer, milliseconds since delivered, times delivered].`,
        hint: PENDING,
      });
      await cli.run(["XREADGROUP", "GROUP", "workers", c1, "STREAMS", key, "0"]);
      await expectPending(conn, ["XPENDING", key, "workers", "-", "+", "10", c1], [[e[0]![0], c1, 2], [e[1]![0], c1, 2]], delivered, {
        message: `${c1} read its history again (XREADGROUP ... STREAMS ${key} 0): XPENDING ${key} workers - + 10 ${c1} should show its two entries delivered twice.`,
        hint: `${PENDING} The optional last argument limits the list to one consumer.`,
      });
      await expectPending(conn, ["XPENDING", key, "workers", "-", "+", "1"], [[e[0]![0], c1, 2]], delivered, { message: "XPENDING ... - + 1 should list only the first pending entry.", hint: "The count argument limits how many entries are listed." });
    },
  },
  {
    name: "XCLAIM gives a pending entry that has been idle long enough to another consumer",
    async run(t) {
      const [c1, c2] = twoConsumers(t);
      const e = jobs(t, 2);
      const { redis, cli, key } = await startWithStream(t, e, "jobs");
      await cli.expect(["XGROUP", "CREATE", key, "workers", "0"], "OK");
      await cli.run(["XREADGROUP", "GROUP", "workers", c1, "COUNT", "1", "STREAMS", key, ">"]);
      t.log.note("waiting 200 ms so the entry is idle");
      await Bun.sleep(200);
      const CLAIM = "XCLAIM key group consumer min-idle-time ID ... takes pending entries idle for at least min-idle-time milliseconds, makes the consumer their owner, resets their idle time, adds one to their delivery count and replies with the entries (like XRANGE); entries not idle long enough are skipped.";
      const claimed = Date.now();
      await cli.steps([
        [["XCLAIM", key, "workers", c2, "60000", e[0]![0]], "(empty array)", CLAIM],
        [["XCLAIM", key, "workers", c2, "100", e[0]![0]], `1) 1) "${e[0]![0]}"\n   2) 1) "job"\n      2) "${e[0]![1][1]}"`, CLAIM],
        [["XCLAIM", key, "workers", c2, "0", e[1]![0]], "(empty array)", "XCLAIM only claims entries that are pending in the group; one never delivered is skipped."],
        [["XREADGROUP", "GROUP", "workers", c1, "STREAMS", key, "0"], `1) 1) "${key}"\n   2) (empty array)`, "After XCLAIM, the entry is no longer in the old owner's pending list."],
      ]);
      const conn = await RespConnection.open(t, redis, "client 1");
      await expectPending(conn, ["XPENDING", key, "workers", "-", "+", "10"], [[e[0]![0], c2, 2]], claimed, {
        message: `After XCLAIM, XPENDING should show ${e[0]![0]} owned by ${c2}, delivered twice, idle only since the XCLAIM (it had been idle 200 ms before).`,
        hint: CLAIM,
      });
    },
  },
  {
    name: "XREADGROUP BLOCK waits for a new entry, which goes to one waiting consumer",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("jobs");
      const [c1, c2] = twoConsumers(t);
      await cli.expect(["XGROUP", "CREATE", key, "workers", "$", "MKSTREAM"], "OK");
      const w1 = await RespConnection.open(t, redis, "client 1");
      const w2 = await RespConnection.open(t, redis, "client 2");
      await w1.command("XREADGROUP", "GROUP", "workers", c1, "BLOCK", "0", "STREAMS", key, ">");
      await expectNoReply(w1, 150, { message: `client 1 (${c1}) should be blocked: the stream is empty.`, hint: "XREADGROUP BLOCK with > waits until there is a new entry for the group." });
      await w2.command("XREADGROUP", "GROUP", "workers", c2, "BLOCK", "0", "STREAMS", key, ">");
      const first = (await cli.run(["XADD", key, "*", "job", "one"])).replace(/"/g, "");
      const WAKE = "When XADD adds to a stream, serve the clients blocked in XREADGROUP on it in the order they blocked: the first gets the new entry (and it becomes pending for that consumer), the next finds nothing new for the group and stays blocked.";
      await expectShown(w1, showRead([[key, [[first, ["job", "one"]]]]]), { message: `After XADD ${key} * job one, client 1 (${c1}, blocked first) should get the entry.`, hint: WAKE });
      await expectNoReply(w2, 200, { message: `client 2 (${c2}) should still be blocked: the only new entry went to ${c1}.`, hint: `${WAKE} ${ONCE}` });
      const second = (await cli.run(["XADD", key, "*", "job", "two"])).replace(/"/g, "");
      await expectShown(w2, showRead([[key, [[second, ["job", "two"]]]]]), { message: `After a second XADD, client 2 (${c2}) should get that entry.`, hint: WAKE });
      await cli.expect(["XPENDING", key, "workers"], `1) (integer) 2\n2) "${first}"\n3) "${second}"\n4) 1) 1) "${c1}"\n      2) "1"\n   2) 1) "${c2}"\n      2) "1"`, { hint: "Entries delivered to a blocked XREADGROUP are pending for that consumer, as with a non-blocking read." });
    },
  },
]);
