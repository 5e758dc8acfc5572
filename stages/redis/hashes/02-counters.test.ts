import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { randomNames } from "../sets/shared.ts";

const NOT_INT = "(error) ERR value is not an integer or out of range";
const HASH_NOT_INT = "(error) ERR hash value is not an integer";

export default stage(import.meta, [
  {
    name: "HINCRBY counts from zero and creates the field and the key",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const h = t.rand.key("stats");
      const [visits, likes] = randomNames(t.rand, 2, "f:");
      const by = t.rand.int(2, 50);
      await cli.steps([
        [["HINCRBY", h, visits!, String(by)], `(integer) ${by}`, "HINCRBY on a missing key (or field) starts from 0: it creates them and replies with the new value as an integer."],
        [["HINCRBY", h, visits!, "-100"], `(integer) ${by - 100}`, "The increment may be negative."],
        [["HGET", h, visits!], `"${by - 100}"`, "The field stores the result as a decimal string."],
        [["HSET", h, likes!, "41"], "(integer) 1"],
        [["HINCRBY", h, likes!, "1"], "(integer) 42", "A field set with HSET to a decimal integer can be incremented."],
        [["HLEN", h], "(integer) 2"],
      ]);
    },
  },
  {
    name: "HINCRBY refuses what is not a 64-bit integer",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const h = t.rand.key("stats");
      const [n, word, spaced, frac, max] = randomNames(t.rand, 5, "f:");
      const value = t.rand.word();
      await cli.steps([
        [["HINCRBY", h, n!, "1.5"], NOT_INT, "The HINCRBY increment must be a 64-bit integer: \"1.5\" is refused with \"-ERR value is not an integer or out of range\" (that is HINCRBYFLOAT's job)."],
        [["HINCRBY", h, n!, "+5"], NOT_INT, "The increment is written strictly, as in stage 10: \"+5\" (a plus sign) is not an integer."],
        [["HINCRBY", h, n!, "05"], NOT_INT, "The increment is written strictly, as in stage 10: \"05\" (a leading zero) is not an integer."],
        [["HINCRBY", h, n!, "ten"], NOT_INT, "A non-numeric increment is refused with \"-ERR value is not an integer or out of range\"."],
        [["EXISTS", h], "(integer) 0", "A refused HINCRBY must not create the key."],
        [["HSET", h, word!, value, spaced!, " 12", frac!, "1.5", max!, "9223372036854775807"], "(integer) 4"],
        [["HINCRBY", h, word!, "1"], HASH_NOT_INT, 'When the field holds something that is not an integer, reply "-ERR hash value is not an integer".'],
        [["HGET", h, word!], `"${value}"`, "A refused HINCRBY leaves the field unchanged."],
        [["HINCRBY", h, spaced!, "1"], HASH_NOT_INT, 'Integers are written strictly: " 12" (with a space) is not one.'],
        [["HINCRBY", h, frac!, "1"], HASH_NOT_INT, '"1.5" is not an integer: HINCRBY refuses it (HINCRBYFLOAT would accept it).'],
        [["HINCRBY", h, max!, "1"], "(error) ERR increment or decrement would overflow", "9223372036854775807 is the largest 64-bit integer: adding 1 overflows. Use BigInt, JavaScript numbers lose precision past 2^53."],
        [["HGET", h, max!], '"9223372036854775807"', "A refused HINCRBY leaves the field unchanged."],
        [["HSET", h, spaced!, "-9223372036854775808"], "(integer) 0"],
        [["HINCRBY", h, spaced!, "-1"], "(error) ERR increment or decrement would overflow", "-9223372036854775808 is the smallest 64-bit integer: subtracting 1 overflows too."],
        [["HINCRBY", h, max!, "-9223372036854775807"], "(integer) 0", "Big increments are fine as long as the result fits in 64 bits."],
      ]);
    },
  },
  {
    name: "HINCRBYFLOAT adds decimal numbers",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const h = t.rand.key("prices");
      const [price, count, word] = randomNames(t.rand, 3, "f:");
      // Values exact in binary (halves, quarters), so every correct float type gives the same digits.
      const base = t.rand.int(1, 99);
      const fmt = "HINCRBYFLOAT replies with the new value as a bulk string, written as a plain decimal: no exponent, no trailing zeros, no \".0\" for whole numbers.";
      await cli.steps([
        [["HINCRBYFLOAT", h, price!, `${base}.5`], `"${base}.5"`, `HINCRBYFLOAT on a missing field starts from 0. ${fmt}`],
        [["HINCRBYFLOAT", h, price!, "0.25"], `"${base}.75"`, fmt],
        [["HINCRBYFLOAT", h, price!, "-0.75"], `"${base}"`, fmt],
        [["HINCRBYFLOAT", h, price!, "2.5e3"], `"${base + 2500}"`, "The increment may use an exponent (2.5e3 is 2500), but the reply does not."],
        [["HGET", h, price!], `"${base + 2500}"`, "The field stores the same text HINCRBYFLOAT replied."],
        [["HSET", h, count!, "3", word!, t.rand.word()], "(integer) 2"],
        [["HINCRBYFLOAT", h, count!, "-1.5"], '"1.5"', "An integer field is a fine float."],
        [["HINCRBY", h, count!, "1"], HASH_NOT_INT, "And after HINCRBYFLOAT wrote 1.5 into it, HINCRBY must refuse it."],
        [["HINCRBYFLOAT", h, word!, "1"], "(error) ERR hash value is not a float", 'A field that is not a number: "-ERR hash value is not a float".'],
        [["HINCRBYFLOAT", h, count!, "abc"], "(error) ERR value is not a valid float", 'An increment that is not a number: "-ERR value is not a valid float".'],
      ]);
    },
  },
]);
