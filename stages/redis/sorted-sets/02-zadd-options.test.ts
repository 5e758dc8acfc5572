import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { distinctMembers } from "./shared.ts";

export default stage(import.meta, [
  {
    name: "NX only adds and XX only updates",
    async run(t) {
      const redis = await t.start();
      const [k, missing] = [t.rand.key("z"), t.rand.key("missing")];
      const [a, b, c] = distinctMembers(t.rand, 3) as [string, string, string];
      await redisCli(t, redis).steps([
        [["ZADD", k, "1", a], "(integer) 1"],
        [["ZADD", k, "NX", "5", a, "2", b], "(integer) 1", "NX: add new members, never update an existing one (the reply counts only the added)."],
        [["ZSCORE", k, a], '"1"', "NX must leave the score of an existing member unchanged."],
        [["ZADD", k, "XX", "7", a, "3", c], "(integer) 0", "XX: update existing members, never add new ones (so nothing is counted as added)."],
        [["ZSCORE", k, a], '"7"', "XX updates the score of an existing member."],
        [["ZSCORE", k, c], "(nil)", "XX must not add a member that is not in the set."],
        [["ZADD", missing, "XX", "1", a], "(integer) 0", "XX on a missing key adds nothing."],
        [["EXISTS", missing], "(integer) 0", "ZADD XX on a missing key must not create an empty key."],
        [["ZADD", k, "nx", "xx", "1", a], "(error) ERR XX and NX options at the same time are not compatible", "NX and XX together are an error, with this exact text."],
        [["ZADD", k, "XX", "CH"], "(error) ERR syntax error", "Options without any score/member pair are a syntax error."],
      ]);
    },
  },
  {
    name: "GT and LT only move scores one way, and still add new members",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("z");
      const [a, b, c] = distinctMembers(t.rand, 3) as [string, string, string];
      const gt = "GT: update an existing member only if the new score is greater than its current score; a lower score leaves it as it is.";
      const lt = "LT: update an existing member only if the new score is less than its current score; a higher score leaves it as it is.";
      const adds = "GT and LT only limit updates: members that are not in the set are still added.";
      await redisCli(t, redis).steps([
        [["ZADD", k, "5", a], "(integer) 1"],
        [["ZADD", k, "GT", "3", a], "(integer) 0"],
        [["ZSCORE", k, a], '"5"', gt],
        [["ZADD", k, "GT", "8", a, "1", b], "(integer) 1", adds],
        [["ZSCORE", k, a], '"8"', gt],
        [["ZSCORE", k, b], '"1"', adds],
        [["ZADD", k, "LT", "9", a], "(integer) 0"],
        [["ZSCORE", k, a], '"8"', lt],
        [["ZADD", k, "LT", "2", a, "4", c], "(integer) 1", adds],
        [["ZSCORE", k, a], '"2"', lt],
        [["ZADD", k, "XX", "GT", "6", a, "6", "absent"], "(integer) 0", "XX combines with GT: update only existing members, only upwards."],
        [["ZSCORE", k, a], '"6"', gt],
        [["ZADD", k, "GT", "LT", "1", a], "(error) ERR GT, LT, and/or NX options at the same time are not compatible", "GT with LT, or either with NX, is an error with this exact text."],
        [["ZADD", k, "NX", "GT", "1", a], "(error) ERR GT, LT, and/or NX options at the same time are not compatible", "GT with LT, or either with NX, is an error with this exact text."],
      ]);
    },
  },
  {
    name: "CH counts changed members as well as added ones",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("z");
      const [a, b, c] = distinctMembers(t.rand, 3) as [string, string, string];
      const ch = "With CH, ZADD replies with the number of members added plus the number whose score changed (a score set to its current value is not a change).";
      await redisCli(t, redis).steps([
        [["ZADD", k, "1", a, "2", b], "(integer) 2"],
        [["ZADD", k, "CH", "1", a, "5", b, "3", c], "(integer) 2", ch],
        [["ZADD", k, "1", a, "6", b, "4", c], "(integer) 0", "Without CH, ZADD counts only the members it added, not the ones it updated."],
        [["ZADD", k, "ch", "XX", "7", b, "4", c], "(integer) 1", ch],
        [["ZSCORE", k, b], '"7"'],
      ]);
    },
  },
  {
    name: "INCR and ZINCRBY add to the score and reply with the new one",
    async run(t) {
      const redis = await t.start();
      const [k, f] = [t.rand.key("z"), t.rand.key("float")];
      const [a, b] = distinctMembers(t.rand, 2) as [string, string];
      const skipped = "With INCR, when NX, XX, GT or LT prevents the change, ZADD replies nil (not the old score, not 0).";
      await redisCli(t, redis).steps([
        [["ZADD", k, "INCR", "2.5", a], '"2.5"', "ZADD INCR increments the member's score (a new member starts at 0) and replies with the new score as a bulk string, like ZINCRBY."],
        [["ZADD", k, "INCR", "1", a], '"3.5"'],
        [["ZADD", k, "NX", "INCR", "1", a], "(nil)", skipped],
        [["ZADD", k, "XX", "INCR", "1", b], "(nil)", skipped],
        [["ZSCORE", k, b], "(nil)", "XX INCR must not add the member."],
        [["ZADD", k, "GT", "INCR", "-1", a], "(nil)", skipped],
        [["ZADD", k, "LT", "INCR", "-1", a], '"2.5"', "LT INCR with a negative increment lowers the score, so it applies."],
        [["ZADD", k, "INCR", "1", a, "1", b], "(error) ERR INCR option supports a single increment-element pair", "INCR takes exactly one increment and member; more is an error with this exact text."],
        [["ZINCRBY", k, "10", b], '"10"', "ZINCRBY on a new member starts from 0 and replies with the new score."],
        [["ZINCRBY", k, "-0.5", a], '"2"'],
        [["ZINCRBY", k, "ten", a], "(error) ERR value is not a valid float", "The increment must be a valid float."],
        [["ZADD", f, "0.1", a], "(integer) 1"],
        [["ZINCRBY", f, "0.2", a], '"0.30000000000000004"', "Scores are IEEE doubles, added as doubles (0.1 + 0.2 is 0.30000000000000004), and replied with 17 significant digits like printf(\"%.17g\")."],
      ]);
    },
  },
]);
