/**
 * What HEAD points to: the commit of the current branch (none on an unborn
 * branch), and its tree flattened to paths.
 * https://git-scm.com/docs/gitrepository-layout
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ObjectStore } from "./objects.ts";
import { decodeTree, isTreeMode } from "./tree.ts";

/** The commit id HEAD resolves to, or undefined when its branch has no commit yet. */
export function headCommit(gitDir: string): string | undefined {
  let value = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
  for (let depth = 0; value.startsWith("ref: ") && depth < 5; depth++) {
    const ref = value.slice(5);
    const loose = join(gitDir, ref);
    if (existsSync(loose)) value = readFileSync(loose, "utf8").trim();
    else {
      const packed = join(gitDir, "packed-refs");
      const line = existsSync(packed) ? readFileSync(packed, "utf8").split("\n").find((l) => l.endsWith(` ${ref}`)) : undefined;
      if (line === undefined) return undefined;
      value = line.slice(0, 40);
    }
  }
  return /^[0-9a-f]{40}$/.test(value) ? value : undefined;
}

export interface TreeFile {
  mode: number;
  oid: string;
}

/** Every file of a tree by its path. */
export function flattenTree(store: ObjectStore, treeOid: string, prefix = "", out = new Map<string, TreeFile>()): Map<string, TreeFile> {
  for (const e of decodeTree(store.get(treeOid).body)) {
    if (isTreeMode(e.mode)) flattenTree(store, e.oid, `${prefix}${e.name}/`, out);
    else out.set(`${prefix}${e.name}`, { mode: parseInt(e.mode, 8), oid: e.oid });
  }
  return out;
}

/** The files of HEAD's commit (none on an unborn branch). */
export function headFiles(store: ObjectStore, gitDir: string): Map<string, TreeFile> {
  const commit = headCommit(gitDir);
  if (commit === undefined) return new Map();
  const m = /^tree ([0-9a-f]{40})$/m.exec(Buffer.from(store.get(commit).body).toString("utf8"));
  return m ? flattenTree(store, m[1]!) : new Map();
}
