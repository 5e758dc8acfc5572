import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Program } from "../../../harness/stage/program.ts";
import { stage } from "../../../harness/stage/define.ts";
import { Pipeline } from "../keyspace/pipeline.ts";
import { push } from "./shared.ts";

const PATTERN = "__key*";
const OFF = "Keyspace notifications are off by default (notify-keyspace-events is empty): a write before CONFIG SET sends nothing.";
const KEYSPACE = "With K, each event is published to __keyspace@<db>__:<key> with the event's name (\"set\") as the message.";
const KEYEVENT = "With E, each event is published to __keyevent@<db>__:<event> with the key as the message.";
const ORDER = "When both K and E are on, the __keyspace@ message is published before the __keyevent@ one.";
const CLASSES = "Only the classes named are sent: with \"Kl\" a SET (class $) sends nothing, an LPUSH (class l) does.";
const NAMES = "Each command names its own events, as redis-server's: INCR sends incrby, RPOP rpop, HSET hset, SADD sadd, EXPIRE expire, DEL del (one per key deleted).";
const EMPTIED = "A command that removes the last element of a collection deletes the key: its own event (rpop) is followed by del.";
const RENAME = "RENAME sends rename_from for the old name, then rename_to for the new one.";
const EXPIRED = "A key whose TTL passes sends expired (class x) when it is deleted, by a read or by the background expiry cycle.";
const NEW = "The class n sends new when a write creates a key, not when it overwrites one.";
const DB = "The channel names the database the key is in: __keyspace@3__:<key> after SELECT 3.";
const CONFIG = "CONFIG GET notify-keyspace-events shows the classes in redis-server's order: A (or g$lshzxetd), then n, K, E, m; \"KA\" reads back as \"AK\".";
const BAD = "A letter that is no class is refused: -ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** A connection subscribed to every keyspace and keyevent channel. */
async function listener(t: CaseContext, redis: Program): Promise<RespConnection> {
  const conn = await RespConnection.open(t, redis, "subscriber");
  await conn.command("PSUBSCRIBE", PATTERN);
  await conn.expectReply(push("psubscribe", PATTERN, 1), { message: `PSUBSCRIBE ${PATTERN} is confirmed first.` });
  return conn;
}

/** Expects the next message to be the event `event` about `key` on database `db`, on the channels `kinds` say, in that order. */
async function expectEvent(conn: RespConnection, db: number, event: string, key: string, hint: string, kinds: "K" | "E" | "KE" = "KE"): Promise<void> {
  if (kinds.includes("K")) {
    await conn.expectReply(push("pmessage", PATTERN, `__keyspace@${db}__:${key}`, event), { message: `The next message should be the keyspace event "${event}" about ${key}.`, hint });
  }
  if (kinds.includes("E")) {
    await conn.expectReply(push("pmessage", PATTERN, `__keyevent@${db}__:${event}`, key), { message: `The next message should be the keyevent "${event}" about ${key}.`, hint });
  }
}

async function configSet(p: Pipeline, flags: string): Promise<void> {
  await p.call(["CONFIG", "SET", "notify-keyspace-events", flags]);
}

export default stage(import.meta, [
  {
    name: "off by default; K and E publish each event on both channels, keyspace first",
    async run(t) {
      const redis = await t.start();
      const sub = await listener(t, redis);
      const p = await Pipeline.open(t, redis);
      const [before, key] = [t.rand.key("before"), t.rand.key("k")];
      await p.call(["SET", before, t.rand.word()]);
      await configSet(p, t.rand.pick(["KEA", "AKE", "EKA"]));
      await p.call(["SET", key, t.rand.word()]);
      await expectEvent(sub, 0, "set", key, `${OFF} ${KEYSPACE} ${ORDER}`, "K");
      await expectEvent(sub, 0, "set", key, `${ORDER} ${KEYEVENT}`, "E");
      await p.call(["DEL", key]);
      await expectEvent(sub, 0, "del", key, `${KEYSPACE} ${KEYEVENT}`);
    },
  },
  {
    name: "only the classes named; each command's event names; del after emptying; RENAME",
    async run(t) {
      const redis = await t.start();
      const sub = await listener(t, redis);
      const p = await Pipeline.open(t, redis);
      const [str, list, counter, list2, hash, set, renamed] = ["s", "l", "n", "l2", "h", "set", "n2"].map((k) => t.rand.key(k)) as [string, string, string, string, string, string, string];
      await configSet(p, "Kl");
      await p.call(["SET", str, "x"]);
      await p.call(["LPUSH", list, "x"]);
      await expectEvent(sub, 0, "lpush", list, CLASSES, "K");
      await configSet(p, "KA");
      const steps: [string[], string, string, string][] = [
        [["INCR", counter], "incrby", counter, NAMES],
        [["RPUSH", list2, "a", "b"], "rpush", list2, NAMES],
        [["RPOP", list2], "rpop", list2, NAMES],
        [["RPOP", list2], "rpop", list2, EMPTIED],
        [["HSET", hash, "f", "v"], "hset", hash, NAMES],
        [["SADD", set, "m"], "sadd", set, NAMES],
        [["EXPIRE", counter, "1000"], "expire", counter, NAMES],
      ];
      for (const [command, event, key, hint] of steps) {
        await p.call(command);
        await expectEvent(sub, 0, event, key, `${hint} (after ${command.join(" ")})`, "K");
        if (command[0] === "RPOP" && hint === EMPTIED) await expectEvent(sub, 0, "del", key, EMPTIED, "K");
      }
      await p.call(["RENAME", counter, renamed]);
      await expectEvent(sub, 0, "rename_from", counter, RENAME, "K");
      await expectEvent(sub, 0, "rename_to", renamed, RENAME, "K");
      await p.call(["DEL", renamed, set]);
      await expectEvent(sub, 0, "del", renamed, NAMES, "K");
      await expectEvent(sub, 0, "del", set, NAMES, "K");
    },
  },
  {
    name: "new only when a key is created; expired when a TTL passes",
    async run(t) {
      const redis = await t.start();
      const sub = await listener(t, redis);
      const p = await Pipeline.open(t, redis);
      const [fresh, temp] = [t.rand.key("fresh"), t.rand.key("temp")];
      await configSet(p, "Exn");
      await p.call(["SET", fresh, "1"]);
      await p.call(["SET", fresh, "2"]);
      await p.call(["PSETEX", temp, String(t.rand.int(20, 80)), "x"]);
      await expectEvent(sub, 0, "new", fresh, NEW, "E");
      await expectEvent(sub, 0, "new", temp, NEW, "E");
      await expectEvent(sub, 0, "expired", temp, EXPIRED, "E");
    },
  },
  {
    name: "the database number in the channel; CONFIG GET's order; an unknown class letter",
    async run(t) {
      const redis = await t.start();
      const sub = await listener(t, redis);
      const p = await Pipeline.open(t, redis);
      const db = t.rand.int(1, 15);
      const key = t.rand.key("k");
      await configSet(p, "KA");
      await p.run([["SELECT", String(db)], ["SET", key, "x"]]);
      await expectEvent(sub, db, "set", key, DB, "K");
      const cli = redisCli(t, redis);
      await cli.steps([
        [["CONFIG", "GET", "notify-keyspace-events"], '1) "notify-keyspace-events"\n2) "AK"', CONFIG],
        [["CONFIG", "SET", "notify-keyspace-events", "Elg"], "OK", CONFIG],
        [["CONFIG", "GET", "notify-keyspace-events"], '1) "notify-keyspace-events"\n2) "glE"', CONFIG],
        [
          ["CONFIG", "SET", "notify-keyspace-events", `K${t.rand.pick(["q", "Q", "y", "1"])}`],
          "(error) ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
          BAD,
        ],
      ]);
    },
  },
]);
