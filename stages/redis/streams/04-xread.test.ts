import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { expectNoReply, expectShown, showRead, type Entry } from "./replies.ts";

const SHAPE = "XREAD replies with one [key, entries] pair per stream that has entries after its ID (in the order the keys were given, leaving out streams with nothing new); entries are [id, [field, value, ...]] as in XRANGE.";
const AFTER = "XREAD returns entries with an ID strictly greater than the ID given (the last one the client has seen), not equal to it.";
const DOLLAR = '"$" means the stream\'s last ID at the moment XREAD is called: only entries added after that are returned, so XREAD BLOCK 0 STREAMS key $ waits for the next XADD instead of returning old entries.';
const WAKE = "When XADD adds an entry to a stream that clients are blocked on (XREAD BLOCK), reply to each of them with the new entries, as soon as the XADD is done.";

export default stage(import.meta, [
  {
    name: "XREAD returns the entries after an ID, for one or several streams",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [a, b] = [t.rand.key("orders"), t.rand.key("payments")];
      const ms = t.rand.int(100, 900);
      const ea: Entry[] = [[`${ms}-0`, ["item", t.rand.word()]], [`${ms}-1`, ["item", t.rand.word()]], [`${ms + 7}-0`, ["item", t.rand.word(), "qty", String(t.rand.int(1, 9))]]];
      const eb: Entry[] = [[`${ms + 1}-0`, ["amount", String(t.rand.int(1, 999))]], [`${ms + 2}-0`, ["amount", String(t.rand.int(1, 999))]]];
      for (const [key, entries] of [[a, ea], [b, eb]] as const) for (const [id, fields] of entries) await cli.expect(["XADD", key, id, ...fields], `"${id}"`);
      await cli.expect(["XREAD", "STREAMS", a, "0"], showRead([[a, ea]]), { hint: SHAPE });
      await cli.expect(["XREAD", "STREAMS", a, ea[0]![0]], showRead([[a, ea.slice(1)]]), { hint: AFTER });
      await cli.expect(["XREAD", "COUNT", "1", "STREAMS", a, b, "0", "0"], showRead([[a, ea.slice(0, 1)], [b, eb.slice(0, 1)]]), { hint: `${SHAPE} COUNT n limits each stream to n entries; the keys come first, then one ID per key.` });
      await cli.expect(["XREAD", "STREAMS", a, b, ea[2]![0], "0"], showRead([[b, eb]]), { hint: SHAPE });
      await cli.expect(["XREAD", "STREAMS", a, ea[2]![0]], "(nil)", { hint: 'When no stream has anything new, XREAD (without BLOCK) replies with a null array, "*-1\\r\\n" (redis-cli shows (nil)).' });
      await cli.expect(["XREAD", "STREAMS", t.rand.key("missing"), "0"], "(nil)", { hint: "A key that does not exist has no entries: nothing to return." });
      await cli.expect(["XREAD", "STREAMS", a, b, "0"], "(error) ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.", {
        hint: "After STREAMS come N keys then N IDs: an odd count is an error.",
      });
    },
  },
  {
    name: "XREAD BLOCK 0 with $ waits for the next XADD from another client",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      await cli.run(["XADD", key, "*", "old", t.rand.word()]);
      const reader = await RespConnection.open(t, redis, "client 1");
      await reader.command("XREAD", "BLOCK", "0", "STREAMS", key, "$");
      await expectNoReply(reader, 300, { message: `client 1 sent XREAD BLOCK 0 STREAMS ${key} $ and should still be waiting: nothing was added after it blocked.`, hint: DOLLAR });
      const [f, v] = [t.rand.word(), t.rand.word()];
      const out = await cli.run(["XADD", key, "*", f, v]);
      const id = out.replace(/"/g, "");
      await expectShown(reader, showRead([[key, [[id, [f, v]]]]]), { message: `client 2 ran XADD ${key} * ${f} ${v} (replied ${out}): client 1's XREAD BLOCK should now reply with that entry, and only that one.`, hint: `${WAKE} ${DOLLAR}` });
    },
  },
  {
    name: "XREAD BLOCK with a timeout replies nil when nothing arrives",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const id = await cli.run(["XADD", key, "*", "f", "v"]);
      const reader = await RespConnection.open(t, redis, "client 1");
      // Entries already there: BLOCK does not wait.
      await reader.command("XREAD", "BLOCK", "1000", "STREAMS", key, "0");
      await expectShown(reader, showRead([[key, [[id.replace(/"/g, ""), ["f", "v"]]]]]), { message: `XREAD BLOCK 1000 STREAMS ${key} 0, with an entry already in the stream, should reply at once.`, hint: "BLOCK only waits when there is nothing to return right away." });
      const started = Date.now();
      await reader.command("XREAD", "BLOCK", "400", "STREAMS", key, "$");
      await reader.expectReply("*-1\r\n", {
        message: `client 1 sent XREAD BLOCK 400 STREAMS ${key} $ and nothing was added: after 400 ms it should get a null array.`,
        hint: 'BLOCK <ms> waits at most that many milliseconds; when the time is up with nothing new, reply with a null array "*-1\\r\\n" (redis-cli shows (nil)).',
      });
      const elapsed = Date.now() - started;
      if (elapsed < 350) t.fail({ message: `XREAD BLOCK 400 replied after ${elapsed} ms.`, expected: "a reply after about 400 ms", received: `a reply after ${elapsed} ms`, hint: "The BLOCK timeout is in milliseconds: wait that long before replying nil." });
    },
  },
  {
    name: "a blocked XREAD on several streams wakes on whichever gets an entry, even a new stream",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [a, b] = [t.rand.key("orders"), t.rand.key("payments")];
      await cli.run(["XADD", a, "*", "f", "v"]);
      const reader = await RespConnection.open(t, redis, "client 1");
      await reader.command("XREAD", "BLOCK", "0", "STREAMS", a, b, "$", "$");
      await expectNoReply(reader, 200, { message: `client 1 sent XREAD BLOCK 0 STREAMS ${a} ${b} $ $ and should still be waiting.`, hint: DOLLAR });
      const ms = Date.now() + t.rand.int(1000, 9000);
      await cli.expect(["XADD", b, `${ms}-1`, "amount", "12"], `"${ms}-1"`);
      await expectShown(reader, showRead([[b, [[`${ms}-1`, ["amount", "12"]]]]]), {
        message: `client 2 created ${b} with XADD ${b} ${ms}-1 amount 12: client 1, blocked on ${a} and ${b}, should get that entry.`,
        hint: `${WAKE} "$" on a key that does not exist yet means 0-0: the first entry added wakes the reader.`,
      });
    },
  },
  {
    name: "every client blocked on a stream receives the new entry",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const last = (await cli.run(["XADD", key, "*", "f", "v"])).replace(/"/g, "");
      const readers: RespConnection[] = [];
      const n = t.rand.int(2, 4);
      for (let i = 0; i < n; i++) {
        const r = await RespConnection.open(t, redis, `client ${i + 1}`);
        // Half wait with $, half with the last ID they saw: the same thing.
        await r.command("XREAD", "BLOCK", "0", "STREAMS", key, i % 2 === 0 ? "$" : last);
        readers.push(r);
      }
      await expectNoReply(readers[0]!, 200, { message: "client 1 should still be blocked: nothing was added yet.", hint: DOLLAR });
      const [f, v] = [t.rand.word(), t.rand.word()];
      const id = (await cli.run(["XADD", key, "*", f, v])).replace(/"/g, "");
      for (const [i, r] of readers.entries()) {
        await expectShown(r, showRead([[key, [[id, [f, v]]]]]), {
          message: `After one XADD, client ${i + 1} (of ${n} blocked on ${key}) should get the new entry.`,
          hint: "XREAD does not consume entries (unlike BLPOP): every client blocked on the stream is woken with the same new entry.",
        });
      }
    },
  },
]);
