// allkeys-arc: our own eviction policy, an Adaptive Replacement Cache
// (Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache",
// FAST 2003, https://www.usenix.org/conference/fast-03/arc-self-tuning-low-overhead-replacement-cache).
// redis-server has no such policy.
//
// Resident keys are in one of two LRU lists (Maps in LRU -> MRU order):
//   T1  keys seen once recently (recency),
//   T2  keys seen at least twice (frequency): a read of a key in T1 or T2, or
//       re-adding a key remembered in a ghost list, moves it to T2's MRU end.
// Evicted keys are remembered, without values, in ghost lists:
//   B1  keys evicted from T1,  B2  keys evicted from T2.
// The target size of T1 is p (0 at start). A new key that is found in B1
// means T1 was too small: p grows by max(1, |B2|/|B1|); found in B2, p
// shrinks by max(1, |B1|/|B2|). Eviction takes T1's LRU key when
// |T1| > p (or T2 is empty), else T2's LRU key.
//
// Redis evicts by memory, not by a fixed number of pages, so the cache size
// c of the paper is the number of resident keys (|T1| + |T2|) at the time;
// ghost lists are trimmed to |T1| + |B1| <= c and |B1| + |B2| <= c.
//
// Why it matters: a one-time scan of many cold keys only passes through T1
// (each key is seen once), so while p is small it evicts the scan's own keys
// and never the frequently used keys in T2 — where plain LRU would flush them.

function touchMru(list: Map<string, true>, key: string): void {
  list.delete(key);
  list.set(key, true);
}

function lruKey(list: Map<string, true>): string | undefined {
  return list.keys().next().value;
}

export class ArcLists {
  readonly t1 = new Map<string, true>();
  readonly t2 = new Map<string, true>();
  readonly b1 = new Map<string, true>();
  readonly b2 = new Map<string, true>();
  /** Target size of T1. */
  p = 0;

  private get capacity(): number {
    return Math.max(1, this.t1.size + this.t2.size);
  }

  /** A key was stored that was not resident. */
  added(key: string): void {
    const c = this.capacity;
    if (this.b1.delete(key)) {
      this.p = Math.min(c, this.p + Math.max(1, this.b2.size / Math.max(1, this.b1.size)));
      this.t2.set(key, true);
    } else if (this.b2.delete(key)) {
      this.p = Math.max(0, this.p - Math.max(1, this.b1.size / Math.max(1, this.b2.size)));
      this.t2.set(key, true);
    } else {
      this.t1.set(key, true);
    }
    this.trimGhosts();
  }

  /** A resident key was read or overwritten: it is now frequent. */
  accessed(key: string): void {
    if (this.t1.delete(key) || this.t2.has(key)) touchMru(this.t2, key);
    else this.added(key);
  }

  /** A resident key was deleted by a command or expired (not remembered). */
  removed(key: string): void {
    this.t1.delete(key);
    this.t2.delete(key);
  }

  clear(): void {
    for (const list of [this.t1, this.t2, this.b1, this.b2]) list.clear();
    this.p = 0;
  }

  /** Chooses the key to evict (ARC's REPLACE) and moves it to its ghost list. */
  evict(): string | undefined {
    let key: string | undefined;
    if (this.t1.size > 0 && (this.t1.size > this.p || this.t2.size === 0)) {
      key = lruKey(this.t1)!;
      this.t1.delete(key);
      this.b1.set(key, true);
    } else {
      key = lruKey(this.t2);
      if (key === undefined) return undefined;
      this.t2.delete(key);
      this.b2.set(key, true);
    }
    this.trimGhosts();
    return key;
  }

  private trimGhosts(): void {
    const c = this.capacity;
    while (this.b1.size > 0 && this.t1.size + this.b1.size > c) this.b1.delete(lruKey(this.b1)!);
    while (this.b2.size > 0 && this.b1.size + this.b2.size > c) this.b2.delete(lruKey(this.b2)!);
  }
}
