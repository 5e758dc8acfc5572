import { redisCli, type Step } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { Pipeline } from "../keyspace/pipeline.ts";

const NUMERIC = "Without ALPHA, SORT reads every element as a number (a double) and sorts in ascending numeric order: 9 before 10, -5 before 2.";
const TIES = 'Elements with the same numeric value ("2", "02", "2.0") are ordered by their bytes ("02" < "2" < "2.0"), so SORT\'s result never depends on the order they were stored in.';
const TYPES = "SORT sorts the elements of a list, a set or a sorted set (a sorted set's members, by their own value, not by their scores).";
const DESC = "DESC sorts in descending order: the exact reverse of the ascending result.";
const ALPHA = "ALPHA sorts the elements as strings, byte by byte, instead of as numbers.";
const NOT_NUMBER = "Without ALPHA an element that is not a number is an error: -ERR One or more scores can't be converted into double.";
const MISSING = "A missing key is an empty list: SORT replies an empty array.";
const WRONGTYPE = "A key that holds a string (or a hash, a stream) is -WRONGTYPE.";
const SYNTAX = "An option SORT does not know is -ERR syntax error.";
const LIMIT = "LIMIT <offset> <count> keeps count elements from offset on, after sorting.";
const NEG_OFFSET = "A negative LIMIT offset counts as 0.";
const NEG_COUNT = "A negative LIMIT count means: every element from the offset on.";
const LIMIT_INT = "LIMIT's offset and count must be integers: otherwise -ERR value is not an integer or out of range.";
const BY = 'BY <pattern> sorts by the value of another key: the first "*" of the pattern replaced by the element (BY weight_* sorts element u1 by the key weight_u1).';
const BY_MISSING = "An element whose BY key is missing sorts as if its weight were 0.";
const BY_HASH = 'A pattern "<key pattern>->field" reads a field of a hash: BY user_*->age sorts by the field age of the hash user_<element>.';
const NOSORT = 'A BY pattern without "*" (BY nosort) means: do not sort; the elements come in the list\'s own order (reversed by DESC).';
const GET = "GET <pattern> replies the value of another key (or hash field) in place of each element; several GETs give several values per element, in the order of the GETs.";
const GET_HASH = 'GET # is the element itself.';
const GET_MISSING = "A GET whose key is missing gives nil.";
const STORE = "STORE <destination> stores the result as a list at destination (replacing whatever it held) and replies its length; nil values are stored as empty strings.";
const STORE_EMPTY = "STORE of an empty result deletes the destination.";
const STORE_SET = "BY nosort … STORE on a set stores its members sorted by their bytes (a set has no order of its own, and a stored result must not depend on it).";
const SORT_RO = "SORT_RO is SORT without STORE: it sorts the same way, and STORE is -ERR syntax error.";

/** redis-cli's rendering of an array of bulk strings (null: nil). */
function arr(items: readonly (string | null)[]): string {
  if (items.length === 0) return "(empty array)";
  // redis-cli right-aligns the indices: " 9)" above "10)".
  const width = String(items.length).length;
  return items.map((x, i) => `${String(i + 1).padStart(width)}) ${x === null ? "(nil)" : `"${x}"`}`).join("\n");
}

/** SORT's own order for numbers: by value, then by bytes. */
function numericOrder(items: readonly string[]): string[] {
  return [...items].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function byteOrder(items: readonly string[]): string[] {
  return [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `n` distinct integers in [lo, hi], shuffled. */
function distinctInts(t: CaseContext, n: number, lo: number, hi: number): number[] {
  const picked = new Set<number>();
  while (picked.size < n) picked.add(t.rand.int(lo, hi));
  return [...picked];
}

export default stage(import.meta, [
  {
    name: "SORT sorts a list, a set and a sorted set as numbers (ties by bytes), DESC, ALPHA, and its errors",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [list, set, zset, words, str] = ["l", "s", "z", "w", "str"].map((k) => t.rand.key(k)) as [string, string, string, string, string];
      const [a, b, c] = distinctInts(t, 3, 11, 999);
      // Ties are stored against their byte order ("2.0", "2", "02"), among the other numbers in a random order.
      const others = t.rand.shuffle([String(a), `-${b}`, `${c}.5`, "10", "9"]);
      const at = t.rand.int(0, others.length);
      const stored = [...others.slice(0, at), "2.0", "2", "02", ...others.slice(at)];
      const sorted = numericOrder(stored);
      const setMembers = distinctInts(t, t.rand.int(5, 8), 1, 200).map(String);
      const zmembers = ["30", "4", "100"];
      const wordList = Array.from({ length: t.rand.int(4, 6) }, (_, i) => `${t.rand.word()}${String.fromCharCode(97 + i)}`);
      await p.run([
        ["RPUSH", list, ...stored],
        ["SADD", set, ...setMembers],
        ["ZADD", zset, "1", zmembers[0]!, "2", zmembers[1]!, "3", zmembers[2]!],
        ["RPUSH", words, ...wordList],
        ["SET", str, "x"],
      ]);
      t.log.note(`the list holds ${stored.join(" ")}; the sorted set's members 30, 4, 100 have the scores 1, 2, 3`);
      const cli = redisCli(t, redis);
      const option = t.rand.pick(["REVERSE", "Numeric", "byte", "STOREX"]);
      const steps: Step[] = [
        [["SORT", list], arr(sorted), `${NUMERIC} ${TIES}`],
        [["SORT", list, "DESC"], arr([...sorted].reverse()), DESC],
        [["SORT", set], arr(numericOrder(setMembers)), TYPES],
        [["SORT", zset], arr(["4", "30", "100"]), TYPES],
        [["SORT", words, "ALPHA"], arr(byteOrder(wordList)), ALPHA],
        [["SORT", words], "(error) ERR One or more scores can't be converted into double", NOT_NUMBER],
        [["SORT", t.rand.key("missing")], "(empty array)", MISSING],
        [["SORT", str], "(error) WRONGTYPE Operation against a key holding the wrong kind of value", WRONGTYPE],
        [["SORT", list, option], "(error) ERR syntax error", SYNTAX],
      ];
      await cli.steps(steps);
    },
  },
  {
    name: "LIMIT: a window after sorting; negative offset and count; past the end; not an integer",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const key = t.rand.key("n");
      const n = t.rand.int(8, 12);
      const values = t.rand.shuffle(Array.from({ length: n }, (_, i) => String(i + 1)));
      await p.run([["RPUSH", key, ...values]]);
      const sorted = numericOrder(values);
      const [offset, count] = [t.rand.int(1, 3), t.rand.int(2, 4)];
      const cli = redisCli(t, redis);
      await cli.steps([
        [["SORT", key, "LIMIT", String(offset), String(count)], arr(sorted.slice(offset, offset + count)), LIMIT],
        [["SORT", key, "LIMIT", `-${t.rand.int(1, 5)}`, String(count)], arr(sorted.slice(0, count)), `${NEG_OFFSET} ${LIMIT}`],
        [["SORT", key, "LIMIT", String(offset), "-1"], arr(sorted.slice(offset)), NEG_COUNT],
        [["SORT", key, "LIMIT", String(n + t.rand.int(0, 5)), "2"], "(empty array)", "An offset at or past the end gives an empty array."],
        [["SORT", key, "DESC", "LIMIT", "0", String(count)], arr([...sorted].reverse().slice(0, count)), `${LIMIT} ${DESC}`],
        [["SORT", key, "LIMIT", "1", t.rand.pick(["two", "2.5", "x"])], "(error) ERR value is not an integer or out of range", LIMIT_INT],
      ]);
    },
  },
  {
    name: "BY and GET: other keys' values and hash fields; missing ones; BY nosort; GET #",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const w = t.rand.word();
      const ids = t.rand.shuffle(Array.from({ length: t.rand.int(5, 7) }, (_, i) => `${w}${String.fromCharCode(97 + i)}`));
      const list = t.rand.key("ids");
      const [noWeight, noName] = ids.slice(0, 2) as [string, string];
      // Weights 1.. for all but one id (which then sorts as 0, first); names for all but one.
      const uniqueWeights = distinctInts(t, ids.length - 1, 1, 999);
      const weights = new Map(ids.filter((id) => id !== noWeight).map((id, i) => [id, uniqueWeights[i]!] as const));
      const names = new Map(ids.filter((id) => id !== noName).map((id) => [id, `${t.rand.word()}-${id}`] as const));
      // Ages fall as the ids rise in byte order, so sorting by age is not the ids' own order.
      const byBytes = byteOrder(ids);
      const ages = new Map(byBytes.map((id, i) => [id, String(20 + (byBytes.length - i) * 3)] as const));
      await p.run([
        ["RPUSH", list, ...ids],
        ...[...weights].map(([id, wt]) => ["SET", `weight_${id}`, String(wt)] as const),
        ...[...names].map(([id, name]) => ["SET", `name_${id}`, name] as const),
        ...[...ages].map(([id, age]) => ["HSET", `user_${id}`, "age", age] as const),
      ]);
      t.log.note(`ids ${ids.join(" ")}; weight_${noWeight} and name_${noName} are missing`);
      const byWeight = [...ids].sort((x, y) => (weights.get(x) ?? 0) - (weights.get(y) ?? 0));
      const byAge = [...ids].sort((x, y) => Number(ages.get(x)) - Number(ages.get(y)));
      const cli = redisCli(t, redis);
      await cli.steps([
        [["SORT", list, "BY", "weight_*"], arr(byWeight), `${BY} ${BY_MISSING}`],
        [["SORT", list, "BY", "weight_*", "DESC"], arr([...byWeight].reverse()), DESC],
        [["SORT", list, "BY", "weight_*", "GET", "name_*", "GET", "#"], arr(byWeight.flatMap((id) => [names.get(id) ?? null, id])), `${GET} ${GET_HASH} ${GET_MISSING}`],
        [["SORT", list, "BY", "user_*->age", "GET", "user_*->age"], arr(byAge.map((id) => ages.get(id)!)), BY_HASH],
        [["SORT", list, "BY", "nosort"], arr(ids), NOSORT],
        [["SORT", list, "BY", "nosort", "DESC"], arr([...ids].reverse()), NOSORT],
        [["SORT", list, "BY", "nosort", "GET", "#", "GET", "weight_*"], arr(ids.flatMap((id) => [id, weights.has(id) ? String(weights.get(id)) : null])), `${NOSORT} ${GET}`],
      ]);
    },
  },
  {
    name: "STORE replaces the destination with the result as a list; an empty result deletes it; a set stored unsorted is sorted by bytes; SORT_RO",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [list, dest, other, set, setDest] = ["l", "dest", "other", "s", "sd"].map((k) => t.rand.key(k)) as [string, string, string, string, string];
      const values = distinctInts(t, t.rand.int(4, 7), 1, 500).map(String);
      const sorted = numericOrder(values);
      const missingName = values[0]!;
      const names = values.filter((v) => v !== missingName);
      // The set's members are added in reverse byte order.
      const members = byteOrder(Array.from({ length: t.rand.int(4, 6) }, (_, i) => `${t.rand.word()}${String.fromCharCode(97 + i)}`)).reverse();
      await p.run([
        ["RPUSH", list, ...values],
        ["RPUSH", dest, "old-1", "old-2"],
        ["SET", other, "a string"],
        ...names.map((v) => ["SET", `name_${v}`, `n${v}`] as const),
        ["SADD", set, ...members],
      ]);
      const cli = redisCli(t, redis);
      await cli.steps([
        [["SORT", list, "STORE", dest], `(integer) ${values.length}`, STORE],
        [["LRANGE", dest, "0", "-1"], arr(sorted), `${STORE} Nothing of what the destination held before is kept.`],
        [["SORT", list, "GET", "name_*", "STORE", other], `(integer) ${values.length}`, STORE],
        [["TYPE", other], "list", STORE],
        [["LRANGE", other, "0", "-1"], arr(sorted.map((v) => (v === missingName ? "" : `n${v}`))), STORE],
        [["SORT", t.rand.key("missing"), "STORE", dest], "(integer) 0", STORE_EMPTY],
        [["EXISTS", dest], "(integer) 0", STORE_EMPTY],
        [["SORT", set, "BY", "nosort", "STORE", setDest], `(integer) ${members.length}`, STORE_SET],
        [["LRANGE", setDest, "0", "-1"], arr(byteOrder(members)), STORE_SET],
        [["SORT_RO", list, "DESC"], arr([...sorted].reverse()), SORT_RO],
        [["SORT_RO", list, "STORE", dest], "(error) ERR syntax error", SORT_RO],
      ]);
    },
  },
]);
