/**
 * What cat-file -p and ls-tree print.
 * https://git-scm.com/docs/git-cat-file, https://git-scm.com/docs/git-ls-tree
 */
import { GitError, type GitObject, type ObjectStore } from "./objects.ts";
import type { IndexEntry } from "./index-file.ts";
import { decodeTree, isTreeMode, typeOfMode, type TreeEntry } from "./tree.ts";

/** One line of a tree listing: `<mode> SP <type> SP <object> TAB <path>`, the mode in six digits. */
export function treeLine(e: TreeEntry, path = e.name): string {
  return `${e.mode.padStart(6, "0")} ${typeOfMode(e.mode)} ${e.oid}\t${path}\n`;
}

export interface ShowSteps {
  /** cat-file -p of a tree. */
  tree: (body: Uint8Array) => string | Uint8Array;
  /** ls-tree -r: the path shown for an entry of a subtree (`<dir>/` and its name). */
  path: (dir: string, name: string) => string;
  /** ls-files --stage: `<mode> SP <object> SP <stage> TAB <path>`. */
  stagedLine: (e: IndexEntry) => string;
}

export const showSteps: ShowSteps = {
  tree: (body) => decodeTree(body).map((e) => treeLine(e)).join(""),
  path: (dir, name) => dir + name,
  stagedLine: (e) => `${e.mode.toString(8)} ${e.oid} ${e.stage}\t${e.path}\n`,
};

/** ls-files [--stage]: one line per index entry, in the index's order. */
export function lsFiles(index: IndexEntry[], stage: boolean, steps: ShowSteps = showSteps): string {
  return index.map((e) => (stage ? steps.stagedLine(e) : `${e.path}\n`)).join("");
}

/** cat-file -p: a blob, commit or tag as stored; a tree as a listing. */
export function showObject(obj: GitObject, steps: ShowSteps = showSteps): string | Uint8Array {
  return obj.type === "tree" ? steps.tree(obj.body) : obj.body;
}

/** The tree a tree-ish names: a tree id, or a commit id (its tree). */
function treeOf(store: ObjectStore, oid: string): TreeEntry[] {
  const obj = store.get(oid);
  if (obj.type === "tree") return decodeTree(obj.body);
  if (obj.type === "commit") {
    const m = /^tree ([0-9a-f]{40})$/m.exec(Buffer.from(obj.body).toString("utf8"));
    if (m) return treeOf(store, m[1]!);
  }
  throw new GitError("not a tree object");
}

export function lsTree(store: ObjectStore, treeish: string, o: { nameOnly: boolean; recursive: boolean }, steps: ShowSteps = showSteps): string {
  const lines: string[] = [];
  const walk = (entries: TreeEntry[], prefix: string) => {
    for (const e of entries) {
      const path = steps.path(prefix, e.name);
      if (o.recursive && isTreeMode(e.mode)) walk(treeOf(store, e.oid), `${path}/`);
      else lines.push(o.nameOnly ? `${path}\n` : treeLine(e, path));
    }
  };
  walk(treeOf(store, treeish), "");
  return lines.join("");
}
