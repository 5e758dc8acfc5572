/**
 * Refs: loose files under .git/refs, lines of .git/packed-refs, the symbolic
 * HEAD; revisions named by id (full or abbreviated), HEAD, a branch or a tag.
 * https://git-scm.com/docs/gitrevisions, https://git-scm.com/docs/git-pack-refs
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { GitError, type ObjectStore } from "./objects.ts";

/** Where refs are read from (fixtures replace parts). */
export const refSteps = {
  /** Whether .git/packed-refs is read at all. */
  packed: true,
  /** Whether a loose ref wins over a packed line of the same name (the loose file is newer). */
  looseWins: true,
};

/** The refs in .git/packed-refs (`<id> <name>` lines; `#` and `^` peel lines skipped). */
export function packedRefs(gitDir: string): Map<string, string> {
  const file = join(gitDir, "packed-refs");
  const out = new Map<string, string>();
  if (!existsSync(file) || !refSteps.packed) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([0-9a-f]{40}) (\S+)$/.exec(line);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** The id a ref (`refs/heads/main`, `HEAD`) points to, following symbolic refs; undefined if it does not exist. */
export function readRef(gitDir: string, ref: string): string | undefined {
  for (let depth = 0; depth < 5; depth++) {
    const loose = join(gitDir, ref);
    let value: string | undefined = refSteps.looseWins ? undefined : packedRefs(gitDir).get(ref);
    if (value === undefined && existsSync(loose) && !isDir(loose)) value = readFileSync(loose, "utf8").trim();
    else if (value === undefined) value = packedRefs(gitDir).get(ref);
    if (value === undefined) return undefined;
    if (!value.startsWith("ref: ")) return /^[0-9a-f]{40}$/.test(value) ? value : undefined;
    ref = value.slice(5);
  }
  return undefined;
}

function isDir(path: string): boolean {
  try {
    return readdirSync(path) !== undefined;
  } catch {
    return false;
  }
}

/** The branch HEAD names (`main`), or undefined when HEAD is detached. */
export function currentBranch(gitDir: string): string | undefined {
  const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
  return head.startsWith("ref: refs/heads/") ? head.slice("ref: refs/heads/".length) : undefined;
}

/** Writes a loose ref (through a .lock file, as git does). */
export function writeRef(gitDir: string, ref: string, value: string): void {
  const path = join(gitDir, ref);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.lock`, `${value}\n`);
  renameSync(`${path}.lock`, path);
}

/** Every ref under `prefix` (`refs/heads/`), loose and packed, by name; loose wins. */
export function listRefs(gitDir: string, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, oid] of packedRefs(gitDir)) if (name.startsWith(prefix)) out.set(name, oid);
  const walk = (rel: string) => {
    const full = join(gitDir, rel);
    if (!existsSync(full)) return;
    for (const d of readdirSync(full, { withFileTypes: true })) {
      const name = `${rel}${d.name}`;
      if (d.isDirectory()) walk(`${name}/`);
      else if (!d.name.endsWith(".lock")) {
        const value = readFileSync(join(gitDir, name), "utf8").trim();
        if (/^[0-9a-f]{40}$/.test(value)) out.set(name, value);
      }
    }
  };
  walk(prefix);
  if (!refSteps.looseWins) for (const [name, oid] of packedRefs(gitDir)) if (name.startsWith(prefix)) out.set(name, oid);
  return new Map([...out].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

/** The object an abbreviated id names, if exactly one loose object starts with it. */
function fromPrefix(store: ObjectStore, hex: string): string | undefined {
  const dir = join(store.gitDir, "objects", hex.slice(0, 2));
  if (!existsSync(dir)) return undefined;
  const hits = readdirSync(dir).filter((f) => f.startsWith(hex.slice(2))).map((f) => `${hex.slice(0, 2)}${f}`);
  if (hits.length > 1) throw new GitError(`short object ID ${hex} is ambiguous`);
  return hits[0];
}

/** A revision: a full or abbreviated id, HEAD, a ref name, or `<rev>~<n>` / `<rev>^`. */
export function resolveRev(store: ObjectStore, rev: string): string {
  const m = /^(.*?)((?:[~^]\d*)*)$/.exec(rev)!;
  let oid = resolveName(store, m[1]!);
  for (const step of m[2]!.match(/[~^]\d*/g) ?? []) {
    const n = step.length > 1 ? Number(step.slice(1)) : 1;
    if (step[0] === "~") for (let i = 0; i < n; i++) oid = parentsOf(store, oid)[0] ?? unknown(rev);
    else if (n > 0) oid = parentsOf(store, oid)[n - 1] ?? unknown(rev);
  }
  return oid;
}

function unknown(rev: string): never {
  throw new GitError(`ambiguous argument '${rev}': unknown revision or path not in the working tree.`);
}

function resolveName(store: ObjectStore, name: string): string {
  const gitDir = store.gitDir;
  if (/^[0-9a-f]{40}$/.test(name)) return name;
  for (const ref of [name, `refs/${name}`, `refs/tags/${name}`, `refs/heads/${name}`]) {
    if (ref !== "HEAD" && !ref.startsWith("refs/")) continue;
    const oid = readRef(gitDir, ref);
    if (oid !== undefined) return oid;
  }
  if (/^[0-9a-f]{4,39}$/.test(name)) {
    const oid = fromPrefix(store, name);
    if (oid !== undefined) return oid;
  }
  return unknown(name);
}

/** A commit's parents, in order. */
export function parentsOf(store: ObjectStore, commit: string): string[] {
  const text = Buffer.from(store.get(commit).body).toString("utf8");
  const header = text.slice(0, text.indexOf("\n\n"));
  return [...header.matchAll(/^parent ([0-9a-f]{40})$/gm)].map((m) => m[1]!);
}

/** The tree of a commit (or the tree itself); tags are peeled. */
export function treeOfCommit(store: ObjectStore, oid: string): string {
  for (let depth = 0; depth < 10; depth++) {
    const obj = store.get(oid);
    if (obj.type === "tree") return oid;
    const text = Buffer.from(obj.body).toString("utf8");
    const m = obj.type === "commit" ? /^tree ([0-9a-f]{40})$/m.exec(text) : obj.type === "tag" ? /^object ([0-9a-f]{40})$/m.exec(text) : null;
    if (!m) break;
    oid = m[1]!;
  }
  throw new GitError(`${oid} is not a tree-ish`);
}
