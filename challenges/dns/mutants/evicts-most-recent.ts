// resolver stage: 4
// Reading: "drop an entry first; which one is yours to choose": the newest is dropped (a choice the .md allows).
import { Cache, type CachedAnswer } from "../../../solutions/dns/cache.ts";
import { runMain } from "../../../solutions/dns/main.ts";
import type { Question } from "../../../solutions/dns/message.ts";

class KeepsOldest extends Cache {
  private readonly held = new Set<string>();
  override put(q: Question, answer: CachedAnswer): void {
    const key = `${q.name.join(".").toLowerCase()}|${q.type}`;
    if (!this.held.has(key) && this.held.size >= this.maxEntries) return;
    this.held.add(key);
    super.put(q, answer);
  }
}
await runMain(Bun.argv.slice(2), { cache: (n) => new KeepsOldest(n) });
