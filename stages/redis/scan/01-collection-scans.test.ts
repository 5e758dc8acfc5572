import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { Pipeline, type Command } from "../keyspace/pipeline.ts";
import { firstFew, fullScan, missingFrom } from "../keyspace/scan-loop.ts";

const NEVER_ZERO = "A full iteration ends when the reply's cursor is 0: after the last bucket/position, reply \"0\" as the next cursor.";
const GUARANTEE = "A full iteration must return every element present from its start to its end, even when other elements are added or removed between calls. A cursor that is a position in an insertion-ordered list skips elements when earlier ones are removed; Redis's cursor is a bucket index advanced with reversed bits (as SCAN's), which no resize can make skip a bucket.";

type Kind = "set" | "hash" | "zset";
const COMMAND: Record<Kind, string> = { set: "SSCAN", hash: "HSCAN", zset: "ZSCAN" };

/** The command that adds `member` to a collection of `kind` (value / score derived from the member's index). */
function addCommand(kind: Kind, key: string, member: string, i: number): Command {
  if (kind === "set") return ["SADD", key, member];
  if (kind === "hash") return ["HSET", key, member, `value-${i}`];
  return ["ZADD", key, `${i}.5`, member];
}

function removeCommand(kind: Kind, key: string, member: string): Command {
  return [kind === "set" ? "SREM" : kind === "hash" ? "HDEL" : "ZREM", key, member];
}

/** Splits HSCAN/ZSCAN items into [element, value] pairs; fails if their number is odd. */
function pairs(t: CaseContext, command: string, items: readonly string[], second: string): [string, string][] {
  if (items.length % 2 !== 0) {
    t.fail({ message: `${command} replied an odd number of items (${items.length}): it should reply pairs.`, expected: `element, ${second}, element, ${second}, …`, received: firstFew(items), hint: `${command} replies each element followed by its ${second}, flat in one array.` });
  }
  const out: [string, string][] = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  return out;
}

/** Fails unless `found` holds every one of `expected` and nothing else. */
function expectExactly(t: CaseContext, what: string, found: readonly string[], expected: readonly string[], hint: string): void {
  const missing = missingFrom(found, expected);
  if (missing.length > 0) t.fail({ message: `${what} missed ${missing.length} of ${expected.length} elements.`, expected: "every element", received: `missing: ${firstFew(missing)}`, hint });
  const known = new Set(expected);
  const unknown = found.filter((e) => !known.has(e));
  if (unknown.length > 0) t.fail({ message: `${what} returned elements that are not in the collection (or do not match).`, received: firstFew(unknown), hint: "Reply only the collection's own elements (only those matching MATCH, when given)." });
}

export default stage(import.meta, [
  {
    name: "SSCAN: a full iteration returns every member and ends with cursor 0; a missing key is empty; errors",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const key = t.rand.key();
      const n = t.rand.int(150, 250);
      const members = Array.from({ length: n }, (_, i) => `${t.rand.word()}-${i}`);
      await p.run(members.map((m) => ["SADD", key, m]));
      const { items } = await fullScan(t, p, ["SSCAN", key], [], NEVER_ZERO);
      expectExactly(t, `A full SSCAN iteration over a set of ${n} members`, items, members, "Keep returning a cursor other than 0 until every member has been returned; only then reply cursor 0.");
      const cli = redisCli(t, redis);
      const other = `${key}:other`;
      await cli.steps([
        [["SSCAN", `${key}:missing`, "0"], '1) "0"\n2) (empty array)', "SSCAN on a missing key is an empty collection: reply cursor 0 and an empty array."],
        [["SET", other, "v"], "OK"],
        [["SSCAN", other, "0"], "(error) WRONGTYPE Operation against a key holding the wrong kind of value", "SSCAN on a key that is not a set is -WRONGTYPE (HSCAN on a non-hash, ZSCAN on a non-sorted-set likewise)."],
        [["SSCAN", key, "not-a-cursor"], "(error) ERR invalid cursor", 'A cursor that is not an unsigned number is "-ERR invalid cursor".'],
        [["SSCAN", key, "0", "COUNT", "0"], "(error) ERR syntax error", "COUNT must be at least 1: COUNT 0 is -ERR syntax error."],
        [["SSCAN", key, "0", "COUNT", "-3"], "(error) ERR syntax error", "COUNT must be at least 1: a negative COUNT is -ERR syntax error."],
        [["SSCAN", key, "0", "COUNT", "many"], "(error) ERR value is not an integer or out of range"],
        [["SSCAN", key, "0", "TYPE", "string"], "(error) ERR syntax error", "TYPE is an option of SCAN only: SSCAN, HSCAN and ZSCAN accept MATCH and COUNT, anything else is -ERR syntax error."],
      ]);
    },
  },
  {
    name: "HSCAN replies field-value pairs, ZSCAN member-score pairs; MATCH filters on the field or member; COUNT",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [hash, zset] = [`${t.rand.key()}:h`, `${t.rand.key()}:z`];
      const [user, item] = [`${t.rand.word()}-user`, `${t.rand.word()}-item`];
      const names = [...Array.from({ length: 60 }, (_, i) => `${user}:${i}`), ...Array.from({ length: 60 }, (_, i) => `${item}:${i}`)];
      await p.run(names.flatMap((f, i) => [addCommand("hash", hash, f, i), addCommand("zset", zset, f, i)]));
      const h = await fullScan(t, p, ["HSCAN", hash], [], NEVER_ZERO);
      const hpairs = pairs(t, "HSCAN", h.items, "value");
      expectExactly(t, "A full HSCAN iteration", hpairs.map(([f]) => f), names, "HSCAN replies field, value, field, value, …: every field with its value.");
      for (const [f, v] of hpairs) {
        const want = `value-${names.indexOf(f)}`;
        if (v !== want) t.fail({ message: `HSCAN replied field ${f} with the wrong value.`, expected: want, received: v, hint: "Each field is followed by its own value (as HGET would reply it)." });
      }
      const z = await fullScan(t, p, ["ZSCAN", zset], [], NEVER_ZERO);
      const zpairs = pairs(t, "ZSCAN", z.items, "score");
      expectExactly(t, "A full ZSCAN iteration", zpairs.map(([m]) => m), names, "ZSCAN replies member, score, member, score, …: every member with its score.");
      for (const [m, s] of zpairs) {
        const want = `${names.indexOf(m)}.5`;
        if (s !== want) t.fail({ message: `ZSCAN replied member ${m} with the wrong score.`, expected: want, received: s, hint: "Each member is followed by its score, written as ZSCORE writes it." });
      }
      const matched = await fullScan(t, p, ["HSCAN", hash], ["MATCH", `${user}:*`, "COUNT", "7"], NEVER_ZERO);
      expectExactly(t, `HSCAN … MATCH ${user}:*`, pairs(t, "HSCAN", matched.items, "value").map(([f]) => f), names.slice(0, 60), "MATCH is a glob pattern on the field (not the value), applied to the elements found by each call; a call may reply none with a non-zero cursor: keep going.");
      const zmatched = await fullScan(t, p, ["ZSCAN", zset], ["MATCH", `${item}:*`], NEVER_ZERO);
      expectExactly(t, `ZSCAN … MATCH ${item}:*`, pairs(t, "ZSCAN", zmatched.items, "score").map(([m]) => m), names.slice(60), "MATCH is a glob pattern on the member (not the score); a matching member is replied with its score.");
      const big = await fullScan(t, p, ["HSCAN", hash], ["COUNT", "1000"], NEVER_ZERO);
      if (big.calls > 3) t.fail({ message: `HSCAN … COUNT 1000 over 120 fields took ${big.calls} calls.`, expected: "at most 3 calls", hint: "COUNT is how much work to do per call: look at (at least) about COUNT elements before replying." });
    },
  },
  {
    name: "every element present throughout is returned while others are added and removed during SSCAN, HSCAN and ZSCAN",
    timeout: 30,
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const w = t.rand.word();
      t.log.note("for each of SSCAN, HSCAN, ZSCAN: 200 stable and 200 doomed elements interleaved; between calls (COUNT 5) first remove all doomed ones (the collection shrinks), then add 800 new ones (it grows)");
      for (const kind of ["set", "hash", "zset"] as const) {
        const key = `${t.rand.key()}:${kind}`;
        const stable: string[] = [];
        const doomed: string[] = [];
        const setup: Command[] = [];
        for (let i = 0; i < 200; i++) {
          stable.push(`${w}:stable:${i}`);
          doomed.push(`${w}:doomed:${i}`);
          setup.push(addCommand(kind, key, `${w}:stable:${i}`, i), addCommand(kind, key, `${w}:doomed:${i}`, i));
        }
        await p.run(setup);
        let added = 0;
        let removed = 0;
        const { items } = await fullScan(t, p, [COMMAND[kind], key], ["COUNT", "5"], NEVER_ZERO, () => {
          const cmds: Command[] = [];
          for (let i = 0; i < 15 && removed < doomed.length; i++) cmds.push(removeCommand(kind, key, doomed[removed++]!));
          if (removed >= doomed.length) for (let i = 0; i < 40 && added < 800; i++) cmds.push(addCommand(kind, key, `${w}:new:${added}`, added++));
          return cmds;
        });
        const found = kind === "set" ? items : pairs(t, COMMAND[kind], items, kind === "hash" ? "value" : "score").map(([e]) => e);
        const missing = missingFrom(found, stable);
        if (missing.length > 0) {
          t.fail({ message: `While elements were removed and added between ${COMMAND[kind]} calls, a full iteration missed ${missing.length} of the 200 elements that were there throughout.`, received: `missing: ${firstFew(missing)}`, hint: GUARANTEE });
        }
      }
    },
  },
]);
