import { redisCli, type Step } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { Pipeline } from "./pipeline.ts";

const INT = "A string that is an integer (at most 20 characters, fitting 64 bits) is encoded int.";
const EMBSTR = "Other strings of at most 44 bytes are embstr; longer ones are raw.";
const RAW = "A string changed in place (APPEND, SETRANGE, SETBIT) is raw, whatever its length.";
const LIST = "In Redis 7.0 every list is a quicklist.";
const ENTRIES = "A hash (sorted set) with at most <type>-max-listpack-entries entries is listpack; one more entry makes it hashtable (skiplist).";
const VALUE = "A field or value (member) longer than <type>-max-listpack-value bytes makes a hash (sorted set) hashtable (skiplist); exactly that many bytes is still listpack.";
const INTSET = "A set of integers with at most set-max-intset-entries members is intset; one more member, or a member that is not an integer, makes it hashtable.";
const ALIAS = "The old *-ziplist-* names are aliases of the *-listpack-* settings: CONFIG SET zset-max-ziplist-entries changes zset-max-listpack-entries.";
const NOT_INT = "The encoding limits are integers: anything else is -ERR CONFIG SET failed (possibly related to argument '<name>') - argument couldn't be parsed into an integer.";
const MISSING = "OBJECT ENCODING of a missing key is nil.";

const enc = (e: string) => `"${e}"`;

/** `n` distinct short field names. */
function fieldNames(t: CaseContext, n: number): string[] {
  const base = t.rand.word().slice(0, 4);
  return Array.from({ length: n }, (_, i) => `${base}${i}`);
}

export default stage(import.meta, [
  {
    name: "strings: int, embstr, raw; raw after APPEND; lists; a missing key",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [i, e, r, a, l] = ["int", "emb", "raw", "app", "list"].map((k) => t.rand.key(k)) as [string, string, string, string, string];
      const number = String(t.rand.int(-1_000_000_000, 1_000_000_000));
      const short = "x".repeat(t.rand.int(1, 44));
      const long = "y".repeat(t.rand.int(45, 60));
      await p.run([["SET", i, number], ["SET", e, short], ["SET", r, long], ["SET", a, String(t.rand.int(1, 999))], ["APPEND", a, "z"], ["RPUSH", l, "a", "b"]]);
      t.log.note(`${e} holds ${short.length} bytes, ${r} ${long.length}`);
      const steps: Step[] = [
        [["OBJECT", "ENCODING", i], enc("int"), INT],
        [["OBJECT", "ENCODING", e], enc("embstr"), EMBSTR],
        [["OBJECT", "ENCODING", r], enc("raw"), EMBSTR],
        [["OBJECT", "ENCODING", a], enc("raw"), RAW],
        [["OBJECT", "ENCODING", l], enc("quicklist"), LIST],
        [["OBJECT", "ENCODING", t.rand.key("missing")], "(nil)", MISSING],
      ];
      await redisCli(t, redis).steps(steps);
    },
  },
  {
    name: "hashes and sorted sets: listpack up to the entries and value limits set with CONFIG SET, then hashtable/skiplist",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [entries, valueLimit] = [t.rand.int(3, 8), t.rand.int(8, 16)];
      const [h1, h2, hv, z1, z2, zv] = ["h1", "h2", "hv", "z1", "z2", "zv"].map((k) => t.rand.key(k)) as [string, string, string, string, string, string];
      const fields = fieldNames(t, entries + 1);
      await p.run([
        ["CONFIG", "SET", "hash-max-listpack-entries", String(entries)],
        ["CONFIG", "SET", "hash-max-listpack-value", String(valueLimit)],
        ["CONFIG", "SET", "zset-max-ziplist-entries", String(entries)],
        ["CONFIG", "SET", "zset-max-listpack-value", String(valueLimit)],
        ["HSET", h1, ...fields.slice(0, entries).flatMap((f) => [f, "v"])],
        ["HSET", h2, ...fields.flatMap((f) => [f, "v"])],
        ["HSET", hv, "exact", "e".repeat(valueLimit), "f", "v"],
        ["ZADD", z1, ...fields.slice(0, entries).flatMap((f, i) => [String(i), f])],
        ["ZADD", z2, ...fields.flatMap((f, i) => [String(i), f])],
        ["ZADD", zv, "1", "m".repeat(valueLimit)],
      ]);
      t.log.note(`the limits: ${entries} entries, values of ${valueLimit} bytes`);
      const cli = redisCli(t, redis);
      await cli.steps([
        [["CONFIG", "GET", "zset-max-listpack-entries"], `1) "zset-max-listpack-entries"\n2) "${entries}"`, ALIAS],
        [["OBJECT", "ENCODING", h1], enc("listpack"), ENTRIES],
        [["OBJECT", "ENCODING", h2], enc("hashtable"), ENTRIES],
        [["OBJECT", "ENCODING", hv], enc("listpack"), VALUE],
        [["OBJECT", "ENCODING", z1], enc("listpack"), ENTRIES],
        [["OBJECT", "ENCODING", z2], enc("skiplist"), ENTRIES],
        [["OBJECT", "ENCODING", zv], enc("listpack"), VALUE],
      ]);
      await p.run([["HSET", hv, "long", "l".repeat(valueLimit + t.rand.int(1, 5))], ["ZADD", zv, "2", "n".repeat(valueLimit + t.rand.int(1, 5))]]);
      await cli.steps([
        [["OBJECT", "ENCODING", hv], enc("hashtable"), VALUE],
        [["OBJECT", "ENCODING", zv], enc("skiplist"), VALUE],
        [
          ["CONFIG", "SET", "hash-max-listpack-entries", t.rand.pick(["many", "1.5", "ten"])],
          "(error) ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument couldn't be parsed into an integer",
          NOT_INT,
        ],
      ]);
    },
  },
  {
    name: "sets: intset up to set-max-intset-entries integers, then hashtable; a member that is not an integer",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const limit = t.rand.int(3, 9);
      const [s1, s2, s3] = ["s1", "s2", "s3"].map((k) => t.rand.key(k)) as [string, string, string];
      const ints = t.rand.shuffle(Array.from({ length: limit + 1 }, (_, i) => String(i * 7 - 20)));
      await p.run([
        ["CONFIG", "SET", "set-max-intset-entries", String(limit)],
        ["SADD", s1, ...ints.slice(0, limit)],
        ["SADD", s2, ...ints],
        ["SADD", s3, ...ints.slice(0, 2), t.rand.word()],
      ]);
      await redisCli(t, redis).steps([
        [["OBJECT", "ENCODING", s1], enc("intset"), INTSET],
        [["OBJECT", "ENCODING", s2], enc("hashtable"), INTSET],
        [["OBJECT", "ENCODING", s3], enc("hashtable"), INTSET],
      ]);
    },
  },
]);
