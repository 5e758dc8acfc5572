import { redisCli, RespConnection } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const SIMPLE_PONG = 'PING\'s reply is the simple string "+PONG\\r\\n" (a "+", the text, then \\r\\n).';

export default stage(import.meta, [
  {
    name: "PING replies PONG",
    async run(t) {
      const redis = await t.start();
      await redisCli(t, redis).expect(["PING"], "PONG", { hint: SIMPLE_PONG });
    },
  },
  {
    name: "the PONG reply is the exact bytes +PONG\\r\\n",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      await conn.command("PING");
      await conn.expectReply("+PONG\r\n", { hint: SIMPLE_PONG });
    },
  },
  {
    name: "command names are case-insensitive",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      for (const name of t.rand.shuffle(["ping", "Ping", "pInG"])) {
        await cli.expect([name], "PONG", { hint: "Redis matches command names without regard to case: compare them case-insensitively." });
      }
    },
  },
]);
