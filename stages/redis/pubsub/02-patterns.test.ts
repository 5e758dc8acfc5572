import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
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
      const patterns = [`${base}?`, `${base}:[ab]`, `${base}/[^x]`, `${base}=[a-c]`, `${base}+\\*`];
      await conn.command("PSUBSCRIBE", ...patterns);
      for (const [i, p] of patterns.entries()) await conn.expectReply(push("psubscribe", p, i + 1));
      // [channel, deliveries, the pattern that matches it (null: none), the glob rule it shows]
      const cases: [string, number, string | null, string][] = [
        [`${base}1`, 1, patterns[0]!, "? is exactly one byte"],
        [`${base}12`, 0, null, "? is exactly one byte"],
        [`${base}:b`, 1, patterns[1]!, "[ab] is one byte of the set"],
        [`${base}:c`, 0, null, "[ab] is one byte of the set"],
        [`${base}`, 0, null, "? is exactly one byte"],
        [`${base}/y`, 1, patterns[2]!, "[^x] is any byte but x"],
        [`${base}/x`, 0, null, "[^x] is any byte but x"],
        [`${base}=b`, 1, patterns[3]!, "[a-c] is a byte in the range"],
        [`${base}=d`, 0, null, "[a-c] is a byte in the range"],
        [`${base}+*`, 1, patterns[4]!, "\\* is a literal *"],
        [`${base}+z`, 0, null, "\\* is a literal *"],
      ];
      for (const [channel, n, , rule] of cases) {
        await cli.expect(["PUBLISH", channel, "x"], `(integer) ${n}`, { message: `PUBLISH ${channel} with patterns ${patterns.join(" ")} (${rule}).`, hint: GLOB });
      }
      for (const [channel, , pattern] of cases) if (pattern !== null) await conn.expectReply(push("pmessage", pattern, channel, "x"), { hint: PMESSAGE });
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
