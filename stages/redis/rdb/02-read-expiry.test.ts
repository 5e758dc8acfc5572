import { stage } from "../../../harness/stage/define.ts";
import { startOnDump } from "./shared.ts";

const FC = "Before a key, op-code 0xFC is followed by its expiry time: 8 bytes, little-endian, milliseconds since the Unix epoch (0xFD: 4 bytes, seconds). Keep it as the key's expiry.";
const SKIP = "A key whose expiry time has already passed when the file is loaded must not be loaded at all (redis-server skips it, so DBSIZE does not count it).";

export default stage(import.meta, [
  {
    name: "keys whose expiry has passed are not loaded; the others keep their expiry",
    async run(t) {
      const { cli } = await startOnDump(t, "expiry.rdb", FC);
      await cli.steps([
        [["DBSIZE"], "(integer) 3", SKIP],
        [["GET", "gone-1"], "(nil)", SKIP],
        [["TTL", "gone-2"], "(integer) -2", SKIP],
        [["EXISTS", "gone-list"], "(integer) 0", SKIP],
        [["GET", "persistent"], '"stays"'],
        [["TTL", "persistent"], "(integer) -1", "A key without 0xFC before it has no expiry."],
        [["GET", "future-1"], '"lives until 2100"', FC],
      ]);
      for (const [key, at] of [["future-1", 4102444800000], ["future-2", 4102444801500]] as const) {
        const expected = Math.round((at - Date.now()) / 1000);
        await cli.expectThat(["TTL", key], (out) => Math.abs(Number(/^\(integer\) (\d+)$/.exec(out)?.[1] ?? NaN) - expected) <= 3, {
          expected: `(integer) ${expected} (the key expires at ${new Date(at).toISOString()})`,
          hint: FC,
        });
      }
    },
  },
]);
