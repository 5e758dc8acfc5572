import { redisCli } from "../../challenges/redis/clients/redis.ts";
import { stage } from "../../harness/stage/define.ts";

const NOT_INT = "(error) ERR value is not an integer or out of range";

export default stage(import.meta, [
  {
    name: "INCR, INCRBY, DECR and DECRBY count from zero",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("counter");
      const by = t.rand.int(2, 50);
      await redisCli(t, redis).steps([
        [["INCR", k], "(integer) 1", "INCR on a missing key starts from 0, and replies with the new value as an integer."],
        [["INCR", k], "(integer) 2"],
        [["INCRBY", k, String(by)], `(integer) ${2 + by}`],
        [["DECR", k], `(integer) ${1 + by}`],
        [["DECRBY", k, String(by)], "(integer) 1"],
        [["DECRBY", k, "3"], "(integer) -2"],
        [["GET", k], '"-2"', "Counters are stored as strings: GET shows the decimal number."],
      ]);
      const timed = t.rand.key("timed");
      await redisCli(t, redis).steps([
        [["SET", timed, "5", "EX", "100"], "OK"],
        [["INCR", timed], "(integer) 6"],
        [["DECRBY", timed, "2"], "(integer) 4"],
      ]);
      await redisCli(t, redis).expectThat(["TTL", timed], (out) => out === "(integer) 100" || out === "(integer) 99", {
        expected: "(integer) 100",
        hint: "INCR, DECR, INCRBY and DECRBY change the value in place: the key keeps its expiry (do not store the result with a plain SET, which removes it).",
      });
    },
  },
  {
    name: "INCR refuses values that are not 64-bit integers",
    async run(t) {
      const redis = await t.start();
      const [word, max, spaced] = [t.rand.key(), t.rand.key("max"), t.rand.key("spaced")];
      const value = t.rand.word();
      const hint = "INCR works only on strings that are a base-10 signed 64-bit integer; anything else is an error, and the value stays as it was.";
      await redisCli(t, redis).steps([
        [["SET", word, value], "OK"],
        [["INCR", word], NOT_INT, hint],
        [["GET", word], `"${value}"`, hint],
        [["SET", spaced, " 12"], "OK"],
        [["INCR", spaced], NOT_INT, hint],
        [["SET", spaced, "012"], "OK"],
        [["INCR", spaced], NOT_INT, "Integers are written strictly: \"012\" (a leading zero) is not one."],
        [["GET", spaced], '"012"', hint],
        [["INCRBY", t.rand.key(), "ten"], NOT_INT, "The increment must be an integer too."],
        [["INCRBY", t.rand.key(), "+5"], NOT_INT, "The increment is written strictly too: \"+5\" (a plus sign) is not an integer."],
        [["SET", max, "9223372036854775807"], "OK"],
        [["INCR", max], "(error) ERR increment or decrement would overflow", "9223372036854775807 is the largest 64-bit integer: INCR on it overflows."],
        [["GET", max], '"9223372036854775807"'],
        [["SET", max, "-9223372036854775808"], "OK"],
        [["DECR", max], "(error) ERR increment or decrement would overflow", "-9223372036854775808 is the smallest 64-bit integer: DECR on it overflows too."],
        [["GET", max], '"-9223372036854775808"'],
      ]);
    },
  },
  {
    name: "APPEND and STRLEN",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key();
      await redisCli(t, redis).steps([
        [["APPEND", k, "Hello"], "(integer) 5", "APPEND on a missing key creates it, and replies with the new length."],
        [["APPEND", k, " World"], "(integer) 11"],
        [["GET", k], '"Hello World"'],
        [["STRLEN", k], "(integer) 11"],
        [["STRLEN", t.rand.key("missing")], "(integer) 0", "STRLEN of a missing key is 0."],
      ]);
    },
  },
  {
    name: "DEL counts what it removed and EXISTS counts repeated keys",
    async run(t) {
      const redis = await t.start();
      const [a, b, gone] = [t.rand.key("a"), t.rand.key("b"), t.rand.key("gone")];
      await redisCli(t, redis).steps([
        [["SET", a, "1"], "OK"],
        [["SET", b, "2"], "OK"],
        [["EXISTS", a], "(integer) 1"],
        [["EXISTS", a, a, b, gone], "(integer) 3", "EXISTS counts each argument: a key named twice counts twice."],
        [["DEL", a, gone], "(integer) 1", "DEL replies with how many of the keys existed and were removed."],
        [["EXISTS", a], "(integer) 0"],
        [["GET", a], "(nil)"],
        [["DEL", b, b], "(integer) 1"],
      ]);
    },
  },
  {
    name: "KEYS matches glob-style patterns",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const p = t.rand.word();
      const names = [`${p}:hello`, `${p}:hallo`, `${p}:hxllo`, `${p}:hllo`, `${p}:heeeello`, `other:${p}`, `${p}:h*llo`];
      for (const n of names) await cli.expect(["SET", n, "x"], "OK");
      const cases: [string, string[]][] = [
        [`${p}:h?llo`, [`${p}:hallo`, `${p}:hello`, `${p}:hxllo`, `${p}:h*llo`]],
        [`${p}:h*llo`, [`${p}:heeeello`, `${p}:hallo`, `${p}:hello`, `${p}:hllo`, `${p}:hxllo`, `${p}:h*llo`]],
        [`${p}:h[ae]llo`, [`${p}:hallo`, `${p}:hello`]],
        [`${p}:h[^e]llo`, [`${p}:hallo`, `${p}:hxllo`, `${p}:h*llo`]],
        [`${p}:h[a-b]llo`, [`${p}:hallo`]],
        [`${p}:h\\*llo`, [`${p}:h*llo`]],
        ["*", [...names].sort()],
      ];
      for (const [pattern, want] of cases) {
        const out = await cli.run(["KEYS", pattern]);
        // KEYS returns keys in no particular order: compare sorted.
        const got = out === "(empty array)" ? [] : out.split("\n").map((l) => l.replace(/^\s*\d+\) "(.*)"$/, "$1")).sort();
        t.expectEqual(got.join("\n"), [...want].sort().join("\n"), {
          message: `KEYS ${pattern} returned the wrong keys (shown sorted).`,
          hint: "KEYS patterns are globs: ? is one character, * any run of characters, [ae] one of a set, [^e] anything but, [a-b] a range, and \\ makes the next character literal (\\* is a * itself).",
        });
      }
    },
  },
  {
    name: "TYPE tells a string from a missing key",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key();
      await redisCli(t, redis).steps([
        [["SET", k, "v"], "OK"],
        [["TYPE", k], "string", 'TYPE replies with a simple string: "string" for string values.'],
        [["TYPE", t.rand.key("missing")], "none", 'TYPE of a missing key is "none".'],
      ]);
    },
  },
  {
    name: "SET with NX, XX and GET",
    async run(t) {
      const redis = await t.start();
      const [k, fresh, absent] = [t.rand.key(), t.rand.key("fresh"), t.rand.key("absent")];
      await redisCli(t, redis).steps([
        [["SET", k, "one", "NX"], "OK", "NX: set only if the key does not exist."],
        [["SET", k, "two", "NX"], "(nil)", "NX on an existing key does nothing and replies nil."],
        [["GET", k], '"one"'],
        [["SET", k, "three", "XX"], "OK", "XX: set only if the key exists."],
        [["SET", absent, "v", "XX"], "(nil)", "XX on a missing key does nothing and replies nil."],
        [["GET", absent], "(nil)"],
        [["SET", k, "four", "GET"], '"three"', "GET: reply with the old value (nil if none) and set the new one."],
        [["GET", k], '"four"'],
        [["SET", fresh, "v", "GET"], "(nil)"],
        [["GET", fresh], '"v"'],
        [["SET", k, "v", "NX", "XX"], "(error) ERR syntax error", "NX and XX together are a syntax error."],
        [["SET", k, "v", "EX", "10", "PX", "100"], "(error) ERR syntax error", "EX and PX together are a syntax error."],
        [["SET", k, "v", "SOON"], "(error) ERR syntax error", "An unknown SET option is a syntax error."],
        [["GET", k], '"four"', "A SET refused with a syntax error changes nothing."],
      ]);
    },
  },
]);
