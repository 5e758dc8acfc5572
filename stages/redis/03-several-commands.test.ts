import { redisCli, RespConnection } from "../../challenges/redis/clients/redis.ts";
import { NC_PACKAGE } from "../../harness/clients/http.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import { stage } from "../../harness/stage/define.ts";

const KEEP_OPEN = "After replying, keep reading from the same connection: a client sends many commands on one connection, one after another.";
const COMMAND_DOCS =
  "redis-cli run without a command first sends COMMAND DOCS and waits for its reply before it sends your PINGs: reply to every command you do not know with an error (for example -ERR unknown command 'COMMAND'\\r\\n) and keep the connection open.";

/** A made-up command name no Redis version has, e.g. MANGOQX. */
const unknownName = (word: string) => `${word.toUpperCase()}QX`;

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
  {
    name: "an unknown command gets an error reply, and the connection goes on",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const name = unknownName(t.rand.word());
      const hint = "Reply to a command you do not know with an error (\"-ERR unknown command '<name>'…\\r\\n\"), and keep reading the connection: never leave a command without a reply.";
      await conn.command(name, t.rand.word());
      const { raw } = await conn.reply(3000, { message: `${name} is not a command.`, hint });
      if (raw[0] !== 0x2d /* - */) t.fail({ message: `${name} is not a command: the reply must be an error.`, expected: "-ERR unknown command …\\r\\n", received: JSON.stringify(raw.toString("latin1")), hint });
      await conn.command("PING");
      await conn.expectReply("+PONG\r\n", { message: `PING sent on the same connection after ${name}.`, hint: `After an error reply, keep the connection open. ${KEEP_OPEN}` });
    },
  },
  {
    name: "a client that disconnects does not stop the server",
    async run(t) {
      const redis = await t.start();
      const first = await RespConnection.open(t, redis, "client 1");
      await first.command("PING");
      await first.expectReply("+PONG\r\n", { hint: KEEP_OPEN });
      first.close();
      await Bun.sleep(300);
      const hint = "When a client closes its connection, clean up that connection only: the server keeps running and keeps accepting clients.";
      const gone = await t.exited();
      if (gone) t.fail({ message: `Your program exited with code ${gone.process.exitCode} after client 1 sent PING and closed its connection.`, hint });
      const second = await RespConnection.open(t, redis, "client 2").catch((e: unknown) =>
        t.fail({ message: `After client 1 sent PING and closed its connection, a new client could not connect: ${(e as Error).message}`, hint }),
      );
      await second.command("PING");
      await second.expectReply("+PONG\r\n", { message: "client 2 connected after client 1 had closed its connection, and sent PING.", hint });
    },
  },
  {
    name: "a client that half-closes gets its reply, then the connection closed",
    async run(t) {
      const redis = await t.start();
      // nc -N shuts down its sending side after its input (the server reads end-of-file), then waits for the server to close.
      const argv = ["nc", "-N", redis.host, String(redis.port)];
      const request = "*1\r\n$4\r\nPING\r\n";
      const display = `printf '*1\\r\\n$4\\r\\nPING\\r\\n' | nc -N ${redis.host} ${redis.port}`;
      const hint = "When a read returns end-of-file (the client closed or shut down its side), send the replies still due, then close that connection (and only it).";
      let out: string;
      try {
        out = (await t.client(NC_PACKAGE, argv, { stdin: request, display, timeoutMs: 3000, quietStderr: true })).stdout;
      } catch (e) {
        if (e instanceof StageFailure && e.message.startsWith("This command did not finish")) {
          throw new StageFailure({ ...e.details, message: `${e.message}\nnc sent PING, then end-of-file, and waited for your program to close the connection.`, hint });
        }
        throw e;
      }
      t.expectEqual(out, "+PONG\r\n", { message: "nc sent PING, then end-of-file: the reply must still arrive before the connection closes.", hint });
    },
  },
]);
