import { stage } from "../../../harness/stage/define.ts";
import { type Command } from "../keyspace/pipeline.ts";
import { checkEvictedCount, keyNames, missingKeys, sets, startLimited } from "./memory.ts";

const HOT_SURVIVES = "allkeys-lru evicts the key that was used least recently: record the time of every read and write of a key (Redis keeps a clock in each key), and evict the key with the oldest time (Redis samples maxmemory-samples keys and evicts the oldest of them; with 10 samples the keys just read are never chosen while older keys remain).";

export default stage(import.meta, [
  {
    name: "keys read all the time survive while older keys are evicted to make room, and evicted_keys counts them",
    timeout: 20,
    async run(t) {
      const budget = 1_000_000;
      const { p, max, value } = await startLimited(t, "allkeys-lru", budget);
      const old = keyNames(t, "old", 700);
      const hot = keyNames(t, "hot", 20);
      const fresh = keyNames(t, "new", 500);
      t.log.note(`writing ${old.length} keys of ${value.length} bytes that will not be read again`);
      for (let i = 0; i < old.length; i += 50) await p.run(sets(old.slice(i, i + 50), value));
      // Redis's LRU clock counts seconds: let it tick so the old keys are older than everything after.
      t.log.note("waiting 1.2 s so that those keys are clearly the least recently used");
      await Bun.sleep(1200);
      await p.run(sets(hot, value));
      t.log.note(`writing ${fresh.length} new keys, 10 at a time, reading the ${hot.length} hot keys before each batch: memory runs out and keys must be evicted`);
      for (let i = 0; i < fresh.length; i += 10) {
        const batch: Command[] = [...hot.map((k) => ["GET", k]), ...sets(fresh.slice(i, i + 10), value)];
        await p.run(batch);
      }
      const lostHot = await missingKeys(p, hot);
      if (lostHot.length > 0) {
        t.fail({ message: `${lostHot.length} of the ${hot.length} keys read before every write were evicted, while ${old.length} keys untouched for over a second were available.`, received: `evicted: ${lostHot.slice(0, 5).join(", ")}`, hint: HOT_SURVIVES });
      }
      const lostRecent = await missingKeys(p, fresh.slice(-10));
      if (lostRecent.length > 0) t.fail({ message: "The keys written last were evicted although older keys were available.", received: `evicted: ${lostRecent.join(", ")}`, hint: HOT_SURVIVES });
      await checkEvictedCount(t, p, old.length + hot.length + fresh.length);
      const used = await p.infoNumber("memory", "used_memory");
      if (used > max + 50_000 || used < max - 200_000) {
        t.fail({ message: "After evicting, used_memory should be just under maxmemory.", expected: `about ${max}`, received: `used_memory:${used}`, hint: "Evict only until used memory is at or below maxmemory again, and keep used_memory up to date as keys are added and evicted." });
      }
    },
  },
]);
