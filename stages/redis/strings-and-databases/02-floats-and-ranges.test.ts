import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";

const NOT_FLOAT = "(error) ERR value is not a valid float";
const TOO_LONG = "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)";

export default stage(import.meta, [
  {
    name: "INCRBYFLOAT adds a float and replies with the sum written without trailing zeros or exponent",
    async run(t) {
      const cli = redisCli(t, await t.start());
      // Quarters are exact in binary, so every correct implementation prints the same digits.
      const whole = t.rand.int(2, 90);
      const start = `${whole}.50`;
      const quarters = t.rand.int(1, 3) * 25;
      await cli.expect(["SET", "f", start, "EX", "1000"], "OK");
      await cli.expect(["INCRBYFLOAT", "f", `0.${quarters}`], `"${whole + 0.5 + quarters / 100}"`, {
        hint: "INCRBYFLOAT parses the value and the increment as floats, adds them, stores the sum as a string and replies with it as a bulk string, without trailing zeros.",
      });
      await cli.expect(["INCRBYFLOAT", "f", "-0.5"], `"${whole + quarters / 100}"`, { hint: "A negative increment subtracts." });
      await cli.expectThat(["TTL", "f"], (out) => /^\(integer\) (9[0-9]{2}|1000)$/.test(out), { expected: "(integer) 1000 or a little less", hint: "INCRBYFLOAT changes the value in place: the key keeps its TTL." });
      await cli.steps([
        [["SET", "e", "5.0e3"], "OK"],
        [["INCRBYFLOAT", "e", "2.0e2"], '"5200"', "Exponents are read (5.0e3 is 5000), and the sum is written without exponent and without a fraction when it is whole: 5200, not 5200.0 or 5.2e3."],
        [["INCRBYFLOAT", "missing", "1e21"], '"1000000000000000000000"', "A missing key counts as 0; a large sum is written in full, never with an exponent."],
        [["INCRBYFLOAT", "neg", "-0.0"], '"0"', "Zero is written 0, never -0."],
      ]);
    },
  },
  {
    name: "INCRBYFLOAT refuses values and increments that are not floats, and infinite results",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const word = t.rand.word();
      await cli.expect(["SET", "w", word], "OK");
      await cli.expect(["SET", "f", "1.5"], "OK");
      await cli.steps([
        [["INCRBYFLOAT", "w", "1"], NOT_FLOAT, "A stored value that is not a float is refused with ERR value is not a valid float."],
        [["INCRBYFLOAT", "f", word], NOT_FLOAT, "An increment that is not a float is refused with ERR value is not a valid float."],
        [["INCRBYFLOAT", "f", " 1"], NOT_FLOAT, "Spaces are not part of a float."],
        [["INCRBYFLOAT", "f", "inf"], "(error) ERR increment would produce NaN or Infinity", "inf is a float to Redis, but a sum that is infinite (or NaN) is refused."],
        [["GET", "f"], '"1.5"', "A refused INCRBYFLOAT leaves the value unchanged."],
        [["EXISTS", "nokey"], "(integer) 0"],
        [["INCRBYFLOAT", "nokey", "-inf"], "(error) ERR increment would produce NaN or Infinity", "The infinite result is refused before anything is stored."],
        [["EXISTS", "nokey"], "(integer) 0", "A refused INCRBYFLOAT does not create the key."],
      ]);
    },
  },
  {
    name: "SETRANGE overwrites from an offset, padding with zero bytes, and replies with the new length",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const word = t.rand.word();
      const patch = t.rand.word();
      // Longer than any offset + patch used here, so bytes remain after the patch on every seed.
      const original = `${word}-and-its-long-tail`;
      await cli.expect(["SET", "s", original, "EX", "1000"], "OK");
      await cli.expect(["SETRANGE", "s", "1", patch], `(integer) ${original.length}`, { hint: "SETRANGE replies with the length of the string after the change." });
      const expected = original.split("");
      expected.splice(1, patch.length, ...patch.split(""));
      await cli.expect(["GET", "s"], `"${expected.join("")}"`, { hint: "SETRANGE key offset value overwrites bytes from offset (0-based), keeping the bytes before and after." });
      await cli.expectThat(["TTL", "s"], (out) => /^\(integer\) (9[0-9]{2}|1000)$/.test(out), { expected: "(integer) 1000 or a little less", hint: "SETRANGE changes the value in place: the key keeps its TTL." });
      const gap = t.rand.int(2, 4);
      await cli.expect(["SETRANGE", "p", String(gap), "ab"], `(integer) ${gap + 2}`);
      await cli.expect(["GET", "p"], `"${"\\x00".repeat(gap)}ab"`, { hint: "Past the end (or on a missing key) the string is padded with zero bytes up to the offset." });
      await cli.steps([
        [["SETRANGE", "empty", "5", ""], "(integer) 0", "An empty value changes nothing: on a missing key it replies 0."],
        [["EXISTS", "empty"], "(integer) 0", "SETRANGE with an empty value does not create the key."],
        [["SETRANGE", "p", "1", ""], `(integer) ${gap + 2}`, "An empty value on an existing key replies with its length, unchanged."],
      ]);
    },
  },
  {
    name: "SETRANGE refuses a negative offset and strings longer than 512 MB",
    async run(t) {
      const cli = redisCli(t, await t.start());
      await cli.expect(["SET", "s", "hello"], "OK");
      await cli.steps([
        [["SETRANGE", "s", "-1", "x"], "(error) ERR offset is out of range", "A negative offset is refused with ERR offset is out of range."],
        [["SETRANGE", "s", "536870912", "x"], TOO_LONG, "offset + length may not exceed 512 MB (536870912 bytes): the string would be too long."],
        [["SETRANGE", "s", "536870910", "xyz"], TOO_LONG, "The limit counts the offset plus the value's length."],
        [["GET", "s"], '"hello"', "A refused SETRANGE leaves the value unchanged."],
      ]);
    },
  },
  {
    name: "GETRANGE replies with the bytes from start to end inclusive, negative indexes counting from the end",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const value = `${t.rand.word()}${t.rand.word()}0123456789`;
      const n = value.length;
      await cli.expect(["SET", "s", value], "OK");
      const a = t.rand.int(0, 3);
      const b = t.rand.int(a + 1, n - 2);
      await cli.steps([
        [["GETRANGE", "s", String(a), String(b)], `"${value.slice(a, b + 1)}"`, "GETRANGE's end is inclusive: bytes start..end, both counted from 0."],
        [["GETRANGE", "s", "-3", "-1"], `"${value.slice(-3)}"`, "Negative indexes count from the end: -1 is the last byte."],
        [["GETRANGE", "s", "0", String(n + 100)], `"${value}"`, "An end past the string is the last byte."],
        [["GETRANGE", "s", String(-n - 100), "1"], `"${value.slice(0, 2)}"`, "A start before the beginning is 0."],
        [["GETRANGE", "s", "5", "3"], '""', "A start after the end gives the empty string."],
        [["GETRANGE", "s", "-1", "-3"], '""', "A start after the end gives the empty string (negative indexes too)."],
        [["GETRANGE", "missing", "0", "-1"], '""', "GETRANGE of a missing key is the empty string, not nil."],
      ]);
    },
  },
  {
    name: "LCS replies the longest common subsequence of two strings, its length (LEN) or its matching ranges (IDX)",
    async run(t) {
      const cli = redisCli(t, await t.start());
      const [k1, k2] = [t.rand.key("a"), t.rand.key("b")];
      // The example of https://redis.io/docs/latest/commands/lcs/.
      await cli.expect(["MSET", k1, "ohmytext", k2, "mynewtext"], "OK");
      await cli.steps([
        [["LCS", k1, k2], '"mytext"', "LCS replies with the longest common subsequence: the bytes common to both strings in order, not necessarily next to each other (\"mytext\", not the common substring \"text\")."],
        [["LCS", k1, k2, "LEN"], "(integer) 6", "LCS … LEN replies with the subsequence's length only."],
        [["LCS", k1, "missing"], '""', "A missing key counts as the empty string."],
      ]);
      await cli.expect(["LCS", k1, k2, "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"], [
        '1) "matches"',
        "2) 1) 1) 1) (integer) 4",
        "         2) (integer) 7",
        "      2) 1) (integer) 5",
        "         2) (integer) 8",
        "      3) (integer) 4",
        '3) "len"',
        "4) (integer) 6",
      ].join("\n"), { hint: "LCS … IDX replies [\"matches\", [[[start1, end1], [start2, end2], length?] …], \"len\", length]: each run of consecutive matching bytes as its ranges in both strings, last run first; MINMATCHLEN drops shorter runs, WITHMATCHLEN adds each run's length." });
    },
  },
]);
