import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { byteOrder, cliArray, distinctMembers, NOT_FLOAT, withScores } from "./shared.ts";

const RANK = "ZRANK is the member's 0-based position in score order: the lowest score has rank 0. ZREVRANK counts from the highest score, also from 0.";

export default stage(import.meta, [
  {
    name: "ZRANK and ZREVRANK are 0-based positions",
    async run(t) {
      const redis = await t.start();
      const [k, missing] = [t.rand.key("rank"), t.rand.key("missing")];
      const m = distinctMembers(t.rand, 5).sort(byteOrder);
      await redisCli(t, redis).steps([
        [["ZADD", k, ...t.rand.shuffle(m.map((x, i) => [String(i * 2 + 0.5), x] as const)).flat()], "(integer) 5"],
        [["ZRANK", k, m[0]!], "(integer) 0", RANK],
        [["ZRANK", k, m[3]!], "(integer) 3", RANK],
        [["ZREVRANK", k, m[4]!], "(integer) 0", RANK],
        [["ZREVRANK", k, m[1]!], "(integer) 3", RANK],
        [["ZRANK", k, "not-a-member"], "(nil)", "ZRANK of a member that is not in the set is nil."],
        [["ZRANK", missing, m[0]!], "(nil)", "ZRANK on a missing key is nil."],
      ]);
    },
  },
  {
    name: "ZREM removes members and the key goes with the last one",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("rem");
      const [a, b, c] = distinctMembers(t.rand, 3).sort(byteOrder) as [string, string, string];
      await redisCli(t, redis).steps([
        [["ZADD", k, "1", a, "2", b, "3", c], "(integer) 3"],
        [["ZREM", k, a, "not-a-member", c], "(integer) 2", "ZREM replies with how many of the named members were in the set and removed."],
        [["ZRANGE", k, "0", "-1"], cliArray([b])],
        [["ZRANK", k, b], "(integer) 0", "After a removal, ranks of the remaining members shift down."],
        [["ZREM", k, b], "(integer) 1"],
        [["EXISTS", k], "(integer) 0", "A sorted set never exists empty: when ZREM removes the last member, delete the key."],
        [["TYPE", k], "none"],
        [["ZREM", k, b], "(integer) 0", "ZREM on a missing key removes nothing."],
      ]);
    },
  },
  {
    name: "ZINCRBY moves a member and ZRANK follows",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("incr");
      const [a, b, c] = distinctMembers(t.rand, 3).sort(byteOrder) as [string, string, string];
      await redisCli(t, redis).steps([
        [["ZADD", k, "10", a, "20", b, "30", c], "(integer) 3"],
        [["ZINCRBY", k, "15", a], '"25"', "ZINCRBY replies with the member's new score, as a bulk string."],
        [["ZRANK", k, a], "(integer) 1", "A member whose score changed must move to its new position (re-insert it in order)."],
        [["ZINCRBY", k, "-30", c], '"0"'],
        [["ZRANGE", k, "0", "-1", "WITHSCORES"], withScores([[c, "0"], [b, "20"], [a, "25"]])],
        [["ZINCRBY", k, "x", a], NOT_FLOAT],
      ]);
    },
  },
  {
    name: "ZCOUNT and ZLEXCOUNT count a range",
    async run(t) {
      const redis = await t.start();
      const [k, lex, missing] = [t.rand.key("count"), t.rand.key("lex"), t.rand.key("missing")];
      const m = distinctMembers(t.rand, 6).sort(byteOrder);
      const count = "ZCOUNT key min max counts members with min <= score <= max; \"(x\" makes a bound exclusive; -inf and +inf are the infinite bounds.";
      await redisCli(t, redis).steps([
        [["ZADD", k, ...m.flatMap((x, i) => [String(i + 1), x])], "(integer) 6"],
        [["ZCOUNT", k, "-inf", "+inf"], "(integer) 6", count],
        [["ZCOUNT", k, "2", "4"], "(integer) 3", count],
        [["ZCOUNT", k, "(2", "4"], "(integer) 2", count],
        [["ZCOUNT", k, "(2", "(4"], "(integer) 1", count],
        [["ZCOUNT", k, "4", "2"], "(integer) 0", "A min above max counts nothing."],
        [["ZCOUNT", missing, "0", "10"], "(integer) 0", "ZCOUNT of a missing key is 0."],
        [["ZCOUNT", k, "low", "high"], "(error) ERR min or max is not a float"],
        [["ZADD", lex, "0", "a", "0", "b", "0", "c", "0", "d"], "(integer) 4"],
        [["ZLEXCOUNT", lex, "[b", "+"], "(integer) 3", "ZLEXCOUNT counts members in a lex range, with the same bounds as ZRANGE ... BYLEX."],
        [["ZLEXCOUNT", lex, "-", "(c"], "(integer) 2"],
      ]);
    },
  },
  {
    name: "ZPOPMIN, ZPOPMAX and ZMSCORE",
    async run(t) {
      const redis = await t.start();
      const [k, missing] = [t.rand.key("pop"), t.rand.key("missing")];
      const [a, b, c, d] = distinctMembers(t.rand, 4).sort(byteOrder) as [string, string, string, string];
      await redisCli(t, redis).steps([
        [["ZADD", k, "1", a, "2", b, "3", c, "4", d], "(integer) 4"],
        [["ZMSCORE", k, b, "not-a-member", d], '1) "2"\n2) (nil)\n3) "4"', "ZMSCORE replies with an array: each member's score as a bulk string, nil for a member not in the set."],
        [["ZPOPMIN", k, "-1"], "(error) ERR value is out of range, must be positive", "A negative ZPOPMIN/ZPOPMAX count is \"ERR value is out of range, must be positive\"."],
        [["ZPOPMAX", k, "two"], "(error) ERR value is out of range, must be positive", "A ZPOPMIN/ZPOPMAX count that is not an integer is \"ERR value is out of range, must be positive\" too."],
        [["ZPOPMIN", k], withScores([[a, "1"]]), "ZPOPMIN removes the member with the lowest score and replies [member, score]."],
        [["ZPOPMAX", k, "2"], withScores([[d, "4"], [c, "3"]]), "ZPOPMAX count removes up to count members, highest first, replying member, score, member, score (a flat array)."],
        [["ZPOPMIN", k, "10"], withScores([[b, "2"]])],
        [["EXISTS", k], "(integer) 0", "When a pop removes the last member, delete the key."],
        [["ZPOPMIN", missing], "(empty array)", "Popping from a missing key replies an empty array."],
      ]);
    },
  },
]);
