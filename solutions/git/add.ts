/**
 * `git add <pathspec>…`: every file at or below each path gets a stage-0
 * entry with its current stat data and blob; entries whose files are gone
 * are removed (git 2's default).
 * https://git-scm.com/docs/git-add
 */
import { GitError, type ObjectStore } from "./objects.ts";
import type { IndexEntry } from "./index-file.ts";
import { matches } from "./pathspec.ts";
import { entryFor, filesUnder } from "./worktree.ts";

export function add(store: ObjectStore, workTree: string, index: IndexEntry[], specs: string[]): IndexEntry[] {
  const byPath = new Map<string, IndexEntry[]>();
  for (const e of index) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);
  for (const spec of specs) {
    const files = filesUnder(workTree, spec);
    const tracked = [...byPath.keys()].filter((p) => matches(spec, p));
    if (files.length === 0 && tracked.length === 0) throw new GitError(`pathspec '${spec}' did not match any files`);
    for (const path of tracked) if (!files.includes(path)) byPath.delete(path);
    for (const path of files) {
      const entry = entryFor(store, workTree, path);
      if (entry) byPath.set(path, [entry]);
    }
  }
  return [...byPath.values()].flat();
}
