import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";

const ORDERING = 'Each new ID must be strictly greater than the stream\'s last ID (compare the milliseconds part first, then the sequence number, as numbers): otherwise reply "-ERR The ID specified in XADD is equal or smaller than the target stream top item". An equal ID is rejected too.';
const TOO_SMALL = "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item";
const ZERO_ID = "(error) ERR The ID specified in XADD must be greater than 0-0";
const INVALID_ID = "(error) ERR Invalid stream ID specified as stream command argument";

export default stage(import.meta, [
  {
    name: "XADD with explicit IDs appends entries; TYPE is stream and XLEN counts them",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const ms = t.rand.int(1, 999);
      const seq = t.rand.int(0, 50);
      const [f1, v1, f2, v2] = [t.rand.word(), t.rand.word(), t.rand.word(), t.rand.word()];
      await cli.steps([
        [["XLEN", key], "(integer) 0", "XLEN of a key that does not exist is 0."],
        [["XADD", key, `${ms}-${seq}`, f1, v1], `"${ms}-${seq}"`, "XADD creates the stream and replies with the new entry's ID as a bulk string."],
        [["TYPE", key], "stream", 'TYPE of a stream key is the simple string "stream".'],
        [["XLEN", key], "(integer) 1", "XLEN replies with the number of entries in the stream."],
        [["XADD", key, `${ms}-${seq + 1}`, f1, v1, f2, v2], `"${ms}-${seq + 1}"`, "An entry may have several field/value pairs; a greater sequence number with the same milliseconds is a greater ID."],
        [["XADD", key, `${ms + 1}-0`, f2, v2], `"${ms + 1}-0"`, "A greater milliseconds part is a greater ID, whatever the sequence numbers."],
        [["XLEN", key], "(integer) 3"],
      ]);
    },
  },
  {
    name: "an ID equal to or smaller than the stream's last ID is rejected",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const ms = t.rand.int(10, 999);
      const seq = t.rand.int(2, 9);
      await cli.expect(["XADD", key, `${ms}-${seq}`, "f", "v"], `"${ms}-${seq}"`);
      await cli.steps([
        [["XADD", key, `${ms}-${seq}`, "f", "v"], TOO_SMALL, ORDERING],
        [["XADD", key, `${ms}-${seq - 1}`, "f", "v"], TOO_SMALL, ORDERING],
        [["XADD", key, `${ms - 1}-${seq + 100}`, "f", "v"], TOO_SMALL, ORDERING],
        [["XLEN", key], "(integer) 1", "A rejected XADD must not add anything."],
        // 10 > 9 as numbers even though "10" < "9" as text
        [["XADD", key, `${ms}-${seq * 10}`, "f", "v"], `"${ms}-${seq * 10}"`, "Compare the parts of an ID as numbers, not as text."],
        [["XADD", key, `${ms * 10}-0`, "f", "v"], `"${ms * 10}-0"`, "Compare the parts of an ID as numbers, not as text."],
        [["XLEN", key], "(integer) 3"],
      ]);
    },
  },
  {
    name: "0-0 is never a valid ID",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      await cli.steps([
        [["XADD", key, "0-0", "f", "v"], ZERO_ID, 'The smallest valid ID is 0-1: XADD with 0-0 replies "-ERR The ID specified in XADD must be greater than 0-0", even on a new stream.'],
        [["EXISTS", key], "(integer) 0", "A rejected XADD must not create the key."],
        [["XADD", key, "0-1", "f", "v"], '"0-1"', "0-1 is the smallest valid ID."],
        [["XADD", key, "0-0", "f", "v"], ZERO_ID, "0-0 gets its own error, checked before the comparison with the last ID."],
      ]);
    },
  },
  {
    name: "an ID without a sequence means sequence 0; malformed IDs and arguments are errors",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const key = t.rand.key("events");
      const str = t.rand.key("string");
      const ms = t.rand.int(1, 999);
      await cli.steps([
        [["XADD", key, String(ms), "f", "v"], `"${ms}-0"`, 'An ID given as just "<ms>" means "<ms>-0".'],
        [["XADD", key, "abc", "f", "v"], INVALID_ID, 'An ID is "<ms>-<seq>" (or "<ms>") with both parts unsigned 64-bit integers; anything else replies "-ERR Invalid stream ID specified as stream command argument".'],
        [["XADD", key, `${ms + 1}-x`, "f", "v"], INVALID_ID, "The sequence part must be a number (or *, in the next stage)."],
        [["XADD", key, `${ms + 1}-1`, "f"], "(error) ERR wrong number of arguments for 'xadd' command", "Fields and values come in pairs: an odd count is a wrong number of arguments."],
        [["XLEN", key], "(integer) 1", "Rejected XADDs must not add anything."],
        [["SET", str, "x"], "OK"],
        [["XADD", str, "1-1", "f", "v"], "(error) WRONGTYPE Operation against a key holding the wrong kind of value", "XADD on a key holding another type is a WRONGTYPE error."],
        [["XLEN", str], "(error) WRONGTYPE Operation against a key holding the wrong kind of value", "XLEN on a key holding another type is a WRONGTYPE error."],
      ]);
      // Both parts are unsigned 64-bit integers: compare them exactly (JavaScript numbers lose precision past 2^53).
      const big = t.rand.key("big");
      const top = "18446744073709551615";
      const u64 = "Both parts of an ID are unsigned 64-bit integers (up to 18446744073709551615): parse and compare them exactly, with BigInt; a JavaScript number cannot tell 18446744073709551614 from 18446744073709551615.";
      await cli.steps([
        [["XADD", big, `${top}-18446744073709551614`, "f", "v"], `"${top}-18446744073709551614"`, u64],
        [["XADD", big, `${top}-${top}`, "f", "v"], `"${top}-${top}"`, u64],
        [["XLEN", big], "(integer) 2", u64],
        [["XADD", t.rand.key("over"), "18446744073709551616-0", "f", "v"], INVALID_ID, `18446744073709551616 does not fit in 64 bits: it is not a valid ID. ${u64}`],
      ]);
    },
  },
]);
