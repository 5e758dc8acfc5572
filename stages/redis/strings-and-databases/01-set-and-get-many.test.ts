import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";

/** A TTL reply in (lo, hi], as redis-cli prints it: tolerant of the time the commands take, not of a missing TTL. */
function ttlWithin(lo: number, hi: number): (out: string) => boolean {
  return (out) => {
    const m = /^\(integer\) (-?\d+)$/.exec(out);
    return m !== null && Number(m[1]) > lo && Number(m[1]) <= hi;
  };
}

export default stage(import.meta, [
  {
    name: "SETNX sets a missing key only; SETEX and PSETEX set a value with a TTL",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const key = t.rand.key();
      const [first, second] = [t.rand.word(), `${t.rand.word()}2`];
      await cli.steps([
        [["SETNX", key, first], "(integer) 1", "SETNX sets the key when it does not exist and replies 1."],
        [["SETNX", key, second], "(integer) 0", "SETNX on an existing key changes nothing and replies 0."],
        [["GET", key], `"${first}"`, "SETNX must not overwrite an existing key."],
      ]);
      const seconds = t.rand.int(100, 999);
      await cli.expect(["SETEX", `${key}:s`, String(seconds), first], "OK", { hint: "SETEX key seconds value is SET key value EX seconds: reply +OK." });
      await cli.expect(["GET", `${key}:s`], `"${first}"`);
      await cli.expectThat(["TTL", `${key}:s`], ttlWithin(seconds - 5, seconds), { expected: `(integer) ${seconds}`, hint: "SETEX sets the key's time to live in seconds." });
      const ms = t.rand.int(100_000, 999_000);
      await cli.expect(["PSETEX", `${key}:ms`, String(ms), second], "OK", { hint: "PSETEX key milliseconds value is SET key value PX milliseconds." });
      await cli.expectThat(["PTTL", `${key}:ms`], ttlWithin(ms - 5000, ms), { expected: `(integer) ${ms}`, hint: "PSETEX's time is in milliseconds (not seconds)." });
      await cli.steps([
        [["SETEX", `${key}:s`, "0", "v"], "(error) ERR invalid expire time in 'setex' command", "A time of 0 or less is refused with the command's name in the error."],
        [["PSETEX", `${key}:ms`, "-5", "v"], "(error) ERR invalid expire time in 'psetex' command", "A time of 0 or less is refused with the command's name in the error."],
      ]);
    },
  },
  {
    name: "MGET replies with every value in order, nil for missing keys and other types",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const [a, b] = [t.rand.word(), `${t.rand.word()}b`];
      await cli.expect(["SET", "k:a", a], "OK");
      await cli.expect(["SET", "k:b", b], "OK");
      await cli.expect(["LPUSH", "k:list", "x"], "(integer) 1");
      await cli.expect(["MGET", "k:b", "k:missing", "k:a", "k:list"], `1) "${b}"\n2) (nil)\n3) "${a}"\n4) (nil)`, {
        hint: "MGET replies with an array of the values in the order of the keys asked for; a missing key, or one holding another type, is a nil element (not an error).",
      });
    },
  },
  {
    name: "MSET sets every pair and clears their TTL; an odd number of arguments is refused",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const [a, b] = [t.rand.word(), `${t.rand.word()}b`];
      await cli.expect(["SET", "k:a", "old", "EX", "1000"], "OK");
      await cli.expect(["MSET", "k:a", a, "k:b", b], "OK", { hint: "MSET key value [key value ...] sets every pair and replies +OK." });
      await cli.expect(["MGET", "k:a", "k:b"], `1) "${a}"\n2) "${b}"`);
      await cli.expect(["TTL", "k:a"], "(integer) -1", { hint: "MSET replaces the value like SET, which removes any TTL the key had." });
      await cli.expect(["MSET", "k:a", "x", "k:c"], "(error) ERR wrong number of arguments for 'mset' command", { hint: "MSET needs key-value pairs: an odd number of arguments after the name is the arity error, and nothing is set." });
      await cli.expect(["MSETNX", "k:a", "x", "k:c"], "(error) ERR wrong number of arguments for 'msetnx' command", { hint: "MSETNX needs key-value pairs too: an odd number of arguments after the name is the arity error." });
      await cli.expect(["GET", "k:a"], `"${a}"`, { hint: "A refused MSET or MSETNX sets nothing." });
    },
  },
  {
    name: "MSETNX sets all the keys or none",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const v = t.rand.word();
      await cli.expect(["MSETNX", "k:1", v, "k:2", v], "(integer) 1", { hint: "MSETNX replies 1 when none of the keys existed and it set them all." });
      await cli.expect(["MSETNX", "k:3", v, "k:2", "new"], "(integer) 0", { hint: "MSETNX replies 0 when any of the keys exists." });
      await cli.expect(["MGET", "k:3", "k:2"], `1) (nil)\n2) "${v}"`, { hint: "When one key exists MSETNX sets none of them, not even the missing ones." });
    },
  },
  {
    name: "GETSET replies with the old value, sets the new one and clears the TTL",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const [old, value] = [t.rand.word(), `${t.rand.word()}2`];
      await cli.expect(["SET", "k", old, "EX", "1000"], "OK");
      await cli.steps([
        [["GETSET", "k", value], `"${old}"`, "GETSET replies with the value the key had before."],
        [["GET", "k"], `"${value}"`, "GETSET stores the new value."],
        [["TTL", "k"], "(integer) -1", "GETSET replaces the value like SET, which removes the TTL."],
        [["GETSET", "missing", value], "(nil)", "GETSET on a missing key replies nil and sets it."],
        [["GET", "missing"], `"${value}"`],
      ]);
    },
  },
  {
    name: "GETDEL replies with the value and deletes the key",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const value = t.rand.word();
      await cli.expect(["SET", "k", value], "OK");
      await cli.steps([
        [["GETDEL", "k"], `"${value}"`, "GETDEL replies with the value, like GET."],
        [["EXISTS", "k"], "(integer) 0", "GETDEL deletes the key after reading it."],
        [["GETDEL", "k"], "(nil)", "GETDEL of a missing key replies nil."],
      ]);
    },
  },
  {
    name: "GETEX replies with the value and sets (EX, PX, EXAT, PXAT) or removes (PERSIST) its TTL",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const value = t.rand.word();
      await cli.expect(["SET", "k", value], "OK");
      await cli.expect(["GETEX", "k"], `"${value}"`, { hint: "GETEX with no option is GET." });
      await cli.expect(["TTL", "k"], "(integer) -1", { hint: "GETEX with no option leaves the TTL as it was." });
      const seconds = t.rand.int(100, 999);
      await cli.expect(["GETEX", "k", "EX", String(seconds)], `"${value}"`);
      await cli.expectThat(["TTL", "k"], ttlWithin(seconds - 5, seconds), { expected: `(integer) ${seconds}`, hint: "GETEX key EX seconds sets the TTL in seconds." });
      const ms = t.rand.int(100_000, 999_000);
      await cli.expect(["GETEX", "k", "PX", String(ms)], `"${value}"`);
      await cli.expectThat(["PTTL", "k"], ttlWithin(ms - 5000, ms), { expected: `(integer) ${ms}`, hint: "GETEX key PX milliseconds sets the TTL in milliseconds." });
      const at = Math.floor(Date.now() / 1000) + seconds;
      await cli.expect(["GETEX", "k", "EXAT", String(at)], `"${value}"`);
      await cli.expectThat(["TTL", "k"], ttlWithin(seconds - 5, seconds), { expected: `(integer) about ${seconds}`, hint: "GETEX key EXAT <unix seconds> sets the key to expire at that time." });
      await cli.expect(["GETEX", "k", "PXAT", String(Date.now() + ms)], `"${value}"`);
      await cli.expectThat(["PTTL", "k"], ttlWithin(ms - 5000, ms), { expected: `(integer) about ${ms}`, hint: "GETEX key PXAT <unix milliseconds> sets the key to expire at that time." });
      await cli.expect(["GETEX", "k", "PERSIST"], `"${value}"`);
      await cli.expect(["TTL", "k"], "(integer) -1", { hint: "GETEX key PERSIST removes the key's TTL." });
      await cli.steps([
        [["GETEX", "k", "EXAT", "1"], `"${value}"`, "GETEX replies with the value before applying a time already past."],
        [["EXISTS", "k"], "(integer) 0", "An EXAT/PXAT time already in the past deletes the key."],
        [["GETEX", "k"], "(nil)", "GETEX of a missing key replies nil."],
      ]);
    },
  },
  {
    name: "GETEX refuses two kinds of expiry, or one with PERSIST, and times of 0 or less",
    async run(t) {
      const cli = redisCli(t, await t.start());
      await cli.expect(["SET", "k", "v"], "OK");
      await cli.steps([
        [["GETEX", "k", "EX", "100", "PX", "100"], "(error) ERR syntax error", "GETEX accepts one of EX, PX, EXAT, PXAT or PERSIST: two different ones are a syntax error."],
        [["GETEX", "k", "PERSIST", "EX", "100"], "(error) ERR syntax error", "PERSIST together with a time is a syntax error."],
        [["GETEX", "k", "EX"], "(error) ERR syntax error", "EX without its number is a syntax error."],
        [["GETEX", "k", "EX", "0"], "(error) ERR invalid expire time in 'getex' command", "A time of 0 or less is refused with the command's name in the error."],
        [["TTL", "k"], "(integer) -1", "A refused GETEX leaves the TTL unchanged."],
      ]);
    },
  },
  {
    name: "GETSET, GETDEL and GETEX on a key of another type reply WRONGTYPE",
    async run(t) {
      const cli = redisCli(t, await t.start());
      await cli.expect(["LPUSH", "l", "x"], "(integer) 1");
      const wrong = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
      const hint = "These commands read a string: on a key holding another type they reply WRONGTYPE and change nothing.";
      await cli.steps([
        [["GETSET", "l", "v"], wrong, hint],
        [["GETDEL", "l"], wrong, hint],
        [["GETEX", "l", "EX", "100"], wrong, hint],
        [["TYPE", "l"], "list", hint],
        [["TTL", "l"], "(integer) -1", hint],
      ]);
    },
  },
]);
