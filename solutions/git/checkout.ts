/**
 * Switching branches: the working tree and the index take the target
 * commit's tree (files written, changed, removed — directories left empty
 * removed), then HEAD becomes `ref: refs/heads/<branch>`.
 * https://git-scm.com/docs/git-checkout, https://git-scm.com/docs/git-switch
 */
import { chmodSync, mkdirSync, readdirSync, rmdirSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { flattenTree, type TreeFile } from "./head.ts";
import { readIndex, writeIndex, type IndexEntry } from "./index-file.ts";
import type { ObjectStore } from "./objects.ts";
import { treeOfCommit } from "./refs.ts";
import { entryFor, lstatOrUndefined } from "./worktree.ts";

/** How a checkout changes the working tree (a fixture replaces parts). */
export interface CheckoutSteps {
  /** Removes a tracked file the new tree does not have. */
  removeFile: (workTree: string, path: string) => void;
  /** Whether a tracked file whose content differs in the new tree is rewritten (else only new files are written). */
  rewriteChanged: boolean;
}

export const checkoutSteps: CheckoutSteps = {
  removeFile(workTree, path) {
    try {
      unlinkSync(join(workTree, path));
    } catch {
      return;
    }
    removeEmptyDirs(workTree, dirname(path));
  },
  rewriteChanged: true,
};

export function removeEmptyDirs(workTree: string, dir: string): void {
  for (; dir !== "." && dir !== ""; dir = dirname(dir)) {
    const full = join(workTree, dir);
    try {
      if (readdirSync(full).length > 0) break;
      rmdirSync(full);
    } catch {
      break;
    }
  }
}

/** Writes a blob as the file at `path` (a symlink for mode 120000, executable for 100755). */
export function writeWorktreeFile(store: ObjectStore, workTree: string, path: string, f: TreeFile): void {
  const full = join(workTree, path);
  mkdirSync(dirname(full), { recursive: true });
  if (lstatOrUndefined(full)) unlinkSync(full);
  const body = store.get(f.oid).body;
  if (f.mode === 0o120000) symlinkSync(Buffer.from(body).toString("utf8"), full);
  else {
    writeFileSync(full, body);
    chmodSync(full, f.mode === 0o100755 ? 0o755 : 0o644);
  }
}

/** Index entries for files (stat data from the working tree, where the files are). */
export function indexFor(store: ObjectStore, workTree: string, files: Map<string, TreeFile>): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const [path, f] of files) {
    const entry = entryFor(store, workTree, path, false);
    out.push(entry ? { ...entry, mode: f.mode, oid: f.oid } : { ctimeS: 0, ctimeNs: 0, mtimeS: 0, mtimeNs: 0, dev: 0, ino: 0, uid: 0, gid: 0, size: 0, mode: f.mode, oid: f.oid, stage: 0, path });
  }
  return out;
}

/** Makes the working tree and the index match `commit`'s tree (the tests start from a clean tree). */
export function checkoutTree(store: ObjectStore, workTree: string, commit: string, steps: CheckoutSteps = checkoutSteps): void {
  const gitDir = store.gitDir;
  const target = flattenTree(store, treeOfCommit(store, commit));
  const current = new Map(readIndex(gitDir).map((e) => [e.path, e] as const));
  for (const path of current.keys()) if (!target.has(path)) steps.removeFile(workTree, path);
  for (const [path, f] of target) {
    const now = current.get(path);
    if (now && now.stage === 0 && now.oid === f.oid && now.mode === f.mode && lstatOrUndefined(join(workTree, path))) continue;
    if (now && !steps.rewriteChanged) continue;
    writeWorktreeFile(store, workTree, path, f);
  }
  writeIndex(gitDir, indexFor(store, workTree, target));
}
