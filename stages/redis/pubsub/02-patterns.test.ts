import { RespConnection, redisCli } from "../../../harness/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { push, shown, subscriber } from "./shared.ts";

const PMESSAGE = 'A client subscribed with PSUBSCRIBE gets ["pmessage", pattern, channel, payload]: four bulk strings, the pattern it subscribed with first, then the channel the message was published to.';
const COUNT_BOTH = "PUBLISH counts every delivery: the channel's subscribers AND every pattern subscription that matches the channel (a client matching both ways counts twice).";
const GLOB = "Match the channel name against the pattern with Redis's glob rules: * any run of bytes, ? exactly one byte, [abc] one of a set, [a-z] a range, [^a] negation, \\x a literal x.";

export default stage(import.meta, [
  {
    name: "a PSUBSCRIBE subscriber receives messages for every matching channel",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const prefix = t.rand.key("news");
      const pattern = `${prefix}.*`;
      const sub = await subscriber(t, redis, "PSUBSCRIBE", [pattern]);
      const [channel, message] = [`${prefix}.${t.rand.word()}`, t.rand.word()];
      await cli.expect(["PUBLISH", channel, message], "(integer) 1", { message: `PUBLISH to ${channel}, which matches ${pattern}.`, hint: COUNT_BOTH });
      await sub.waitForOutput(shown("pmessage", pattern, channel, message), 3000, { message: "The pattern subscriber should print the message.", hint: PMESSAGE });
      await cli.expect(["PUBLISH", `${prefix}-${t.rand.word()}`, t.rand.word()], "(integer) 0", { message: `PUBLISH to a channel that does not match ${pattern}.`, hint: GLOB });
    },
  },
  {
    name: "glob patterns: ? and [ ] classes",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const base = t.rand.key("room");
      const conn = await RespConnection.open(t, redis, "subscriber");
      await conn.command("PSUBSCRIBE", `${base}?`, `${base}:[ab]`);
      await conn.expectReply(push("psubscribe", `${base}?`, 1));
      await conn.expectReply(push("psubscribe", `${base}:[ab]`, 2));
      const cases: [string, number][] = [[`${base}1`, 1], [`${base}12`, 0], [`${base}:b`, 1], [`${base}:c`, 0], [`${base}`, 0]];
      for (const [channel, n] of cases) await cli.expect(["PUBLISH", channel, "x"], `(integer) ${n}`, { message: `PUBLISH ${channel} with patterns ${base}? and ${base}:[ab].`, hint: GLOB });
      await conn.expectReply(push("pmessage", `${base}?`, `${base}1`, "x"), { hint: PMESSAGE });
      await conn.expectReply(push("pmessage", `${base}:[ab]`, `${base}:b`, "x"), { hint: PMESSAGE });
    },
  },
  {
    name: "PUBLISH counts channel and pattern receivers, and a client matching both gets both",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const prefix = t.rand.key("ev");
      const channel = `${prefix}:${t.rand.word()}`;
      const pattern = `${prefix}:*`;
      const both = await RespConnection.open(t, redis, "client 1 (channel and pattern)");
      await both.command("SUBSCRIBE", channel);
      await both.expectReply(push("subscribe", channel, 1));
      await both.command("PSUBSCRIBE", pattern);
      await both.expectReply(push("psubscribe", pattern, 2), { hint: "The count in a confirmation is channels plus patterns of this connection." });
      const patternOnly = await subscriber(t, redis, "PSUBSCRIBE", [pattern]);
      const message = t.rand.word();
      await cli.expect(["PUBLISH", channel, message], "(integer) 3", { message: `PUBLISH ${channel}: client 1 subscribed to the channel and to ${pattern}, a redis-cli to ${pattern}.`, hint: COUNT_BOTH });
      await both.expectReply(push("message", channel, message), { message: "client 1 first gets the message for its channel subscription.", hint: "Deliver to the channel's subscribers first, then to the matching patterns." });
      await both.expectReply(push("pmessage", pattern, channel, message), { message: "client 1 then gets it again for its pattern subscription.", hint: PMESSAGE });
      await patternOnly.waitForOutput(shown("pmessage", pattern, channel, message), 3000, { hint: PMESSAGE });
    },
  },
  {
    name: "PUNSUBSCRIBE stops pattern deliveries",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const pattern = `${t.rand.key("p")}*`;
      const conn = await RespConnection.open(t, redis, "subscriber");
      await conn.command("PSUBSCRIBE", pattern);
      await conn.expectReply(push("psubscribe", pattern, 1));
      await conn.command("PUNSUBSCRIBE", pattern);
      await conn.expectReply(push("punsubscribe", pattern, 0), { hint: 'PUNSUBSCRIBE confirms with ["punsubscribe", pattern, count left].' });
      await cli.expect(["PUBLISH", pattern.slice(0, -1) + "x", "y"], "(integer) 0", { message: "PUBLISH after the only pattern subscriber left.", hint: "Remove the pattern subscription so nothing matches any more." });
    },
  },
]);
