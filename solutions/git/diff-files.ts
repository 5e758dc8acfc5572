/**
 * Which paths `git diff` compares: the working tree with the index
 * (`diff`), the index with HEAD's tree (`diff --cached`), or two commits'
 * trees (`diff A B`); in path order, byte by byte.
 * https://git-scm.com/docs/git-diff
 */
import { join } from "node:path";
import type { FilePair, Side } from "./diff.ts";
import { flattenTree, headCommit, type TreeFile } from "./head.ts";
import type { IndexEntry } from "./index-file.ts";
import type { ObjectStore } from "./objects.ts";
import { treeOfCommit } from "./refs.ts";
import { entryFor, fileContent, lstatOrUndefined } from "./worktree.ts";

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function stored(store: ObjectStore, f: TreeFile): Side {
  return { mode: f.mode, oid: f.oid, data: () => store.get(f.oid).body };
}

/** Pairs for the paths whose mode or blob differs between two path → file maps. */
export function comparePaths(before: Map<string, Side>, after: Map<string, Side>): FilePair[] {
  const out: FilePair[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort(byBytes)) {
    const o = before.get(path);
    const n = after.get(path);
    if (o && n && o.mode === n.mode && o.oid === n.oid) continue;
    out.push({ path, old: o, new: n });
  }
  return out;
}

export function treeSides(store: ObjectStore, commitish: string | undefined): Map<string, Side> {
  if (commitish === undefined) return new Map();
  return new Map([...flattenTree(store, treeOfCommit(store, commitish))].map(([p, f]) => [p, stored(store, f)] as const));
}

export function indexSides(store: ObjectStore, index: IndexEntry[]): Map<string, Side> {
  return new Map(index.filter((e) => e.stage === 0).map((e) => [e.path, stored(store, e)] as const));
}

/** Which working-tree paths `diff` looks at (a fixture replaces it). */
export const diffFileSteps = {
  /** The paths of the index's stage-0 entries: untracked files are not diffed. */
  worktreePaths: (_workTree: string, index: IndexEntry[]): string[] => index.filter((e) => e.stage === 0).map((e) => e.path),
};

/** The working tree's version of each indexed path (missing files left out). */
export function worktreeSides(store: ObjectStore, workTree: string, index: IndexEntry[]): Map<string, Side> {
  const out = new Map<string, Side>();
  for (const path of diffFileSteps.worktreePaths(workTree, index)) {
    const entry = entryFor(store, workTree, path, false);
    if (entry === undefined) continue;
    const full = join(workTree, path);
    out.set(path, { mode: entry.mode, oid: entry.oid, data: () => fileContent(full, lstatOrUndefined(full)!) });
  }
  return out;
}

export function headSides(store: ObjectStore): Map<string, Side> {
  return treeSides(store, headCommit(store.gitDir));
}
