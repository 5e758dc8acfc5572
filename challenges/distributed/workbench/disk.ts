/**
 * What a node keeps on disk, as the workbench sees it from outside: every file under
 * its directory with a digest of its bytes, so that a phase in which nothing should be
 * written (stage 12: reads) can be compared before and after.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Each file under `dir` (relative path) and a digest of its contents. */
export function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      try {
        if (statSync(path).isDirectory()) walk(path);
        else out.set(relative(dir, path), createHash("sha256").update(readFileSync(path)).digest("hex"));
      } catch {
        // renamed away between the listing and the read: a write, seen in the next listing
        out.set(relative(dir, path), "(changing)");
      }
    }
  };
  walk(dir);
  return out;
}

/** The files created, removed or changed between two listings, as one line each. */
export function filesChanged(before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [f, h] of after) {
    if (!before.has(f)) lines.push(`${f}: created`);
    else if (before.get(f) !== h) lines.push(`${f}: changed`);
  }
  for (const f of before.keys()) if (!after.has(f)) lines.push(`${f}: removed`);
  return lines;
}
