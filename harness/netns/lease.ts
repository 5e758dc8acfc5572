/**
 * Network namespaces and address ranges are leased per case, like ports, so
 * that parallel test processes never collide. A lease is a slot number claimed
 * with a lock directory (harness/process/lock-claim.ts, as ports are); the slot
 * gives the case four /24 subnets and its namespace names, which carry a
 * prefix and the owner's pid: `sc<pid>s<slot>-<role>`. The first lease of a
 * run sweeps what killed earlier runs left: namespaces and locks whose owner
 * is dead.
 */
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimLock, ensureLockRoot, releaseLock, sweepDeadLocks } from "../process/lock-claim.ts";
import { processAlive } from "../process/proc.ts";
import { shQuiet } from "./ip.ts";

const LOCK_DIR = join(tmpdir(), "syscraft-netns");
const SLOTS = 1024;
const NETNS_DIR = "/run/netns";
/** `sc<pid>s<slot>-<role>`: every namespace the harness makes. */
const OUR_NAME = /^sc(\d+)s(\d+)-[a-z0-9]+$/;

export interface Lease {
  slot: number;
  /** The namespace name for a role ("a", "h1", "r1"…) in this lease. */
  ns(role: string): string;
  /** The first three octets of subnet i (0–3) of this lease: "10.101.12" for 10.101.12.0/24. */
  subnet(i: number): string;
  release(): void;
}

/** Namespaces named by the harness (any owner), from /run/netns. */
export function harnessNamespaces(): { name: string; pid: number; slot: number }[] {
  let names: string[] = [];
  try {
    names = readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const m = OUR_NAME.exec(name);
    return m ? [{ name, pid: Number(m[1]), slot: Number(m[2]) }] : [];
  });
}

/** Removes the namespaces and slot locks of owners that are no longer running. Returns the namespaces removed. */
export function sweepDeadOwners(): string[] {
  const removed: string[] = [];
  for (const n of harnessNamespaces()) {
    if (processAlive(n.pid)) continue;
    if (shQuiet(["ip", "netns", "del", n.name])) removed.push(n.name);
  }
  sweepDeadLocks(LOCK_DIR);
  return removed;
}

let swept = false;
const held = new Set<number>();

/** Claims a slot: namespace names and four /24 subnets no other test process holds. */
export function leaseSlot(): Lease {
  if (!swept) {
    swept = true;
    sweepDeadOwners();
  }
  ensureLockRoot(LOCK_DIR);
  for (let attempt = 0; attempt < 200; attempt++) {
    const slot = Math.floor(Math.random() * SLOTS);
    if (held.has(slot) || !claimLock(LOCK_DIR, String(slot))) continue;
    held.add(slot);
    const prefix = `sc${process.pid}s${slot}`;
    return {
      slot,
      ns: (role) => `${prefix}-${role}`,
      subnet: (i) => `10.${100 + (slot >> 6)}.${((slot & 63) << 2) + i}`,
      release: () => {
        if (!held.delete(slot)) return;
        releaseLock(LOCK_DIR, String(slot));
      },
    };
  }
  throw new Error(`could not lease a network slot in 0-${SLOTS - 1} after 200 tries (${LOCK_DIR} is full of live owners)`);
}
