import { encodeCommand } from "../../challenges/redis/clients/resp.ts";
import { RespConnection, REDIS_TOOLS } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const PIPELINE = "One read from the socket can hold many commands: parse and answer every complete command in the buffer, in order, and keep any incomplete rest for the next read.";

export default stage(import.meta, [
  {
    name: "commands sent in one write are all answered, in order",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const n = t.rand.int(5, 12);
      const cmds: string[][] = [];
      const replies: string[] = [];
      for (let i = 0; i < n; i++) {
        const k = `${t.rand.word()}:${i}`;
        const v = t.rand.word();
        const kind = t.rand.int(0, 2);
        if (kind === 0) {
          cmds.push(["SET", k, v], ["GET", k]);
          replies.push("+OK\r\n", `$${v.length}\r\n${v}\r\n`);
        } else if (kind === 1) {
          cmds.push(["ECHO", v]);
          replies.push(`$${v.length}\r\n${v}\r\n`);
        } else {
          cmds.push(["PING"]);
          replies.push("+PONG\r\n");
        }
      }
      await conn.send(Buffer.concat(cmds.map((c) => encodeCommand(c))));
      for (let i = 0; i < replies.length; i++) {
        await conn.expectReply(replies[i]!, { message: `reply ${i + 1} of ${replies.length} to the pipelined commands (${cmds[i]!.join(" ")}) is wrong.`, hint: PIPELINE });
      }
    },
  },
  {
    name: "ten thousand PINGs in one write get ten thousand PONGs",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const n = 10000;
      t.log.note(`sending ${n} PINGs in one write (only the first is shown)`);
      await conn.send(encodeCommand(["PING"]));
      await conn.send(Buffer.from("*1\r\n$4\r\nPING\r\n".repeat(n - 1)));
      const want = "+PONG\r\n".repeat(n);
      const ok = await conn.tcp.waitFor((buf) => buf.length >= want.length, 5000);
      const got = conn.tcp.pending.length;
      if (!ok) {
        t.fail({
          message: `Expected ${n} replies (${want.length} bytes); received ${got} bytes (about ${Math.floor(got / 7)} replies) within 5 s.`,
          hint: `${PIPELINE} When the socket cannot take all the replies at once, keep the rest and write it when the socket is writable again.`,
        });
      }
      const body = conn.tcp.take(want.length).toString("latin1");
      if (body !== want) {
        const at = [...body].findIndex((ch, i) => ch !== want[i]);
        t.fail({ message: `The replies differ from ${n} × "+PONG\\r\\n" at byte ${at} (reply ${Math.floor(at / 7) + 1}).`, hint: PIPELINE });
      }
    },
  },
  {
    name: "redis-cli --pipe gets a reply for every command",
    async run(t) {
      const redis = await t.start();
      const n = t.rand.int(50, 200);
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(i % 2 === 0 ? `SET ${t.rand.word()}:${i} ${t.rand.word()}` : "PING");
      const input = lines.map((l) => encodeCommand(l.split(" ")).toString("latin1")).join("");
      // --pipe writes everything, then waits for the reply to a final ECHO it adds itself.
      const r = await t.client(REDIS_TOOLS, ["redis-cli", "-p", String(redis.port), "--pipe"], {
        stdin: Buffer.from(input, "latin1"),
        display: `printf '%s' "<${n} commands in RESP>" | redis-cli -p ${redis.port} --pipe`,
      });
      if (!r.output.split("\n").some((l) => l.trim() === `errors: 0, replies: ${n}`)) {
        t.fail({ message: `redis-cli --pipe sent ${n} commands.`, expected: `… errors: 0, replies: ${n}`, received: r.output.trim(), hint: PIPELINE });
      }
    },
  },
]);
