// maxmemory and eviction (https://redis.io/docs/latest/develop/reference/eviction/).
//
// Before every command (a server.beforeCommand hook, like Redis's
// processCommand -> performEvictions), if `maxmemory` is set and the
// estimated used memory (memory.ts) is above it, keys are evicted by the
// `maxmemory-policy` until it fits. If it still does not fit (noeviction, or
// no candidate left, e.g. volatile-ttl with no key that has a TTL), commands
// flagged "denyoom" are refused with Redis's OOM error; reads and DEL still
// run. Each evicted key counts in INFO `evicted_keys` and is propagated as DEL.
//
// Policies: noeviction, allkeys-/volatile-lru, allkeys-/volatile-lfu,
// allkeys-/volatile-random, volatile-ttl (as Redis 7.0), and allkeys-arc
// (ours, arc.ts). LRU, LFU and TTL choose like Redis, by sampling: each
// eviction samples `maxmemory-samples` (default 5) keys, offers them to a
// 16-entry eviction pool (pool.ts) scored by idle time (LRU, per-key last
// access in ms — Redis's clock has 1 s resolution), 255 - LFU counter
// (lfu.ts) or -deadline (TTL), and evicts the best candidate. ARC keeps exact
// lists. Access tracking: Keyspace.get and overwrites call the listener below.

import { notifyKeyspaceEvent } from "../notifications.ts";
import { error, type Reply } from "../reply.ts";
import type { Keyspace, KeyAccessListener } from "../keyspace.ts";
import type { ServerState } from "../state.ts";
import { ArcLists } from "./arc.ts";
import { LFU_INIT_VAL, lfuDecayed, lfuMinutes, lfuTouch, type LfuState } from "./lfu.ts";
import { BASE_MEMORY } from "./memory.ts";
import { EvictionPool } from "./pool.ts";

export const OOM_ERROR = error("OOM command not allowed when used memory > 'maxmemory'.");

export const EVICTION_POLICIES = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
  "allkeys-arc",
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

/** Settings eviction reads, with Redis's defaults. */
export const EVICTION_DEFAULTS: ReadonlyArray<readonly [string, string]> = [
  ["maxmemory-samples", "5"],
  ["lfu-log-factor", "10"],
  ["lfu-decay-time", "1"],
];

const DEL = Buffer.from("DEL");

/** Redis's memtoull: "100", "10k" (1000), "10kb" (1024), "5mb", "1gb" ... null if invalid. */
export function parseMemory(text: string): number | null {
  const m = /^(\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(text.trim());
  if (!m) return null;
  const unit = (m[2] ?? "b").toLowerCase();
  const mul: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * mul[unit]!;
}

/** used_memory: the fixed base plus every database's estimate (memory.ts). */
export function usedMemory(state: ServerState): number {
  return BASE_MEMORY + state.databases.reduce((n, db) => n + db.usedBytes, 0);
}

/** The maxmemory setting in bytes (0 = no limit). */
export function maxMemory(state: ServerState): number {
  return parseMemory(state.config.get("maxmemory") ?? "0") ?? 0;
}

interface KeyMeta extends LfuState {
  /** Last access, ms since the epoch (the LRU clock). */
  lru: number;
}

/** Per-key access data for LRU/LFU, and the ARC lists while that policy is on. */
export class AccessTracker implements KeyAccessListener {
  readonly meta = new Map<string, KeyMeta>();
  arc: ArcLists | null = null;
  logFactor = 10;
  decayTime = 1;

  constructor(readonly db: Keyspace) {}

  added(_db: Keyspace, key: string): void {
    const now = this.db.now();
    this.meta.set(key, { lru: now, counter: LFU_INIT_VAL, ldt: lfuMinutes(now) });
    this.arc?.added(key);
  }

  accessed(_db: Keyspace, key: string): void {
    const now = this.db.now();
    const m = this.meta.get(key);
    if (m === undefined) return this.added(this.db, key);
    m.lru = now;
    lfuTouch(m, now, this.logFactor, this.decayTime);
    this.arc?.accessed(key);
  }

  removed(_db: Keyspace, key: string): void {
    this.meta.delete(key);
    this.arc?.removed(key);
  }

  cleared(): void {
    this.meta.clear();
    this.arc?.clear();
  }

  /** Turns the ARC lists on (every current key starts in T1) or off. */
  useArc(on: boolean): void {
    if (on && this.arc === null) {
      this.arc = new ArcLists();
      for (const key of this.meta.keys()) this.arc.added(key);
    } else if (!on) {
      this.arc = null;
    }
  }
}

export class Evictor {
  readonly trackers: AccessTracker[];
  private readonly pool = new EvictionPool();
  private policy: EvictionPolicy = "noeviction";
  /** maxmemory in bytes, and the config version it was read at. */
  private max = 0;
  private configVersion = -1;

  constructor(private readonly state: ServerState) {
    for (const [name, value] of EVICTION_DEFAULTS) if (!state.config.has(name)) state.config.set(name, value);
    this.trackers = state.databases.map((db) => {
      const tracker = new AccessTracker(db);
      db.listener = tracker;
      return tracker;
    });
  }


  /** Re-reads the policy settings when CONFIG SET changed any setting. */
  private refresh(): void {
    const config = this.state.config;
    if (config.version === this.configVersion) return;
    this.configVersion = config.version;
    this.max = maxMemory(this.state);
    const policy = (config.get("maxmemory-policy") ?? "noeviction").toLowerCase() as EvictionPolicy;
    if (policy !== this.policy) this.pool.clear();
    this.policy = EVICTION_POLICIES.includes(policy) ? policy : "noeviction";
    for (const t of this.trackers) {
      t.logFactor = Number(config.get("lfu-log-factor") ?? 10);
      t.decayTime = Number(config.get("lfu-decay-time") ?? 1);
      t.useArc(this.policy === "allkeys-arc");
    }
  }

  /** Evicts until used memory fits maxmemory; false if it still does not fit. */
  performEvictions(): boolean {
    this.refresh();
    const max = this.max;
    if (max === 0) return true;
    while (usedMemory(this.state) > max) {
      if (this.policy === "noeviction") return false;
      if (!this.evictOne()) return false;
    }
    return true;
  }

  private evictOne(): boolean {
    for (let i = 0; i < this.state.databases.length; i++) {
      const db = this.state.databases[i]!;
      // Found by keyspace, not by position: SWAPDB moves keyspaces between positions.
      const key = this.chooseVictim(db, this.trackers.find((t) => t.db === db)!);
      if (key === undefined) continue;
      this.state.propagation.add(db.index, [DEL, Buffer.from(key, "latin1")]);
      if (db.delete(key)) {
        this.state.stats.evictedKeys++;
        notifyKeyspaceEvent(this.state, db.index, "evicted", "evicted", key);
      }
      return true;
    }
    return false;
  }

  private chooseVictim(db: Keyspace, tracker: AccessTracker): string | undefined {
    const policy = this.policy;
    if (policy === "allkeys-arc") {
      for (;;) {
        const key = tracker.arc!.evict();
        if (key === undefined || db.has(key)) return key;
      }
    }
    const volatileOnly = policy.startsWith("volatile-");
    if (policy.endsWith("-random")) return db.fairRandomKey(volatileOnly);
    const samples = Math.max(1, Number(this.state.config.get("maxmemory-samples") ?? 5));
    const now = db.now();
    for (const key of db.sampleKeys(samples, volatileOnly)) {
      const meta = tracker.meta.get(key);
      let idle: number;
      if (policy.endsWith("-ttl")) idle = -(db.getExpire(key) ?? Infinity);
      else if (policy.endsWith("-lfu")) idle = 255 - (meta ? lfuDecayed(meta, now, tracker.decayTime) : LFU_INIT_VAL);
      else idle = now - (meta?.lru ?? now);
      this.pool.offer(key, idle);
    }
    return this.pool.take((key) => db.has(key) && (!volatileOnly || db.getExpire(key) !== undefined));
  }
}

/** Installs eviction on a server: access tracking and the before-command check. */
export function installEviction(state: ServerState): Evictor {
  const evictor = new Evictor(state);
  state.beforeCommand.push((ctx, _argv): Reply | undefined => {
    if (evictor.performEvictions()) return undefined;
    return ctx.command.flags.includes("denyoom") ? OOM_ERROR : undefined;
  });
  // As redis-server, a maxmemory lowered below what is used evicts at once.
  state.configApplied.push((names) => {
    if (names.includes("maxmemory")) evictor.performEvictions();
  });
  return evictor;
}
