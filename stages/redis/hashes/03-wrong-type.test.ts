import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { randomNames, WRONGTYPE } from "../sets/shared.ts";

const CHECK_TYPE = "Every command that reads or changes a hash must first check the type of the value at the key: a key holding a string (or a set, or anything but a hash) gets \"-WRONGTYPE Operation against a key holding the wrong kind of value\", and the value is left alone.";

export default stage(import.meta, [
  {
    name: "hash commands on a string key reply WRONGTYPE",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const s = t.rand.key("string");
      const value = t.rand.word();
      const [f] = randomNames(t.rand, 1, "f:");
      await cli.expect(["SET", s, value], "OK");
      await cli.steps([
        [["HSET", s, f!, "v"], WRONGTYPE, CHECK_TYPE],
        [["HGET", s, f!], WRONGTYPE, CHECK_TYPE],
        [["HMGET", s, f!], WRONGTYPE, CHECK_TYPE],
        [["HGETALL", s], WRONGTYPE, CHECK_TYPE],
        [["HKEYS", s], WRONGTYPE, CHECK_TYPE],
        [["HVALS", s], WRONGTYPE, CHECK_TYPE],
        [["HLEN", s], WRONGTYPE, CHECK_TYPE],
        [["HEXISTS", s, f!], WRONGTYPE, CHECK_TYPE],
        [["HDEL", s, f!], WRONGTYPE, CHECK_TYPE],
        [["HINCRBY", s, f!, "1"], WRONGTYPE, CHECK_TYPE],
        [["HSETNX", s, f!, "v"], WRONGTYPE, CHECK_TYPE],
        [["HINCRBYFLOAT", s, f!, "1.5"], WRONGTYPE, CHECK_TYPE],
        [["HSTRLEN", s, f!], WRONGTYPE, CHECK_TYPE],
        [["GET", s], `"${value}"`, "A refused hash command must leave the string as it was."],
        [["TYPE", s], "string"],
      ]);
    },
  },
  {
    name: "string commands on a hash key reply WRONGTYPE, and SET replaces it",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const h = t.rand.key("hash");
      const [f] = randomNames(t.rand, 1, "f:");
      const hint = "String commands (GET, APPEND, INCR, STRLEN ...) must check the value's type too: on a hash they reply \"-WRONGTYPE Operation against a key holding the wrong kind of value\". Keep a type tag with every value.";
      await cli.steps([
        [["HSET", h, f!, "1"], "(integer) 1"],
        [["GET", h], WRONGTYPE, hint],
        [["INCR", h], WRONGTYPE, hint],
        [["APPEND", h, "x"], WRONGTYPE, hint],
        [["STRLEN", h], WRONGTYPE, hint],
        [["HGET", h, f!], '"1"', "A refused command must leave the hash as it was."],
        [["SET", h, "plain"], "OK", "SET is the exception: it replaces whatever the key held, of any type."],
        [["TYPE", h], "string", "After SET the key holds a string."],
        [["HGET", h, f!], WRONGTYPE, CHECK_TYPE],
      ]);
    },
  },
  {
    name: "hash and set commands refuse each other's keys",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [h, s] = [t.rand.key("hash"), t.rand.key("set")];
      const [f, m] = randomNames(t.rand, 2);
      const setHint = "Set commands check the type too: on a hash they reply WRONGTYPE.";
      await cli.steps([
        [["HSET", h, f!, "v"], "(integer) 1"],
        [["SADD", s, m!], "(integer) 1"],
        [["TYPE", h], "hash"],
        [["TYPE", s], "set"],
        [["HSET", s, f!, "v"], WRONGTYPE, CHECK_TYPE],
        [["HGET", s, f!], WRONGTYPE, CHECK_TYPE],
        [["HGETALL", s], WRONGTYPE, CHECK_TYPE],
        [["HLEN", s], WRONGTYPE, CHECK_TYPE],
        [["SADD", h, m!], WRONGTYPE, setHint],
        [["SMEMBERS", h], WRONGTYPE, setHint],
        [["SISMEMBER", h, m!], WRONGTYPE, setHint],
        [["SCARD", h], WRONGTYPE, setHint],
        [["SINTER", s, h], WRONGTYPE, setHint],
        [["HLEN", h], "(integer) 1", "Both values must be unchanged."],
        [["SCARD", s], "(integer) 1", "Both values must be unchanged."],
      ]);
    },
  },
  {
    name: "list commands and hash or set commands refuse each other's keys",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [l, h, s] = [t.rand.key("list"), t.rand.key("hash"), t.rand.key("set")];
      const [a, b, f, m] = randomNames(t.rand, 4);
      const listHint = "List commands check the type too: on a hash or a set they reply WRONGTYPE and change nothing.";
      await cli.steps([
        [["RPUSH", l, a!, b!], "(integer) 2"],
        [["HSET", h, f!, "v"], "(integer) 1"],
        [["SADD", s, m!], "(integer) 1"],
        [["TYPE", l], "list"],
        [["HSET", l, f!, "v"], WRONGTYPE, CHECK_TYPE],
        [["HGET", l, f!], WRONGTYPE, CHECK_TYPE],
        [["HGETALL", l], WRONGTYPE, CHECK_TYPE],
        [["SADD", l, m!], WRONGTYPE, "Set commands on a list reply WRONGTYPE."],
        [["SMEMBERS", l], WRONGTYPE, "Set commands on a list reply WRONGTYPE."],
        [["GET", l], WRONGTYPE, "String commands on a list reply WRONGTYPE."],
        [["STRLEN", s], WRONGTYPE, "String commands on a set reply WRONGTYPE."],
        [["INCR", s], WRONGTYPE, "String commands on a set reply WRONGTYPE (not \"value is not an integer\": check the type first)."],
        [["LPUSH", h, a!], WRONGTYPE, listHint],
        [["RPUSH", s, a!], WRONGTYPE, listHint],
        [["LRANGE", h, "0", "-1"], WRONGTYPE, listHint],
        [["LLEN", s], WRONGTYPE, listHint],
        [["LPOP", h], WRONGTYPE, listHint],
        [["LRANGE", l, "0", "-1"], `1) "${a}"\n2) "${b}"`, "The list must be unchanged."],
        [["HLEN", h], "(integer) 1", "The hash must be unchanged."],
        [["SCARD", s], "(integer) 1", "The set must be unchanged."],
      ]);
    },
  },
  {
    name: "a deleted key has no type left",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [k, j] = [t.rand.key("key"), t.rand.key("key")];
      const [f, m] = randomNames(t.rand, 2);
      const hint = "Once a key is gone (DEL, or HDEL/SREM of its last field or member) it has no type: any command may create it again with a new type.";
      await cli.steps([
        [["HSET", k, f!, "v"], "(integer) 1"],
        [["DEL", k], "(integer) 1"],
        [["SADD", k, m!], "(integer) 1", hint],
        [["SREM", k, m!], "(integer) 1"],
        [["HSET", k, f!, "v"], "(integer) 1", hint],
        [["HSET", j, f!, "v"], "(integer) 1"],
        [["HDEL", j, f!], "(integer) 1"],
        [["SADD", j, m!], "(integer) 1", hint],
        [["TYPE", j], "set"],
      ]);
    },
  },
]);
