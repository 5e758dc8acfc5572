import { encodeCommand } from "../../challenges/redis/clients/resp.ts";
import { redisCli, RespConnection } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const SPLIT = "TCP is a byte stream: one read may hold part of a command. Keep unparsed bytes in a per-connection buffer and parse only when a whole command has arrived.";

/** Cuts `bytes` at `count` distinct random offsets. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const sorted = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let prev = 0;
  for (const o of sorted) {
    pieces.push(bytes.subarray(prev, o));
    prev = o;
  }
  pieces.push(bytes.subarray(prev));
  return pieces;
}

export default stage(import.meta, [
  {
    name: "inline commands are understood",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const hint = "Besides RESP arrays, Redis accepts inline commands: a line of space-separated words ending in \\r\\n (what you type in telnet or nc).";
      const [key, value] = [t.rand.key(), t.rand.word()];
      await conn.send("PING\r\n");
      await conn.expectReply("+PONG\r\n", { hint });
      await conn.send(`SET ${key} ${value}\r\n`);
      await conn.expectReply("+OK\r\n", { hint });
      await conn.send(`GET ${key}\r\n`);
      await conn.expectReply(`$${value.length}\r\n${value}\r\n`, { hint });
      await conn.send(`GET ${key}\n`);
      await conn.expectReply(`$${value.length}\r\n${value}\r\n`, { message: "An inline command ended by a bare \\n (no \\r).", hint: "An inline command ends at \\n; a \\r before it is optional (accept a bare \\n, as nc without -C sends)." });
    },
  },
  {
    name: "an unknown command gets an error naming it, and the connection goes on",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const name = t.rand.pick(["FOOBAR", "SETX", "PINGG", "GETT"]);
      const arg = t.rand.word();
      await cli.expectThat([name, arg], (out) => out.startsWith(`(error) ERR unknown command '${name}'`) && out.includes(`'${arg}'`), {
        expected: `(error) ERR unknown command '${name}', with args beginning with: '${arg}' `,
        hint: "Reply to a command you do not know with an error, worded as Redis words it: -ERR unknown command '<name>', with args beginning with: '<arg>' … \\r\\n",
      });
      const conn = await RespConnection.open(t, redis);
      await conn.command(name);
      await conn.expectReply(`-ERR unknown command '${name}', with args beginning with: \r\n`, {
        message: `${name} sent alone (no arguments).`,
        hint: "With no arguments, nothing follows \"with args beginning with: \" (the trailing space stays): -ERR unknown command '<name>', with args beginning with: \\r\\n",
      });
      await conn.command("PING");
      await conn.expectReply("+PONG\r\n", { hint: "After an error reply, keep serving the connection." });
    },
  },
  {
    name: "a wrong number of arguments gets Redis's arity error",
    async run(t) {
      const redis = await t.start();
      const hint = "Check each command's argument count before running it, and reply -ERR wrong number of arguments for '<command in lower case>' command";
      await redisCli(t, redis).steps([
        [["GET"], "(error) ERR wrong number of arguments for 'get' command", hint],
        [["SET", t.rand.key()], "(error) ERR wrong number of arguments for 'set' command", hint],
        [["ECHO"], "(error) ERR wrong number of arguments for 'echo' command", hint],
        [["ECHO", "a", "b"], "(error) ERR wrong number of arguments for 'echo' command", hint],
        [["TTL"], "(error) ERR wrong number of arguments for 'ttl' command", hint],
        [["PTTL", "a", "b"], "(error) ERR wrong number of arguments for 'pttl' command", hint],
        [["PING", "a", "b"], "(error) ERR wrong number of arguments for 'ping' command", `${hint} (PING takes 0 or 1 argument.)`],
      ]);
    },
  },
  {
    name: "bulk strings are binary-safe: \\r\\n, NUL and non-UTF-8 bytes round-trip",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const key = t.rand.key();
      const value = Buffer.concat([Buffer.from(`${t.rand.word()}\r\n*1\r\n$4\r\nPING\r\n\0`), Buffer.from(t.rand.bytes(16)), Buffer.from([0xff, 0xfe, 0xc3])]);
      const hint = "A bulk string is <length> bytes, whatever they are: read exactly that many bytes (do not split on \\r\\n or decode as text), and reply with the byte length.";
      await conn.command("SET", key, value);
      await conn.expectReply("+OK\r\n", { hint });
      await conn.command("GET", key);
      await conn.expectReply(Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n")]), { hint });
    },
  },
  {
    name: "a request split across TCP segments at arbitrary bytes is parsed whole",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const [key, value] = [t.rand.key(), `${t.rand.word()} ${t.rand.word()}`];
      const set = encodeCommand(["SET", key, value]);
      // Always cut between \r and \n once, plus a few random places.
      const crlf = set.indexOf("\r\n") + 1;
      const offsets = [crlf, ...Array.from({ length: t.rand.int(2, 4) }, () => t.rand.int(1, set.length - 1))];
      await conn.send(cut(set, offsets), 40);
      await conn.expectReply("+OK\r\n", { hint: SPLIT });
      const get = encodeCommand(["GET", key]);
      await conn.send(cut(get, Array.from({ length: get.length - 1 }, (_, i) => i + 1)), 5);
      await conn.expectReply(`$${value.length}\r\n${value}\r\n`, { message: "GET was sent one byte at a time.", hint: SPLIT });
    },
  },
]);
