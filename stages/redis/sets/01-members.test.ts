import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { expectUnordered, randomNames } from "./shared.ts";

const ORDER_HINT = "SMEMBERS replies with an array of every member as bulk strings, each member once, in any order; a missing key is an empty array.";

export default stage(import.meta, [
  {
    name: "SADD adds members and counts only the new ones",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const s = t.rand.key("set");
      const [a, b, c, d] = randomNames(t.rand, 4);
      const upper = a!.toUpperCase();
      await cli.steps([
        [["SADD", s, a!, b!, a!, c!], "(integer) 3", `SADD replies with the number of members that were added: ${a} is named twice but added once, so 3, not 4.`],
        [["SADD", s, c!, d!], "(integer) 1", `${c} is already a member: only ${d} is new, so SADD replies 1.`],
        [["SADD", s, upper], "(integer) 1", "Members are byte strings compared exactly: a member in upper case is a different member."],
        [["SCARD", s], "(integer) 5", "SCARD replies with the number of members."],
        [["SISMEMBER", s, b!], "(integer) 1", "SISMEMBER replies 1 if the member is in the set."],
        [["SISMEMBER", s, t.rand.word() + "x"], "(integer) 0", "SISMEMBER replies 0 if the member is not in the set."],
        [["SISMEMBER", t.rand.key("missing"), a!], "(integer) 0", "A missing key is an empty set: SISMEMBER replies 0."],
        [["SCARD", t.rand.key("missing")], "(integer) 0", "A missing key is an empty set: SCARD replies 0."],
        [["TYPE", s], "set", 'TYPE of a key holding a set is the simple string "set".'],
      ]);
      await expectUnordered(t, cli, ["SMEMBERS", s], [a!, b!, c!, d!, upper], { message: "SMEMBERS did not list the members.", hint: ORDER_HINT });
      await cli.expect(["SMEMBERS", t.rand.key("missing")], "(empty array)", { hint: "A missing key is an empty set: SMEMBERS replies with an empty array \"*0\\r\\n\", not nil." });
    },
  },
  {
    name: "SREM removes members and the key goes with its last member",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const s = t.rand.key("set");
      const members = randomNames(t.rand, t.rand.int(4, 7));
      const [first, ...rest] = members;
      const absent = `${t.rand.word()}-absent`;
      await cli.expect(["SADD", s, ...members], `(integer) ${members.length}`);
      await cli.steps([
        [["SREM", s, first!, absent, first!], "(integer) 1", "SREM replies with the number of members actually removed: a member that is not there (or named twice) counts once at most."],
        [["SISMEMBER", s, first!], "(integer) 0"],
        [["SCARD", s], `(integer) ${rest.length}`],
        [["SREM", t.rand.key("missing"), first!], "(integer) 0", "SREM on a missing key removes nothing: 0."],
      ]);
      await expectUnordered(t, cli, ["SMEMBERS", s], rest, { message: "SMEMBERS after SREM did not list the remaining members.", hint: ORDER_HINT });
      const hint = "When SREM removes the last member, delete the key: Redis never keeps an empty set, so EXISTS is 0 and TYPE is none.";
      await cli.steps([
        [["SREM", s, ...rest], `(integer) ${rest.length}`],
        [["EXISTS", s], "(integer) 0", hint],
        [["TYPE", s], "none", hint],
        [["SMEMBERS", s], "(empty array)"],
        [["SCARD", s], "(integer) 0"],
      ]);
    },
  },
  {
    name: "SMISMEMBER checks several members at once, in order",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const s = t.rand.key("set");
      const [a, b, c] = randomNames(t.rand, 3);
      await cli.expect(["SADD", s, a!, b!], "(integer) 2");
      await cli.steps([
        [["SMISMEMBER", s, c!, a!, b!, c!], "1) (integer) 0\n2) (integer) 1\n3) (integer) 1\n4) (integer) 0", "SMISMEMBER replies with an array of integers, one per member asked about, in the order asked: 1 if it is a member, 0 if not."],
        [["SMISMEMBER", t.rand.key("missing"), a!], "1) (integer) 0", "On a missing key every answer is 0 (an array, not nil)."],
      ]);
    },
  },
]);
