import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { showReply } from "../../../challenges/redis/clients/resp.ts";
import { push } from "./shared.ts";

const REFUSED = (cmd: string) => `-ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n`;
const MODE = "While a connection has at least one channel or pattern subscription it is in subscribed mode: every command except SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PING, QUIT and RESET is refused with \"-ERR Can't execute '<command>': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\" (the command name in lower case).";
const PING = 'In subscribed mode PING replies like a pushed message: the array ["pong", ""] (or ["pong", <its argument>]), not +PONG.';
const UNSUB = 'UNSUBSCRIBE with no argument unsubscribes from every channel, one ["unsubscribe", channel, count left] reply each; with no channel at all it replies once, ["unsubscribe", nil, count].';

export default stage(import.meta, [
  {
    name: "a subscribed connection refuses other commands and answers PING as a push",
    async run(t) {
      const redis = await t.start();
      const channel = t.rand.key("ch");
      const conn = await RespConnection.open(t, redis, "subscriber");
      await conn.command("SUBSCRIBE", channel);
      await conn.expectReply(push("subscribe", channel, 1));
      await conn.command("GET", t.rand.key("k"));
      await conn.expectReply(REFUSED("get"), { message: "The subscribed connection sent GET.", hint: MODE });
      await conn.command("set", t.rand.key("k"), "v");
      await conn.expectReply(REFUSED("set"), { message: "The subscribed connection sent set.", hint: MODE });
      await conn.command("PING");
      await conn.expectReply(push("pong", ""), { message: "The subscribed connection sent PING.", hint: PING });
      const word = t.rand.word();
      await conn.command("PING", word);
      await conn.expectReply(push("pong", word), { message: `The subscribed connection sent PING ${word}.`, hint: PING });
    },
  },
  {
    name: "UNSUBSCRIBE and PUNSUBSCRIBE count down, and the connection is back to normal at zero",
    async run(t) {
      const redis = await t.start();
      const [a, b] = [t.rand.key("a"), t.rand.key("b")];
      const pattern = `${t.rand.key("p")}*`;
      const conn = await RespConnection.open(t, redis, "subscriber");
      await conn.command("SUBSCRIBE", a, b);
      await conn.expectReply(push("subscribe", a, 1));
      await conn.expectReply(push("subscribe", b, 2));
      await conn.command("SUBSCRIBE", a);
      await conn.expectReply(push("subscribe", a, 2), { message: "SUBSCRIBE to a channel the connection already has.", hint: "Subscribing twice to a channel is confirmed again, but the count does not grow." });
      await conn.command("PSUBSCRIBE", pattern);
      await conn.expectReply(push("psubscribe", pattern, 3));
      await conn.command("UNSUBSCRIBE", a);
      await conn.expectReply(push("unsubscribe", a, 2), { message: `UNSUBSCRIBE ${a}.`, hint: "The count is channels plus patterns still subscribed." });
      await conn.command("UNSUBSCRIBE");
      await conn.expectReply(push("unsubscribe", b, 1), { message: "UNSUBSCRIBE with no argument (one channel left, and a pattern).", hint: UNSUB });
      await conn.command("PING");
      await conn.expectReply(push("pong", ""), { message: "PING while a pattern subscription is left.", hint: `${PING} Patterns count too: the connection stays in subscribed mode.` });
      await conn.command("PUNSUBSCRIBE");
      await conn.expectReply(push("punsubscribe", pattern, 0), { message: "PUNSUBSCRIBE with no argument.", hint: UNSUB.replaceAll("unsubscribe", "punsubscribe").replaceAll("channel", "pattern") });
      await conn.command("PING");
      await conn.expectReply("+PONG\r\n", { message: "PING after the last subscription was removed.", hint: "With no subscription left the connection leaves subscribed mode: PING is +PONG again and every command works." });
      await conn.command("GET", t.rand.key("k"));
      await conn.expectReply("$-1\r\n", { message: "GET after the last subscription was removed.", hint: "With no subscription left the connection leaves subscribed mode." });
    },
  },
  {
    name: "UNSUBSCRIBE without subscriptions, and of a channel not subscribed",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis, "client");
      await conn.command("UNSUBSCRIBE");
      await conn.expectReply(push("unsubscribe", null, 0), { message: "UNSUBSCRIBE with no argument on a connection with no subscription.", hint: UNSUB });
      await conn.command("PUNSUBSCRIBE");
      await conn.expectReply(push("punsubscribe", null, 0), { message: "PUNSUBSCRIBE with no argument on a connection with no subscription.", hint: UNSUB });
      const channel = t.rand.key("never");
      await conn.command("UNSUBSCRIBE", channel);
      await conn.expectReply(push("unsubscribe", channel, 0), { message: "UNSUBSCRIBE of a channel this connection never subscribed to.", hint: "It is still confirmed, with the unchanged count." });
      await conn.command("PING");
      await conn.expectReply("+PONG\r\n");
    },
  },
  {
    name: "UNSUBSCRIBE with no argument leaves every channel, and PUBLISH then reaches nobody",
    async run(t) {
      const redis = await t.start();
      const channels = [t.rand.key("x"), t.rand.key("y"), t.rand.key("z")];
      const conn = await RespConnection.open(t, redis, "subscriber");
      await conn.command("SUBSCRIBE", ...channels);
      for (const [i, ch] of channels.entries()) await conn.expectReply(push("subscribe", ch, i + 1));
      await conn.command("UNSUBSCRIBE");
      // Redis does not promise an order here: accept the three channels in any order, counting down.
      const seen: string[] = [];
      for (let left = 2; left >= 0; left--) {
        const { value } = await conn.reply(3000, { message: `Reply ${3 - left} of 3 to UNSUBSCRIBE with no argument.`, hint: UNSUB });
        const items = value.type === "array" ? (value.value ?? []) : [];
        const text = items.map((v) => (v.type === "bulk" ? (v.value?.toString("latin1") ?? null) : v.type === "integer" ? Number(v.value) : null));
        const ok = text.length === 3 && text[0] === "unsubscribe" && channels.includes(String(text[1])) && !seen.includes(String(text[1])) && text[2] === left;
        t.expectEqual(ok ? "ok" : showReply(value), "ok", { message: `Expected ["unsubscribe", one of the subscribed channels not yet confirmed, ${left}].`, hint: UNSUB });
        seen.push(String(text[1]));
      }
      for (const ch of channels) await redisCli(t, redis).expect(["PUBLISH", ch, "gone"], "(integer) 0", { hint: "Forget every channel the connection unsubscribed from." });
    },
  },
]);
