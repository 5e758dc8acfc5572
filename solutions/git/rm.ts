/**
 * `git rm [--cached] [-r] [-q] <pathspec>…`: removes the matching entries from
 * the index and, without --cached, their files (and directories left empty).
 * https://git-scm.com/docs/git-rm
 */
import { readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { GitError } from "./objects.ts";
import type { IndexEntry } from "./index-file.ts";
import { matches } from "./pathspec.ts";

export interface RmOptions {
  cached: boolean;
  recursive: boolean;
}

/** How a removed file leaves the working tree, and which paths are refused (fixtures replace them). */
export interface RmSteps {
  removeFile: (workTree: string, path: string, o: RmOptions) => void;
  /** Throws when `spec` may not be removed: it matches no entry, or names a directory without -r. */
  refuse: (spec: string, hits: IndexEntry[], o: RmOptions) => void;
}

export const rmSteps: RmSteps = {
  refuse(spec, hits, o) {
    if (hits.length === 0) throw new GitError(`pathspec '${spec}' did not match any files`);
    if (!o.recursive && hits.some((e) => e.path !== spec)) throw new GitError(`not removing '${spec}' recursively without -r`);
  },
  removeFile(workTree, path, o) {
    if (o.cached) return;
    try {
      unlinkSync(join(workTree, path));
    } catch {
      return; // already gone
    }
    for (let dir = dirname(path); dir !== "."; dir = dirname(dir)) {
      const full = join(workTree, dir);
      if (readdirSync(full).length > 0) break;
      rmdirSync(full);
    }
  },
};

/** Returns the index without the removed entries, and the paths removed (in index order). */
export function rm(workTree: string, index: IndexEntry[], specs: string[], o: RmOptions, steps: RmSteps = rmSteps): { index: IndexEntry[]; removed: string[] } {
  const removed = new Set<string>();
  for (const spec of specs) {
    const hits = index.filter((e) => matches(spec, e.path));
    steps.refuse(spec, hits, o);
    for (const e of hits) removed.add(e.path);
  }
  // In index order, whatever the order of the paths given (git walks the index).
  const inOrder = [...new Set(index.map((e) => e.path))].filter((p) => removed.has(p));
  for (const path of inOrder) steps.removeFile(workTree, path, o);
  return { index: index.filter((e) => !removed.has(e.path)), removed: inOrder };
}
