import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { byteOrder, cliArray, distinctMembers, withScores } from "./shared.ts";

/** Six members with scores 1..6 (in byte order, so ties cannot matter). */
function sixMembers(rand: Parameters<typeof distinctMembers>[0]): string[] {
  return distinctMembers(rand, 6).sort(byteOrder);
}

const EXCLUSIVE = "In BYSCORE ranges, a bound written \"(x\" is exclusive (score > x or < x); a bare number is inclusive; -inf and +inf are the infinite bounds.";
const REV = "With REV (and in ZREVRANGEBYSCORE), the range is written max first, then min, and members come highest score first.";

export default stage(import.meta, [
  {
    name: "BYSCORE with inclusive, exclusive and infinite bounds",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("scores");
      const m = sixMembers(t.rand);
      await redisCli(t, redis).steps([
        [["ZADD", k, ...m.flatMap((x, i) => [String(i + 1), x])], "(integer) 6"],
        [["ZRANGE", k, "2", "4", "BYSCORE"], cliArray(m.slice(1, 4)), "BYSCORE: start and stop are scores, both included: members with 2 <= score <= 4."],
        [["ZRANGE", k, "(2", "4", "BYSCORE"], cliArray(m.slice(2, 4)), EXCLUSIVE],
        [["ZRANGE", k, "2", "(4", "BYSCORE"], cliArray(m.slice(1, 3)), EXCLUSIVE],
        [["ZRANGE", k, "(2", "(3", "BYSCORE"], "(empty array)", EXCLUSIVE],
        [["ZRANGE", k, "-inf", "(3", "BYSCORE"], cliArray(m.slice(0, 2)), EXCLUSIVE],
        [["ZRANGE", k, "(4.5", "+inf", "BYSCORE", "WITHSCORES"], withScores([[m[4]!, "5"], [m[5]!, "6"]]), EXCLUSIVE],
        [["ZRANGEBYSCORE", k, "(1", "2.5"], cliArray(m.slice(1, 2)), "ZRANGEBYSCORE key min max is the older form of ZRANGE key min max BYSCORE."],
        [["ZRANGE", k, "5", "2", "BYSCORE"], "(empty array)", "Without REV, a min above max matches nothing."],
        [["ZRANGE", k, "one", "2", "BYSCORE"], "(error) ERR min or max is not a float", "A bound that is not a float (after an optional \"(\") is an error with this exact text."],
      ]);
    },
  },
  {
    name: "REV reverses the order and takes the range as max then min",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("rev");
      const m = sixMembers(t.rand);
      const down = [...m].reverse();
      await redisCli(t, redis).steps([
        [["ZADD", k, ...m.flatMap((x, i) => [String(i + 1), x])], "(integer) 6"],
        [["ZRANGE", k, "0", "1", "REV"], cliArray(down.slice(0, 2)), "ZRANGE start stop REV: indexes count from the highest score."],
        [["ZREVRANGE", k, "0", "-1"], cliArray(down), "ZREVRANGE is ZRANGE ... REV."],
        [["ZRANGE", k, "4", "2", "BYSCORE", "REV"], cliArray(down.slice(2, 5)), REV],
        [["ZRANGE", k, "2", "4", "BYSCORE", "REV"], "(empty array)", REV],
        [["ZREVRANGEBYSCORE", k, "+inf", "(4", "WITHSCORES"], withScores([[m[5]!, "6"], [m[4]!, "5"]]), REV],
      ]);
    },
  },
  {
    name: "LIMIT offset count pages through a score range",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("page");
      const m = sixMembers(t.rand);
      const limit = "LIMIT offset count skips `offset` matching members, then returns at most `count` of them (a negative count means all the rest).";
      await redisCli(t, redis).steps([
        [["ZADD", k, ...m.flatMap((x, i) => [String(i + 1), x])], "(integer) 6"],
        [["ZRANGE", k, "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"], cliArray(m.slice(1, 3)), limit],
        [["ZRANGE", k, "(2", "+inf", "BYSCORE", "LIMIT", "2", "-1"], cliArray(m.slice(4)), limit],
        [["ZRANGE", k, "-inf", "+inf", "BYSCORE", "LIMIT", "10", "5"], "(empty array)", limit],
        [["ZRANGE", k, "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"], cliArray([m[4]!, m[3]!]), "With REV, the offset counts from the highest score."],
        [["ZRANGEBYSCORE", k, "2", "5", "WITHSCORES", "LIMIT", "0", "1"], withScores([[m[1]!, "2"]]), limit],
        [["ZRANGE", k, "0", "-1", "LIMIT", "0", "1"], "(error) ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX", "LIMIT with a range by index is an error with this exact text."],
        [["ZRANGE", k, "0", "-1", "BYRANK"], "(error) ERR syntax error", "An unknown ZRANGE option is a syntax error."],
      ]);
    },
  },
  {
    name: "BYLEX ranges members of equal score by their bytes",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("lex");
      const m = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
      const lex = "BYLEX bounds are \"[member\" (inclusive), \"(member\" (exclusive), \"-\" (below everything) and \"+\" (above everything); members compare by their bytes.";
      await redisCli(t, redis).steps([
        [["ZADD", k, ...t.rand.shuffle(m).flatMap((x) => ["0", x])], "(integer) 6"],
        [["ZRANGE", k, "[bravo", "(delta", "BYLEX"], cliArray(["bravo", "charlie"]), lex],
        [["ZRANGE", k, "(bravo", "[delta", "BYLEX"], cliArray(["charlie", "delta"]), lex],
        [["ZRANGE", k, "[c", "[e", "BYLEX"], cliArray(["charlie", "delta"]), "\"[e\" includes \"e\" itself but not \"echo\", which sorts after it."],
        [["ZRANGE", k, "-", "(c", "BYLEX"], cliArray(["alpha", "bravo"]), lex],
        [["ZRANGE", k, "[e", "+", "BYLEX"], cliArray(["echo", "foxtrot"]), lex],
        [["ZRANGE", k, "-", "+", "BYLEX", "LIMIT", "2", "3"], cliArray(["charlie", "delta", "echo"]), "LIMIT works with BYLEX too."],
        [["ZRANGE", k, "+", "[delta", "BYLEX", "REV"], cliArray(["foxtrot", "echo", "delta"]), REV],
        [["ZRANGEBYLEX", k, "[delta", "+"], cliArray(["delta", "echo", "foxtrot"]), "ZRANGEBYLEX key min max is ZRANGE key min max BYLEX."],
        [["ZREVRANGEBYLEX", k, "(delta", "-"], cliArray(["charlie", "bravo", "alpha"]), `ZREVRANGEBYLEX key max min is ZRANGE key max min BYLEX REV. ${REV}`],
        [["ZRANGE", k, "alpha", "[delta", "BYLEX"], "(error) ERR min or max not valid string range item", "A lex bound must start with \"[\" or \"(\", or be exactly \"-\" or \"+\"; anything else is an error with this exact text."],
      ]);
    },
  },
]);
