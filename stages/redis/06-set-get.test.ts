import { redisCli, RespConnection } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const NULL_BULK = 'A key that does not exist is the null bulk string "$-1\\r\\n" (redis-cli shows (nil)), not an empty string "$0\\r\\n\\r\\n".';
const SHARED = "Keep one keyspace for the whole server, shared by every connection (each redis-cli run is a new connection).";
const OPAQUE = "Keys and values are opaque bytes: store and compare them exactly as received (no case folding, no decoding), and reply with the byte length.";

/** A copy of `word` with its first letter in upper case: "mango" -> "Mango". */
const capitalized = (word: string) => word[0]!.toUpperCase() + word.slice(1);

export default stage(import.meta, [
  {
    name: "GET returns the value SET stored",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key();
      const value = t.rand.word();
      await cli.expect(["SET", key, value], "OK", { hint: 'SET replies with the simple string "+OK\\r\\n".' });
      await cli.expect(["GET", key], `"${value}"`, { hint: `GET replies with the stored value as a bulk string. ${SHARED}` });
    },
  },
  {
    name: "GET of a key that was never set replies nil",
    async run(t) {
      const redis = await t.start();
      await redisCli(t, redis).expect(["GET", t.rand.key("missing")], "(nil)", { hint: NULL_BULK });
      const conn = await RespConnection.open(t, redis);
      await conn.command("GET", t.rand.key("missing"));
      await conn.expectReply("$-1\r\n", { hint: NULL_BULK });
    },
  },
  {
    name: "SET overwrites an existing value",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key();
      const [a, b] = [t.rand.word(), `${t.rand.word()}-2`];
      await cli.steps([
        [["SET", key, a], "OK"],
        [["SET", key, b], "OK"],
        [["GET", key], `"${b}"`, "A second SET on the same key replaces the value."],
      ]);
    },
  },
  {
    name: "many keys keep their own values, across connections",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const pairs: [string, string][] = Array.from({ length: t.rand.int(5, 10) }, (_, i) => [`${t.rand.word()}:${i}`, `${t.rand.word()} ${t.rand.word()}`]);
      // Every run has a key with a space in it.
      pairs.push([`${t.rand.word()} ${t.rand.word()}:${pairs.length}`, t.rand.word()]);
      for (const [k, v] of pairs) await cli.expect(["SET", k, v], "OK", { hint: "SET replies +OK\\r\\n. Keys and values may contain spaces and colons: each is one argument, read by its declared length." });
      for (const [k, v] of t.rand.shuffle(pairs)) await cli.expect(["GET", k], `"${v}"`, { hint: `${SHARED} A key may contain spaces and colons.` });
    },
  },
  {
    name: "an empty value is stored: GET replies an empty string, not nil",
    async run(t) {
      const redis = await t.start();
      const key = t.rand.key();
      const hint = 'An empty value is a value: GET replies with the empty bulk string "$0\\r\\n\\r\\n" (redis-cli shows ""). Only a missing key is (nil); do not test the value for truthiness.';
      await redisCli(t, redis).steps([
        [["SET", key, ""], "OK"],
        [["GET", key], '""', hint],
      ]);
      const conn = await RespConnection.open(t, redis);
      await conn.command("GET", key);
      await conn.expectReply("$0\r\n\r\n", { hint });
    },
  },
  {
    name: "keys that differ only in case are different keys",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const lower = t.rand.key();
      const upper = capitalized(lower);
      const [a, b] = [t.rand.word(), `${t.rand.word()}-2`];
      await cli.steps([
        [["SET", lower, a], "OK"],
        [["SET", upper, b], "OK"],
        [["GET", lower], `"${a}"`, `${lower} and ${upper} are two keys. ${OPAQUE}`],
        [["GET", upper], `"${b}"`, `${lower} and ${upper} are two keys. ${OPAQUE}`],
      ]);
    },
  },
  {
    name: "a non-ASCII value comes back with its length in bytes",
    async run(t) {
      const redis = await t.start();
      const conn = await RespConnection.open(t, redis);
      const key = t.rand.key();
      const value = Buffer.from(`${t.rand.word()} crème brûlée ${t.rand.pick(["🍋", "🍐", "🍇"])}`, "utf8");
      await conn.command("SET", key, value);
      await conn.expectReply("+OK\r\n");
      await conn.command("GET", key);
      await conn.expectReply(Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n")]), {
        message: `GET of a ${value.length}-byte UTF-8 value (${value.toString("utf8").length} UTF-16 code units).`,
        hint: OPAQUE,
      });
    },
  },
]);
