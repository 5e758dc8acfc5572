// A stream value (https://redis.io/docs/latest/develop/data-types/streams/):
// an append-only log of entries ordered by ID, plus consumer groups.
//
// An entry ID is two unsigned 64-bit numbers, "<ms>-<seq>"
// (https://redis.io/docs/latest/commands/xadd/#specifying-a-stream-id-as-an-argument).
// Entries are kept in an array sorted by ID (IDs only ever grow, so XADD
// appends); ranges are found by binary search. Each consumer group keeps its
// last delivered ID and a pending entries list (PEL): entries delivered to
// a consumer and not yet acknowledged with XACK.

export const UINT64_MAX = 2n ** 64n - 1n;

export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint;
}

export const MIN_ID: StreamId = { ms: 0n, seq: 0n };
export const MAX_ID: StreamId = { ms: UINT64_MAX, seq: UINT64_MAX };

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** The ID right after `id`, or null if `id` is the largest possible. */
export function nextId(id: StreamId): StreamId | null {
  if (id.seq < UINT64_MAX) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms < UINT64_MAX) return { ms: id.ms + 1n, seq: 0n };
  return null;
}

/** The ID right before `id`, or null if `id` is 0-0. */
export function previousId(id: StreamId): StreamId | null {
  if (id.seq > 0n) return { ms: id.ms, seq: id.seq - 1n };
  if (id.ms > 0n) return { ms: id.ms - 1n, seq: UINT64_MAX };
  return null;
}

export interface StreamEntry {
  readonly id: StreamId;
  /** Field, value, field, value, ... */
  readonly fields: readonly Buffer[];
}

export interface PendingEntry {
  readonly id: StreamId;
  consumer: Consumer;
  /** When it was last delivered (ms since the epoch). */
  deliveredAt: number;
  deliveries: number;
}

export class Consumer {
  /** Its pending entries, by formatted ID. */
  readonly pending = new Map<string, PendingEntry>();
  constructor(
    readonly name: string,
    public seenAt: number,
  ) {}
}

export class ConsumerGroup {
  /** The whole group's pending entries, by formatted ID. */
  readonly pending = new Map<string, PendingEntry>();
  readonly consumers = new Map<string, Consumer>();
  /**
   * How many of the stream's entries the group has read (XINFO GROUPS
   * entries-read, used for its lag), or null when it cannot be known
   * (a group created at an arbitrary ID, or entries deleted ahead of it).
   */
  entriesRead: number | null = null;
  constructor(public lastDelivered: StreamId) {}

  consumer(name: string, now: number): Consumer {
    let c = this.consumers.get(name);
    if (c === undefined) this.consumers.set(name, (c = new Consumer(name, now)));
    return c;
  }

  /** Pending entries (of one consumer, or all) in ID order. */
  pendingInOrder(consumer?: Consumer): PendingEntry[] {
    const list = [...(consumer ?? this).pending.values()];
    return list.sort((a, b) => compareIds(a.id, b.id));
  }

  /** Records `id` as delivered to `consumer` now (moving it from another consumer if needed). */
  deliver(id: StreamId, consumer: Consumer, now: number, countDelivery: boolean): PendingEntry {
    const key = formatId(id);
    let p = this.pending.get(key);
    if (p === undefined) {
      p = { id, consumer, deliveredAt: now, deliveries: 0 };
      this.pending.set(key, p);
    } else if (p.consumer !== consumer) {
      p.consumer.pending.delete(key);
      p.consumer = consumer;
    }
    consumer.pending.set(key, p);
    p.deliveredAt = now;
    if (countDelivery) p.deliveries++;
    return p;
  }

  /** Acknowledges `id`; true if it was pending. */
  ack(id: StreamId): boolean {
    const key = formatId(id);
    const p = this.pending.get(key);
    if (p === undefined) return false;
    this.pending.delete(key);
    p.consumer.pending.delete(key);
    return true;
  }
}

export class Stream {
  private readonly entries: StreamEntry[] = [];
  /** The ID of the last entry ever added (kept when entries are deleted). */
  lastId: StreamId = MIN_ID;
  /** Entries ever added (XINFO entries-added). */
  entriesAdded = 0;
  /** The greatest ID deleted by XDEL (XINFO max-deleted-entry-id; trimming leaves it). */
  maxDeletedId: StreamId = MIN_ID;
  readonly groups = new Map<string, ConsumerGroup>();

  /** Number of entries. */
  get length(): number {
    return this.entries.length;
  }

  get first(): StreamEntry | undefined {
    return this.entries[0];
  }

  get last(): StreamEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  /** Appends an entry; `id` must be greater than lastId. */
  add(id: StreamId, fields: readonly Buffer[]): void {
    this.entries.push({ id, fields });
    this.lastId = id;
    this.entriesAdded++;
  }

  /** Index of the first entry with ID >= `id` (binary search). */
  private lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.entries[mid]!.id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamId): StreamEntry | undefined {
    const e = this.entries[this.lowerBound(id)];
    return e !== undefined && compareIds(e.id, id) === 0 ? e : undefined;
  }

  /** Entries with start <= ID <= end, at most `count` (0 = all), reversed if `rev`. */
  range(start: StreamId, end: StreamId, count = 0, rev = false): StreamEntry[] {
    if (compareIds(start, end) > 0) return [];
    const from = this.lowerBound(start);
    let to = this.lowerBound(end); // first index >= end
    if (to < this.entries.length && compareIds(this.entries[to]!.id, end) === 0) to++;
    const out: StreamEntry[] = [];
    if (rev) {
      for (let i = to - 1; i >= from && (count === 0 || out.length < count); i--) out.push(this.entries[i]!);
    } else {
      for (let i = from; i < to && (count === 0 || out.length < count); i++) out.push(this.entries[i]!);
    }
    return out;
  }

  /** Entries with ID > `after`, at most `count` (0 = all). */
  after(after: StreamId, count = 0): StreamEntry[] {
    const start = nextId(after);
    return start === null ? [] : this.range(start, MAX_ID, count);
  }

  /** Deletes the entry with this ID; true if there was one. */
  delete(id: StreamId): boolean {
    const i = this.lowerBound(id);
    const e = this.entries[i];
    if (e === undefined || compareIds(e.id, id) !== 0) return false;
    this.entries.splice(i, 1);
    if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
    return true;
  }

  /** Removes the oldest entries so at most `maxLen` remain; returns how many were removed. */
  trimToLength(maxLen: number): number {
    return this.removeOldest(Math.max(0, this.entries.length - maxLen));
  }

  /** Removes entries with ID < `minId`; returns how many were removed. */
  trimBelow(minId: StreamId): number {
    return this.removeOldest(this.lowerBound(minId));
  }

  /** Trimming leaves no gap, so unlike XDEL it does not move maxDeletedId (as in Redis 7.0's streamTrim). */
  private removeOldest(n: number): number {
    this.entries.splice(0, n);
    return n;
  }

  /** True if an entry with an ID >= `from` was deleted (a gap that makes counting entries unreliable). */
  hasTombstonesFrom(from: StreamId): boolean {
    if (this.length === 0 || compareIds(this.maxDeletedId, MIN_ID) === 0) return false;
    // Deleted entries all before the first one left no gap.
    if (compareIds(this.first!.id, this.maxDeletedId) > 0) return false;
    return compareIds(from, this.maxDeletedId) <= 0;
  }

  /**
   * How many entries were ever added up to and including `id`, when that can
   * be known without counting (Redis's streamEstimateDistanceFromFirstEverEntry);
   * null otherwise.
   */
  entriesUpTo(id: StreamId): number | null {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && compareIds(id, this.lastId) <= 0) return this.entriesAdded;
    const vsLast = compareIds(id, this.lastId);
    if (vsLast === 0) return this.entriesAdded;
    if (vsLast > 0) return null;
    const first = this.first?.id ?? MIN_ID;
    if (compareIds(this.maxDeletedId, MIN_ID) === 0 || compareIds(this.maxDeletedId, first) < 0) {
      const vsFirst = compareIds(id, first);
      if (vsFirst < 0) return this.entriesAdded - this.length;
      if (vsFirst === 0) return this.entriesAdded - this.length + 1;
    }
    return null;
  }

  /** Entries not yet read by `group` (XINFO GROUPS lag), or null if unknown. */
  lag(group: ConsumerGroup): number | null {
    if (this.entriesAdded === 0) return 0;
    if (group.entriesRead !== null && !this.hasTombstonesFrom(group.lastDelivered)) return this.entriesAdded - group.entriesRead;
    const read = this.entriesUpTo(group.lastDelivered);
    return read === null ? null : this.entriesAdded - read;
  }

  /** Moves `group` past `id` (delivered with XREADGROUP >), keeping its entries-read counter. */
  advance(group: ConsumerGroup, id: StreamId): void {
    if (compareIds(id, group.lastDelivered) <= 0) return;
    if (group.entriesRead !== null && !this.hasTombstonesFrom(id)) group.entriesRead++;
    else if (this.entriesAdded > 0) group.entriesRead = this.entriesUpTo(id);
    group.lastDelivered = id;
  }
}
