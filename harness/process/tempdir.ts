import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onEmergency } from "./reaper.ts";

const live = new Set<string>();

export function makeTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `syscraft-${label.replace(/[^a-z0-9-]/gi, "-")}-`));
  live.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

// Also on Ctrl-C/SIGTERM/SIGHUP and at exit, whatever the case was doing.
onEmergency(() => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
});
