import { redisCli, RespConnection } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const NULL_BULK = 'A key that does not exist is the null bulk string "$-1\\r\\n" (redis-cli shows (nil)), not an empty string "$0\\r\\n\\r\\n".';

export default stage(import.meta, [
  {
    name: "GET returns the value SET stored",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key();
      const value = t.rand.word();
      await cli.expect(["SET", key, value], "OK", { hint: 'SET replies with the simple string "+OK\\r\\n".' });
      await cli.expect(["GET", key], `"${value}"`, { hint: "GET replies with the stored value as a bulk string." });
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
      const pairs = Array.from({ length: t.rand.int(5, 10) }, (_, i) => [`${t.rand.word()}:${i}`, `${t.rand.word()} ${t.rand.word()}`] as const);
      for (const [k, v] of pairs) await cli.expect(["SET", k, v], "OK");
      // Each redis-cli run is a new connection: the keyspace is shared by all clients.
      for (const [k, v] of t.rand.shuffle(pairs)) await cli.expect(["GET", k], `"${v}"`, { hint: "Keep one keyspace for the whole server, shared by every connection." });
    },
  },
]);
