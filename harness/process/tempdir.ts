import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ownerDead, processStartTime } from "./proc.ts";
import { onEmergency } from "./reaper.ts";

/**
 * Temporary directories: `syscraft-<label>-o<owner pid>.<owner start time>-XXXXXX`
 * in the system's temp dir. Each is removed when its case ends, and by the
 * emergency clean-up (signals, exit); one left by a test process killed
 * outright is removed by the next run (its owner is dead).
 */
const live = new Set<string>();
const OWNED = /^syscraft-.*-o(\d+)\.(\d+)-[A-Za-z0-9]{6}$/;
let swept = false;

export function makeTempDir(label: string): string {
  if (!swept) sweepTempDirs();
  const owner = `o${process.pid}.${processStartTime(process.pid) ?? 0}`;
  const dir = mkdtempSync(join(tmpdir(), `syscraft-${label.replace(/[^a-z0-9-]/gi, "-")}-${owner}-`));
  live.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Removes the temp dirs whose owner is dead; returns them. */
export function sweepTempDirs(): string[] {
  swept = true;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = OWNED.exec(name);
    if (!m || !ownerDead(Number(m[1]), Number(m[2]))) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

// Also on Ctrl-C/SIGTERM/SIGHUP and at exit, whatever the case was doing.
onEmergency(() => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
});
