/**
 * Test repositories for the Git stages, drawn from the case's seed: text and
 * binary files, nested directories, executable files and symlinks, with
 * names that catch a wrong tree order (a directory `x` beside files `x.txt`
 * and `x-1`, which git sorts before it because it compares `x/`, and `x0.txt`
 * after it).
 */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Random } from "../../../harness/random.ts";

export type FileKind = "file" | "executable" | "symlink";

export interface RepoFile {
  /** Relative path with "/" separators. */
  path: string;
  kind: FileKind;
  /** The file's bytes, or a symlink's target. */
  content: Uint8Array;
  /** Permission bits to write instead of the kind's usual 755 or 644 (only the owner's x bit decides the kind). */
  perm?: number;
}

const LINES = ["hello world", "the quick brown fox", "jumps over the lazy dog", "# notes", "TODO: more tests", "x = 42", ""];

export function randomText(rand: Random, maxLines = 8): Uint8Array {
  const lines = Array.from({ length: rand.int(1, maxLines) }, () => `${rand.pick(LINES)} ${rand.word()} ${rand.int(0, 9999)}`);
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

/** Bytes with NULs and high bytes, as in images and executables. */
export function randomBinary(rand: Random, min = 16, max = 600): Uint8Array {
  const out = rand.bytes(rand.int(min, max));
  out[0] = 0;
  return out;
}

export interface TreeShape {
  /** How deep directories nest (default 3). */
  depth?: number;
  /** Extra entries per directory besides the order trap (default 1–3). */
  width?: number;
  executables?: boolean;
  symlinks?: boolean;
}

/** A random tree of files, with at least one binary file, executable and symlink; every directory it makes holds at least one file. */
export function randomFiles(rand: Random, shape: TreeShape = {}): RepoFile[] {
  const files: RepoFile[] = [];
  const used = new Set<string>();
  const fresh = (dir: string, name: string): string => {
    let n = name;
    const dot = name.indexOf(".");
    while (used.has(`${dir}${n}`)) n = dot > 0 ? `${name.slice(0, dot)}${rand.int(1, 99)}${name.slice(dot)}` : `${name}${rand.int(1, 99)}`;
    used.add(`${dir}${n}`);
    return n;
  };
  const add = (path: string, kind: FileKind, content: Uint8Array) => files.push({ path, kind, content });
  const fill = (dir: string, depth: number) => {
    // The order trap: "<w>-<n>" and "<w>.txt" sort before the directory "<w>" (compared as "<w>/"), yet after "<w>" bytewise.
    const w = fresh(dir, rand.word());
    used.add(`${dir}${w}.txt`);
    used.add(`${dir}${w}-1`);
    add(`${dir}${w}.txt`, "file", randomText(rand));
    add(`${dir}${w}-1`, shape.executables !== false && rand.int(0, 1) === 1 ? "executable" : "file", randomText(rand));
    if (depth > 0) fill(`${dir}${w}/`, depth - 1);
    else add(`${dir}${w}/${fresh(`${dir}${w}/`, "leaf")}.md`, "file", randomText(rand));
    // And a file stored after the directory "<w>" ("<w>/" < "<w>0"), so files and subtrees interleave in every tree.
    used.add(`${dir}${w}0.txt`);
    add(`${dir}${w}0.txt`, "file", randomText(rand));
    const width = shape.width ?? rand.int(1, 3);
    for (let i = 0; i < width; i++) {
      const kind = rand.int(0, 5);
      if (kind === 0) add(`${dir}${fresh(dir, `${rand.word()}.bin`)}`, "file", randomBinary(rand));
      else if (kind === 1 && shape.executables !== false) add(`${dir}${fresh(dir, `${rand.word()}.sh`)}`, "executable", new TextEncoder().encode(`#!/bin/sh\necho ${rand.word()}\n`));
      else if (kind === 2 && shape.symlinks !== false) add(`${dir}${fresh(dir, `${rand.word()}-link`)}`, "symlink", new TextEncoder().encode(`${w}.txt`));
      else if (kind === 3 && depth > 0) fill(`${dir}${fresh(dir, rand.word())}/`, depth - 1);
      else add(`${dir}${fresh(dir, `${rand.word()}.txt`)}`, "file", randomText(rand));
    }
  };
  fill("", shape.depth ?? 2);
  if (!files.some((f) => f.path.endsWith(".bin"))) add(`${fresh("", `${rand.word()}.bin`)}`, "file", randomBinary(rand));
  if (shape.executables !== false && !files.some((f) => f.kind === "executable")) add(`${fresh("", "run")}.sh`, "executable", new TextEncoder().encode("#!/bin/sh\nexit 0\n"));
  if (shape.symlinks !== false && !files.some((f) => f.kind === "symlink")) add(fresh("", "latest"), "symlink", new TextEncoder().encode(files[0]!.path));
  // A dot file on every seed: only .git is left out, not every name starting with a dot.
  files.push({ path: fresh("", `.${rand.word()}rc`), kind: "file", content: randomText(rand) });
  if (shape.executables !== false) {
    // The mode boundary on every seed: only the owner's x bit makes 100755. A file only its group and others
    // may execute is 100644; one only its owner may execute is 100755.
    files.push({ path: fresh("", `${rand.word()}-groupx.sh`), kind: "file", content: new TextEncoder().encode(`#!/bin/sh\necho ${rand.word()}\n`), perm: rand.pick([0o655, 0o654, 0o645]) });
    files.push({ path: fresh("", `${rand.word()}-ownerx.sh`), kind: "executable", content: new TextEncoder().encode(`#!/bin/sh\necho ${rand.word()}\n`), perm: rand.pick([0o744, 0o700, 0o764]) });
  }
  return rand.shuffle(files);
}

/** Writes the files under `root` (creating directories), executables with mode 755. */
export function writeFiles(root: string, files: RepoFile[]): void {
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    if (f.kind === "symlink") symlinkSync(new TextDecoder().decode(f.content), path);
    else {
      writeFileSync(path, f.content);
      chmodSync(path, f.perm ?? (f.kind === "executable" ? 0o755 : 0o644));
    }
  }
}

/** One line per file for the transcript: `path (executable, 120 bytes)`. */
export function describeFiles(files: RepoFile[]): string {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((f) => `${f.path} (${f.kind === "symlink" ? `symlink to ${new TextDecoder().decode(f.content)}` : `${f.perm !== undefined ? `mode ${f.perm.toString(8)}, ` : f.kind === "executable" ? "executable, " : ""}${f.content.length} bytes`})`)
    .join("\n");
}
