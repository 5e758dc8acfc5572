import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { encodeCommand } from "../../../challenges/redis/clients/resp.ts";
import { stage } from "../../../harness/stage/define.ts";

const TOO_SMALL = "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item";
const SEQ_AUTO = 'For "<ms>-*", the sequence is one more than the last entry\'s sequence when the last entry has the same milliseconds, and 0 when the milliseconds are greater (0-* on a new stream is 0-1, since 0-0 is not valid).';
const STAR = 'For "*", use the current Unix time in milliseconds and sequence 0; if that is not greater than the last entry\'s milliseconds (same millisecond, or the clock went back), keep the last milliseconds and use its sequence + 1, so IDs always increase.';

export default stage(import.meta, [
  {
    name: "<ms>-* numbers entries within a millisecond from 0",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const fresh = t.rand.key("fresh");
      const ms = t.rand.int(1, 999);
      await cli.steps([
        [["XADD", key, `${ms}-*`, "f", "v"], `"${ms}-0"`, SEQ_AUTO],
        [["XADD", key, `${ms}-*`, "f", "v"], `"${ms}-1"`, SEQ_AUTO],
        [["XADD", key, `${ms}-*`, "f", "v"], `"${ms}-2"`, SEQ_AUTO],
        [["XADD", key, `${ms + 5}-*`, "f", "v"], `"${ms + 5}-0"`, SEQ_AUTO],
        [["XADD", key, `${ms + 5}-*`, "f", "v"], `"${ms + 5}-1"`, SEQ_AUTO],
        [["XADD", key, `${ms}-*`, "f", "v"], TOO_SMALL, "<ms>-* with milliseconds below the last entry's is still too small: reply the same error as for an explicit ID."],
        [["XLEN", key], "(integer) 5"],
        [["XADD", fresh, "0-*", "f", "v"], '"0-1"', SEQ_AUTO],
      ]);
    },
  },
  {
    name: "<ms>-* continues after an explicit ID with the same milliseconds",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const ms = t.rand.int(1, 999);
      const seq = t.rand.int(3, 40);
      await cli.steps([
        [["XADD", key, `${ms}-${seq}`, "f", "v"], `"${ms}-${seq}"`],
        [["XADD", key, `${ms}-*`, "f", "v"], `"${ms}-${seq + 1}"`, SEQ_AUTO],
      ]);
    },
  },
  {
    name: "* uses the current time in milliseconds, and IDs within one millisecond count up",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis, "client 1");
      const key = t.rand.key("events");
      const n = 20;
      const before = Date.now();
      // Pipelined, so several land in the same millisecond.
      await conn.send(Buffer.concat(Array.from({ length: n }, () => encodeCommand(["XADD", key, "*", "f", "v"]))));
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const { value } = await conn.reply(3000, { message: `Reading the reply to XADD ${key} * f v (${i + 1} of ${n}, pipelined).` });
        if (value.type !== "bulk" || value.value === null) return t.fail({ message: `XADD ${key} * f v should reply with the new ID as a bulk string.`, received: JSON.stringify(value), hint: STAR });
        ids.push(value.value.toString("latin1"));
      }
      const after = Date.now();
      let prev: [bigint, bigint] | null = null;
      for (const id of ids) {
        const m = /^(\d+)-(\d+)$/.exec(id);
        if (m === null) return t.fail({ message: `XADD ${key} * replied "${id}", which is not an ID of the form <ms>-<seq>.`, hint: STAR });
        const ms = BigInt(m[1]!);
        const seq = BigInt(m[2]!);
        if (ms < BigInt(before - 50) || ms > BigInt(after + 50)) {
          t.fail({ message: `XADD ${key} * replied "${id}", but the time was between ${before} and ${after} ms since the Unix epoch.`, expected: `"${before}-0" … "${after}-…"`, received: `"${id}"`, hint: STAR });
        }
        if (prev !== null) {
          const [pms, pseq]: [bigint, bigint] = prev;
          const want = ms === pms ? `${pms}-${pseq + 1n}` : null;
          if (ms < pms || (ms === pms && seq !== pseq + 1n) || (ms > pms && seq !== 0n)) {
            t.fail({
              message: `After "${pms}-${pseq}", XADD ${key} * replied "${id}".`,
              expected: want === null ? `"<greater ms>-0"` : `"${want}" (same millisecond: next sequence)`,
              received: `"${id}"`,
              hint: STAR,
            });
          }
        }
        prev = [ms, seq];
      }
    },
  },
  {
    name: "* stays above the last ID even when that ID is in the future",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const past = t.rand.key("past");
      // An explicit ID an hour ahead: the clock is "behind" the stream.
      const future = Date.now() + 3_600_000 + t.rand.int(0, 1000);
      const seq = t.rand.int(0, 9);
      await cli.steps([
        [["XADD", key, `${future}-${seq}`, "f", "v"], `"${future}-${seq}"`],
        [["XADD", key, "*", "f", "v"], `"${future}-${seq + 1}"`, STAR],
        [["XADD", key, "*", "f", "v"], `"${future}-${seq + 2}"`, STAR],
        [["XADD", past, "1-1", "f", "v"], '"1-1"'],
      ]);
      await cli.expectThat(["XADD", past, "*", "f", "v"], (out) => /^"\d{13}-0"$/.test(out) && Math.abs(Number(out.slice(1, 14)) - Date.now()) < 5000, {
        expected: `"${Date.now()}-0" (about now)`,
        hint: STAR,
      });
    },
  },
]);
