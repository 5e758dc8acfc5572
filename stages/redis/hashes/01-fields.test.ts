import { redisCli, type RedisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { arrayItems, expectHash, expectSample, expectUnordered, quoted, randomNames } from "../sets/shared.ts";

/** A hash of `min` to `max` random fields with random values, stored with one HSET under a random key. */
async function randomHash(t: CaseContext, cli: RedisCli, min: number, max: number) {
  const h = t.rand.key("hash");
  const fields = randomNames(t.rand, t.rand.int(min, max), "f:");
  const hash = new Map(fields.map((f) => [f, `${t.rand.word()}-${t.rand.int(0, 999)}`]));
  await cli.expect(["HSET", h, ...[...hash].flat()], `(integer) ${hash.size}`);
  return { h, fields, hash };
}

const WHOLE_HASH = "HGETALL replies with an array of field, value, field, value, ... (each field followed by its value); HKEYS with the fields, HVALS with the values; in any order. A missing key is an empty array.";

export default stage(import.meta, [
  {
    name: "HSET sets fields and counts only the new ones",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const h = t.rand.key("user");
      const [f1, f2, f3, nope] = randomNames(t.rand, 4, "f:");
      const [v1, v2, v3, v1b] = randomNames(t.rand, 4);
      await cli.steps([
        [["HSET", h, f1!, v1!, f2!, v2!], "(integer) 2", "HSET key field value [field value ...] replies with the number of fields that were added."],
        [["HSET", h, f1!, v1b!, f3!, v3!], "(integer) 1", `HSET counts only the fields it ADDED: ${f1} already existed, so updating it does not count (reply 1, not 2).`],
        [["HGET", h, f1!], quoted(v1b!), "HGET key field replies with the field's value as a bulk string; a second HSET of a field replaces its value."],
        [["HGET", h, f2!], quoted(v2!)],
        [["HGET", h, nope!], "(nil)", "HGET of a field the hash does not have replies nil."],
        [["HGET", t.rand.key("missing"), f1!], "(nil)", "HGET on a missing key replies nil."],
        [["HLEN", h], "(integer) 3", "HLEN replies with the number of fields."],
        [["HEXISTS", h, f3!], "(integer) 1", "HEXISTS replies 1 if the field exists..."],
        [["HEXISTS", h, nope!], "(integer) 0", "...and 0 if it does not."],
        [["HMGET", h, f3!, nope!, f1!], `1) ${quoted(v3!)}\n2) (nil)\n3) ${quoted(v1b!)}`, "HMGET replies with an array holding the value of each field asked for, in the order asked, nil for a missing field."],
        [["TYPE", h], "hash", 'TYPE of a key holding a hash is "hash".'],
        [["HSET", h, nope!, v1!, nope!, v3!, f2!, v2!], "(integer) 1", `A field named twice in one HSET is set twice (the last value wins) but added once: ${nope} is new, ${f2} already existed, so the reply is 1.`],
        [["HMGET", h, nope!, f2!], `1) ${quoted(v3!)}\n2) ${quoted(v2!)}`, "When HSET names a field twice, the last value wins."],
        [["HSET", h, f1!], "(error) ERR wrong number of arguments for 'hset' command", "Fields and values come in pairs: HSET with a field and no value is \"-ERR wrong number of arguments for 'hset' command\"."],
      ]);
    },
  },
  {
    name: "HGETALL, HKEYS and HVALS list the whole hash",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { h, fields, hash } = await randomHash(t, cli, 4, 8);
      await expectHash(t, cli, h, hash, { message: "HGETALL did not list every field with its value.", hint: WHOLE_HASH });
      await expectUnordered(t, cli, ["HKEYS", h], [...hash.keys()], { message: "HKEYS did not list every field.", hint: WHOLE_HASH });
      await expectUnordered(t, cli, ["HVALS", h], [...hash.values()], { message: "HVALS did not list every value.", hint: WHOLE_HASH });
      const missing = t.rand.key("missing");
      await cli.steps([
        [["HGETALL", missing], "(empty array)", WHOLE_HASH],
        [["HKEYS", missing], "(empty array)", WHOLE_HASH],
        [["HVALS", missing], "(empty array)", WHOLE_HASH],
        [["HLEN", missing], "(integer) 0", "HLEN of a missing key is 0."],
        [["HMGET", missing, fields[0]!, fields[1]!], "1) (nil)\n2) (nil)", "HMGET on a missing key replies with an array of nils, one per field."],
      ]);
    },
  },
  {
    name: "HDEL removes fields and the key goes with its last field",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const h = t.rand.key("hash");
      const [f1, f2, f3, nope] = randomNames(t.rand, 4, "f:");
      const gone = "When HDEL removes the last field, delete the key: Redis never keeps an empty hash, so EXISTS is 0 and TYPE is none.";
      await cli.steps([
        [["HSET", h, f1!, "1", f2!, "2", f3!, "3"], "(integer) 3"],
        [["HDEL", h, f1!, nope!, f1!], "(integer) 1", "HDEL replies with the number of fields actually removed (a missing field, or one named twice, counts once at most)."],
        [["HGET", h, f1!], "(nil)"],
        [["HLEN", h], "(integer) 2"],
        [["HDEL", t.rand.key("missing"), f1!], "(integer) 0", "HDEL on a missing key removes nothing: 0."],
        [["HDEL", h, f2!, f3!], "(integer) 2"],
        [["EXISTS", h], "(integer) 0", gone],
        [["TYPE", h], "none", gone],
        [["HGETALL", h], "(empty array)"],
      ]);
    },
  },
  {
    name: "HSETNX sets only new fields and HSTRLEN measures values",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const h = t.rand.key("hash");
      const [f, g] = randomNames(t.rand, 2, "f:");
      const value = t.rand.word().repeat(t.rand.int(1, 4));
      await cli.steps([
        [["HSETNX", h, f!, value], "(integer) 1", "HSETNX sets the field only if it does not exist, replying 1 when it set it (creating the key if needed)."],
        [["HSETNX", h, f!, "other"], "(integer) 0", "HSETNX on an existing field changes nothing and replies 0."],
        [["HGET", h, f!], quoted(value)],
        [["HSTRLEN", h, f!], `(integer) ${value.length}`, "HSTRLEN replies with the length in bytes of the field's value."],
        [["HSTRLEN", h, g!], "(integer) 0", "HSTRLEN of a missing field (or key) is 0."],
      ]);
    },
  },
  {
    name: "HRANDFIELD picks random fields",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { h, fields, hash } = await randomHash(t, cli, 4, 6);
      const n = fields.length;
      await cli.expectThat(["HRANDFIELD", h], (out) => fields.some((f) => out === quoted(f)), {
        expected: `one of ${fields.map(quoted).join(" ")}`,
        hint: "HRANDFIELD key (no count) replies with one random field name as a bulk string.",
      });
      const counts = "HRANDFIELD key count works like SRANDMEMBER: count > 0 gives min(count, size) different fields, count < 0 gives exactly -count fields that may repeat.";
      await expectSample(t, cli, ["HRANDFIELD", h, "2"], fields, 2, true, counts);
      await expectUnordered(t, cli, ["HRANDFIELD", h, String(n + 3)], fields, { message: "HRANDFIELD with a count above the size must reply with every field.", hint: counts });
      await expectSample(t, cli, ["HRANDFIELD", h, String(-2 * n)], fields, 2 * n, false, counts);
      const args = ["HRANDFIELD", h, "-3", "WITHVALUES"];
      const out = await cli.run(args);
      const items = arrayItems(out) ?? [];
      const pairsOk = items.length === 6 && [0, 2, 4].every((i) => [...hash].some(([f, v]) => items[i] === quoted(f) && items[i + 1] === quoted(v)));
      if (!pairsOk) {
        t.fail({
          message: `${args.join(" ")} must reply with 3 random fields, each followed by its value.`,
          expected: "6 elements: field, value, field, value, field, value (fields of the hash, each with its own value)",
          received: out,
          hint: "With WITHVALUES, HRANDFIELD replies field, value, field, value, ... (a flat array in RESP2), each field directly followed by its value.",
        });
      }
      await cli.steps([
        [["HLEN", h], `(integer) ${n}`, "HRANDFIELD must not remove anything."],
        [["HRANDFIELD", t.rand.key("missing")], "(nil)", "HRANDFIELD on a missing key (no count) replies nil."],
        [["HRANDFIELD", t.rand.key("missing"), "2"], "(empty array)", "HRANDFIELD on a missing key with a count replies with an empty array."],
      ]);
    },
  },
]);
