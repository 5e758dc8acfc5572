import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { FORMAT, push, shown, subscriber } from "./shared.ts";

const DELIVER = "PUBLISH must send [\"message\", channel, payload] to every connection subscribed to that channel right away, on the subscriber's own connection, without waiting for it to send anything.";
const COUNT = "PUBLISH replies with the integer number of clients the message was delivered to (0 when nobody listens).";

export default stage(import.meta, [
  {
    name: "a redis-cli subscriber receives what is published to its channel",
    async run(t) {
      const redis = await t.start();
      const channel = t.rand.key("news");
      const message = `${t.rand.word()} ${t.rand.word()}`;
      const sub = await subscriber(t, redis, "SUBSCRIBE", [channel]);
      await redisCli(t, redis).expect(["PUBLISH", channel, message], "(integer) 1", { message: "PUBLISH to a channel with one subscriber.", hint: COUNT });
      await sub.waitForOutput(shown("message", channel, message), 3000, { message: "The subscriber should print the published message.", hint: DELIVER });
    },
  },
  {
    name: "PUBLISH counts the subscribers of the channel, and only they receive it",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [channel, other, empty] = [t.rand.key("a"), t.rand.key("b"), t.rand.key("nobody")];
      const subs = [await subscriber(t, redis, "SUBSCRIBE", [channel]), await subscriber(t, redis, "SUBSCRIBE", [channel])];
      const bystander = await subscriber(t, redis, "SUBSCRIBE", [other]);
      await cli.expect(["PUBLISH", empty, t.rand.word()], "(integer) 0", { message: "PUBLISH to a channel nobody subscribed to.", hint: COUNT });
      const message = t.rand.word();
      await cli.expect(["PUBLISH", channel, message], "(integer) 2", { message: "PUBLISH to a channel two redis-cli clients subscribed to.", hint: COUNT });
      for (const sub of subs) await sub.waitForOutput(shown("message", channel, message), 3000, { message: "Every subscriber of the channel should print the message.", hint: DELIVER });
      const mine = t.rand.word() + "-other";
      await cli.expect(["PUBLISH", other, mine], "(integer) 1");
      const out = await bystander.waitForOutput(shown("message", other, mine), 3000, { hint: DELIVER });
      t.expectEqual(out.includes(channel) ? "received it" : "did not", "did not", {
        message: `The subscriber of ${other} must not receive messages published to ${channel}.`,
        hint: "Deliver a message only to the connections subscribed to that exact channel.",
      });
    },
  },
  {
    name: "SUBSCRIBE to several channels confirms each one, with a running count",
    async run(t) {
      const redis = await t.start();
      const channels = [t.rand.key("c1"), t.rand.key("c2"), t.rand.key("c3")];
      const conn = await RespConnection.open(t, redis, "subscriber");
      await conn.command("SUBSCRIBE", ...channels);
      for (const [i, ch] of channels.entries()) {
        await conn.expectReply(push("subscribe", ch, i + 1), { message: `Confirmation ${i + 1} of 3 for SUBSCRIBE ${channels.join(" ")}.`, hint: `${FORMAT} SUBSCRIBE with three channels gets three such replies.` });
      }
      const message = t.rand.word();
      await redisCli(t, redis).expect(["PUBLISH", channels[1]!, message], "(integer) 1", { hint: COUNT });
      await conn.expectReply(push("message", channels[1]!, message), { message: "The subscriber should receive the message.", hint: DELIVER });
      // The message is binary-safe: CR LF, a zero byte and a byte that is not UTF-8.
      const binary = `${t.rand.word()}\r\n\x00\xff`;
      const publisher = await RespConnection.open(t, redis, "publisher");
      await publisher.command("PUBLISH", channels[2]!, Buffer.from(binary, "latin1"));
      await publisher.expectReply(":1\r\n", { hint: COUNT });
      await conn.expectReply(push("message", channels[2]!, binary), { message: "The subscriber should receive the binary message (with \\r\\n, a zero byte and the byte 0xff) byte for byte.", hint: "The message is binary-safe: pass its bytes through unchanged (do not decode them as UTF-8 text), with its length in bytes." });
    },
  },
  {
    name: "messages arrive in the order they were published",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const channel = t.rand.key("log");
      const sub = await subscriber(t, redis, "SUBSCRIBE", [channel]);
      const messages = Array.from({ length: 5 }, (_, i) => `${i + 1}-${t.rand.word()}`);
      for (const m of messages) await cli.expect(["PUBLISH", channel, m], "(integer) 1", { hint: COUNT });
      const all = messages.map((m) => shown("message", channel, m)).join("");
      await sub.waitForOutput(all, 3000, { message: "The subscriber should print the five messages, in order.", hint: DELIVER });
    },
  },
]);
