// The keyspace of one logical database: keys mapped to typed values, with an
// optional expiry time per key.
//
// Keys are byte strings (one char per byte, see text.ts), so any binary key
// is a valid Map key. Values are a tagged union on `type`; new data types
// (list, hash, set, zset, stream) are added as new members of RedisValue.
//
// Expiry follows "How Redis expires keys"
// (https://redis.io/commands/expire/#how-redis-expires-keys):
//   - passive: every access first checks the key's deadline and deletes the
//     key if it has passed, so an expired key is never observed;
//   - active: ten times a second a cycle looks at 20 keys that have a TTL,
//     deletes the expired ones, and repeats while more than 25% of the
//     sample was expired (bounded to 25 ms), so expired keys are reclaimed
//     even if nobody reads them. Like Redis 6+, the sample is taken by an
//     incremental cursor over the keys with a TTL rather than at random.
// As in Redis, a key is expired once the clock is strictly past its
// deadline (a key whose deadline is "now" is still visible).
//
// Besides the Map of values (insertion order, for KEYS), every key is also in
// a KeyBuckets hash table (buckets.ts) that SCAN iterates with Redis's
// reverse-binary cursor and that RANDOMKEY / eviction sample from; keys with
// a TTL are in a second one for volatile-* eviction sampling. The keyspace
// also keeps the INFO counters keyspace_hits / keyspace_misses (counted by
// get(); has() and internal lookups do not count, like Redis's write lookups),
// an estimate of its memory use (eviction/memory.ts), and tells an optional
// KeyAccessListener (eviction) about keys added, read and removed.

import { KeyBuckets } from "./buckets.ts";
import { keyBytes } from "./eviction/memory.ts";
import type { RedisList } from "./types/list.ts";
import type { SortedSet } from "./types/sorted-set.ts";
import type { Stream } from "./types/stream.ts";

export interface StringValue {
  readonly type: "string";
  data: Buffer;
  /** Changed in place (APPEND, SETRANGE, SETBIT, BITFIELD): OBJECT ENCODING says raw. */
  raw?: boolean;
}

export interface ListValue {
  readonly type: "list";
  data: RedisList;
}

/** Fields and members are byte strings (one char per byte, see text.ts). */
export interface HashValue {
  readonly type: "hash";
  data: Map<string, Buffer>;
}

export interface SetValue {
  readonly type: "set";
  data: Set<string>;
}

export interface SortedSetValue {
  readonly type: "zset";
  data: SortedSet;
}

export interface StreamValue {
  readonly type: "stream";
  data: Stream;
}

/** Everything a key can hold. `type` is what the TYPE command replies. */
export type RedisValue = StringValue | ListValue | HashValue | SetValue | SortedSetValue | StreamValue;

/**
 * What the rest of the server learns about changes to a keyspace (WATCH,
 * blocked clients, the dirty counter, propagation to AOF and replicas).
 */
export interface KeyspaceEvents {
  /** `key` was written, changed in place, had its TTL changed, or was deleted by a command. */
  modified(db: Keyspace, key: string): void;
  /** `key` was deleted because its TTL passed (Redis propagates a DEL). */
  expired(db: Keyspace, key: string): void;
  /** Every key was removed (FLUSHALL / FLUSHDB); `had` tells whether a key was there, expired or not. */
  flushed(db: Keyspace, had: (key: string) => boolean): void;
  /** `key` did not exist and was stored (keyspace notifications' "new"). */
  added?(db: Keyspace, key: string): void;
  /** `key` existed and was replaced by set() (only the notification fixtures listen). */
  overwritten?(db: Keyspace, key: string): void;
}

export type ValueType = RedisValue["type"];

/** What eviction learns about key accesses (LRU clock, LFU counter, ARC lists). */
export interface KeyAccessListener {
  /** A new key was stored. */
  added(db: Keyspace, key: string): void;
  /** An existing key was read (get) or overwritten (set). */
  accessed(db: Keyspace, key: string): void;
  /** A key was deleted, expired or evicted. */
  removed(db: Keyspace, key: string): void;
  /** Every key was removed. */
  cleared(db: Keyspace): void;
}

export interface SetOptions {
  /** Keep the key's current TTL instead of removing it (SET ... KEEPTTL). */
  keepTtl?: boolean;
}

export interface KeyspaceOptions {
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** The database number (SELECT index). */
  index?: number;
}

/** Keys looked at per active expiry round, and the share that triggers another round. */
const ACTIVE_EXPIRE_SAMPLE = 20;
const ACTIVE_EXPIRE_REPEAT_RATIO = 0.25;
/** Default cadence and time budget of the active expiry cycle. */
export const ACTIVE_EXPIRE_INTERVAL_MS = 100;
const ACTIVE_EXPIRE_BUDGET_MS = 25;

export class Keyspace {
  readonly now: () => number;
  /** The database number; SWAPDB exchanges two keyspaces' places and numbers. */
  index: number;
  /** Set by the server state; null for a keyspace on its own (unit tests). */
  events: KeyspaceEvents | null = null;
  protected values = new Map<string, RedisValue>();
  /** Absolute deadline (ms since epoch) of every key that has a TTL. */
  protected readonly expires = new Map<string, number>();
  /** Keys deleted because their TTL passed (passively or actively). */
  expiredKeys = 0;
  /** Lookups by get() that found a key / found none (INFO keyspace_hits / keyspace_misses). */
  hits = 0;
  misses = 0;
  /** Set by eviction; told about every key added, read and removed. */
  listener: KeyAccessListener | null = null;
  /** Every key, for SCAN and random sampling; keys with a TTL also in `volatileKeys`. */
  protected readonly buckets = new KeyBuckets();
  protected readonly volatileKeys = new KeyBuckets();
  /** Estimated bytes per key, the total, and keys whose estimate is out of date. */
  private readonly sizes = new Map<string, number>();
  private readonly staleSizes = new Set<string>();
  private dataBytes = 0;

  private cursor: Iterator<[string, number]> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(options: KeyspaceOptions = {}) {
    this.now = options.clock ?? Date.now;
    this.index = options.index ?? 0;
  }

  /**
   * Tells the server that `key` changed. set/delete/setExpire/removeExpire
   * call it; a command that changes a value in place (LPUSH onto an existing
   * list, HSET on an existing hash) must call it itself.
   */
  touch(key: string): void {
    this.staleSizes.add(key);
    this.events?.modified(this, key);
  }

  /** Drops `key` from the side structures once it left `values`. */
  private forget(key: string): void {
    this.buckets.delete(key);
    this.volatileKeys.delete(key);
    this.staleSizes.add(key);
    this.listener?.removed(this, key);
  }

  private expireNow(key: string): void {
    this.values.delete(key);
    this.expires.delete(key);
    this.forget(key);
    this.expiredKeys++;
    this.events?.expired(this, key);
  }

  /**
   * Estimated bytes used by the keys and values (eviction/memory.ts). Keys
   * changed since the last call are re-estimated now, so a command that
   * changes a value in place is accounted for once, lazily.
   */
  get usedBytes(): number {
    for (const key of this.staleSizes) {
      const value = this.values.get(key);
      const bytes = value === undefined ? 0 : keyBytes(key, value, this.expires.has(key));
      this.dataBytes += bytes - (this.sizes.get(key) ?? 0);
      if (value === undefined) this.sizes.delete(key);
      else this.sizes.set(key, bytes);
    }
    this.staleSizes.clear();
    return this.dataBytes;
  }

  /** Number of keys, counting expired keys not yet reclaimed (like DBSIZE). */
  get size(): number {
    return this.values.size;
  }

  /** Number of keys that have a TTL. */
  get volatileSize(): number {
    return this.expires.size;
  }

  /** Deletes `key` if its deadline has passed. True if it was deleted. */
  expireIfNeeded(key: string): boolean {
    const deadline = this.expires.get(key);
    if (deadline === undefined || deadline >= this.now()) return false;
    this.expireNow(key);
    return true;
  }

  /** The value stored at `key`, or undefined if missing or expired. */
  get(key: string): RedisValue | undefined {
    this.expireIfNeeded(key);
    const value = this.values.get(key);
    if (value === undefined) {
      this.misses++;
    } else {
      this.hits++;
      this.listener?.accessed(this, key);
    }
    return value;
  }

  /** Whether `key` exists (not counted as a hit or miss, not an access). */
  has(key: string): boolean {
    this.expireIfNeeded(key);
    return this.values.has(key);
  }

  /** The value at `key` without counting a hit or an access (TYPE-like peeks, SCAN). */
  peek(key: string): RedisValue | undefined {
    this.expireIfNeeded(key);
    return this.values.get(key);
  }

  /**
   * Stores `value` at `key`, replacing any previous value. Like Redis's
   * setKey(), this removes the key's TTL unless `keepTtl` is given.
   */
  set(key: string, value: RedisValue, options: SetOptions = {}): void {
    const isNew = !this.values.has(key);
    this.values.set(key, value);
    if (!options.keepTtl && this.expires.delete(key)) this.volatileKeys.delete(key);
    if (isNew) {
      this.buckets.add(key);
      this.listener?.added(this, key);
      this.events?.added?.(this, key);
    } else {
      this.listener?.accessed(this, key);
      this.events?.overwritten?.(this, key);
    }
    this.touch(key);
  }

  /** Deletes `key`. True if a live key was deleted. */
  delete(key: string): boolean {
    if (this.expireIfNeeded(key)) return false;
    this.expires.delete(key);
    if (!this.values.delete(key)) return false;
    this.forget(key);
    this.touch(key);
    return true;
  }

  /** Deadline of `key` in ms since the epoch, or undefined if it has none. */
  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  /** Sets the deadline of an existing key (ms since the epoch). */
  setExpire(key: string, deadline: number): void {
    if (!this.values.has(key)) return;
    this.expires.set(key, deadline);
    this.volatileKeys.add(key);
    this.touch(key);
  }

  /** Removes the TTL of `key`. True if it had one. */
  removeExpire(key: string): boolean {
    if (!this.expires.delete(key)) return false;
    this.volatileKeys.delete(key);
    this.touch(key);
    return true;
  }

  /** Live keys, in insertion order. Expired keys are skipped (not deleted). */
  *keys(): Generator<string> {
    const now = this.now();
    for (const key of this.values.keys()) {
      const deadline = this.expires.get(key);
      if (deadline === undefined || deadline >= now) yield key;
    }
  }

  /** Removes every key. */
  clear(): void {
    const old = this.values;
    this.values = new Map();
    this.expires.clear();
    this.buckets.clear();
    this.volatileKeys.clear();
    this.sizes.clear();
    this.staleSizes.clear();
    this.dataBytes = 0;
    this.cursor = null;
    this.listener?.cleared(this);
    this.events?.flushed(this, (key) => old.has(key));
  }

  /** Whether `key` is stored, even if its TTL passed and it was not reclaimed yet (no expiry, no count). */
  holds(key: string): boolean {
    return this.values.has(key);
  }

  /**
   * One SCAN call: visits buckets from `cursor` until at least `count` keys
   * were collected or 10 * count buckets were looked at (as Redis does), and
   * returns the next cursor (0 when the iteration is complete) and the live
   * keys found. See buckets.ts for why no key present throughout is missed.
   */
  scan(cursor: number, count: number): { cursor: number; keys: string[] } {
    const found: string[] = [];
    let next = cursor;
    let budget = count * 10;
    do {
      next = this.buckets.scanStep(next, (key) => found.push(key));
    } while (next !== 0 && budget-- > 0 && found.length < count);
    const now = this.now();
    const keys = found.filter((key) => {
      const deadline = this.expires.get(key);
      return deadline === undefined || deadline >= now;
    });
    return { cursor: next, keys };
  }

  /** A live key chosen at random, or undefined if there is none (RANDOMKEY). */
  randomKey(): string | undefined {
    // Like Redis, retry when the key picked has expired (deleting it).
    for (;;) {
      const key = this.buckets.random();
      if (key === undefined) return undefined;
      if (!this.expireIfNeeded(key)) return key;
    }
  }

  /**
   * A key picked at random for the *-random eviction policies, like Redis's
   * dictGetFairRandomKey: a random one of up to 16 keys sampled together, so
   * that keys late in a bucket's chain are as likely as the first.
   */
  fairRandomKey(volatileOnly: boolean): string | undefined {
    const keys = this.sampleKeys(16, volatileOnly);
    return keys[Math.floor(Math.random() * keys.length)];
  }

  /** Up to `n` keys from the whole keyspace, or only keys with a TTL, for eviction sampling. */
  sampleKeys(n: number, volatileOnly: boolean): string[] {
    return (volatileOnly ? this.volatileKeys : this.buckets).sample(n);
  }

  /**
   * One active expiry cycle: sample keys with a TTL and delete the expired
   * ones, repeating while the sample was mostly expired and time remains.
   * Returns the number of keys deleted.
   */
  activeExpireCycle(budgetMs = ACTIVE_EXPIRE_BUDGET_MS): number {
    const started = performance.now();
    let deleted = 0;
    for (;;) {
      let sampled = 0;
      let expired = 0;
      const now = this.now();
      while (sampled < ACTIVE_EXPIRE_SAMPLE && this.expires.size > 0) {
        this.cursor ??= this.expires.entries();
        const step = this.cursor.next();
        if (step.done) {
          // Wrapped around: start the next scan from the beginning next round.
          this.cursor = null;
          break;
        }
        const [key, deadline] = step.value;
        sampled++;
        if (deadline < now) {
          this.expireNow(key);
          expired++;
        }
      }
      deleted += expired;
      if (sampled === 0 || expired <= sampled * ACTIVE_EXPIRE_REPEAT_RATIO) break;
      if (performance.now() - started >= budgetMs) break;
    }
    return deleted;
  }

  /** Runs activeExpireCycle every `intervalMs` until stopActiveExpiry(). */
  startActiveExpiry(intervalMs = ACTIVE_EXPIRE_INTERVAL_MS): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.activeExpireCycle(), intervalMs);
    this.timer.unref?.();
  }

  stopActiveExpiry(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
