import { redisCli, RespConnection } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const BULK = "ECHO replies with a bulk string: \"$<byte length>\\r\\n<message>\\r\\n\". redis-cli shows bulk strings in double quotes.";

export default stage(import.meta, [
  {
    name: "ECHO replies with its argument",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      for (let i = 0; i < 3; i++) {
        const msg = t.rand.word();
        await cli.expect(["ECHO", msg], `"${msg}"`, { hint: BULK });
      }
    },
  },
  {
    name: "ECHO replies with a bulk string of the exact bytes",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const msg = `${t.rand.word()} ${t.rand.word()} ${t.rand.word()}`;
      await conn.command("ECHO", msg);
      await conn.expectReply(`$${msg.length}\r\n${msg}\r\n`, { hint: BULK });
    },
  },
  {
    name: "ECHO of an empty string replies with an empty bulk string",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      await conn.command("ECHO", "");
      await conn.expectReply("$0\r\n\r\n", { hint: "An empty message is still a bulk string: length 0, then an empty line." });
    },
  },
]);
