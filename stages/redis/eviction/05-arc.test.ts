import { stage } from "../../../harness/stage/define.ts";
import { type Command } from "../keyspace/pipeline.ts";
import { checkEvictedCount, keyNames, missingKeys, sets, startLimited } from "./memory.ts";

const SCAN_RESISTANT = "allkeys-arc keeps keys seen once (T1) apart from keys seen at least twice (T2), and evicts from T1 while T1 is larger than its adaptive target p (0 at the start). A one-time scan only fills T1, so it evicts its own keys and never the frequently used keys in T2; plain LRU would flush them.";

export default stage(import.meta, [
  {
    name: "a one-time scan of many cold keys does not flush the frequently used keys",
    timeout: 20,
    async run(t) {
      const budget = 1_000_000;
      const { p, value } = await startLimited(t, "allkeys-arc", budget);
      const hot = keyNames(t, "hot", 50);
      const scan = keyNames(t, "scan", 3000);
      await p.run(sets(hot, value));
      t.log.note(`reading each of the ${hot.length} hot keys twice`);
      const reads: Command[] = [...hot, ...hot].map((k) => ["GET", k]);
      await p.run(reads);
      t.log.note(`writing ${scan.length} keys once each (three times what fits), 50 at a time, without touching the hot keys`);
      for (let i = 0; i < scan.length; i += 50) await p.run(sets(scan.slice(i, i + 50), value));
      const lost = await missingKeys(p, hot);
      if (lost.length > 0) {
        t.fail({ message: `${lost.length} of the ${hot.length} keys read twice were evicted by a one-time scan of ${scan.length} keys that were never read.`, received: `evicted: ${lost.slice(0, 5).join(", ")}`, hint: SCAN_RESISTANT });
      }
      const lostRecent = await missingKeys(p, scan.slice(-10));
      if (lostRecent.length > 0) t.fail({ message: "The keys written last were evicted: T1 is an LRU list, its least recently used key goes first.", received: `evicted: ${lostRecent.join(", ")}`, hint: SCAN_RESISTANT });
      await checkEvictedCount(t, p, hot.length + scan.length);
      const policy = (await p.info("memory")).get("maxmemory_policy");
      if (policy !== "allkeys-arc") t.fail({ message: "INFO memory should report the policy.", expected: "maxmemory_policy:allkeys-arc", received: `maxmemory_policy:${policy}` });
    },
  },
  {
    name: "keys written again soon after their eviction are remembered in a ghost list and kept like frequent keys",
    timeout: 20,
    async run(t) {
      const { p, value } = await startLimited(t, "allkeys-arc");
      const hot = keyNames(t, "hot", 50);
      await p.run(sets(hot, value));
      await p.run([...hot, ...hot].map((k) => ["GET", k]));
      const wave = keyNames(t, "wave", 1500);
      t.log.note(`${hot.length} hot keys read twice (T2); then ${wave.length} keys written once (more than fits): evicted from T1, the latest remembered in the ghost list B1`);
      for (let i = 0; i < wave.length; i += 50) await p.run(sets(wave.slice(i, i + 50), value));
      const gone = await missingKeys(p, wave);
      if (gone.length === 0) t.fail({ message: `All ${wave.length} keys are still there: memory went over maxmemory, so some must have been evicted.`, hint: "Before each command, while used memory is above maxmemory, evict keys by the policy." });
      const back = gone.slice(-10);
      t.log.note(`writing again the ${back.length} keys evicted last: found in B1, they go to T2 (and p grows)`);
      await p.run(sets(back, value));
      const second = keyNames(t, "second", 1500);
      t.log.note(`writing ${second.length} new keys once (more than fits): a second scan`);
      for (let i = 0; i < second.length; i += 50) await p.run(sets(second.slice(i, i + 50), value));
      const lost = await missingKeys(p, back);
      if (lost.length > 0) {
        t.fail({ message: `${lost.length} of the ${back.length} keys written again right after their eviction were evicted by a second one-time scan.`, received: `evicted: ${lost.slice(0, 5).join(", ")}`, hint: "Remember evicted keys (without values) in ghost lists B1 and B2: a key stored again while in B1 or B2 has been used twice in a short time, so it goes to T2, the frequency side (and p adapts)." });
      }
      const lostHot = await missingKeys(p, hot);
      if (lostHot.length > 0) t.fail({ message: `${lostHot.length} of the ${hot.length} hot keys were flushed by the scans.`, hint: SCAN_RESISTANT });
    },
  },
]);
