import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";

const TTL_MOVES = "RENAME moves the key's TTL with it: the new key expires when the old one would have (and the old key, being gone, has no TTL).";

export default stage(import.meta, [
  {
    name: "RENAME moves the value and its TTL, replaces the destination, and fails on a missing key",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [a, b, c, d] = [t.rand.key("a"), t.rand.key("b"), t.rand.key("c"), t.rand.key("d")];
      const value = t.rand.word();
      await cli.steps([
        [["SET", a, value, "EX", "100"], "OK"],
        [["RENAME", a, b], "OK", "RENAME replies +OK."],
        [["GET", a], "(nil)", "After RENAME the old name no longer exists."],
        [["GET", b], `"${value}"`, "After RENAME the value is under the new name."],
      ]);
      await cli.expectThat(["TTL", b], (out) => out === "(integer) 100" || out === "(integer) 99", { expected: "(integer) 100", hint: TTL_MOVES });
      await cli.steps([
        [["RENAME", t.rand.key("missing"), d], "(error) ERR no such key", 'RENAME of a key that does not exist is the error "-ERR no such key".'],
        [["SET", c, "old", "EX", "50"], "OK"],
        [["SET", d, "new"], "OK"],
        [["RENAME", d, c], "OK"],
        [["GET", c], '"new"', "RENAME overwrites an existing destination, whatever it held."],
        [["TTL", c], "(integer) -1", "The destination's old TTL goes with its old value: after RENAME it has the source's TTL (here none)."],
        [["RENAME", c, c], "OK", "RENAME of a key to its own name is OK and changes nothing."],
        [["GET", c], '"new"'],
      ]);
    },
  },
  {
    name: "RENAMENX renames only if the new name is free",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [a, b, c] = [t.rand.key("a"), t.rand.key("b"), t.rand.key("c")];
      await cli.steps([
        [["SET", a, "1", "PX", "100000"], "OK"],
        [["SET", b, "2"], "OK"],
        [["RENAMENX", a, b], "(integer) 0", "RENAMENX replies 0 and does nothing when the new name exists."],
        [["GET", a], '"1"', "A refused RENAMENX leaves the source as it was."],
        [["GET", b], '"2"', "A refused RENAMENX leaves the destination as it was."],
        [["RENAMENX", a, c], "(integer) 1", "RENAMENX replies 1 when it renamed."],
        [["GET", c], '"1"'],
        [["EXISTS", a], "(integer) 0"],
        [["RENAMENX", t.rand.key("missing"), a], "(error) ERR no such key", "RENAMENX of a missing key is the error -ERR no such key, like RENAME."],
      ]);
      await cli.expectThat(["TTL", c], (out) => out === "(integer) 100" || out === "(integer) 99", { expected: "(integer) 100", hint: TTL_MOVES });
    },
  },
  {
    name: "EXPIREAT and PEXPIREAT set an absolute deadline that EXPIRETIME and PEXPIRETIME read back",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [k, plain, missing] = [t.rand.key(), t.rand.key("plain"), t.rand.key("missing")];
      const at = Math.floor(Date.now() / 1000) + t.rand.int(200, 900);
      const atMs = Date.now() + t.rand.int(200_000, 900_000);
      await cli.steps([
        [["SET", k, "v"], "OK"],
        [["SET", plain, "v"], "OK"],
        [["EXPIREAT", k, String(at)], "(integer) 1", "EXPIREAT key <unix seconds> replies 1 when it set the deadline."],
        [["EXPIRETIME", k], `(integer) ${at}`, "EXPIRETIME replies with the absolute deadline in Unix seconds, as given to EXPIREAT."],
        [["PEXPIRETIME", k], `(integer) ${at * 1000}`, "PEXPIRETIME replies with the deadline in Unix milliseconds."],
        [["EXPIREAT", k, String(at + 5), "NX"], "(integer) 0", "EXPIREAT takes the same NX/XX/GT/LT options as EXPIRE: NX does nothing if the key has a TTL."],
        [["EXPIREAT", k, String(at - 5), "GT"], "(integer) 0", "EXPIREAT … GT sets the deadline only if it is later than the current one."],
        [["EXPIREAT", plain, String(at), "XX"], "(integer) 0", "EXPIREAT … XX sets the deadline only if the key already has a TTL."],
        [["EXPIRETIME", plain], "(integer) -1", "EXPIREAT … XX on a key without a TTL changes nothing."],
        [["PEXPIREAT", k, String(atMs)], "(integer) 1", "PEXPIREAT key <unix milliseconds> replies 1."],
        [["PEXPIRETIME", k], `(integer) ${atMs}`, "PEXPIRETIME replies with the deadline exactly as PEXPIREAT set it."],
        [["EXPIRETIME", plain], "(integer) -1", "EXPIRETIME is -1 for a key without a TTL."],
        [["EXPIRETIME", missing], "(integer) -2", "EXPIRETIME is -2 for a missing key."],
        [["PEXPIRETIME", missing], "(integer) -2", "PEXPIRETIME is -2 for a missing key."],
        [["EXPIREAT", missing, String(at)], "(integer) 0", "EXPIREAT on a missing key replies 0."],
        [["EXPIREAT", plain, String(Math.floor(Date.now() / 1000) - 10)], "(integer) 1", "EXPIREAT with a time in the past replies 1 and deletes the key."],
        [["EXISTS", plain], "(integer) 0", "A key whose EXPIREAT time is in the past is deleted at once."],
        [["EXPIREAT", k, "soon"], "(error) ERR value is not an integer or out of range"],
      ]);
      const ttl = Math.round((atMs - Date.now()) / 1000);
      await cli.expectThat(["TTL", k], (out) => Math.abs(Number(out.replace("(integer) ", "")) - ttl) <= 2, { expected: `(integer) ${ttl}`, hint: "TTL after PEXPIREAT is the time left until that absolute deadline." });
    },
  },
  {
    name: "PERSIST removes a TTL; TTL is -1 without one and -2 without the key",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const k = t.rand.key();
      await cli.steps([
        [["SET", k, "v", "EX", "100"], "OK"],
        [["PERSIST", k], "(integer) 1", "PERSIST replies 1 when it removed a TTL."],
        [["TTL", k], "(integer) -1", "After PERSIST the key has no TTL: TTL is -1."],
        [["EXPIRETIME", k], "(integer) -1"],
        [["PERSIST", k], "(integer) 0", "PERSIST replies 0 when the key has no TTL."],
        [["PERSIST", t.rand.key("missing")], "(integer) 0", "PERSIST replies 0 for a missing key."],
        [["TTL", t.rand.key("missing")], "(integer) -2", "TTL is -2 for a missing key."],
      ]);
    },
  },
  {
    name: "COPY duplicates a key with its TTL, UNLINK deletes like DEL, RANDOMKEY and OBJECT ENCODING",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const [src, dst, other, num, long] = [t.rand.key("src"), t.rand.key("dst"), t.rand.key("other"), t.rand.key("num"), t.rand.key("long")];
      const [list, listCopy, at44, at45] = [t.rand.key("list"), t.rand.key("copy"), t.rand.key("s44"), t.rand.key("s45")];
      const value = t.rand.word();
      const started = performance.now();
      await cli.steps([
        [["RANDOMKEY"], "(nil)", "RANDOMKEY on an empty database replies nil."],
        [["SET", src, value, "EX", "100"], "OK"],
        [["RANDOMKEY"], `"${src}"`, "RANDOMKEY replies with a key chosen at random: here the only one."],
        [["COPY", src, dst], "(integer) 1", "COPY replies 1 when it copied."],
        [["GET", dst], `"${value}"`],
        [["SET", other, "x"], "OK"],
        [["COPY", src, other], "(integer) 0", "COPY replies 0 and changes nothing when the destination exists (without REPLACE)."],
        [["GET", other], '"x"'],
        [["COPY", src, other, "REPLACE"], "(integer) 1", "COPY … REPLACE overwrites the destination."],
        [["GET", other], `"${value}"`],
        [["COPY", t.rand.key("missing"), other], "(integer) 0", "COPY of a missing key replies 0."],
        [["COPY", src, src], "(error) ERR source and destination objects are the same"],
        [["SET", num, "12345"], "OK"],
        [["SET", long, value.repeat(Math.ceil(60 / value.length))], "OK"],
        [["OBJECT", "ENCODING", num], '"int"', "A string that is an integer is encoded as int."],
        [["OBJECT", "ENCODING", src], '"embstr"', "A short string (up to 44 bytes) is embstr."],
        [["OBJECT", "ENCODING", long], '"raw"', "A string over 44 bytes is raw."],
        [["OBJECT", "ENCODING", t.rand.key("missing")], "(nil)", "OBJECT ENCODING of a missing key replies nil."],
        [["SET", at44, "x".repeat(44)], "OK"],
        [["SET", at45, "x".repeat(45)], "OK"],
        [["OBJECT", "ENCODING", at44], '"embstr"', "A string of exactly 44 bytes is still embstr (the limit is 44, as in Redis 7.0, not 39 as in Redis 3.0)."],
        [["OBJECT", "ENCODING", at45], '"raw"', "A string of 45 bytes is raw."],
        [["RPUSH", list, "a"], "(integer) 1"],
        [["COPY", list, listCopy], "(integer) 1"],
        [["RPUSH", listCopy, "b"], "(integer) 2"],
        [["LLEN", list], "(integer) 1", "COPY makes a copy: pushing onto the copy must not change the source list (copy the value, do not share it)."],
        [["DEL", list, listCopy], "(integer) 2"],
        [["UNLINK", src, dst, t.rand.key("missing")], "(integer) 2", "UNLINK deletes keys like DEL and replies how many existed."],
        [["EXISTS", src, dst], "(integer) 0"],
      ]);
      // The source got EX 100 at the start of the steps; each step is a redis-cli process, so on a loaded
      // machine whole seconds pass before this check: the copy's TTL is 100 less (at most) the seconds since.
      const lowest = 99 - Math.ceil((performance.now() - started) / 1000);
      await cli.expectThat(["TTL", other], (out) => { const n = Number(/^\(integer\) (-?\d+)$/.exec(out)?.[1] ?? NaN); return n <= 100 && n >= lowest; }, { expected: `(integer) ${lowest}–100 (100, less the ${99 - lowest} s these steps took)`, hint: "COPY copies the TTL too: the copy expires when the source would." });
    },
  },
]);
