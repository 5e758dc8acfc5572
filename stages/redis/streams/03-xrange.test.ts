import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { showEntries, startWithStream, type Entry } from "./replies.ts";

const SHAPE = "XRANGE replies with an array of entries in ID order; each entry is a two-element array: the ID (bulk string) and the list of fields and values (bulk strings, in the order they were added).";
const INCOMPLETE = 'An ID without a sequence ("<ms>") means <ms>-0 as the start and <ms>-18446744073709551615 as the end, so it covers the whole millisecond.';
const EXCLUSIVE = 'A bound starting with "(" is exclusive: "(<id>" as the start means "after <id>", as the end "before <id>"; the entry with that exact ID is left out.';

/** Five entries (two in one millisecond, then one per millisecond, random ms) with random fields. */
function sample(t: CaseContext): Entry[] {
  const ms = t.rand.int(100, 900);
  const ids = [`${ms}-1`, `${ms}-2`, `${ms + 1}-0`, `${ms + 2}-5`, `${ms + 3}-0`];
  return ids.map((id): Entry => [id, t.rand.pick([1, 1, 2]) === 1 ? [t.rand.word(), t.rand.word()] : [t.rand.word(), t.rand.word(), t.rand.word(), String(t.rand.int(0, 99))]]);
}

export default stage(import.meta, [
  {
    name: "XRANGE - + lists every entry with its fields; XREVRANGE + - lists them newest first",
    async run(t) {
      const e = sample(t);
      const { cli, key } = await startWithStream(t, e);
      await cli.expect(["XRANGE", key, "-", "+"], showEntries(e), { hint: `${SHAPE} "-" is the smallest ID and "+" the largest.` });
      await cli.expect(["XREVRANGE", key, "+", "-"], showEntries([...e].reverse()), { hint: "XREVRANGE takes the end first, then the start (XREVRANGE key + -), and lists entries from the newest." });
      await cli.expect(["XRANGE", key, e[1]![0], e[3]![0]], showEntries(e.slice(1, 4)), { hint: "Both bounds are inclusive: entries with start <= ID <= end." });
      await cli.expect(["XRANGE", t.rand.key("missing"), "-", "+"], "(empty array)", { hint: "A key that does not exist gives an empty array." });
    },
  },
  {
    name: "an ID without a sequence number covers its whole millisecond",
    async run(t) {
      const e = sample(t);
      const { cli, key } = await startWithStream(t, e);
      const ms = Number(e[0]![0].split("-")[0]);
      await cli.expect(["XRANGE", key, String(ms), String(ms)], showEntries(e.slice(0, 2)), { hint: INCOMPLETE });
      await cli.expect(["XRANGE", key, String(ms + 1), String(ms + 2)], showEntries(e.slice(2, 4)), { hint: INCOMPLETE });
      await cli.expect(["XREVRANGE", key, String(ms + 1), String(ms)], showEntries(e.slice(0, 3).reverse()), { hint: `${INCOMPLETE} XREVRANGE takes the end first.` });
    },
  },
  {
    name: "a bound with ( is exclusive",
    async run(t) {
      const e = sample(t);
      const { cli, key } = await startWithStream(t, e);
      await cli.expect(["XRANGE", key, `(${e[0]![0]}`, "+"], showEntries(e.slice(1)), { hint: EXCLUSIVE });
      await cli.expect(["XRANGE", key, "-", `(${e[4]![0]}`], showEntries(e.slice(0, 4)), { hint: EXCLUSIVE });
      await cli.expect(["XREVRANGE", key, `(${e[3]![0]}`, `(${e[1]![0]}`], showEntries([e[2]!]), { hint: `${EXCLUSIVE} XREVRANGE takes the end first.` });
      await cli.expect(["XRANGE", key, `(${e[2]![0]}`, `(${e[3]![0]}`], "(empty array)", { hint: EXCLUSIVE });
    },
  },
  {
    name: "COUNT limits the reply, so a range can be read page by page",
    async run(t) {
      const e = sample(t);
      const { cli, key } = await startWithStream(t, e);
      const COUNT = "COUNT n returns at most the first n entries of the range (for XREVRANGE, the n newest).";
      await cli.expect(["XRANGE", key, "-", "+", "COUNT", "2"], showEntries(e.slice(0, 2)), { hint: COUNT });
      await cli.expect(["XRANGE", key, `(${e[1]![0]}`, "+", "COUNT", "2"], showEntries(e.slice(2, 4)), { hint: `${COUNT} Paging: the next page starts after the last ID seen, with "(".` });
      await cli.expect(["XRANGE", key, `(${e[3]![0]}`, "+", "COUNT", "2"], showEntries(e.slice(4)), { hint: COUNT });
      await cli.expect(["XREVRANGE", key, "+", "-", "COUNT", "1"], showEntries([e[4]!]), { hint: COUNT });
      await cli.expect(["XRANGE", key, "-", "+", "COUNT", "10"], showEntries(e), { hint: "A COUNT larger than the range returns the whole range." });
    },
  },
  {
    name: "an empty range is an empty array; bad IDs and options are errors",
    async run(t) {
      const e = sample(t);
      const { cli, key } = await startWithStream(t, e);
      const str = t.rand.key("string");
      await cli.steps([
        [["XRANGE", key, e[3]![0], e[1]![0]], "(empty array)", "A start greater than the end is an empty range, not an error."],
        [["XRANGE", key, "abc", "+"], "(error) ERR Invalid stream ID specified as stream command argument", 'A bound that is not an ID, "-" or "+" replies "-ERR Invalid stream ID specified as stream command argument".'],
        [["XRANGE", key, "-", "+", "COUNT", "x"], "(error) ERR value is not an integer or out of range", "COUNT takes an integer."],
        [["SET", str, "x"], "OK"],
        [["XRANGE", str, "-", "+"], "(error) WRONGTYPE Operation against a key holding the wrong kind of value"],
      ]);
    },
  },
]);
