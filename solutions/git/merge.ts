/**
 * `git merge <branch>`: nothing to do when the branch is already merged, a
 * fast-forward when HEAD is behind it, else a three-way merge from the
 * merge base — path by path, then line by line for a file both sides
 * changed. A clean merge commits with two parents; a conflict leaves
 * markers in the file, stages 1/2/3 in the index and MERGE_HEAD.
 * https://git-scm.com/docs/git-merge, https://git-scm.com/docs/git-merge-base
 */
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkoutTree, indexFor, removeEmptyDirs, writeWorktreeFile } from "./checkout.ts";
import { encodeCommit } from "./commit.ts";
import { splitLines } from "./diff.ts";
import { flattenTree, type TreeFile } from "./head.ts";
import { writeIndex, type IndexEntry } from "./index-file.ts";
import { myersDiff, type Change } from "./myers.ts";
import type { ObjectStore } from "./objects.ts";
import { currentBranch, parentsOf, treeOfCommit, writeRef } from "./refs.ts";
import { writeTreeFromIndex } from "./tree.ts";

/** Every commit reachable from `start` (itself included). */
function ancestors(store: ObjectStore, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const todo = [start];
  while (todo.length > 0) for (const p of parentsOf(store, todo.pop()!)) if (!seen.has(p)) seen.add(p), todo.push(p);
  return seen;
}

/** The best common ancestor: a common ancestor no other common ancestor descends from. */
export function mergeBase(store: ObjectStore, a: string, b: string): string | undefined {
  const ofA = ancestors(store, a);
  const common = [...ancestors(store, b)].filter((c) => ofA.has(c));
  const below = new Set<string>();
  for (const c of common) for (const p of ancestors(store, c)) if (p !== c) below.add(p);
  return common.find((c) => !below.has(c));
}

/** How conflicts are written (a fixture replaces it). */
export interface MergeSteps {
  /** The lines of a conflict: ours and theirs between markers. */
  conflict: (ours: string[], theirs: string[], theirName: string) => string[];
  /** The merge commit's parents. */
  parents: (head: string, other: string) => string[];
  /** Whether changes that touch (one ends where the other starts) are one block: a conflict when both sides differ. */
  touchingConflicts: boolean;
  /** The merge base of two commits. */
  base: (store: ObjectStore, a: string, b: string) => string | undefined;
  /** A branch already merged changes nothing (else it is merged like any other). */
  upToDate: boolean;
  /** How a fast-forward ends: the current branch moved ("branch"), HEAD itself set to the id ("detach"), or a merge commit made ("commit"). */
  fastForward: "branch" | "detach" | "commit";
  /** A fast-forward checks out the branch's tree (else only the ref moves). */
  fastForwardCheckout: boolean;
  /** A path one side deleted and the other left as in the base is deleted (else kept). */
  deletions: boolean;
  /** Files both sides changed are merged line by line (else every one is a conflict). */
  lineMerge: boolean;
  /** Both sides making the same change is no conflict (else it is one). */
  sameChangeClean: boolean;
  /** The merge commit's message. */
  message: (name: string, branch: string | undefined) => string;
  /** A clean merge moves the current branch to its commit. */
  moveBranch: boolean;
  /** A merge with conflicts makes no commit (else it commits the tree of the cleanly merged paths). */
  noCommitOnConflict: boolean;
  /** With conflicts, the cleanly merged paths still reach the working tree and the index. */
  cleanPathsOnConflict: boolean;
  /** A deleted file's directories that it leaves empty are removed. */
  emptyDirs: boolean;
}

export const mergeSteps: MergeSteps = {
  touchingConflicts: true,
  conflict: (ours, theirs, name) => ["<<<<<<< HEAD\n", ...ours, "=======\n", ...theirs, `>>>>>>> ${name}\n`],
  parents: (head, other) => [head, other],
  base: (store, a, b) => mergeBase(store, a, b),
  upToDate: true,
  fastForward: "branch",
  fastForwardCheckout: true,
  deletions: true,
  lineMerge: true,
  sameChangeClean: true,
  message: (name, branch) => `Merge branch '${name}'${branch && branch !== "master" && branch !== "main" ? ` into ${branch}` : ""}`,
  moveBranch: true,
  noCommitOnConflict: true,
  cleanPathsOnConflict: true,
  emptyDirs: true,
};

/** The lines one side has for base[lo, hi): `inBlock` are its changes there, the others (before and after) only shift positions. */
function sideOf(side: string[], changes: Change[], inBlock: Change[], lo: number, hi: number): string[] {
  const delta = (cs: Change[]) => cs.reduce((n, c) => n + c.ins - c.del, 0);
  const start = lo + delta(changes.filter((c) => !inBlock.includes(c) && c.a0 < lo));
  return side.slice(start, start + (hi - lo) + delta(inBlock));
}

/** A three-way merge of lines; `conflicts` counts the conflicted blocks. */
export function mergeLines(base: string[], ours: string[], theirs: string[], theirName: string, steps: MergeSteps = mergeSteps): { lines: string[]; conflicts: number } {
  const co = myersDiff(base, ours).map((c) => ({ ...c, side: 0 }));
  const ct = myersDiff(base, theirs).map((c) => ({ ...c, side: 1 }));

  const all = [...co, ...ct].sort((x, y) => x.a0 - y.a0 || x.side - y.side);
  const out: string[] = [];
  let at = 0;
  let conflicts = 0;
  let i = 0;
  while (i < all.length) {
    // A block: changes that overlap or touch (git's xdiff merges unless one ends strictly before the next starts).
    const lo = all[i]!.a0;
    let hi = all[i]!.a0 + all[i]!.del;
    let j = i + 1;
    while (j < all.length && (all[j]!.a0 < hi || (steps.touchingConflicts && all[j]!.a0 === hi))) {
      hi = Math.max(hi, all[j]!.a0 + all[j]!.del);
      j++;
    }
    const block = all.slice(i, j);
    out.push(...base.slice(at, lo));
    const mine = block.filter((c) => c.side === 0);
    const their = block.filter((c) => c.side === 1);
    const oursText = sideOf(ours, co, mine, lo, hi);
    const theirsText = sideOf(theirs, ct, their, lo, hi);
    if (their.length === 0) out.push(...oursText);
    else if (mine.length === 0) out.push(...theirsText);
    else if (oursText.join("") === theirsText.join("")) out.push(...oursText);
    else {
      // Lines both sides share at the ends of the block are not part of the conflict.
      let pre = 0;
      while (pre < oursText.length && pre < theirsText.length && oursText[pre] === theirsText[pre]) pre++;
      let post = 0;
      while (post < oursText.length - pre && post < theirsText.length - pre && oursText[oursText.length - 1 - post] === theirsText[theirsText.length - 1 - post]) post++;
      out.push(...oursText.slice(0, pre));
      out.push(...steps.conflict(oursText.slice(pre, oursText.length - post), theirsText.slice(pre, theirsText.length - post), theirName));
      out.push(...oursText.slice(oursText.length - post));
      conflicts++;
    }
    at = hi;
    i = j;
  }
  out.push(...base.slice(at));
  return { lines: out, conflicts };
}

const sameFile = (a: TreeFile | undefined, b: TreeFile | undefined) => a?.mode === b?.mode && a?.oid === b?.oid;

export interface MergeResult {
  /** What the command prints. */
  output: string;
  /** 0 when merged (or nothing to do), 1 on conflicts. */
  code: number;
}

export function merge(store: ObjectStore, workTree: string, head: string, other: string, name: string, identity: (role: "AUTHOR" | "COMMITTER") => string, steps: MergeSteps = mergeSteps): MergeResult {
  const gitDir = store.gitDir;
  const branch = currentBranch(gitDir);
  const moveHead = (oid: string) => writeRef(gitDir, branch ? `refs/heads/${branch}` : "HEAD", oid);
  const base = steps.base(store, head, other);
  if (base === other && steps.upToDate) return { output: "Already up to date.\n", code: 0 };
  writeFileSync(join(gitDir, "ORIG_HEAD"), `${head}\n`);
  if (base === head && steps.fastForward !== "commit") {
    if (steps.fastForwardCheckout) checkoutTree(store, workTree, other);
    if (steps.fastForward === "detach") writeFileSync(join(gitDir, "HEAD"), `${other}\n`);
    else moveHead(other);
    return { output: `Updating ${head.slice(0, 7)}..${other.slice(0, 7)}\nFast-forward\n`, code: 0 };
  }
  const files = (c: string | undefined) => (c === undefined ? new Map<string, TreeFile>() : flattenTree(store, treeOfCommit(store, c)));
  const [b, o, t] = [files(base), files(head), files(other)];
  const merged = new Map<string, TreeFile>();
  const conflicted: IndexEntry[] = [];
  const messages: string[] = [];
  /** The working-tree writes of the cleanly merged paths, done once every path is merged. */
  const pending: (() => void)[] = [];
  const paths = [...new Set([...b.keys(), ...o.keys(), ...t.keys()])].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  for (const path of paths) {
    const [fb, fo, ft] = [b.get(path), o.get(path), t.get(path)];
    let result: TreeFile | undefined;
    if (sameFile(fo, ft) && (steps.sameChangeClean || sameFile(fo, fb))) result = fo;
    else if (sameFile(fo, fb)) result = ft ?? (steps.deletions ? undefined : fo);
    else if (sameFile(ft, fb)) result = fo;
    else if (fo && ft) {
      const text = (f: TreeFile | undefined) => (f ? splitLines(store.get(f.oid).body) : []);
      const m = steps.lineMerge && (steps.sameChangeClean || !sameFile(fo, ft)) ? mergeLines(text(fb), text(fo), text(ft), name, steps) : { lines: steps.conflict(text(fo), text(ft), name), conflicts: 1 };
      const mode = fo.mode === fb?.mode ? ft.mode : fo.mode;
      const body = Buffer.from(m.lines.join(""), "latin1");
      if (m.conflicts === 0) result = { mode, oid: store.put("blob", body) };
      else {
        messages.push(`Auto-merging ${path}\nCONFLICT (content): Merge conflict in ${path}\n`);
        const stat = { ctimeS: 0, ctimeNs: 0, mtimeS: 0, mtimeNs: 0, dev: 0, ino: 0, uid: 0, gid: 0, size: 0, path };
        if (fb) conflicted.push({ ...stat, mode: fb.mode, oid: fb.oid, stage: 1 });
        conflicted.push({ ...stat, mode: fo.mode, oid: fo.oid, stage: 2 }, { ...stat, mode: ft.mode, oid: ft.oid, stage: 3 });
        writeWorktreeFile(store, workTree, path, { mode, oid: store.put("blob", body) });
        continue;
      }
    } else {
      // Changed on one side, deleted on the other: keep the changed version, as a conflict.
      const kept = (fo ?? ft)!;
      messages.push(`CONFLICT (modify/delete): ${path} deleted in one side and modified in the other.\n`);
      const stat = { ctimeS: 0, ctimeNs: 0, mtimeS: 0, mtimeNs: 0, dev: 0, ino: 0, uid: 0, gid: 0, size: 0, path };
      if (fb) conflicted.push({ ...stat, mode: fb.mode, oid: fb.oid, stage: 1 });
      if (fo) conflicted.push({ ...stat, mode: fo.mode, oid: fo.oid, stage: 2 });
      if (ft) conflicted.push({ ...stat, mode: ft.mode, oid: ft.oid, stage: 3 });
      writeWorktreeFile(store, workTree, path, kept);
      continue;
    }
    if (result) merged.set(path, result);
    if (!sameFile(result, fo)) {
      pending.push(() => {
        if (result) writeWorktreeFile(store, workTree, path, result);
        else {
          try {
            unlinkSync(join(workTree, path));
          } catch {
            // already gone
          }
          if (steps.emptyDirs) removeEmptyDirs(workTree, path.split("/").slice(0, -1).join("/"));
        }
      });
    }
  }
  if (conflicted.length === 0 || steps.cleanPathsOnConflict) for (const write of pending) write();
  const message = steps.message(name, branch);
  if (conflicted.length > 0 && steps.noCommitOnConflict) {
    if (!steps.cleanPathsOnConflict) {
      merged.clear();
      for (const [path, f] of o) if (!conflicted.some((e) => e.path === path)) merged.set(path, f);
    }
    writeIndex(gitDir, [...indexFor(store, workTree, merged), ...conflicted]);
    writeFileSync(join(gitDir, "MERGE_HEAD"), `${other}\n`);
    writeFileSync(join(gitDir, "MERGE_MODE"), "");
    const paths = [...new Set(conflicted.map((e) => e.path))];
    writeFileSync(join(gitDir, "MERGE_MSG"), `${message}\n\n# Conflicts:\n${paths.map((p) => `#\t${p}\n`).join("")}`);
    return { output: `${messages.join("")}Automatic merge failed; fix conflicts and then commit the result.\n`, code: 1 };
  }
  const index = indexFor(store, workTree, merged);
  writeIndex(gitDir, index);
  const tree = writeTreeFromIndex(store, index);
  const commit = store.put("commit", encodeCommit({ tree, parents: steps.parents(head, other), author: identity("AUTHOR"), committer: identity("COMMITTER"), messages: [message] }));
  if (steps.moveBranch) moveHead(commit);
  if (conflicted.length > 0) return { output: `${messages.join("")}Automatic merge failed; fix conflicts and then commit the result.\n`, code: 1 };
  return { output: `${messages.join("")}Merge made by the 'ort' strategy.\n`, code: 0 };
}
