import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { stage } from "../../../harness/stage/define.ts";
import { Pipeline, type Command } from "./pipeline.ts";
import { fullScan as fullScanOf, missingFrom } from "./scan-loop.ts";

const NEVER_ZERO = "A full iteration ends when SCAN replies with cursor 0: after the last bucket/position, reply \"0\" as the next cursor (a cursor is a bulk string holding a number).";
const GUARANTEE = "SCAN must return every key that exists from the start to the end of the iteration, even when other keys are added or deleted between calls. A cursor that is a position in an insertion-ordered list skips keys when earlier keys are deleted; Redis's cursor is a bucket index advanced with reversed bits, so resizing the table never skips a bucket.";

/** A full SCAN iteration: keys replied and number of calls. */
async function fullScan(t: CaseContext, p: Pipeline, options: string[], between?: (step: number) => Command[]): Promise<{ keys: string[]; calls: number }> {
  const { items, calls } = await fullScanOf(t, p, ["SCAN"], options, NEVER_ZERO, between);
  return { keys: items, calls };
}

export default stage(import.meta, [
  {
    name: "a full iteration returns every key and ends with cursor 0",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const prefix = t.rand.word();
      const n = t.rand.int(150, 250);
      const all = Array.from({ length: n }, (_, i) => `${prefix}:${i}`);
      await p.run(all.map((k) => ["SET", k, "v"]));
      const { keys, calls } = await fullScan(t, p, []);
      const missing = missingFrom(keys, all);
      if (missing.length > 0) {
        t.fail({ message: `A full SCAN iteration over ${n} keys missed ${missing.length} of them.`, expected: "every key", received: `missing: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`, hint: "Keep iterating from the cursor you replied until you reply 0; every key must be returned at least once." });
      }
      const unknown = keys.filter((k) => !all.includes(k));
      if (unknown.length > 0) t.fail({ message: "SCAN returned keys that do not exist.", received: unknown.slice(0, 5).join(", ") });
      if (calls < 3) {
        t.fail({ message: `SCAN returned ${n} keys in ${calls} call(s): with the default COUNT of 10 it should take many calls.`, hint: "SCAN returns a few keys per call (about COUNT, default 10) and a cursor to continue from; it must not do the work of KEYS * in one call." });
      }
      const cli = redisCli(t, redis);
      await cli.expect(["SCAN", "not-a-cursor"], "(error) ERR invalid cursor", { hint: 'A cursor that is not an unsigned number is "-ERR invalid cursor".' });
      await cli.expect(["SCAN", "0", "COUNT", "0"], "(error) ERR syntax error", { hint: "COUNT must be at least 1: COUNT 0 is -ERR syntax error." });
      await cli.expect(["SCAN", "0", "COUNT", "-3"], "(error) ERR syntax error", { hint: "COUNT must be at least 1: a negative COUNT is -ERR syntax error." });
      await cli.expect(["SCAN", "0", "COUNT", "many"], "(error) ERR value is not an integer or out of range");
      await cli.expect(["SCAN", "0", "LIMIT", "5"], "(error) ERR syntax error", { hint: "SCAN accepts only MATCH, COUNT and TYPE options." });
    },
  },
  {
    name: "COUNT, MATCH and TYPE: bigger batches, only matching keys, only one type",
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const [user, other] = [`${t.rand.word()}-user`, `${t.rand.word()}-item`];
      const users = Array.from({ length: 60 }, (_, i) => `${user}:${i}`);
      const others = Array.from({ length: 60 }, (_, i) => `${other}:${i}`);
      await p.run([...users, ...others].map((k) => ["SET", k, "v"]));
      const big = await fullScan(t, p, ["COUNT", "1000"]);
      if (missingFrom(big.keys, [...users, ...others]).length > 0 || big.calls > 3) {
        t.fail({ message: `SCAN 0 COUNT 1000 over 120 keys should return them all in one call (or very few); it took ${big.calls} calls and returned ${new Set(big.keys).size} distinct keys.`, hint: "COUNT is how much work to do per call: look at (at least) COUNT keys' worth of the keyspace before replying." });
      }
      const matched = await fullScan(t, p, ["MATCH", `${user}:*`, "COUNT", "7"]);
      const wrong = matched.keys.filter((k) => !k.startsWith(`${user}:`));
      if (wrong.length > 0) t.fail({ message: `SCAN … MATCH ${user}:* returned keys that do not match.`, received: wrong.slice(0, 5).join(", "), hint: "MATCH filters the keys found in this call with a glob pattern (as KEYS), after choosing them; only matching keys are replied." });
      const missed = missingFrom(matched.keys, users);
      if (missed.length > 0) t.fail({ message: `SCAN … MATCH ${user}:* missed matching keys.`, received: `missing: ${missed.slice(0, 5).join(", ")}`, hint: "MATCH does not change how far each call advances: a call may return no key and a non-zero cursor; keep going until cursor 0." });
      const strings = await fullScan(t, p, ["TYPE", "string", "COUNT", "50"]);
      if (missingFrom(strings.keys, [...users, ...others]).length > 0) t.fail({ message: "SCAN … TYPE string should return every string key.", hint: "TYPE keeps only keys whose TYPE is the given name (string, list, hash, set, zset, stream)." });
      const lists = await fullScan(t, p, ["TYPE", "list"]);
      if (lists.keys.length > 0) t.fail({ message: "SCAN … TYPE list returned keys that are strings.", received: lists.keys.slice(0, 5).join(", "), hint: "TYPE keeps only keys of that type: there is no list here." });
    },
  },
  {
    name: "every key present throughout is returned while other keys are added and deleted during the scan",
    timeout: 20,
    async run(t) {
      const redis = await t.start();
      const p = await Pipeline.open(t, redis);
      const w = t.rand.word();
      // Stable and doomed keys interleaved, so deleting doomed keys shifts every later position.
      const stable: string[] = [];
      const doomed: string[] = [];
      const setup: Command[] = [];
      for (let i = 0; i < 300; i++) {
        stable.push(`${w}:stable:${i}`);
        doomed.push(`${w}:doomed:${i}`);
        setup.push(["SET", `${w}:stable:${i}`, "v"], ["SET", `${w}:doomed:${i}`, "v"]);
      }
      await p.run(setup);
      let added = 0;
      let deleted = 0;
      t.log.note("between SCAN calls: first delete all 300 doomed keys (the table shrinks), then add 1200 new keys (it grows)");
      const { keys } = await fullScan(t, p, ["COUNT", "5"], () => {
        const cmds: Command[] = [];
        for (let i = 0; i < 15 && deleted < doomed.length; i++) cmds.push(["DEL", doomed[deleted++]!]);
        if (deleted >= doomed.length) for (let i = 0; i < 40 && added < 1200; i++) cmds.push(["SET", `${w}:new:${added++}`, "v"]);
        return cmds;
      });
      const missing = missingFrom(keys, stable);
      if (missing.length > 0) {
        t.fail({ message: `While keys were deleted and added between SCAN calls, a full iteration missed ${missing.length} of the 300 keys that existed throughout.`, received: `missing: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`, hint: GUARANTEE });
      }
    },
  },
]);
