import { redisCli, type RedisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { expectSample, expectUnordered, quoted, randomNames, WRONGTYPE } from "./shared.ts";

/** A set of 5 to 8 random members under a random key. */
async function randomSet(t: CaseContext, cli: RedisCli): Promise<{ key: string; members: string[] }> {
  const key = t.rand.key("set");
  const members = randomNames(t.rand, t.rand.int(5, 8));
  await cli.expect(["SADD", key, ...members], `(integer) ${members.length}`);
  return { key, members };
}

const POSITIVE = "SRANDMEMBER key count with count > 0 replies with min(count, size) DIFFERENT members (the whole set when count >= size), and leaves the set unchanged.";
const NEGATIVE = "SRANDMEMBER key count with count < 0 replies with exactly -count members picked independently: the same member may come several times (so a 1-member set gives it -count times).";

export default stage(import.meta, [
  {
    name: "SRANDMEMBER with a positive count returns distinct members",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { key, members } = await randomSet(t, cli);
      const n = members.length;
      await cli.expectThat(["SRANDMEMBER", key], (out) => members.some((m) => out === quoted(m)), {
        expected: `one of ${members.map(quoted).join(" ")}`,
        hint: "SRANDMEMBER key (no count) replies with one random member as a bulk string.",
      });
      await expectSample(t, cli, ["SRANDMEMBER", key, "3"], members, 3, true, POSITIVE);
      await expectUnordered(t, cli, ["SRANDMEMBER", key, String(n + t.rand.int(1, 10))], members, { message: "SRANDMEMBER with a count above the size must reply with the whole set.", hint: POSITIVE });
      await cli.steps([
        [["SCARD", key], `(integer) ${n}`, "SRANDMEMBER must not remove anything (that is SPOP)."],
        [["SRANDMEMBER", key, "0"], "(empty array)", "A count of 0 replies with an empty array."],
        [["SRANDMEMBER", t.rand.key("missing")], "(nil)", "SRANDMEMBER on a missing key (no count) replies nil."],
        [["SRANDMEMBER", t.rand.key("missing"), "3"], "(empty array)", "SRANDMEMBER on a missing key with a count replies with an empty array."],
      ]);
    },
  },
  {
    name: "SRANDMEMBER with a negative count may repeat members",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { key, members } = await randomSet(t, cli);
      const many = members.length * 3;
      await expectSample(t, cli, ["SRANDMEMBER", key, String(-many)], members, many, false, NEGATIVE);
      const single = t.rand.key("single");
      const only = randomNames(t.rand, 1)[0]!;
      const times = t.rand.int(3, 6);
      await cli.expect(["SADD", single, only], "(integer) 1");
      const want = Array.from({ length: times }, (_, i) => `${i + 1}) ${quoted(only)}`).join("\n");
      await cli.expect(["SRANDMEMBER", single, String(-times)], want, { hint: NEGATIVE });
      await cli.expect(["SRANDMEMBER", t.rand.key("missing"), "-3"], "(empty array)", { hint: "On a missing key any count gives an empty array." });
    },
  },
  {
    name: "SPOP removes and returns random members",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { key, members } = await randomSet(t, cli);
      const out = await cli.expectThat(["SPOP", key], (o) => members.some((m) => o === quoted(m)), {
        expected: `one of ${members.map(quoted).join(" ")}`,
        hint: "SPOP key (no count) removes one random member and replies with it as a bulk string.",
      });
      const popped = JSON.parse(out) as string;
      const left = members.filter((m) => m !== popped);
      await cli.steps([
        [["SISMEMBER", key, popped], "(integer) 0", "SPOP removes the member it returns."],
        [["SCARD", key], `(integer) ${left.length}`],
        [["SPOP", key, "0"], "(empty array)", "SPOP with a count of 0 pops nothing and replies with an empty array."],
        [["SCARD", key], `(integer) ${left.length}`, "SPOP with a count of 0 pops nothing."],
      ]);
      const two = await expectSample(t, cli, ["SPOP", key, "2"], left, 2, true, "SPOP key count removes and replies with count different members (all of them if count >= size).");
      const rest = left.filter((m) => !two.includes(m));
      await cli.expect(["SCARD", key], `(integer) ${rest.length}`, { hint: "SPOP with a count removes every member it returns." });
      await expectUnordered(t, cli, ["SPOP", key, String(rest.length + 5)], rest, { message: "SPOP with a count above the size must pop the whole set.", hint: "SPOP key count with count >= size replies with every member and empties the set." });
      const gone = "Once SPOP takes the last member the key is deleted.";
      await cli.steps([
        [["EXISTS", key], "(integer) 0", gone],
        [["SPOP", key], "(nil)", "SPOP on a missing key replies nil."],
        [["SPOP", key, "2"], "(empty array)", "SPOP with a count on a missing key replies with an empty array."],
        [["SPOP", key, "-1"], "(error) ERR value is out of range, must be positive", 'A negative SPOP count is an error: "-ERR value is out of range, must be positive".'],
      ]);
    },
  },
  {
    name: "SMOVE moves a member from one set to another",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [src, dst, fresh, str] = [t.rand.key("src"), t.rand.key("dst"), t.rand.key("new"), t.rand.key("string")];
      const [a, b, c, shared] = randomNames(t.rand, 4);
      await cli.steps([
        [["SADD", src, a!, b!, shared!], "(integer) 3"],
        [["SADD", dst, c!, shared!], "(integer) 2"],
        [["SMOVE", src, dst, a!], "(integer) 1", "SMOVE replies 1 when it moved the member."],
        [["SISMEMBER", src, a!], "(integer) 0", "SMOVE removes the member from the source..."],
        [["SISMEMBER", dst, a!], "(integer) 1", "...and adds it to the destination."],
        [["SMOVE", src, dst, a!], "(integer) 0", "A member that is not in the source is not moved: 0."],
        [["SMOVE", src, dst, shared!], "(integer) 1", "A member already in the destination is still removed from the source (1)."],
        [["SCARD", dst], "(integer) 3", "...and stays once in the destination."],
        [["SMOVE", src, fresh, b!], "(integer) 1", "A missing destination is created."],
        [["TYPE", fresh], "set"],
        [["EXISTS", src], "(integer) 0", "Moving the last member out deletes the source key."],
        [["SMOVE", t.rand.key("missing"), dst, c!], "(integer) 0", "A missing source moves nothing: 0."],
        [["SET", str, "v"], "OK"],
        [["SMOVE", dst, str, c!], WRONGTYPE, "If the destination exists and is not a set, reply WRONGTYPE and move nothing."],
        [["SISMEMBER", dst, c!], "(integer) 1", "A failed SMOVE must not remove the member from the source."],
        [["SMOVE", str, dst, c!], WRONGTYPE, "If the source exists and is not a set, reply WRONGTYPE (not 0: the key exists, with another type)."],
      ]);
    },
  },
]);
