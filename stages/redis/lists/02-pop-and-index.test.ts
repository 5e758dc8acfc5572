import { redisCli, RespConnection } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { distinctWords, shown, WRONGTYPE } from "./shared.ts";

const COUNT = "With a count, LPOP/RPOP reply with an array of up to count elements (fewer if the list is shorter), in the order they were popped; without a count, with one bulk string.";
const EMPTY_GONE = "A list key exists only while it has elements: when a command removes the last element, delete the key (EXISTS 0, TYPE none, LLEN 0).";
const INDEX = "LINDEX and LSET indexes are 0-based; a negative index counts from the end (-1 is the last element).";

export default stage(import.meta, [
  {
    name: "LPOP takes from the head and RPOP from the tail",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("queue");
      const v = distinctWords(t.rand, 4);
      await redisCli(t, redis).steps([
        [["RPUSH", k, ...v], "(integer) 4"],
        [["LPOP", k], JSON.stringify(v[0]), "LPOP removes and replies with the first element (the head, index 0) as a bulk string."],
        [["RPOP", k], JSON.stringify(v[3]), "RPOP removes and replies with the last element (the tail)."],
        [["LRANGE", k, "0", "-1"], shown(v.slice(1, 3)), "The popped elements must be gone from the list."],
        [["LPOP", t.rand.key("missing")], "(nil)", "LPOP of a missing key is the null bulk string \"$-1\\r\\n\"."],
      ]);
    },
  },
  {
    name: "LPOP and RPOP with a count reply with an array",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("batch");
      const v = distinctWords(t.rand, 5);
      await redisCli(t, redis).steps([
        [["RPUSH", k, ...v], "(integer) 5"],
        [["LPOP", k, "2"], shown(v.slice(0, 2)), COUNT],
        [["RPOP", k, "2"], shown([v[4]!, v[3]!]), COUNT],
        [["LPOP", k, "1"], shown([v[2]!]), "With a count of 1 the reply is still an array (of one element)."],
        [["RPUSH", k, ...v.slice(0, 3)], "(integer) 3"],
        [["LPOP", k, "0"], "(empty array)", "LPOP with a count of 0 on an existing list is an empty array, and removes nothing."],
        [["LPOP", k, "10"], shown(v.slice(0, 3)), COUNT],
        [["LPOP", k, "-1"], "(error) ERR value is out of range, must be positive", "A negative count is an error: \"-ERR value is out of range, must be positive\"."],
        [["RPUSH", k, v[0]!], "(integer) 1"],
        [["RPOP", k, "two"], "(error) ERR value is out of range, must be positive", "A count that is not an integer is the same error (\"-ERR value is out of range, must be positive\"); it is not ignored."],
        [["LLEN", k], "(integer) 1", "A refused LPOP/RPOP removes nothing."],
      ]);
      // redis-cli shows both nulls as (nil): check the bytes.
      const conn = await RespConnection.open(t, redis, "client");
      await conn.command("LPOP", t.rand.key("missing"), "2");
      await conn.expectReply("*-1\r\n", { message: "LPOP of a missing key with a count must reply with a null array.", hint: "With a count, LPOP/RPOP of a missing key reply with the null array \"*-1\\r\\n\" (without a count: the null bulk string \"$-1\\r\\n\")." });
      await conn.command("RPOP", t.rand.key("missing"));
      await conn.expectReply("$-1\r\n", { message: "RPOP of a missing key without a count must reply with a null bulk string." });
    },
  },
  {
    name: "the key is deleted when its last element is popped",
    async run(t) {
      const redis = await t.start();
      const [k, j] = [t.rand.key("once"), t.rand.key("twice")];
      const [a, b, c] = distinctWords(t.rand, 3);
      await redisCli(t, redis).steps([
        [["RPUSH", k, a!], "(integer) 1"],
        [["LPOP", k], JSON.stringify(a), "LPOP replies with the element."],
        [["EXISTS", k], "(integer) 0", EMPTY_GONE],
        [["TYPE", k], "none", EMPTY_GONE],
        [["LPOP", k], "(nil)", EMPTY_GONE],
        [["RPUSH", j, b!, c!], "(integer) 2"],
        [["RPOP", j, "5"], shown([c!, b!]), COUNT],
        [["EXISTS", j], "(integer) 0", EMPTY_GONE],
        [["LPUSH", j, a!], "(integer) 1", "Pushing onto a key whose list was emptied starts a new list."],
        [["LRANGE", j, "0", "-1"], shown([a!])],
      ]);
    },
  },
  {
    name: "LINDEX reads an element by index, negative from the end",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("list");
      const v = distinctWords(t.rand, 4);
      await redisCli(t, redis).steps([
        [["RPUSH", k, ...v], "(integer) 4"],
        [["LINDEX", k, "0"], JSON.stringify(v[0]), INDEX],
        [["LINDEX", k, "2"], JSON.stringify(v[2]), INDEX],
        [["LINDEX", k, "-1"], JSON.stringify(v[3]), INDEX],
        [["LINDEX", k, "-4"], JSON.stringify(v[0]), INDEX],
        [["LINDEX", k, "4"], "(nil)", "An index past the end is not an error: LINDEX replies nil."],
        [["LINDEX", k, "-5"], "(nil)", "An index before the start is not an error: LINDEX replies nil."],
        [["LINDEX", t.rand.key("missing"), "0"], "(nil)"],
        [["LLEN", k], "(integer) 4", "LINDEX only reads: the list keeps its elements."],
      ]);
    },
  },
  {
    name: "LSET replaces an element, with errors for a missing key and a bad index",
    async run(t) {
      const redis = await t.start();
      const [k, s] = [t.rand.key("list"), t.rand.key("str")];
      const v = distinctWords(t.rand, 5);
      await redisCli(t, redis).steps([
        [["RPUSH", k, v[0]!, v[1]!, v[2]!], "(integer) 3"],
        [["LSET", k, "1", v[3]!], "OK", "LSET replies +OK."],
        [["LSET", k, "-1", v[4]!], "OK", INDEX],
        [["LRANGE", k, "0", "-1"], shown([v[0]!, v[3]!, v[4]!]), INDEX],
        [["LSET", k, "3", "x"], "(error) ERR index out of range", "LSET with an index outside the list replies \"-ERR index out of range\"."],
        [["LSET", k, "-4", "x"], "(error) ERR index out of range", "LSET with an index outside the list replies \"-ERR index out of range\"."],
        [["LSET", t.rand.key("missing"), "0", "x"], "(error) ERR no such key", "LSET on a missing key replies \"-ERR no such key\" (it does not create a list)."],
        [["SET", s, "v"], "OK"],
        [["LSET", s, "0", "x"], WRONGTYPE],
        [["LPOP", s], WRONGTYPE],
        [["LINDEX", s, "0"], WRONGTYPE],
        [["RPOP", s], WRONGTYPE],
        [["LPUSHX", s, "x"], WRONGTYPE, "LPUSHX/RPUSHX on a key holding a string reply WRONGTYPE (not 0: the key exists, with another type)."],
        [["RPUSHX", s, "x"], WRONGTYPE, "LPUSHX/RPUSHX on a key holding a string reply WRONGTYPE (not 0: the key exists, with another type)."],
        [["GET", s], "\"v\"", "A command refused with WRONGTYPE must leave the value as it was."],
      ]);
    },
  },
  {
    name: "LPUSHX and RPUSHX push only onto an existing list",
    async run(t) {
      const redis = await t.start();
      const [k, gone] = [t.rand.key("list"), t.rand.key("missing")];
      const [a, x, y, z, w] = distinctWords(t.rand, 5);
      await redisCli(t, redis).steps([
        [["LPUSHX", gone, a!], "(integer) 0", "LPUSHX/RPUSHX on a missing key do nothing and reply 0."],
        [["EXISTS", gone], "(integer) 0", "LPUSHX/RPUSHX must not create the key."],
        [["RPUSH", k, a!], "(integer) 1"],
        [["LPUSHX", k, x!, y!], "(integer) 3", "On an existing list, LPUSHX pushes like LPUSH and replies with the new length."],
        [["RPUSHX", k, z!, w!], "(integer) 5", "RPUSHX takes several elements too, pushed one after the other at the tail."],
        [["LRANGE", k, "0", "-1"], shown([y!, x!, a!, z!, w!])],
      ]);
    },
  },
]);
