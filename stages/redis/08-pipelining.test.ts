import { encodeCommand } from "../../challenges/redis/clients/resp.ts";
import { RespConnection, REDIS_TOOLS } from "../../challenges/redis/clients/redis.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const PIPELINE = "One read from the socket can hold many commands: parse and answer every complete command in the buffer, in order, and keep any incomplete rest for the next read.";
const INCOMPLETE = "A read can end in the middle of a command: keep the incomplete bytes at the end of the connection's buffer, and parse the command once the rest has arrived.";
const BACKLOG = "When the socket cannot take all the replies at once (socket.write returns less than you gave it), keep the rest and write it when the socket is writable again (the drain handler). Never drop replies.";

interface Pipeline {
  cmds: string[][];
  replies: string[];
}

/** A random pipeline of `groups` groups (SET k v + GET k, ECHO v, PING), with each kind at least once. */
function pipelineOf(t: CaseContext, groups: number): Pipeline {
  const kinds = t.rand.shuffle([0, 1, 2, ...Array.from({ length: groups - 3 }, () => t.rand.int(0, 2))]);
  const p: Pipeline = { cmds: [], replies: [] };
  kinds.forEach((kind, i) => {
    const k = `${t.rand.word()}:${i}`;
    const v = `${t.rand.word()}-${i}`;
    if (kind === 0) {
      p.cmds.push(["SET", k, v], ["GET", k]);
      p.replies.push("+OK\r\n", `$${v.length}\r\n${v}\r\n`);
    } else if (kind === 1) {
      p.cmds.push(["ECHO", v]);
      p.replies.push(`$${v.length}\r\n${v}\r\n`);
    } else {
      p.cmds.push(["PING"]);
      p.replies.push("+PONG\r\n");
    }
  });
  return p;
}

async function expectReplies(conn: RespConnection, p: Pipeline, hint: string): Promise<void> {
  for (let i = 0; i < p.replies.length; i++) {
    await conn.expectReply(p.replies[i]!, { message: `reply ${i + 1} of ${p.replies.length} to the pipelined commands (${p.cmds[i]!.join(" ")}) is wrong.`, hint });
  }
}

export default stage(import.meta, [
  {
    name: "commands sent in one write are all answered, in order",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const p = pipelineOf(t, t.rand.int(5, 12));
      await conn.send(Buffer.concat(p.cmds.map((c) => encodeCommand(c))));
      await expectReplies(conn, p, `${PIPELINE} Reply in the order the commands were sent.`);
    },
  },
  {
    name: "a command cut at the end of a write is answered once the rest arrives",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const p = pipelineOf(t, t.rand.int(3, 6));
      const bytes = Buffer.concat(p.cmds.map((c) => encodeCommand(c)));
      // The first write ends inside the last command (its last argument cut in two), the second write holds the rest.
      const last = encodeCommand(p.cmds.at(-1)!);
      const cutAt = bytes.length - last.length + t.rand.int(1, last.length - 3);
      await conn.send([bytes.subarray(0, cutAt), bytes.subarray(cutAt)], 150);
      await expectReplies(conn, p, INCOMPLETE);
    },
  },
  {
    name: "two clients' half-sent commands do not mix",
    async run(t) {
      const redis = await t.start();
      const a = await RespConnection.open(t, redis, "client 1");
      const b = await RespConnection.open(t, redis, "client 2");
      const [va, vb] = [`${t.rand.word()} one`, `${t.rand.word()} two`];
      const [ea, eb] = [encodeCommand(["ECHO", va]), encodeCommand(["ECHO", vb])];
      const [ca, cb] = [t.rand.int(3, ea.length - 3), t.rand.int(3, eb.length - 3)];
      const hint = `${INCOMPLETE} Keep that buffer per connection: bytes from two clients must never be parsed together.`;
      const context = "client 1 and client 2 each sent an ECHO in two parts, interleaved (1, 2, 1, 2).";
      try {
        await a.send(ea.subarray(0, ca));
        await b.send(eb.subarray(0, cb));
        await Bun.sleep(50);
        await a.send(ea.subarray(ca));
        await b.send(eb.subarray(cb));
      } catch (e) {
        // A program that parses both clients' bytes together may take them for a protocol error and close a connection.
        if (e instanceof StageFailure) throw new StageFailure({ ...e.details, message: `${context}\n${e.message}`, hint });
        throw e;
      }
      await a.expectReply(`$${va.length}\r\n${va}\r\n`, { message: `${context} client 1's reply:`, hint });
      await b.expectReply(`$${vb.length}\r\n${vb}\r\n`, { message: `${context} client 2's reply:`, hint });
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
          hint: `${PIPELINE} ${BACKLOG}`,
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
    name: "replies larger than the socket takes at once are all delivered",
    timeout: 40,
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const key = t.rand.key();
      const value = Buffer.alloc(1024 * 1024, `${t.rand.word()} `);
      const gets = 16;
      // A PING in the same write as the 1 MiB SET: the command after a long argument must be parsed too.
      await conn.send(Buffer.concat([encodeCommand(["SET", key, value]), encodeCommand(["PING"])]));
      await conn.expectReply("+OK\r\n", { message: `SET of a ${value.length}-byte value, followed by PING in the same write.` });
      await conn.expectReply("+PONG\r\n", { message: `PING sent in the same write as the SET of a ${value.length}-byte value.`, hint: `${PIPELINE} This holds after a long argument that arrived over several reads too.` });
      // The client reads nothing for a while: 16 MiB of replies fill the kernel's buffers (a few MiB on loopback),
      // so the program's writes cannot all be taken at once.
      t.log.note(`the client stops reading, sends GET ${key} ${gets} times in one write, waits 300 ms, then reads`);
      conn.tcp.pause();
      await conn.send(Buffer.concat(Array.from({ length: gets }, () => encodeCommand(["GET", key]))));
      await Bun.sleep(300);
      conn.tcp.resume();
      const one = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n")]);
      // 20 s: on a loaded machine 16 MiB through loopback took over 5 s (seen at a load average of 24 on 2 cores);
      // a program that drops what the socket did not take never gets there, however long it is given.
      const ok = await conn.tcp.waitFor((buf) => buf.length >= one.length * gets, 20_000);
      const got = conn.tcp.pending.length;
      if (!ok) {
        t.fail({
          message: `${gets} GETs of a ${value.length}-byte value were pipelined: expected ${one.length * gets} bytes of replies; received ${got} bytes within 20 s: replies were lost.`,
          hint: BACKLOG,
        });
      }
      // Compared in place: 16 MiB are not copied into the transcript.
      const all = conn.tcp.pending;
      for (let i = 0; i < gets; i++) {
        const reply = all.subarray(i * one.length, (i + 1) * one.length);
        if (!reply.equals(one)) {
          const at = reply.findIndex((byte, j) => byte !== one[j]);
          t.fail({ message: `Reply ${i + 1} of ${gets} (GET of the ${value.length}-byte value) differs from the value as a bulk string at its byte ${at}: bytes were lost or reordered.`, hint: BACKLOG });
        }
      }
      t.log.note(`received ${gets} × ${one.length} bytes, each the value as a bulk string`);
      // The connection goes on once the backlog is written (a queue left blocked after a drain would stall it).
      await conn.send(encodeCommand(["PING"]));
      const total = one.length * gets;
      const pong = await conn.tcp.waitFor((buf) => buf.length >= total + 7, 3000);
      const after = conn.tcp.pending.subarray(total).toString("latin1");
      if (!pong || after !== "+PONG\r\n") {
        t.fail({
          message: "After the 16 replies were delivered, the client sent PING on the same connection.",
          expected: "+PONG\\r\\n",
          received: after.length === 0 ? "nothing within 3 s" : JSON.stringify(after),
          hint: "Once the queued replies are written, go back to writing replies directly: a connection must keep working after a backlog.",
        });
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
      const r = await t
        .client(REDIS_TOOLS, ["redis-cli", "-p", String(redis.port), "--pipe"], {
          stdin: Buffer.from(input, "latin1"),
          display: `printf '%s' "<${n} commands in RESP>" | redis-cli -p ${redis.port} --pipe`,
        })
        .catch((e: unknown) => {
          if (e instanceof StageFailure && e.message.startsWith("This command did not finish")) {
            throw new StageFailure({ ...e.details, hint: `redis-cli --pipe stops when the reply to the ECHO it sends last comes back, so every command before it must be answered. ${PIPELINE}` });
          }
          throw e;
        });
      if (!r.output.split("\n").some((l) => l.trim() === `errors: 0, replies: ${n}`)) {
        t.fail({ message: `redis-cli --pipe sent ${n} commands.`, expected: `… errors: 0, replies: ${n}`, received: r.output.trim(), hint: PIPELINE });
      }
    },
  },
]);
