/**
 * Claims of numbered resources (ports, network slots) shared by every test
 * process on the machine. A claim is a lock directory `<root>/<name>` created
 * atomically (mkdir fails if it exists) that records the owner's pid; a lock
 * whose owner is dead is reclaimed. The root is shared by every user (mode
 * 1777 with the sticky bit, like /tmp).
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "./proc.ts";

/** Makes the lock root, open to every user. */
export function ensureLockRoot(root: string): void {
  mkdirSync(root, { recursive: true });
  try {
    if ((statSync(root).mode & 0o7777) !== 0o1777) chmodSync(root, 0o1777);
  } catch {
    // made by another user: theirs to open up
  }
}

/** The pid recorded in a lock, or undefined while it is being created (or if it is gone). */
function lockOwner(root: string, name: string): number | undefined {
  try {
    const owner = Number(readFileSync(join(root, name, "pid"), "utf8"));
    return Number.isFinite(owner) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Claims `<root>/<name>` for this process; false if a live process (or one creating it right now) holds it. */
export function claimLock(root: string, name: string): boolean {
  const dir = join(root, name);
  try {
    mkdirSync(dir);
  } catch {
    // Taken: reclaim only if its owner is dead.
    const owner = lockOwner(root, name);
    if (owner === undefined || processAlive(owner)) return false;
    rmSync(dir, { recursive: true, force: true });
    try {
      mkdirSync(dir);
    } catch {
      return false;
    }
  }
  writeFileSync(join(dir, "pid"), String(process.pid));
  return true;
}

export function releaseLock(root: string, name: string): void {
  rmSync(join(root, name), { recursive: true, force: true });
}

/** Removes the locks under `root` whose owner is no longer running. */
export function sweepDeadLocks(root: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return; // none yet
  }
  for (const name of names) {
    const owner = lockOwner(root, name);
    if (owner !== undefined && !processAlive(owner)) releaseLock(root, name);
  }
}
