import { redisCli } from "../../../challenges/redis/clients/redis.ts";
import { stage } from "../../../harness/stage/define.ts";
import { show } from "../keyspace/pipeline.ts";
import { configSet, dbsize, evictedKeys, keyNames, OOM, sets, startLimited, VALUE_BYTES } from "./memory.ts";

const REFUSE = `Before running a command flagged denyoom (SET, APPEND, INCR, LPUSH, …), compare your used memory with maxmemory; if it is above and the policy is noeviction, reply "-${OOM}" instead of running it.`;

const CONFIG_FAILED = (name: string) => `(error) ERR CONFIG SET failed (possibly related to argument '${name}')`;

export default stage(import.meta, [
  {
    name: "CONFIG SET takes memory units and several pairs, and refuses bad values",
    async run(t) {
      const redis = await t.start();
      const cli = redisCli(t, redis);
      const bad = "A value CONFIG SET cannot use is refused with \"-ERR CONFIG SET failed (possibly related to argument '<name>') - <why>\", and the setting keeps its value.";
      await cli.steps([
        [["CONFIG", "SET", "maxmemory", "100mb"], "OK", "maxmemory takes a unit: 100mb is 100 × 1024 × 1024 bytes."],
        [["CONFIG", "GET", "maxmemory"], '1) "maxmemory"\n2) "104857600"', "maxmemory takes a unit: 100mb is 100 × 1024 × 1024 bytes, reported in bytes."],
        [["CONFIG", "SET", "maxmemory", "1gb", "maxmemory-samples", "7"], "OK", "CONFIG SET takes several name value pairs at once."],
        [["CONFIG", "GET", "maxmemory-samples"], '1) "maxmemory-samples"\n2) "7"', "CONFIG SET takes several name value pairs at once."],
        [["CONFIG", "GET", "maxmemory"], '1) "maxmemory"\n2) "1073741824"', "1gb is 1024 × 1024 × 1024 bytes."],
      ]);
      await cli.expectThat(["CONFIG", "SET", "maxmemory", "lots"], (out) => out.startsWith(CONFIG_FAILED("maxmemory")), { expected: `${CONFIG_FAILED("maxmemory")} - …`, hint: bad });
      await cli.expectThat(["CONFIG", "SET", "maxmemory-policy", "sometimes"], (out) => out.startsWith(CONFIG_FAILED("maxmemory-policy")), { expected: `${CONFIG_FAILED("maxmemory-policy")} - …`, hint: bad });
      await cli.expect(["CONFIG", "GET", "maxmemory"], '1) "maxmemory"\n2) "1073741824"', { hint: bad });
    },
  },
  {
    name: "writes past maxmemory are refused with the OOM error; reads and DEL still work, and DEL makes room",
    async run(t) {
      const budget = 1_000_000;
      const { p, max, value } = await startLimited(t, "noeviction", budget);
      const info = await p.info("memory");
      if (info.get("maxmemory") !== String(max) || info.get("maxmemory_policy") !== "noeviction") {
        t.fail({ message: "INFO memory should report the limit and policy just set.", expected: `maxmemory:${max}\nmaxmemory_policy:noeviction`, received: `maxmemory:${info.get("maxmemory")}\nmaxmemory_policy:${info.get("maxmemory_policy")}`, hint: "INFO memory has maxmemory:<bytes> and maxmemory_policy:<name> lines." });
      }
      const keys = keyNames(t, "fill", 2000);
      t.log.note(`writing ${value.length}-byte values, ten at a time, until a SET is refused`);
      let stored = 0;
      let refusal: unknown = null;
      for (let i = 0; i < keys.length && refusal === null; i += 10) {
        const replies = await p.run(sets(keys.slice(i, i + 10), value));
        for (const r of replies) {
          if (r === "OK") stored++;
          else if (refusal === null) refusal = r;
        }
      }
      if (refusal === null) {
        t.fail({ message: `After ${keys.length} SETs of ${value.length} bytes (${keys.length * value.length} bytes) with maxmemory ${budget} bytes above the starting used_memory, no SET was refused.`, hint: `Count the memory your keys use (and report it as used_memory), and refuse writes once it is above maxmemory. ${REFUSE}` });
      }
      if (!(refusal instanceof Error) || refusal.message !== OOM) {
        t.fail({ message: "A SET past maxmemory under noeviction should be refused with Redis's OOM error.", expected: `(error) ${OOM}`, received: show(refusal as never), hint: REFUSE });
      }
      if (stored < budget / VALUE_BYTES / 3) {
        t.fail({ message: `Only ${stored} SETs of ${value.length} bytes fit in a budget of ${budget} bytes.`, hint: "Refuse writes only once used memory is above maxmemory; count each key as roughly its key and value bytes plus a small overhead." });
      }
      // Right at the limit, freed buffers can bring memory back under it: lower the limit to be clearly over.
      await configSet(t, p, "maxmemory", String(max - budget / 2));
      t.log.note(`maxmemory lowered to ${max - budget / 2}: memory is now well above it`);
      const set = await p.call(["SET", `${keys[0]}:more`, value], true);
      if (!(set instanceof Error) || set.message !== OOM) {
        t.fail({ message: "A SET with used memory above maxmemory under noeviction should be refused with Redis's OOM error.", expected: `(error) ${OOM}`, received: show(set), hint: REFUSE });
      }
      const incr = await p.call(["INCR", `${keys[0]}:counter`], true);
      if (!(incr instanceof Error) || incr.message !== OOM) {
        t.fail({ message: "INCR of a new key past maxmemory should be refused too.", expected: `(error) ${OOM}`, received: show(incr), hint: "Every command flagged denyoom is refused when memory is full, not only SET." });
      }
      const first = await p.call(["GET", keys[0]!], true);
      if (first !== value) {
        t.fail({ message: "GET should still work when memory is full.", expected: `"${value.slice(0, 20)}…"`, received: show(first).slice(0, 80), hint: "Only commands that may use more memory (flagged denyoom) are refused; reads such as GET still run." });
      }
      const evicted = await evictedKeys(p);
      if (evicted !== 0 || (await dbsize(p)) !== stored) {
        t.fail({ message: "noeviction must never delete keys.", expected: `evicted_keys:0, DBSIZE ${stored}`, received: `evicted_keys:${evicted}, DBSIZE ${await dbsize(p)}`, hint: "With maxmemory-policy noeviction, writes are refused instead of evicting keys." });
      }
      const doomed = keys.slice(0, Math.ceil(stored * 0.9));
      const dels = [];
      for (let i = 0; i < doomed.length; i += 50) dels.push(["DEL", ...doomed.slice(i, i + 50)]);
      const replies = await p.run(dels);
      const bad = replies.find((r) => typeof r !== "bigint");
      const deleted = replies.reduce<bigint>((n, r) => n + (typeof r === "bigint" ? r : 0n), 0n);
      if (bad !== undefined || deleted < BigInt(doomed.length - 10)) {
        t.fail({ message: `DEL of ${doomed.length} keys (50 per command) should still work when memory is full.`, expected: `(integer) 50 for each DEL`, received: bad !== undefined ? show(bad) : `${deleted} deleted in all`, hint: "DEL is not flagged denyoom: it frees memory, so it must run." });
      }
      const after = await p.call(["SET", keys[0]!, value], true);
      if (after !== "OK") {
        t.fail({ message: `After DEL of ${doomed.length} of the ${stored} keys, a SET should fit again.`, expected: "OK", received: show(after), hint: "Recompute used memory when keys are deleted: DEL must make room for new writes." });
      }
      await configSet(t, p, "maxmemory", "0");
      const unlimited = await p.call(["SET", keys[keys.length - 1]!, value], true);
      if (unlimited !== "OK") t.fail({ message: "With maxmemory 0 there is no limit: SET should succeed.", expected: "OK", received: show(unlimited), hint: "maxmemory 0 means no memory limit." });
    },
  },
]);
