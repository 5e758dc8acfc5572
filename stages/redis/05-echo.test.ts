import { redisCli, RespConnection } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const BULK = "ECHO replies with a bulk string: \"$<byte length>\\r\\n<message>\\r\\n\". redis-cli shows bulk strings in double quotes.";

/** `$<byte length>\r\n<bytes>\r\n` */
const bulkOf = (bytes: Buffer) => Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n")]);

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
      await conn.expectReply(`$${msg.length}\r\n${msg}\r\n`, { hint: `${BULK} The message is one argument even with spaces in it: read each argument by its declared length, do not split on spaces.` });
    },
  },
  {
    name: "ECHO of an empty string replies with an empty bulk string",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      await conn.command("ECHO", "");
      await conn.expectReply("$0\r\n\r\n", { hint: "An empty message is still a bulk string: length 0, then an empty line (not the null bulk string $-1\\r\\n)." });
    },
  },
  {
    name: "the bulk length counts bytes, not characters",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      // é is 2 bytes in UTF-8, ✓ 3, 🍋 4 (and 2 UTF-16 code units): every count differs from the byte count.
      const msg = Buffer.from(`${t.rand.word()} café ✓ ${t.rand.pick(["🍋", "🍐", "🍇"])}`, "utf8");
      await conn.command("ECHO", msg);
      await conn.expectReply(bulkOf(msg), {
        message: `ECHO of a ${msg.length}-byte message with non-ASCII characters (${msg.toString("utf8").length} UTF-16 code units).`,
        hint: "A bulk string's length is its number of bytes, not characters: build the reply from bytes (Buffer.byteLength, or a Buffer's length), not from a JavaScript string's length.",
      });
    },
  },
  {
    name: "ECHO's name is case-insensitive too",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      for (const name of t.rand.shuffle(["echo", "Echo", "eCHo"])) {
        const msg = t.rand.word();
        await cli.expect([name, msg], `"${msg}"`, { hint: "Command names are case-insensitive: look every command up without regard to case, not only PING." });
      }
    },
  },
]);
