// The keys of a keyspace in a hash table of 2^n buckets, for what a Map
// cannot do: SCAN with a stateless cursor that survives resizing, and
// picking keys at random (RANDOMKEY, eviction sampling).
//
// SCAN guarantee (https://redis.io/docs/latest/commands/scan/#scan-guarantees):
// a full iteration returns every key that was present from its start to its
// end, even if keys are added and deleted (and the table grows or shrinks)
// between calls; a key may be returned more than once.
//
// How it is kept, as in Redis's dictScan (dict.c): the cursor is a bucket
// index, and it is advanced by incrementing its *reversed* bits (the high
// bits of the index count fastest). With a table of size 2^n a key lives in
// bucket hash & (2^n - 1). Visiting buckets in reverse-binary order means
// that when the cursor has reached v, every bucket whose low n bits are
// "before" v in reversed order has been visited, and that set is closed
// under resizing:
//   - growing to 2^(n+1): bucket b splits into b and b + 2^n; both are
//     reached from a cursor with the same low n bits, and the cursor's
//     reversed increment visits the higher bit before moving on, so no key
//     that stayed in the table is skipped;
//   - shrinking to 2^(n-1): buckets b and b + 2^(n-1) merge; the merged
//     bucket may hold keys already returned (so they repeat) but a key not
//     yet returned is in a bucket the cursor has not passed.
// Resizing happens at once (no incremental rehash) and only inside a command,
// so between two SCAN calls the table has one size. The cursor reaches 0
// again exactly when every bucket index has been visited.

const MIN_BUCKETS = 4;
/** Shrink when fewer than one key per 10 buckets (Redis's HASHTABLE_MIN_FILL). */
const MIN_FILL = 10;

/** 32-bit FNV-1a over the key's bytes (one char per byte). */
export function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Reverses the 32 bits of v. */
function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  v = (v >>> 16) | (v << 16);
  return v >>> 0;
}

/** The cursor after `cursor` in a table of mask + 1 buckets: its reversed bits plus one (0 after the last bucket). */
export function nextCursor(cursor: number, mask: number): number {
  let v = (cursor | ~mask) >>> 0;
  v = reverseBits(v);
  v = (v + 1) >>> 0;
  return reverseBits(v);
}

export class KeyBuckets {
  private table: Set<string>[] = KeyBuckets.emptyTable(MIN_BUCKETS);
  private count = 0;

  private static emptyTable(size: number): Set<string>[] {
    return Array.from({ length: size }, () => new Set<string>());
  }

  get size(): number {
    return this.count;
  }

  /** Number of buckets (a power of two). */
  get buckets(): number {
    return this.table.length;
  }

  private bucketOf(key: string): Set<string> {
    return this.table[hash(key) & (this.table.length - 1)]!;
  }

  add(key: string): void {
    const bucket = this.bucketOf(key);
    if (bucket.has(key)) return;
    bucket.add(key);
    this.count++;
    if (this.count > this.table.length) this.resize(this.table.length * 2);
  }

  delete(key: string): boolean {
    if (!this.bucketOf(key).delete(key)) return false;
    this.count--;
    if (this.table.length > MIN_BUCKETS && this.count * MIN_FILL < this.table.length) {
      let size = MIN_BUCKETS;
      while (size < this.count) size *= 2;
      this.resize(size);
    }
    return true;
  }

  clear(): void {
    this.table = KeyBuckets.emptyTable(MIN_BUCKETS);
    this.count = 0;
  }

  private resize(size: number): void {
    const old = this.table;
    this.table = KeyBuckets.emptyTable(size);
    for (const bucket of old) for (const key of bucket) this.bucketOf(key).add(key);
  }

  /**
   * Visits the bucket at `cursor` (its low bits) and returns the next cursor,
   * 0 when the iteration is complete (Redis's dictScan for one table).
   */
  scanStep(cursor: number, visit: (key: string) => void): number {
    const mask = this.table.length - 1;
    for (const key of [...this.table[cursor & mask]!]) visit(key);
    return nextCursor(cursor, mask);
  }

  /** A key chosen at random (uniform over buckets, then within the bucket), or undefined. */
  random(rand: () => number = Math.random): string | undefined {
    if (this.count === 0) return undefined;
    for (;;) {
      const bucket = this.table[Math.floor(rand() * this.table.length)]!;
      if (bucket.size === 0) continue;
      let i = Math.floor(rand() * bucket.size);
      for (const key of bucket) if (i-- === 0) return key;
    }
  }

  /**
   * Up to `n` keys from consecutive buckets starting at a random one, like
   * Redis's dictGetSomeKeys (used by eviction to sample candidates).
   */
  sample(n: number, rand: () => number = Math.random): string[] {
    const out: string[] = [];
    if (this.count === 0) return out;
    const want = Math.min(n, this.count);
    const size = this.table.length;
    let i = Math.floor(rand() * size);
    for (let visited = 0; visited < size && out.length < want; visited++, i = (i + 1) & (size - 1)) {
      for (const key of this.table[i]!) {
        if (out.length >= want) break;
        out.push(key);
      }
    }
    return out;
  }
}
