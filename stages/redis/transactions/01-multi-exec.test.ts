import { RespConnection, redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { expectSession } from "./shared.ts";

const QUEUE = "Inside MULTI, do not run a command: check that it exists and has the right number of arguments, store its arguments, and reply +QUEUED. EXEC runs the stored commands in order.";
const EXEC_ARRAY = "EXEC replies with ONE array holding the reply of each queued command, in order (*<n>\\r\\n followed by the n replies, each in its own RESP type); after EXEC the connection is back to normal.";

export default stage(import.meta, [
  {
    name: "MULTI queues commands and EXEC runs them, replying with an array of their replies",
    async run(t) {
      const redis = await t.start();
      const key = t.rand.key("tx");
      const counter = t.rand.key("counter");
      const missing = t.rand.key("missing");
      const value = t.rand.word();
      await expectSession(
        t,
        redis,
        [["MULTI"], ["SET", key, value], ["INCR", counter], ["INCR", counter], ["GET", missing], ["GET", key], ["EXEC"], ["GET", counter]],
        ["OK", "QUEUED", "QUEUED", "QUEUED", "QUEUED", "QUEUED", "1) OK", "2) (integer) 1", "3) (integer) 2", "4) (nil)", `5) "${value}"`, '"2"'],
        { message: "MULTI, five commands and EXEC on one connection (redis-cli prints one block per reply).", hint: `${QUEUE} ${EXEC_ARRAY}` },
      );
    },
  },
  {
    name: "queued commands do not run before EXEC: another client does not see them",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("tx");
      const value = t.rand.word();
      const conn = await RespConnection.open(t, redis, "client 1");
      await conn.command("MULTI");
      await conn.expectReply("+OK\r\n", { message: "client 1 sent MULTI.", hint: "MULTI replies +OK and starts queueing this connection's commands." });
      await conn.command("SET", key, value);
      await conn.expectReply("+QUEUED\r\n", { message: `client 1 sent SET ${key} ${value} after MULTI.`, hint: QUEUE });
      await cli.expect(["GET", key], "(nil)", { message: "Another client read the key while client 1's SET was only queued.", hint: QUEUE });
      await conn.command("EXEC");
      await conn.expectReply("*1\r\n+OK\r\n", { message: "client 1 sent EXEC.", hint: EXEC_ARRAY });
      await cli.expect(["GET", key], `"${value}"`, { message: "Another client read the key after client 1's EXEC." });
    },
  },
  {
    name: "DISCARD drops the queued commands and leaves MULTI",
    async run(t) {
      const redis = await t.start();
      const key = t.rand.key("tx");
      const [before, after] = [t.rand.word(), t.rand.word() + "2"];
      await expectSession(
        t,
        redis,
        [["SET", key, before], ["MULTI"], ["SET", key, after], ["DISCARD"], ["GET", key]],
        ["OK", "OK", "QUEUED", "OK", `"${before}"`],
        {
          message: "SET, MULTI, SET, DISCARD, GET on one connection.",
          hint: "DISCARD replies +OK, forgets the queued commands without running any, and ends the transaction: the next command runs at once (not QUEUED).",
        },
      );
    },
  },
  {
    name: "EXEC and DISCARD without MULTI, nested MULTI and an empty transaction",
    async run(t) {
      const redis = await t.start();
      const key = t.rand.key("tx");
      const value = t.rand.word();
      await expectSession(t, redis, [["EXEC"], ["DISCARD"]], ["(error) ERR EXEC without MULTI", "(error) ERR DISCARD without MULTI"], {
        message: "EXEC and DISCARD sent outside a transaction.",
        hint: 'Outside MULTI, EXEC replies "-ERR EXEC without MULTI\\r\\n" and DISCARD "-ERR DISCARD without MULTI\\r\\n".',
      });
      await expectSession(t, redis, [["MULTI"], ["MULTI"], ["SET", key, value], ["EXEC"]], ["OK", "(error) ERR MULTI calls can not be nested", "QUEUED", "1) OK"], {
        message: "MULTI sent twice, then SET and EXEC.",
        hint: 'A MULTI inside MULTI replies "-ERR MULTI calls can not be nested\\r\\n" and is not queued; the transaction goes on and EXEC still runs it.',
      });
      await expectSession(t, redis, [["MULTI"], ["EXEC"]], ["OK", "(empty array)"], {
        message: "MULTI immediately followed by EXEC.",
        hint: 'A transaction with no commands: EXEC replies with an empty array, "*0\\r\\n" (redis-cli shows "(empty array)").',
      });
    },
  },
]);
