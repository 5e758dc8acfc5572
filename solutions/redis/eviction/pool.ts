// Redis's eviction pool (evict.c, evictionPoolPopulate): the best 16
// candidates seen so far, kept across evictions and ordered by "idle" score
// (higher = better to evict). Each eviction samples `maxmemory-samples` keys,
// offers them to the pool, and evicts the best candidate still present.

export const EVPOOL_SIZE = 16;

interface Candidate {
  key: string;
  idle: number;
}

export class EvictionPool {
  /** Ascending by idle: the best candidate is last. */
  private readonly entries: Candidate[] = [];

  offer(key: string, idle: number): void {
    const at = this.entries.findIndex((c) => c.key === key);
    if (at >= 0) this.entries.splice(at, 1);
    let k = 0;
    while (k < this.entries.length && this.entries[k]!.idle < idle) k++;
    if (k === 0 && this.entries.length >= EVPOOL_SIZE) return; // worse than everything kept
    this.entries.splice(k, 0, { key, idle });
    if (this.entries.length > EVPOOL_SIZE) this.entries.shift();
  }

  /** Removes and returns the best candidate for which `stillValid` holds. */
  take(stillValid: (key: string) => boolean): string | undefined {
    while (this.entries.length > 0) {
      const { key } = this.entries.pop()!;
      if (stillValid(key)) return key;
    }
    return undefined;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
