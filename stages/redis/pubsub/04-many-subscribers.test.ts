import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { push } from "./shared.ts";

const EVERYONE = "PUBLISH delivers the message to EVERY connection subscribed to the channel (keep a list of subscribers per channel, not a single one), and each gets the messages in the order they were published.";

export default stage(import.meta, [
  {
    name: "twenty subscribers each receive every message, in order",
    async run(t) {
      const redis = await t.start();
      const channel = t.rand.key("fanout");
      const subs: RespConnection[] = [];
      for (let i = 0; i < 20; i++) {
        const conn = await RespConnection.open(t, redis, `subscriber ${i + 1}`);
        await conn.command("SUBSCRIBE", channel);
        await conn.expectReply(push("subscribe", channel, 1));
        subs.push(conn);
      }
      const publisher = await RespConnection.open(t, redis, "publisher");
      const messages = Array.from({ length: 10 }, (_, i) => `${i + 1}:${t.rand.word()}`);
      // Pipelined: ten PUBLISH commands in one write.
      await publisher.send(messages.map((m) => `*3\r\n$7\r\nPUBLISH\r\n$${channel.length}\r\n${channel}\r\n$${m.length}\r\n${m}\r\n`).join(""));
      for (const m of messages) await publisher.expectReply(":20\r\n", { message: `PUBLISH ${channel} ${m} with twenty subscribers.`, hint: EVERYONE });
      for (const sub of t.rand.shuffle(subs)) {
        for (const m of messages) await sub.expectReply(push("message", channel, m), { message: `Each subscriber should get message ${m}, in publishing order.`, hint: EVERYONE });
      }
    },
  },
  {
    name: "subscribers that unsubscribe or disconnect are no longer counted",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const channel = t.rand.key("room");
      const subs: RespConnection[] = [];
      for (let i = 0; i < 12; i++) {
        const conn = await RespConnection.open(t, redis, `subscriber ${i + 1}`);
        await conn.command("SUBSCRIBE", channel);
        await conn.expectReply(push("subscribe", channel, 1));
        subs.push(conn);
      }
      for (const conn of subs.slice(0, 4)) {
        await conn.command("UNSUBSCRIBE", channel);
        await conn.expectReply(push("unsubscribe", channel, 0));
      }
      await cli.expect(["PUBLISH", channel, "after-unsubscribe"], "(integer) 8", { message: "PUBLISH after 4 of 12 subscribers unsubscribed.", hint: EVERYONE });
      for (const conn of subs.slice(4, 8)) conn.close();
      // The server learns about a closed connection asynchronously: poll, bounded.
      const deadline = Date.now() + 3000;
      let last = "";
      while (Date.now() < deadline) {
        last = await cli.run(["PUBLISH", channel, "after-close"]);
        if (last === "(integer) 4") break;
        await Bun.sleep(50);
      }
      t.expectEqual(last, "(integer) 4", {
        message: "PUBLISH after 4 more subscribers closed their connections (polled for 3 s).",
        hint: "When a connection closes, remove it from every channel and pattern it subscribed to (and do not crash writing to it).",
      });
      for (const conn of subs.slice(8)) await conn.expectReply(push("message", channel, "after-unsubscribe"), { hint: EVERYONE });
    },
  },
]);
