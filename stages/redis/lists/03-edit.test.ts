import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { distinctWords, shown, WRONGTYPE } from "./shared.ts";

const LREM = "LREM key count element: count > 0 removes up to count matches starting from the head, count < 0 up to |count| matches starting from the tail, count = 0 every match. It replies with the number removed.";
const EMPTY_GONE = "A list key exists only while it has elements: when a command removes the last element, delete the key.";
const LTRIM = "LTRIM keeps only the elements from start to stop (inclusive, negative indexes from the end, clamped like LRANGE) and removes the rest; a range that selects nothing empties the list, which deletes the key.";
const LMOVE = "LMOVE source destination <LEFT|RIGHT> <LEFT|RIGHT> pops from the source's first-named end and pushes onto the destination's second-named end (LEFT is the head), replying with the element.";
const ROTATE = "With the same key as source and destination, LMOVE rotates the list: LEFT RIGHT moves the head to the tail, RIGHT LEFT the tail to the head. Read both ends before deciding, and do not delete the key in between.";

export default stage(import.meta, [
  {
    name: "LREM removes matches from the head, from the tail, or all of them",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("list");
      const [x, a, b, c] = distinctWords(t.rand, 4);
      await redisCli(t, redis).steps([
        [["RPUSH", k, x!, a!, x!, b!, x!, c!, x!], "(integer) 7"],
        [["LREM", k, "-1", x!], "(integer) 1", LREM],
        [["LRANGE", k, "0", "-1"], shown([x!, a!, x!, b!, x!, c!]), `${LREM} LREM k -1 x removes the last x.`],
        [["LREM", k, "2", x!], "(integer) 2", LREM],
        [["LRANGE", k, "0", "-1"], shown([a!, b!, x!, c!]), `${LREM} LREM k 2 x removes the first two.`],
        [["RPUSH", k, x!, a!], "(integer) 6"],
        [["LREM", k, "-2", a!], "(integer) 2", LREM],
        [["LRANGE", k, "0", "-1"], shown([b!, x!, c!, x!]), LREM],
        [["LREM", k, "0", x!], "(integer) 2", LREM],
        [["LRANGE", k, "0", "-1"], shown([b!, c!]), LREM],
        [["LREM", k, "0", t.rand.word() + "-absent"], "(integer) 0", "LREM replies 0 when nothing matched."],
        [["LREM", t.rand.key("missing"), "1", x!], "(integer) 0", "LREM on a missing key replies 0."],
        [["LREM", k, "5", b!], "(integer) 1", "A count larger than the number of matches removes every match."],
        [["LREM", k, "0", c!], "(integer) 1"],
        [["EXISTS", k], "(integer) 0", EMPTY_GONE],
      ]);
    },
  },
  {
    name: "LTRIM keeps only a range",
    async run(t) {
      const redis = await t.start();
      const [k, j] = [t.rand.key("log"), t.rand.key("other")];
      const v = distinctWords(t.rand, 7);
      await redisCli(t, redis).steps([
        [["RPUSH", k, ...v], "(integer) 7"],
        [["LTRIM", k, "1", "-2"], "OK", "LTRIM replies +OK."],
        [["LRANGE", k, "0", "-1"], shown(v.slice(1, 6)), LTRIM],
        [["LTRIM", k, "0", "2"], "OK"],
        [["LRANGE", k, "0", "-1"], shown(v.slice(1, 4)), LTRIM],
        [["LTRIM", k, "-2", "100"], "OK"],
        [["LRANGE", k, "0", "-1"], shown(v.slice(2, 4)), LTRIM],
        [["LTRIM", k, "5", "10"], "OK", LTRIM],
        [["EXISTS", k], "(integer) 0", LTRIM],
        [["LTRIM", k, "0", "1"], "OK", "LTRIM of a missing key replies +OK and creates nothing."],
        [["EXISTS", k], "(integer) 0", "LTRIM of a missing key replies +OK and creates nothing."],
        [["RPUSH", j, ...v.slice(0, 3)], "(integer) 3"],
        [["LTRIM", j, "2", "1"], "OK", LTRIM],
        [["LLEN", j], "(integer) 0", LTRIM],
      ]);
    },
  },
  {
    name: "LMOVE moves an element between two lists, from and to either end",
    async run(t) {
      const redis = await t.start();
      const [src, dst, s] = [t.rand.key("src"), t.rand.key("dst"), t.rand.key("str")];
      const [a, b, c] = distinctWords(t.rand, 3);
      await redisCli(t, redis).steps([
        [["RPUSH", src, a!, b!, c!], "(integer) 3"],
        [["LMOVE", src, dst, "LEFT", "RIGHT"], JSON.stringify(a), LMOVE],
        [["LMOVE", src, dst, "RIGHT", "LEFT"], JSON.stringify(c), LMOVE],
        [["LRANGE", dst, "0", "-1"], shown([c!, a!]), LMOVE],
        [["LMOVE", src, dst, "left", "right"], JSON.stringify(b), "LEFT and RIGHT are case-insensitive."],
        [["EXISTS", src], "(integer) 0", EMPTY_GONE],
        [["LRANGE", dst, "0", "-1"], shown([c!, a!, b!])],
        [["LMOVE", src, dst, "LEFT", "LEFT"], "(nil)", "LMOVE from a missing (or emptied) source replies nil and changes nothing."],
        [["LLEN", dst], "(integer) 3"],
        [["SET", s, "v"], "OK"],
        [["LMOVE", dst, s, "LEFT", "LEFT"], WRONGTYPE, "LMOVE onto a key that holds a string is a WRONGTYPE error, and the source keeps its element."],
        [["LLEN", dst], "(integer) 3", "A refused LMOVE must not lose the element."],
        [["LMOVE", s, dst, "LEFT", "LEFT"], WRONGTYPE, "LMOVE from a key that holds a string is a WRONGTYPE error (not nil: the key exists, with another type)."],
        [["LRANGE", dst, "0", "-1"], shown([c!, a!, b!]), "A refused LMOVE changes nothing."],
        [["LMOVE", dst, src, "UP", "LEFT"], "(error) ERR syntax error", "Only LEFT and RIGHT are accepted; anything else is \"-ERR syntax error\"."],
      ]);
    },
  },
  {
    name: "LMOVE with the same source and destination rotates the list",
    async run(t) {
      const redis = await t.start();
      const [k, one] = [t.rand.key("ring"), t.rand.key("single")];
      const v = distinctWords(t.rand, 4);
      await redisCli(t, redis).steps([
        [["RPUSH", k, ...v], "(integer) 4"],
        [["LMOVE", k, k, "LEFT", "RIGHT"], JSON.stringify(v[0]), ROTATE],
        [["LRANGE", k, "0", "-1"], shown([...v.slice(1), v[0]!]), ROTATE],
        [["LMOVE", k, k, "RIGHT", "LEFT"], JSON.stringify(v[0]), ROTATE],
        [["LMOVE", k, k, "RIGHT", "LEFT"], JSON.stringify(v[3]), ROTATE],
        [["LRANGE", k, "0", "-1"], shown([v[3]!, ...v.slice(0, 3)]), ROTATE],
        [["RPUSH", one, v[0]!], "(integer) 1"],
        [["LMOVE", one, one, "LEFT", "RIGHT"], JSON.stringify(v[0]), ROTATE],
        [["LRANGE", one, "0", "-1"], shown([v[0]!]), ROTATE],
      ]);
    },
  },
  {
    name: "LPOS finds the positions of an element",
    async run(t) {
      const redis = await t.start();
      const k = t.rand.key("list");
      const [x, a, b] = distinctWords(t.rand, 3);
      // index:          0   1   2   3   4   5
      const items = [a!, x!, b!, x!, a!, x!];
      await redisCli(t, redis).steps([
        [["RPUSH", k, ...items], "(integer) 6"],
        [["LPOS", k, x!], "(integer) 1", "LPOS replies with the index (from the head, 0-based) of the first match."],
        [["LPOS", k, x!, "RANK", "2"], "(integer) 3", "RANK n skips the first n-1 matches."],
        [["LPOS", k, x!, "RANK", "-1"], "(integer) 5", "A negative RANK searches from the tail; the index replied still counts from the head."],
        [["LPOS", k, x!, "COUNT", "2"], "1) (integer) 1\n2) (integer) 3", "With COUNT, LPOS replies with an array of up to that many indexes."],
        [["LPOS", k, x!, "COUNT", "0"], "1) (integer) 1\n2) (integer) 3\n3) (integer) 5", "COUNT 0 means every match."],
        [["LPOS", k, x!, "RANK", "-2", "COUNT", "0"], "1) (integer) 3\n2) (integer) 1", "From the tail, the indexes come in the order they were found."],
        [["LPOS", k, x!, "COUNT", "0", "MAXLEN", "3"], "1) (integer) 1", "MAXLEN n compares only the first n elements."],
        [["LPOS", k, x!, "COUNT", "0", "MAXLEN", "0"], "1) (integer) 1\n2) (integer) 3\n3) (integer) 5", "MAXLEN 0 means no limit (it is not an error)."],
        [["LPOS", k, a!, "RANK", "-1", "COUNT", "0", "MAXLEN", "2"], "1) (integer) 4", "With a negative RANK, MAXLEN n compares the last n elements (the first n from the end searched)."],
        [["LPOS", t.rand.key("missing"), x!], "(nil)", "LPOS on a missing key is nil."],
        [["LPOS", k, `${x}-absent`], "(nil)", "Without COUNT, no match is nil."],
        [["LPOS", k, `${x}-absent`, "COUNT", "1"], "(empty array)", "With COUNT, no match is an empty array."],
        [["LPOS", k, x!, "RANK", "0"], "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"],
      ]);
    },
  },
]);
