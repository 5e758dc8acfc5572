/**
 * `git status --porcelain` (format v1): `XY <path>` for each path whose
 * index differs from HEAD (X) or whose working-tree file differs from the
 * index (Y), sorted by path; then `?? <path>` for untracked files, a
 * directory with no tracked file in it shown once as `?? <dir>/`.
 * https://git-scm.com/docs/git-status#_porcelain_format_version_1
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { IndexEntry } from "./index-file.ts";
import type { ObjectStore } from "./objects.ts";
import type { TreeFile } from "./head.ts";
import { entryFor, filesUnder, lstatOrUndefined, modeOf } from "./worktree.ts";

/** What is compared with what (fixtures replace parts). */
export interface StatusSteps {
  /** The entries staged for the next commit: the index. */
  staged: (head: Map<string, TreeFile>, index: Map<string, TreeFile>) => Map<string, TreeFile>;
  /** X: whether the index entry equals HEAD's (same id and mode). */
  sameStaged: (head: TreeFile, staged: TreeFile) => boolean;
  /** Y: whether the working-tree file (its blob id, mode and stat data) equals its index entry (same id and mode). */
  sameFile: (file: IndexEntry, staged: TreeFile, store: ObjectStore) => boolean;
  /** Whether a directory with no tracked file below it is shown once, as `<dir>/`. */
  collapseDirs: boolean;
  /** Whether a directory with no file at all below it (only empty directories) is shown too. */
  emptyDirs: boolean;
}

function same(a: TreeFile, b: TreeFile): boolean {
  return a.mode === b.mode && a.oid === b.oid;
}

export const statusSteps: StatusSteps = { staged: (_head, index) => index, sameStaged: same, sameFile: same, collapseDirs: true, emptyDirs: false };

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Y: the working-tree file against its index entry. */
function worktreeCode(store: ObjectStore, workTree: string, path: string, staged: TreeFile, steps: StatusSteps): string {
  const st = lstatOrUndefined(join(workTree, path));
  const mode = st && modeOf(st);
  if (mode === undefined) return "D";
  if ((mode === 0o120000) !== (staged.mode === 0o120000)) return "T";
  const entry = entryFor(store, workTree, path, false);
  return entry && steps.sameFile(entry, staged, store) ? " " : "M";
}

function untracked(workTree: string, dir: string, tracked: string[], out: string[], steps: StatusSteps): void {
  for (const name of readdirSync(join(workTree, dir))) {
    if (name === ".git") continue;
    const path = `${dir}${name}`;
    const st = lstatOrUndefined(join(workTree, path));
    if (st === undefined) continue;
    if (st.isDirectory()) {
      if (!steps.collapseDirs || tracked.some((p) => p.startsWith(`${path}/`))) untracked(workTree, `${path}/`, tracked, out, steps);
      else if (steps.emptyDirs || filesUnder(workTree, path).length > 0) out.push(`${path}/`);
    } else if (modeOf(st) !== undefined && !tracked.includes(path)) out.push(path);
  }
}

export function statusPorcelain(store: ObjectStore, workTree: string, head: Map<string, TreeFile>, index: IndexEntry[], steps: StatusSteps = statusSteps): string {
  const indexFiles = new Map(index.filter((e) => e.stage === 0).map((e) => [e.path, { mode: e.mode, oid: e.oid }] as const));
  const staged = steps.staged(head, indexFiles);
  const lines: string[] = [];
  for (const path of [...new Set([...head.keys(), ...staged.keys()])].sort(byBytes)) {
    const h = head.get(path);
    const i = staged.get(path);
    const x = i === undefined ? "D" : h === undefined ? "A" : steps.sameStaged(h, i) ? " " : "M";
    const y = i === undefined ? " " : worktreeCode(store, workTree, path, i, steps);
    if (x !== " " || y !== " ") lines.push(`${x}${y} ${path}\n`);
  }
  const found: string[] = [];
  untracked(workTree, "", [...staged.keys()], found, steps);
  return lines.join("") + found.sort(byBytes).map((p) => `?? ${p}\n`).join("");
}
