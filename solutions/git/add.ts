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

/** What add takes in (fixtures replace parts). */
export const addSteps = {
  /** The files and symlinks a path stands for: itself, or everything below a directory, recursively. */
  files: (workTree: string, spec: string): string[] => filesUnder(workTree, spec),
  /** Whether the entries the index already held stay (else add starts from an empty index). */
  keepOthers: true,
};

export function add(store: ObjectStore, workTree: string, index: IndexEntry[], specs: string[]): IndexEntry[] {
  const byPath = new Map<string, IndexEntry[]>();
  if (addSteps.keepOthers) for (const e of index) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);
  for (const spec of specs) {
    const files = addSteps.files(workTree, spec);
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
