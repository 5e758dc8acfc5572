import { stage } from "../../../harness/stage/define.ts";
import { show } from "../keyspace/pipeline.ts";
import { evictedKeys, keyNames, missingKeys, OOM, sets, startLimited } from "./memory.ts";

const ONLY_VOLATILE = "volatile-ttl evicts only keys that have a TTL (an expiry), never a key without one, choosing the one that would expire soonest.";

export default stage(import.meta, [
  {
    name: "only keys with a TTL are evicted, those expiring soonest first",
    timeout: 20,
    async run(t) {
      const { p, value } = await startLimited(t, "volatile-ttl");
      const persistent = keyNames(t, "persistent", 2000);
      const short = keyNames(t, "short-ttl", 60);
      const long = keyNames(t, "long-ttl", 20);
      await p.run(sets(persistent.slice(0, 300), value));
      await p.run(short.map((k, i) => ["SET", k, value, "EX", String(1000 + i)]));
      await p.run(long.map((k, i) => ["SET", k, value, "EX", String(100_000 + i)]));
      t.log.note("writing keys without a TTL, 5 at a time, until the first eviction");
      let written = 300;
      while (written < persistent.length && (await evictedKeys(p)) === 0) {
        await p.run(sets(persistent.slice(written, written + 5), value));
        written += 5;
      }
      const evicted = await evictedKeys(p);
      if (evicted === 0) t.fail({ message: `No key was evicted after ${written} keys of ${value.length} bytes.`, hint: "Before each command, while used memory is above maxmemory, evict keys by the policy." });
      const lostPersistent = await missingKeys(p, persistent.slice(0, written));
      if (lostPersistent.length > 0) t.fail({ message: `${lostPersistent.length} keys without a TTL were evicted under volatile-ttl.`, received: `evicted: ${lostPersistent.slice(0, 5).join(", ")}`, hint: ONLY_VOLATILE });
      const lostLong = await missingKeys(p, long);
      if (lostLong.length > 0) {
        t.fail({ message: `${lostLong.length} keys with a TTL of over a day were evicted while keys expiring in about 1000 s remained.`, received: `evicted: ${lostLong.slice(0, 5).join(", ")}`, hint: `${ONLY_VOLATILE} Compare the keys' expiry times and evict the smallest.` });
      }
      const lostShort = await missingKeys(p, short);
      if (lostShort.length === 0) t.fail({ message: "No key with a short TTL was evicted, though evicted_keys says some keys were.", hint: ONLY_VOLATILE });
    },
  },
  {
    name: "once no key with a TTL is left, writes are refused with the OOM error",
    timeout: 20,
    async run(t) {
      const { p, value } = await startLimited(t, "volatile-ttl");
      const volatile = keyNames(t, "volatile", 30);
      const persistent = keyNames(t, "persistent", 2000);
      await p.run(volatile.map((k) => ["SET", k, value, "EX", "1000"]));
      t.log.note("writing keys without a TTL, 10 at a time, until a write is refused");
      let stored = 0;
      let refusal: unknown = null;
      for (let i = 0; i < persistent.length && refusal === null; i += 10) {
        for (const r of await p.run(sets(persistent.slice(i, i + 10), value))) {
          if (r === "OK") stored++;
          else refusal ??= r;
        }
      }
      if (refusal === null) t.fail({ message: `${persistent.length} keys of ${value.length} bytes were all accepted with maxmemory 1000000 bytes above the starting used_memory.`, hint: "When no key has a TTL, volatile-ttl has nothing to evict: refuse denyoom commands with the OOM error." });
      if (!(refusal instanceof Error) || refusal.message !== OOM) {
        t.fail({ message: "With nothing left to evict, a write should be refused with Redis's OOM error.", expected: `(error) ${OOM}`, received: show(refusal as never), hint: `When eviction cannot free enough memory, reply "-${OOM}" to commands flagged denyoom.` });
      }
      const lostVolatile = await missingKeys(p, volatile);
      if (lostVolatile.length !== volatile.length) {
        t.fail({ message: `Writes were refused while ${volatile.length - lostVolatile.length} keys with a TTL could still have been evicted.`, hint: "Refuse a write only when no key with a TTL is left to evict." });
      }
      const evicted = await evictedKeys(p);
      if (evicted !== volatile.length) t.fail({ message: "evicted_keys should count the evicted keys with a TTL.", expected: `evicted_keys:${volatile.length}`, received: `evicted_keys:${evicted}`, hint: "Add one to evicted_keys for each key evicted." });
      const lost = (await missingKeys(p, persistent.slice(0, stored + 10))).length - 10;
      if (lost > 0) t.fail({ message: `${lost} keys without a TTL disappeared.`, hint: ONLY_VOLATILE });
    },
  },
]);
