/**
 * Tree objects: entries `<mode> <name>\0<20-byte id>`, sorted by name as if
 * every directory's name ended in "/".
 * https://git-scm.com/book/en/v2/Git-Internals-Git-Objects (Tree Objects)
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { encodeObject, GitError, sha1Hex, type ObjectStore } from "./objects.ts";

export interface TreeEntry {
  /** "100644", "100755", "120000", "40000" (a tree: no leading zero in the object), "160000". */
  mode: string;
  name: string;
  oid: string;
}

export function isTreeMode(mode: string): boolean {
  return mode === "40000" || mode === "040000";
}

export function typeOfMode(mode: string): "tree" | "blob" | "commit" {
  return isTreeMode(mode) ? "tree" : mode === "160000" ? "commit" : "blob";
}

/** Git's order: bytewise on the name, a tree's name compared as `<name>/`. */
export function gitOrder(entries: TreeEntry[]): TreeEntry[] {
  const key = (e: TreeEntry) => Buffer.from(isTreeMode(e.mode) ? `${e.name}/` : e.name);
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

export function encodeTree(entries: TreeEntry[]): Uint8Array {
  return Buffer.concat(entries.map((e) => Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.oid, "hex")])));
}

export function decodeTree(body: Uint8Array): TreeEntry[] {
  const buf = Buffer.from(body);
  const out: TreeEntry[] = [];
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    const nul = buf.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > buf.length) throw new GitError("malformed tree object");
    out.push({ mode: buf.toString("latin1", at, space), name: buf.toString("utf8", space + 1, nul), oid: buf.toString("hex", nul + 1, nul + 21) });
    at = nul + 21;
  }
  return out;
}

/** How a tree is built from a directory (fixtures replace parts). */
export interface TreeSteps {
  order: (entries: TreeEntry[]) => TreeEntry[];
  /** The mode of a regular file: 100755 if the owner may execute it, else 100644. */
  fileMode: (statMode: number) => string;
  /** A symlink's blob: its target, as readlink gives it (never the file it points to). */
  linkBlob: (path: string) => Uint8Array;
  /** A subdirectory's mode in its parent tree: 40000, no leading zero. */
  dirMode: string;
  /** Whether a directory with no files below it is left out. */
  skipEmpty: boolean;
  /** A symlink's mode: 120000. */
  linkMode: string;
  /** Whether the blobs are stored (else only hashed: the tree names objects that do not exist). */
  storeBlobs: boolean;
  /** Whether an empty top directory gives the empty tree (else, like an empty subdirectory, nothing). */
  emptyRootTree: boolean;
}

export const treeSteps: TreeSteps = {
  order: gitOrder,
  fileMode: (statMode) => ((statMode & 0o100) !== 0 ? "100755" : "100644"),
  linkBlob: (path) => Buffer.from(readlinkSync(path, "buffer")),
  dirMode: "40000",
  skipEmpty: true,
  linkMode: "120000",
  storeBlobs: true,
  emptyRootTree: true,
};

/**
 * Writes the blobs and trees of a directory (skipping .git, and directories
 * with nothing to track, as git does) and returns the tree's id, or
 * undefined for an empty subdirectory (the root gives the empty tree).
 */
export function writeTreeFromDir(store: ObjectStore, dir: string, steps: TreeSteps = treeSteps, root = true): string | undefined {
  const entries: TreeEntry[] = [];
  for (const name of readdirSync(dir)) {
    if (name === ".git") continue;
    const path = join(dir, name);
    const st = lstatSync(path);
    const blob = (body: Uint8Array) => (steps.storeBlobs ? store.put("blob", body) : sha1Hex(encodeObject("blob", body)));
    if (st.isSymbolicLink()) entries.push({ mode: steps.linkMode, name, oid: blob(steps.linkBlob(path)) });
    else if (st.isFile()) entries.push({ mode: steps.fileMode(st.mode), name, oid: blob(readFileSync(path)) });
    else if (st.isDirectory()) {
      const oid = writeTreeFromDir(store, path, steps, false);
      if (oid !== undefined) entries.push({ mode: steps.dirMode, name, oid });
    }
  }
  if (entries.length === 0 && (!root || !steps.emptyRootTree) && steps.skipEmpty) return undefined;
  return store.put("tree", encodeTree(steps.order(entries)));
}

/** Writes the trees of the index's stage-0 entries (paths with "/") and returns the root tree's id. */
export function writeTreeFromIndex(store: ObjectStore, files: { path: string; mode: number; oid: string }[], steps: TreeSteps = treeSteps): string {
  const entries: TreeEntry[] = [];
  const subdirs = new Map<string, { path: string; mode: number; oid: string }[]>();
  for (const f of files) {
    const slash = f.path.indexOf("/");
    if (slash < 0) entries.push({ mode: f.mode.toString(8), name: f.path, oid: f.oid });
    else {
      const dir = f.path.slice(0, slash);
      subdirs.set(dir, [...(subdirs.get(dir) ?? []), { ...f, path: f.path.slice(slash + 1) }]);
    }
  }
  for (const [name, below] of subdirs) entries.push({ mode: "40000", name, oid: writeTreeFromIndex(store, below, steps) });
  return store.put("tree", encodeTree(steps.order(entries)));
}
