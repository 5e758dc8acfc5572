import { stage } from "../../../harness/stage/define.ts";
import { expectData, startRealRedis, writeRandomData } from "../rdb/shared.ts";
import { readFileSync } from "node:fs";
import { visible } from "../../../harness/report/show.ts";
import { aofArgs, incrFile, kill9, manifestFiles, startWith } from "./shared.ts";

const ALWAYS = "With appendfsync always, append each write command (as RESP, the way clients send it) to the AOF and fsync it BEFORE sending the reply: a write that was acknowledged must survive kill -9. At start-up with appendonly yes, replay the AOF.";

const RELATIVE = "Log expiry times as absolute times, as Redis 7 does: SET … EX/PX as SET … PXAT <unix ms>, EXPIRE/PEXPIRE as PEXPIREAT <unix ms>. Replaying `SET k v PX 3000` at start-up would give the key 3 s again after every restart.";

async function writeSome(t: Parameters<typeof writeRandomData>[0], cli: Parameters<typeof writeRandomData>[1]) {
  const data = await writeRandomData(t, cli);
  // Overwrites and deletions must replay to the same end state.
  const counter = t.rand.key("counter");
  const n = t.rand.int(3, 8);
  for (let i = 1; i <= n; i++) await cli.expect(["INCR", counter], `(integer) ${i}`);
  const dropped = t.rand.key("dropped");
  await cli.steps([
    [["SET", dropped, "soon gone"], "OK"],
    [["DEL", dropped], "(integer) 1"],
  ]);
  data.set(counter, `string: "${n}"`);
  return data;
}

export default stage(import.meta, [
  {
    name: "every write acknowledged under appendfsync always survives kill -9",
    async run(t) {
      const args = aofArgs(t.dir, "always");
      const first = await startWith(t, args, ALWAYS);
      const data = await writeSome(t, first.cli);
      await kill9(t, first.redis);
      const second = await startWith(t, args, `Your program could not start on the AOF it wrote. ${ALWAYS}`);
      await expectData(second.cli, data, ALWAYS);
    },
  },
  {
    name: "expiry times stay absolute across a restart",
    async run(t) {
      const args = aofArgs(t.dir, "always");
      const first = await startWith(t, args, ALWAYS);
      const [a, b] = [t.rand.key("px"), t.rand.key("ex")];
      await first.cli.steps([
        [["SET", a, t.rand.word(), "PX", "3000"], "OK"],
        [["SET", b, t.rand.word()], "OK"],
        [["EXPIRE", b, "3"], "(integer) 1"],
      ]);
      t.log.note("waiting 1 s before kill -9");
      await Bun.sleep(1000);
      await kill9(t, first.redis);
      const second = await startWith(t, args, ALWAYS);
      const hint = `${RELATIVE} ${ALWAYS}`;
      for (const key of [a, b]) {
        await second.cli.expectThat(["PTTL", key], (out) => {
          const ms = Number(/^\(integer\) (\d+)$/.exec(out)?.[1] ?? NaN);
          return ms > 0 && ms <= 2100;
        }, { expected: "(integer) 1 … 2100 (3 s set about a second before the restart)", hint });
      }
    },
  },
  {
    name: "only commands that changed data are appended",
    async run(t) {
      const args = aofArgs(t.dir, "always");
      const first = await startWith(t, args, ALWAYS);
      const [key, missing] = [t.rand.key("kept"), t.rand.key("missing")];
      const value = t.rand.word();
      await first.cli.expect(["SET", key, value], "OK");
      await first.cli.expect(["GET", key], `"${value}"`);
      await first.cli.expect(["GET", missing], "(nil)");
      await first.cli.expect(["EXISTS", key], "(integer) 1");
      await first.cli.expect(["DEL", missing], "(integer) 0");
      await kill9(t, first.redis);
      const path = incrFile(t.dir);
      const text = readFileSync(path).toString("latin1");
      const logged = /\$3\r\n(GET|DEL)\r\n|\$6\r\nEXISTS\r\n/i.exec(text);
      if (!/\$3\r\nSET\r\n/i.test(text) || logged) {
        t.fail({
          message: logged ? `The incremental AOF file holds a ${logged[1] ?? "EXISTS"} command: after SET, GET, GET of a missing key, EXISTS and DEL of a missing key, only the SET changed data.` : "The incremental AOF file does not hold the SET.",
          expected: "SELECT 0, then the SET only",
          received: visible(Buffer.from(text, "latin1")),
          hint: "Append only the commands that changed data: not reads (GET, EXISTS), and not writes that changed nothing (DEL of a missing key).",
        });
      }
    },
  },
  {
    name: "redis-server loads the AOF directory the program wrote",
    async run(t) {
      const first = await startWith(t, aofArgs(t.dir, "always"), ALWAYS);
      const data = await writeSome(t, first.cli);
      await kill9(t, first.redis);
      manifestFiles(t.dir);
      const real = await startRealRedis(t, ["--dir", t.dir, "--appendonly", "yes"]);
      await expectData(real.cli, data, `redis-server, started with appendonly yes in the same --dir, must find the same data. ${ALWAYS}`);
    },
  },
]);
