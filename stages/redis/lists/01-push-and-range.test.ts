import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { distinctWords, shown, WRONGTYPE } from "./shared.ts";

const LPUSH_ORDER = "LPUSH inserts each value at the head in turn, so `LPUSH k a b c` leaves the list c b a; RPUSH appends each value at the tail (a b c). Both reply with the list's new length.";
const NEGATIVE = "LRANGE indexes are 0-based and inclusive at both ends; a negative index counts from the end (-1 is the last element, -2 the one before): add the list's length to it.";
const CLAMP = "Out-of-range LRANGE indexes are not errors: clamp start to 0 and stop to length-1; if start is then past stop (or past the end), reply with an empty array.";
const WRONG = "A key holds one type of value. Commands for another type reply \"-WRONGTYPE Operation against a key holding the wrong kind of value\" and change nothing.";

export default stage(import.meta, [
  {
    name: "RPUSH appends and LPUSH prepends, several values at once",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("list");
      const [a, b, c, x, y] = distinctWords(t.rand, 5);
      await redisCli(t, redis).steps([
        [["RPUSH", k, a!, b!], "(integer) 2", "RPUSH creates the list when the key is missing and replies with the new length."],
        [["RPUSH", k, c!], "(integer) 3", "The reply is the length of the list after the push, not the number of values pushed."],
        [["LRANGE", k, "0", "2"], shown([a!, b!, c!]), "RPUSH appends at the tail (the right end), in the order given. LRANGE k 0 2 lists the elements at indexes 0 to 2."],
        [["LPUSH", k, x!, y!], "(integer) 5", LPUSH_ORDER],
        [["LRANGE", k, "0", "4"], shown([y!, x!, a!, b!, c!]), LPUSH_ORDER],
      ]);
    },
  },
  {
    name: "LPUSH onto a missing key creates the list in reverse order of the values",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("stack");
      const values = distinctWords(t.rand, t.rand.int(3, 6));
      await redisCli(t, redis).steps([
        [["LPUSH", k, ...values], `(integer) ${values.length}`],
        [["LRANGE", k, "0", String(values.length - 1)], shown([...values].reverse()), LPUSH_ORDER],
      ]);
    },
  },
  {
    name: "LRANGE counts negative indexes from the end and clamps out-of-range ones",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("range");
      const v = distinctWords(t.rand, 6);
      await redisCli(t, redis).steps([
        [["RPUSH", k, ...v], "(integer) 6"],
        [["LRANGE", k, "0", "-1"], shown(v), NEGATIVE],
        [["LRANGE", k, "1", "2"], shown(v.slice(1, 3)), "Both indexes are inclusive: LRANGE k 1 2 is two elements."],
        [["LRANGE", k, "-2", "-1"], shown(v.slice(4)), NEGATIVE],
        [["LRANGE", k, "2", "-3"], shown(v.slice(2, 4)), NEGATIVE],
        [["LRANGE", k, "-100", "1"], shown(v.slice(0, 2)), CLAMP],
        [["LRANGE", k, "4", "100"], shown(v.slice(4)), CLAMP],
        [["LRANGE", k, "3", "1"], "(empty array)", CLAMP],
        [["LRANGE", k, "6", "10"], "(empty array)", CLAMP],
        [["LRANGE", k, "-1", "-2"], "(empty array)", CLAMP],
        [["LRANGE", t.rand.key("missing"), "0", "-1"], "(empty array)", "LRANGE of a missing key is an empty array (\"*0\\r\\n\"), not nil."],
        [["LRANGE", k, "zero", "-1"], "(error) ERR value is not an integer or out of range", "LRANGE indexes must be integers."],
      ]);
    },
  },
  {
    name: "LLEN counts elements and TYPE reports list",
    async run(t) {
      const redis = await t.start();
      const [k, s] = [t.rand.key("list"), t.rand.key("str")];
      const n = t.rand.int(2, 7);
      const values = Array.from({ length: n }, () => t.rand.word());
      await redisCli(t, redis).steps([
        [["LLEN", k], "(integer) 0", "LLEN of a missing key is 0."],
        [["RPUSH", k, ...values], `(integer) ${n}`, "A list may hold the same value several times."],
        [["LLEN", k], `(integer) ${n}`],
        [["RPUSH", k, ""], `(integer) ${n + 1}`, "An empty string is a valid element."],
        [["LRANGE", k, "-1", "-1"], shown([""])],
        [["TYPE", k], "list", "TYPE replies with the simple string \"list\" for a key holding a list."],
        [["SET", s, t.rand.word()], "OK"],
        [["TYPE", s], "string"],
      ]);
    },
  },
  {
    name: "list commands on a string key, and GET on a list, reply WRONGTYPE",
    async run(t) {
      const redis = await t.start();
      const [s, k] = [t.rand.key("str"), t.rand.key("list")];
      const value = t.rand.word();
      await redisCli(t, redis).steps([
        [["SET", s, value], "OK"],
        [["LPUSH", s, "x"], WRONGTYPE, WRONG],
        [["RPUSH", s, "x"], WRONGTYPE, WRONG],
        [["LRANGE", s, "0", "-1"], WRONGTYPE, WRONG],
        [["LLEN", s], WRONGTYPE, WRONG],
        [["GET", s], JSON.stringify(value), "A command refused with WRONGTYPE must leave the value as it was."],
        [["RPUSH", k, "x"], "(integer) 1"],
        [["GET", k], WRONGTYPE, "GET (and the other string commands) must check the type too: GET of a key holding a list is a WRONGTYPE error, not nil or a value."],
        [["INCR", k], WRONGTYPE, "INCR of a key holding a list is a WRONGTYPE error (not \"value is not an integer\"): check the type before parsing the value."],
        [["APPEND", k, "x"], WRONGTYPE, "APPEND to a key holding a list is a WRONGTYPE error: it must not replace the list with a string."],
        [["LRANGE", k, "0", "-1"], shown(["x"]), "A command refused with WRONGTYPE must leave the list as it was."],
        [["SET", k, value], "OK", "SET replaces a value of any type."],
        [["TYPE", k], "string"],
      ]);
    },
  },
]);
