/**
 * Choosing an upstream address from a pool: round-robin, least connections
 * (fewest requests in flight), or consistent hashing of a key (Karger et al.
 * 1997): every address owns many points on a ring of 32-bit hashes; a key
 * goes to the first point at or after its hash. Adding an address takes over
 * only the keys that now land on its points (about 1/n of them); every other
 * key keeps its upstream.
 */
import { createHash } from "node:crypto";
import type { Pool } from "./config.ts";

/** Points on the ring per address: enough for an even spread (ketama uses 160). */
const POINTS_PER_ADDRESS = 160;

export function hash32(s: string): number {
  return createHash("md5").update(s).digest().readUInt32BE(0);
}

export interface BalanceOptions {
  /** Fixture switch: hash the key modulo the number of addresses (most keys move when one is added). */
  moduloHash?: boolean;
  /** Fixture switch: least-conn counts every request ever sent, not those in flight. */
  leastConnCountsTotal?: boolean;
  /** Fixture switch: round-robin never advances (always the first address). */
  roundRobinStuck?: boolean;
  /** Fixture switch: the hash policy ignores its key and takes turns (a key does not stick to its upstream). */
  hashIgnoresKey?: boolean;
  /** Fixture switch: the ring's points are salted with a random number per process (not deterministic: a restart moves keys). */
  hashRandomSeed?: boolean;
}

export class Balancer {
  private next = 0;
  /** Requests in flight per address. */
  readonly active = new Map<string, number>();
  private ring: { point: number; address: string }[] = [];

  constructor(
    readonly pool: Pool,
    private readonly o: BalanceOptions = {},
  ) {
    const salt = o.hashRandomSeed ? `${Math.random()}/` : "";
    for (const address of pool.addresses) for (let i = 0; i < POINTS_PER_ADDRESS; i++) this.ring.push({ point: hash32(`${salt}${address}-${i}`), address });
    this.ring.sort((a, b) => a.point - b.point);
  }

  /** Picks an address among those `usable` (healthy); `key` for hashing. */
  pick(usable: (address: string) => boolean, key: string): string | undefined {
    const candidates = this.pool.addresses.filter(usable);
    if (candidates.length === 0) return undefined;
    const policy = this.pool.policy;
    if (policy.kind === "hash" && !this.o.hashIgnoresKey) {
      if (this.o.moduloHash) return candidates[hash32(key) % candidates.length];
      const h = hash32(key);
      let lo = 0;
      let hi = this.ring.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.ring[mid]!.point < h) lo = mid + 1;
        else hi = mid;
      }
      for (let i = 0; i < this.ring.length; i++) {
        const { address } = this.ring[(lo + i) % this.ring.length]!;
        if (usable(address)) return address;
      }
      return undefined;
    }
    const start = this.o.roundRobinStuck ? 0 : this.next++;
    if (policy.kind === "round-robin" || policy.kind === "hash") return candidates[start % candidates.length];
    // least-conn: fewest in flight; ties broken in round-robin order.
    let best: string | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const a = candidates[(start + i) % candidates.length]!;
      if (best === undefined || (this.active.get(a) ?? 0) < (this.active.get(best) ?? 0)) best = a;
    }
    return best;
  }

  begin(address: string): void {
    this.active.set(address, (this.active.get(address) ?? 0) + 1);
  }

  end(address: string): void {
    if (this.o.leastConnCountsTotal) return;
    this.active.set(address, (this.active.get(address) ?? 1) - 1);
  }
}
