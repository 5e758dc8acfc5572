import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { sampleEntries, showEntries, startWithStream, type Entry } from "./replies.ts";

const TOO_SMALL = "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item";
const STAYS = "Unlike a list, a stream is not deleted when its last entry goes (XDEL, XTRIM): the key stays, with XLEN 0, and keeps its consumer groups and its last ID.";
const LAST_ID = "The stream remembers the greatest ID it ever had, even after that entry is deleted: a new XADD must still be greater than it.";

export default stage(import.meta, [
  {
    name: "XDEL removes entries; an emptied stream stays and remembers its last ID",
    async run(t) {
      const e = sampleEntries(t, 3, (i) => ["n", String(i + 1)]);
      const { cli, key } = await startWithStream(t, e);
      const [ms, seq] = e[2]![0].split("-").map(Number) as [number, number];
      await cli.steps([
        [["XDEL", key, e[1]![0], "1-999"], "(integer) 1", "XDEL replies with how many of the IDs given were entries of the stream (and deletes them)."],
        [["XRANGE", key, "-", "+"], showEntries([e[0]!, e[2]!]), "A deleted entry no longer appears in XRANGE."],
        [["XLEN", key], "(integer) 2"],
        [["XDEL", key, e[0]![0], e[2]![0]], "(integer) 2"],
        [["XLEN", key], "(integer) 0"],
        [["EXISTS", key], "(integer) 1", STAYS],
        [["TYPE", key], "stream", STAYS],
        [["XADD", key, e[2]![0], "n", "4"], TOO_SMALL, LAST_ID],
        [["XADD", key, e[1]![0], "n", "4"], TOO_SMALL, LAST_ID],
        [["XADD", key, `${ms}-*`, "n", "4"], `"${ms}-${seq + 1}"`, LAST_ID],
        [["XDEL", key, "abc"], "(error) ERR Invalid stream ID specified as stream command argument", "XDEL with an ID that is not valid replies \"-ERR Invalid stream ID specified as stream command argument\"."],
        [["XDEL", t.rand.key("missing"), `${ms}-${seq + 1}`], "(integer) 0", "XDEL on a missing key replies 0."],
      ]);
    },
  },
  {
    name: "XTRIM MAXLEN keeps only the newest entries",
    async run(t) {
      const e = sampleEntries(t, 6, (i) => ["n", String(i + 1)]);
      const { cli, key } = await startWithStream(t, e);
      const keep = t.rand.int(2, 4);
      const TRIM = "XTRIM key MAXLEN n deletes the oldest entries until at most n remain, and replies with how many it deleted.";
      await cli.steps([
        [["XTRIM", key, "MAXLEN", String(keep)], `(integer) ${6 - keep}`, TRIM],
        [["XRANGE", key, "-", "+"], showEntries(e.slice(6 - keep)), TRIM],
        [["XTRIM", key, "MAXLEN", "10"], "(integer) 0", "A stream already within MAXLEN is left alone: 0 deleted."],
        [["XTRIM", key, "MAXLEN", "=", "0"], `(integer) ${keep}`, `${TRIM} "=" before the number means exactly (the default).`],
        [["XLEN", key], "(integer) 0"],
        [["EXISTS", key], "(integer) 1", STAYS],
        [["XTRIM", t.rand.key("missing"), "MAXLEN", "0"], "(integer) 0", "XTRIM on a key that does not exist replies 0."],
      ]);
    },
  },
  {
    name: "XADD with MAXLEN trims as it appends",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const max = t.rand.int(2, 3);
      const ms = t.rand.int(100, 900);
      const e: Entry[] = [];
      for (let i = 0; i < 5; i++) {
        const id = `${ms + i}-0`;
        await cli.expect(["XADD", key, "MAXLEN", String(max), id, "n", String(i)], `"${id}"`, { hint: "XADD accepts MAXLEN <n> (optionally MAXLEN = <n>) before the ID: add the entry, then trim the stream to n entries." });
        e.push([id, ["n", String(i)]]);
      }
      await cli.expect(["XLEN", key], `(integer) ${max}`, { hint: "XADD ... MAXLEN n keeps the stream at n entries at most, dropping the oldest." });
      await cli.expect(["XRANGE", key, "-", "+"], showEntries(e.slice(5 - max)), { hint: "MAXLEN drops the oldest entries and keeps the newest." });
    },
  },
  {
    name: "XTRIM MINID deletes the entries with smaller IDs",
    async run(t) {
      const e = sampleEntries(t, 5, (i) => ["n", String(i + 1)]);
      const { cli, key } = await startWithStream(t, e);
      const cut = t.rand.int(1, 3);
      await cli.steps([
        [["XTRIM", key, "MINID", e[cut]![0]], `(integer) ${cut}`, "XTRIM key MINID id deletes every entry with an ID smaller than id (the entry with that ID stays)."],
        [["XRANGE", key, "-", "+"], showEntries(e.slice(cut))],
      ]);
    },
  },
]);
