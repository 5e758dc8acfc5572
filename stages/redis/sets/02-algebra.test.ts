import { redisCli, type RedisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { expectUnordered, randomNames, WRONGTYPE } from "./shared.ts";

/** Three overlapping random sets a, b, c, stored under random keys. */
async function threeSets(t: CaseContext, cli: RedisCli) {
  const pool = randomNames(t.rand, 12);
  const pick = () => pool.filter(() => t.rand.int(0, 1) === 1);
  // Make sure every set is non-empty and a∩b∩c is not empty either.
  const common = pool[0]!;
  const sets = [pick(), pick(), pick()].map((s) => [...new Set([common, ...s])]);
  const keys = [t.rand.key("a"), t.rand.key("b"), t.rand.key("c")];
  for (const [i, key] of keys.entries()) await cli.expect(["SADD", key, ...sets[i]!], `(integer) ${sets[i]!.length}`);
  const [a, b, c] = sets.map((s) => new Set(s)) as [Set<string>, Set<string>, Set<string>];
  const [ka, kb, kc] = keys as [string, string, string];
  return { a, b, c, ka, kb, kc };
}

const inter = (...s: Set<string>[]) => [...s[0]!].filter((m) => s.every((x) => x.has(m)));
const union = (...s: Set<string>[]) => [...new Set(s.flatMap((x) => [...x]))];
const diff = (first: Set<string>, ...rest: Set<string>[]) => [...first].filter((m) => rest.every((x) => !x.has(m)));

const MISSING_IS_EMPTY = "A key that does not exist counts as an empty set: SINTER with it is empty, SUNION ignores it, SDIFF does not remove anything for it, and SDIFF from a missing first key is an empty array (not an error).";

export default stage(import.meta, [
  {
    name: "SINTER, SUNION and SDIFF combine sets",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { a, b, c, ka, kb, kc } = await threeSets(t, cli);
      await expectUnordered(t, cli, ["SINTER", ka, kb, kc], inter(a, b, c), { message: "SINTER did not reply with the members that are in every set.", hint: "SINTER: the members present in all the given sets." });
      await expectUnordered(t, cli, ["SINTER", ka], [...a], { message: "SINTER of one set is that set.", hint: "With a single key, SINTER replies with all its members." });
      await expectUnordered(t, cli, ["SUNION", ka, kb, kc], union(a, b, c), { message: "SUNION did not reply with the members of any of the sets, each once.", hint: "SUNION: every member of any of the sets, without duplicates." });
      await expectUnordered(t, cli, ["SDIFF", ka, kb, kc], diff(a, b, c), { message: "SDIFF did not reply with the members of the first set that are in none of the others.", hint: "SDIFF first other...: the members of the FIRST set that are in none of the following sets (the order of the keys matters)." });
      await expectUnordered(t, cli, ["SDIFF", kb, ka], diff(b, a), { message: "SDIFF with the keys swapped: the first set minus the second.", hint: "SDIFF is not symmetric: SDIFF b a is b minus a." });
    },
  },
  {
    name: "a missing key counts as an empty set",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { a, ka } = await threeSets(t, cli);
      const missing = t.rand.key("missing");
      const e = (what: string) => ({ message: `${what} with a missing key.`, hint: MISSING_IS_EMPTY });
      await expectUnordered(t, cli, ["SINTER", ka, missing], [], e("SINTER"));
      await expectUnordered(t, cli, ["SUNION", missing, ka], [...a], e("SUNION"));
      await expectUnordered(t, cli, ["SDIFF", ka, missing], [...a], e("SDIFF"));
      await cli.expect(["SDIFF", missing, ka], "(empty array)", { message: "SDIFF whose first key is missing must be an empty array.", hint: MISSING_IS_EMPTY });
      await cli.expect(["SINTER", missing], "(empty array)", { hint: MISSING_IS_EMPTY });
    },
  },
  {
    name: "the STORE forms store the result in the destination, replacing it",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { a, b, ka, kb } = await threeSets(t, cli);
      const dest = t.rand.key("dest");
      const u = union(a, b);
      const replaceHint = "The STORE forms overwrite the destination whatever it held (here a string with a TTL): it becomes a plain set with no TTL, and the reply is the size of the result.";
      await cli.steps([
        [["SET", dest, "old", "EX", "100"], "OK"],
        [["SUNIONSTORE", dest, ka, kb], `(integer) ${u.length}`, replaceHint],
        [["TYPE", dest], "set", replaceHint],
        [["TTL", dest], "(integer) -1", replaceHint],
      ]);
      await expectUnordered(t, cli, ["SMEMBERS", dest], u, { message: "SUNIONSTORE stored the wrong members.", hint: replaceHint });
      const i = inter(a, b);
      await cli.expect(["SINTERSTORE", dest, ka, kb], `(integer) ${i.length}`, { hint: "SINTERSTORE replies with the number of members stored." });
      await expectUnordered(t, cli, ["SMEMBERS", dest], i, { message: "SINTERSTORE must replace the destination's members with the intersection (not add to them).", hint: replaceHint });
      // One source key is enough: the result is that set.
      const copy = t.rand.key("copy");
      await cli.expect(["SINTERSTORE", copy, kb], `(integer) ${b.size}`, { hint: "The STORE forms take one source key or more: SINTERSTORE dest key stores a copy of that set." });
      await expectUnordered(t, cli, ["SMEMBERS", copy], [...b], { message: "SINTERSTORE with one source key stored the wrong members.", hint: "With one key, the intersection is that set itself." });
      // The destination may also be one of the sources.
      const d = diff(a, b);
      await cli.expect(["SDIFFSTORE", ka, ka, kb], `(integer) ${d.length}`, { hint: "The destination may be one of the inputs: compute the result first, then store it." });
      await expectUnordered(t, cli, ["SMEMBERS", ka], d, { message: "SDIFFSTORE onto its own first key stored the wrong members.", hint: "Compute the whole result from the inputs first, then replace the destination." });
    },
  },
  {
    name: "storing an empty result deletes the destination",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { ka } = await threeSets(t, cli);
      const [d1, d2, d3] = [t.rand.key("dest"), t.rand.key("dest"), t.rand.key("dest")];
      const missing = t.rand.key("missing");
      const hint = "When the result is empty, the STORE forms reply 0 and delete the destination (Redis never stores an empty set); they do not leave the old value in place.";
      await cli.steps([
        [["SADD", d1, "stale"], "(integer) 1"],
        [["SINTERSTORE", d1, ka, missing], "(integer) 0", hint],
        [["EXISTS", d1], "(integer) 0", hint],
        [["SET", d2, "stale"], "OK"],
        [["SDIFFSTORE", d2, ka, ka], "(integer) 0", hint],
        [["EXISTS", d2], "(integer) 0", hint],
        [["SADD", d3, "stale"], "(integer) 1"],
        [["SUNIONSTORE", d3, missing], "(integer) 0", hint],
        [["EXISTS", d3], "(integer) 0", hint],
      ]);
    },
  },
  {
    name: "SINTERCARD counts the intersection up to a LIMIT",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { a, b, c, ka, kb, kc } = await threeSets(t, cli);
      const n = inter(a, b).length;
      await cli.steps([
        [["SINTERCARD", "2", ka, kb], `(integer) ${n}`, "SINTERCARD numkeys key... replies with the size of the intersection of the numkeys sets."],
        [["SINTERCARD", "3", ka, kb, kc], `(integer) ${inter(a, b, c).length}`],
        [["SINTERCARD", "2", ka, kb, "LIMIT", "1"], "(integer) 1", "With LIMIT l (l > 0), the count stops at l."],
        [["SINTERCARD", "2", ka, kb, "LIMIT", "0"], `(integer) ${n}`, "LIMIT 0 means no limit."],
        [["SINTERCARD", "2", ka, t.rand.key("missing")], "(integer) 0", MISSING_IS_EMPTY],
        [["SINTERCARD", "0", ka], "(error) ERR numkeys should be greater than 0", 'numkeys must be at least 1: reply "-ERR numkeys should be greater than 0".'],
        [["SINTERCARD", "two", ka, kb], "(error) ERR numkeys should be greater than 0", 'A numkeys that is not a number is the same error: "-ERR numkeys should be greater than 0".'],
        [["SINTERCARD", "3", ka, kb], "(error) ERR Number of keys can't be greater than number of args", "numkeys larger than the number of keys given is an error."],
      ]);
    },
  },
  {
    name: "set algebra on a key that is not a set replies WRONGTYPE",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const { a, ka } = await threeSets(t, cli);
      const [str, dest] = [t.rand.key("string"), t.rand.key("dest")];
      const hint = "Every input key must hold a set (or not exist): a key holding another type makes the whole command fail with WRONGTYPE, even if an earlier key was missing.";
      await cli.steps([
        [["SET", str, "v"], "OK"],
        [["SINTER", ka, str], WRONGTYPE, hint],
        [["SINTER", t.rand.key("missing"), str], WRONGTYPE, hint],
        [["SUNION", ka, str], WRONGTYPE, hint],
        [["SDIFF", ka, str], WRONGTYPE, hint],
        [["SADD", dest, "keep"], "(integer) 1"],
        [["SUNIONSTORE", dest, ka, str], WRONGTYPE, hint],
        [["SINTERSTORE", dest, t.rand.key("missing"), str], WRONGTYPE, hint],
        [["SINTERCARD", "2", ka, str], WRONGTYPE, hint],
        [["SMEMBERS", dest], '1) "keep"', "A STORE form that fails with WRONGTYPE must leave the destination as it was."],
      ]);
      await expectUnordered(t, cli, ["SMEMBERS", ka], [...a], { message: "The input set changed.", hint: "SINTER, SUNION and SDIFF only read their inputs." });
    },
  },
]);
