import { stage } from "../../../harness/stage/define.ts";
import { type Command } from "../keyspace/pipeline.ts";
import { checkEvictedCount, keyNames, missingKeys, sets, startLimited } from "./memory.ts";

const FREQUENT_SURVIVES = "allkeys-lfu evicts the key used least often, not the one used least recently: keep an access counter per key (Redis: a logarithmic counter that starts at 5 for a new key, so a key read a hundred times has a higher count than any key never read) and evict the key with the lowest count.";

export default stage(import.meta, [
  {
    name: "keys read often long ago survive a stream of newer keys that are written once and never read",
    timeout: 20,
    async run(t) {
      const { p, value } = await startLimited(t, "allkeys-lfu");
      const frequent = keyNames(t, "frequent", 20);
      const once = keyNames(t, "once", 1300);
      await p.run(sets(frequent, value));
      t.log.note(`reading each of the ${frequent.length} frequent keys 100 times`);
      const reads: Command[] = [];
      for (let i = 0; i < 100; i++) for (const k of frequent) reads.push(["GET", k]);
      for (let i = 0; i < reads.length; i += 100) await p.run(reads.slice(i, i + 100));
      t.log.note(`writing ${once.length} keys that are never read, 20 at a time, without touching the frequent keys again: memory runs out`);
      for (let i = 0; i < once.length; i += 20) await p.run(sets(once.slice(i, i + 20), value));
      const lost = await missingKeys(p, frequent);
      if (lost.length > 0) {
        t.fail({ message: `${lost.length} of the ${frequent.length} keys read 100 times each were evicted in favour of newer keys that were never read.`, received: `evicted: ${lost.slice(0, 5).join(", ")}`, hint: FREQUENT_SURVIVES });
      }
      await checkEvictedCount(t, p, frequent.length + once.length);
    },
  },
]);
