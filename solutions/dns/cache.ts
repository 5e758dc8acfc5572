/**
 * The resolver's cache: answers by question, kept for their TTL and served
 * with the TTLs counted down (RFC 1035 §7.4, RFC 2181 §5.2); negative
 * answers kept for the SOA's negative TTL (RFC 2308 §5); at most
 * `maxEntries`, the least recently used dropped first.
 */
import { RCODE, TYPE, type Question, type ResourceRecord } from "./message.ts";
import { nameKey } from "./wire.ts";

export interface CachedAnswer {
  rcode: number;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

interface Entry {
  answer: CachedAnswer;
  storedAt: number;
  /** Seconds the entry may be served. */
  ttl: number;
}

export function cacheKey(q: Question): string {
  return `${nameKey(q.name)}|${q.type}|${q.class}`;
}

/** How long an answer may be cached, in seconds: 0 when it must not be. */
export function cacheTtl(a: CachedAnswer): number {
  const negative = a.rcode === RCODE.NXDOMAIN || (a.rcode === RCODE.NOERROR && a.answers.length === 0);
  if (negative) {
    // RFC 2308 §5: the negative TTL is min(SOA TTL, SOA MINIMUM); without an SOA, do not cache.
    const soa = a.authority.find((rr) => rr.type === TYPE.SOA);
    return soa && "minimum" in soa.data ? Math.min(soa.ttl, soa.data.minimum) : 0;
  }
  if (a.rcode !== RCODE.NOERROR) return 0;
  return Math.min(...a.answers.map((rr) => rr.ttl));
}

export class Cache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** What an answer is stored under: its question, name case-insensitively (a broken fixture changes this). */
  protected key(q: Question): string {
    return cacheKey(q);
  }

  /** How long an answer is kept (a broken fixture changes this). */
  protected ttlOf(answer: CachedAnswer): number {
    return cacheTtl(answer);
  }

  /** A record as served after `elapsed` seconds in the cache. */
  protected aged(rr: ResourceRecord, elapsed: number): ResourceRecord {
    return { ...rr, ttl: Math.max(0, rr.ttl - elapsed) };
  }

  put(q: Question, answer: CachedAnswer): void {
    const ttl = this.ttlOf(answer);
    if (ttl <= 0 || this.maxEntries <= 0) return;
    const key = this.key(q);
    this.entries.delete(key);
    this.entries.set(key, { answer, storedAt: this.now(), ttl });
    // Map keeps insertion order: the first key is the least recently used.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The cached answer with every TTL lowered by the seconds it has spent in the cache, or undefined once expired. */
  get(q: Question): CachedAnswer | undefined {
    const key = this.key(q);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const elapsed = Math.floor((this.now() - entry.storedAt) / 1000);
    if (elapsed >= entry.ttl) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    const age = (records: ResourceRecord[]) => records.map((rr) => this.aged(rr, elapsed));
    const a = entry.answer;
    return { rcode: a.rcode, answers: age(a.answers), authority: age(a.authority), additional: age(a.additional) };
  }
}
