/**
 * Files of the working tree as the index sees them: stat data, mode and blob
 * id of a path; the files under a directory.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, type BigIntStats } from "node:fs";
import { join } from "node:path";
import type { IndexEntry } from "./index-file.ts";
import type { ObjectStore } from "./objects.ts";

export function lstatOrUndefined(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/** How a regular file's permissions become its index mode (a fixture replaces it). */
export const worktreeSteps = {
  /** 100755 when the owner may execute the file (st_mode & 0o100), whatever the group's and others' bits; else 100644. */
  regularMode: (statMode: number): number => ((statMode & 0o100) !== 0 ? 0o100755 : 0o100644),
};

/** The index mode of a file: symlink, executable (owner may execute) or regular; undefined for anything else. */
export function modeOf(st: BigIntStats): number | undefined {
  if (st.isSymbolicLink()) return 0o120000;
  if (st.isFile()) return worktreeSteps.regularMode(Number(st.mode));
  return undefined;
}

/** The blob of a file: its bytes, or a symlink's target. */
export function fileContent(path: string, st: BigIntStats): Uint8Array {
  return st.isSymbolicLink() ? Buffer.from(readlinkSync(path, "buffer")) : readFileSync(path);
}

/** An index entry for the file at `workTree/path` (its blob written with `write`). */
export function entryFor(store: ObjectStore, workTree: string, path: string, write = true): IndexEntry | undefined {
  const full = join(workTree, path);
  const st = lstatOrUndefined(full);
  const mode = st && modeOf(st);
  if (st === undefined || mode === undefined) return undefined;
  const ns = (t: bigint) => [Number(t / 1_000_000_000n), Number(t % 1_000_000_000n)] as const;
  const [ctimeS, ctimeNs] = ns(st.ctimeNs);
  const [mtimeS, mtimeNs] = ns(st.mtimeNs);
  const low = (n: bigint) => Number(n & 0xffffffffn);
  return {
    ctimeS, ctimeNs, mtimeS, mtimeNs,
    dev: low(st.dev), ino: low(st.ino), mode, uid: low(st.uid), gid: low(st.gid), size: low(st.size),
    oid: store.put("blob", fileContent(full, st), write),
    stage: 0,
    path,
  };
}

/** Paths (with "/") of every file and symlink under `dir` (relative to workTree), skipping .git. */
export function filesUnder(workTree: string, dir: string): string[] {
  const full = join(workTree, dir);
  const st = lstatOrUndefined(full);
  if (st === undefined) return [];
  if (!st.isDirectory()) return modeOf(st) === undefined ? [] : [dir];
  const out: string[] = [];
  for (const name of readdirSync(full)) {
    if (name === ".git") continue;
    out.push(...filesUnder(workTree, dir === "" ? name : `${dir}/${name}`));
  }
  return out;
}
