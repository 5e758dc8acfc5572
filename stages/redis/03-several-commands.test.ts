import { redisCli, RespConnection } from "../../challenges/redis/clients/redis.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import { stage } from "../../harness/stage/define.ts";

const KEEP_OPEN = "After replying, keep reading from the same connection: a client sends many commands on one connection, one after another.";
const COMMAND_DOCS =
  "redis-cli run without a command first sends COMMAND DOCS and waits for its reply before it sends your PINGs: reply to every command you do not know with an error (for example -ERR unknown command 'COMMAND'\\r\\n) and keep the connection open.";

export default stage(import.meta, [
  {
    name: "one connection carries several PINGs, each answered",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const count = t.rand.int(3, 6);
      for (let i = 0; i < count; i++) {
        await conn.command("PING");
        await conn.expectReply("+PONG\r\n", { message: `PING number ${i + 1} of ${count} on the same connection got a wrong reply.`, hint: KEEP_OPEN });
      }
    },
  },
  {
    name: "redis-cli sends several commands over one connection",
    async run(t) {
      const redis = await t.start();
      const count = t.rand.int(2, 5);
      let out: string;
      try {
        out = await redisCli(t, redis).run([], { stdin: "PING\n".repeat(count) });
      } catch (e) {
        // A program that stays silent on COMMAND DOCS leaves redis-cli waiting until its time limit.
        if (e instanceof StageFailure && e.message.startsWith("This command did not finish")) throw new StageFailure({ ...e.details, hint: COMMAND_DOCS });
        throw e;
      }
      t.expectEqual(out, Array(count).fill("PONG").join("\n"), { message: `redis-cli sent ${count} PINGs on one connection.`, hint: KEEP_OPEN });
    },
  },
]);
