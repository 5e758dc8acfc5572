import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { byteOrder, cliArray, distinctMembers, NOT_FLOAT, TIES, withScores, WRONGTYPE } from "./shared.ts";

export default stage(import.meta, [
  {
    name: "ZADD counts new members and ZRANGE lists them by score",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("board");
      const [a, b, c, d] = distinctMembers(t.rand, 4) as [string, string, string, string];
      await redisCli(t, redis).steps([
        [["ZADD", k, "3", c, "1", a, "2", b], "(integer) 3", "ZADD replies with the number of members it added, as an integer."],
        [["ZRANGE", k, "0", "-1"], cliArray([a, b, c]), "ZRANGE start stop lists members in order of score, lowest first; -1 is the last member."],
        [["ZADD", k, "4", d, "1", a], "(integer) 1", "A member that is already in the set is not counted again (its score is just set)."],
        [["ZCARD", k], "(integer) 4", "ZCARD is the number of members."],
        [["ZRANGE", k, "0", "-1", "WITHSCORES"], withScores([[a, "1"], [b, "2"], [c, "3"], [d, "4"]]), "WITHSCORES interleaves each member with its score, as a bulk string: member, score, member, score, ..."],
        [["ZSCORE", k, c], '"3"', "ZSCORE replies with the score as a bulk string; whole numbers have no \".0\"."],
        [["ZADD", k, "0", d], "(integer) 0", "Updating a score adds nothing."],
        [["ZRANGE", k, "0", "-1"], cliArray([d, a, b, c]), "After a score changes, the member moves to its new place in the order."],
      ]);
    },
  },
  {
    name: "members with equal scores are ordered by their bytes",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("ties");
      const words = distinctMembers(t.rand, 5);
      // A capitalised word sorts before every lowercase one in byte order (but not in locale order).
      const members = [...words, `${words[0]!.toUpperCase()}`, `${words[1]}2`];
      const inserted = t.rand.shuffle(members).sort((x, y) => byteOrder(y, x));
      const cli = redisCli(t, redis);
      for (const m of inserted) await cli.expect(["ZADD", k, "7", m], "(integer) 1");
      await cli.expect(["ZADD", k, "3", "zzz-first", "9", "aaa-last"], "(integer) 2");
      const sorted = [...members].sort(byteOrder);
      await cli.expect(["ZRANGE", k, "0", "-1"], cliArray(["zzz-first", ...sorted, "aaa-last"]), { hint: TIES });
    },
  },
  {
    name: "ZRANGE indexes can be negative and are clamped",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("z");
      const m = distinctMembers(t.rand, 5).sort(byteOrder);
      const clamp = "Out-of-range ZRANGE indexes are not errors: negative ones count from the end, start is clamped to 0 and stop to the last index; if start is then past stop, reply with an empty array.";
      await redisCli(t, redis).steps([
        [["ZADD", k, ...m.flatMap((x, i) => [String(i * 10), x])], "(integer) 5"],
        [["ZRANGE", k, "1", "2"], cliArray(m.slice(1, 3)), "start and stop are both included."],
        [["ZRANGE", k, "-2", "-1"], cliArray(m.slice(3)), clamp],
        [["ZRANGE", k, "-100", "1"], cliArray(m.slice(0, 2)), clamp],
        [["ZRANGE", k, "3", "100"], cliArray(m.slice(3)), clamp],
        [["ZRANGE", k, "4", "2"], "(empty array)", clamp],
        [["ZRANGE", k, "5", "10"], "(empty array)", clamp],
        [["ZRANGE", k, "a", "1"], "(error) ERR value is not an integer or out of range", "ZRANGE indexes must be integers."],
      ]);
    },
  },
  {
    name: "scores are doubles, replied the way Redis 7.0 formats them",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("floats");
      const fmt = "Reply with scores as printf(\"%.17g\") writes them (17 significant digits, no trailing zeros, exponent from 1e17 on and below 1e-4), and \"inf\"/\"-inf\" for infinities.";
      await redisCli(t, redis).steps([
        [["ZADD", k, "1.5", "a", "-2", "b", "0.25", "c", "+inf", "top", "-inf", "bottom", "1e20", "big", "2.5e-5", "small"], "(integer) 7", "Scores are doubles: decimals, exponents and +inf/-inf are all valid."],
        [["ZRANGE", k, "0", "-1", "WITHSCORES"], withScores([["bottom", "-inf"], ["b", "-2"], ["small", "2.5000000000000001e-05"], ["c", "0.25"], ["a", "1.5"], ["big", "1e+20"], ["top", "inf"]]), fmt],
        [["ZADD", k, "0.1", "tenth"], "(integer) 1"],
        [["ZADD", k, "inf", "inf-word", ".5", "half"], "(integer) 2", "\"inf\" (without a sign) and \".5\" are valid scores: accept what C's strtod reads as a whole."],
        [["ZSCORE", k, "half"], '"0.5"', fmt],
        [["ZSCORE", k, "inf-word"], '"inf"', fmt],
        [["ZADD", k, "1e16", "e16", "1e17", "e17", "0.0001", "e-4"], "(integer) 3"],
        [["ZSCORE", k, "e16"], '"10000000000000000"', `Below 1e17 a score is written without an exponent. ${fmt}`],
        [["ZSCORE", k, "e17"], '"1e+17"', `From 1e17 on, a score is written with an exponent ("1e+17"). ${fmt}`],
        [["ZSCORE", k, "e-4"], '"0.0001"', `0.0001 (1e-4) is still written without an exponent; below it, with one. ${fmt}`],
        [["ZADD", k, "1 ", "x"], NOT_FLOAT, "A score with a trailing space (\"1 \") is not a valid float: strtod must read the whole argument."],
        [["ZADD", k, "", "x"], NOT_FLOAT, "An empty score is not a valid float."],
        [["ZADD", k, "1e400", "x"], NOT_FLOAT, "1e400 is too large for a double: refuse it (strtod reports ERANGE), do not store inf."],
        [["ZSCORE", k, "tenth"], '"0.10000000000000001"', fmt],
        [["ZADD", k, "abc", "x"], NOT_FLOAT, "A score that is not a number is refused with \"ERR value is not a valid float\"."],
        [["ZADD", k, "1", "x", "nan", "y"], NOT_FLOAT, "NaN is not a valid score."],
        [["ZSCORE", k, "x"], "(nil)", "ZADD checks every score before changing anything: when one is invalid, no member is added."],
        [["ZADD", k, "1", "x", "2"], "(error) ERR syntax error", "Scores and members come in pairs; an odd count is a syntax error."],
      ]);
    },
  },
  {
    name: "missing keys, TYPE zset and WRONGTYPE",
    async run(t) {
      const redis = await t.start();
      const [k, missing, str] = [t.rand.key("zset"), t.rand.key("missing"), t.rand.key("string")];
      const wrong = "A command for one type used on a key of another type replies with the WRONGTYPE error.";
      await redisCli(t, redis).steps([
        [["ZCARD", missing], "(integer) 0", "A missing key is an empty sorted set: ZCARD is 0."],
        [["ZSCORE", missing, "m"], "(nil)", "ZSCORE of a missing key is nil."],
        [["ZRANGE", missing, "0", "-1"], "(empty array)", "ZRANGE of a missing key is an empty array (\"*0\\r\\n\"), not nil."],
        [["ZADD", k, "1", "m"], "(integer) 1"],
        [["ZSCORE", k, "other"], "(nil)", "ZSCORE of a member that is not in the set is nil."],
        [["TYPE", k], "zset", "TYPE of a sorted set is \"zset\"."],
        [["SET", str, "v"], "OK"],
        [["ZADD", str, "1", "m"], WRONGTYPE, wrong],
        [["ZRANGE", str, "0", "-1"], WRONGTYPE, wrong],
        [["ZCARD", str], WRONGTYPE, wrong],
        [["GET", k], WRONGTYPE, wrong],
      ]);
    },
  },
]);
