import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { STRINGS } from "./data.ts";
import { describe, expectKey, keyNames, repr, sameDirs, startOnDump } from "./shared.ts";

const LOAD = "At start-up, read the file named by --dbfilename in the --dir directory: after the 9-byte header \"REDIS0010\" come op-codes (0xFA aux fields, 0xFE select db, 0xFB resize db), then for each key a type byte (0 = string), the key and the value as length-prefixed strings, until 0xFF.";
const INT = "A string whose length byte starts with the bits 11 is special: 0xC0/0xC1/0xC2 are 8/16/32-bit little-endian integers that stand for their decimal text (\"-7\", \"1234\", \"305419896\").";
const LZF = "0xC3 marks an LZF-compressed string: compressed length, uncompressed length, then the LZF data (literal runs and back-references). redis-server compresses every string longer than 20 bytes that shrinks.";

export default stage(import.meta, [
  {
    name: "loads every string of a dump written by redis-server 7.0",
    async run(t) {
      const { cli } = await startOnDump(t, "strings.rdb", `${LOAD} ${INT} ${LZF}`);
      const names = Object.keys(STRINGS).sort();
      const got = await keyNames(cli);
      t.expectEqual(got.join(", "), names.map((n) => repr(n)).join(", "), { message: "KEYS * should list every key of the dump.", hint: LOAD });
      for (const [key, value] of Object.entries(STRINGS)) {
        const hint = /^-?\d+$/.test(value) && value.length < 11 && !value.startsWith("0") ? INT : value.length > 20 ? LZF : LOAD;
        await expectKey(cli, key, describe({ type: "string", value }), hint);
      }
    },
  },
  {
    name: "CONFIG GET dir and dbfilename report where the dump is",
    async run(t) {
      const { cli, file } = await startOnDump(t, "strings.rdb", `${LOAD} ${INT} ${LZF}`);
      await cli.expect(["CONFIG", "GET", "dbfilename"], `1) "dbfilename"\n2) "${file}"`, { hint: "Keep --dbfilename as the setting `dbfilename` and reply to CONFIG GET with [name, value]." });
      await cli.expectThat(["CONFIG", "GET", "dir"], (out) => sameDirs(t.dir).some((d) => out === `1) "dir"\n2) "${d}"`), {
        expected: `1) "dir"\n2) "${t.dir}"`,
        hint: "Keep --dir as the setting `dir`.",
      });
    },
  },
  {
    name: "starts empty when the dump file does not exist",
    async run(t) {
      const redis = await t.start({ extraArgs: ["--dir", t.dir, "--dbfilename", `${t.rand.word()}.rdb`] });
      await redisCli(t, redis).expect(["DBSIZE"], "(integer) 0", { hint: "A missing dump file is not an error: start with no keys." });
    },
  },
]);
