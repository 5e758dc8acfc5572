/**
 * The index (.git/index), version 2: the header `DIRC`, version, entry count;
 * the entries sorted by path (then stage), each 62 bytes of stat data, mode,
 * id and flags, then the path and 1–8 NULs so its length is a multiple of 8;
 * extensions (read and dropped); the SHA-1 of everything before it.
 * https://git-scm.com/docs/gitformat-index
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GitError, sha1Hex } from "./objects.ts";

export interface IndexEntry {
  ctimeS: number;
  ctimeNs: number;
  mtimeS: number;
  mtimeNs: number;
  dev: number;
  ino: number;
  /** 0o100644, 0o100755, 0o120000 or 0o160000. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  oid: string;
  /** 0 for a normal entry; 1–3 for the sides of a conflict. */
  stage: number;
  path: string;
}

/** How the index file is laid out (fixtures replace parts). */
export interface IndexSteps {
  order: (entries: IndexEntry[]) => IndexEntry[];
  /** How many NULs follow a path, given the entry's length up to the path's end (62 + path bytes). */
  padding: (length: number) => number;
  /** The trailer: SHA-1 of every byte before it. */
  checksum: (bytes: Uint8Array) => Uint8Array;
}

export function indexOrder(entries: IndexEntry[]): IndexEntry[] {
  return [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)) || a.stage - b.stage);
}

export const indexSteps: IndexSteps = {
  order: indexOrder,
  padding: (length) => 8 - (length % 8),
  checksum: (bytes) => Buffer.from(sha1Hex(bytes), "hex"),
};

export function encodeIndex(entries: IndexEntry[], steps: IndexSteps = indexSteps): Uint8Array {
  const header = Buffer.alloc(12);
  header.write("DIRC", 0, "latin1");
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(entries.length, 8);
  const parts: Buffer[] = [header];
  for (const e of steps.order(entries)) {
    const name = Buffer.from(e.path);
    const fixed = Buffer.alloc(62);
    const words = [e.ctimeS, e.ctimeNs, e.mtimeS, e.mtimeNs, e.dev, e.ino, e.mode, e.uid, e.gid, e.size];
    words.forEach((w, i) => fixed.writeUInt32BE(w >>> 0, i * 4));
    Buffer.from(e.oid, "hex").copy(fixed, 40);
    fixed.writeUInt16BE((e.stage << 12) | Math.min(name.length, 0xfff), 60);
    parts.push(fixed, name, Buffer.alloc(steps.padding(62 + name.length)));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, steps.checksum(body)]);
}

/** How the index is read (fixtures replace parts). */
export const indexReadSteps = {
  /** Read as many entries as the header says (else: entries until the checksum, extensions taken for entries). */
  countFromHeader: true,
  /** Skip each entry's NUL padding to a multiple of 8 bytes (else: only the path's NUL). */
  padded: true,
};

export function decodeIndex(bytes: Uint8Array): IndexEntry[] {
  const buf = Buffer.from(bytes);
  if (buf.length < 32 || buf.toString("latin1", 0, 4) !== "DIRC") throw new GitError("index file corrupt (no DIRC signature)");
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new GitError(`index file version ${version} is not supported`);
  if (sha1Hex(buf.subarray(0, -20)) !== buf.toString("hex", buf.length - 20)) throw new GitError("index file corrupt (bad checksum)");
  const count = buf.readUInt32BE(8);
  const entries: IndexEntry[] = [];
  let at = 12;
  for (let i = 0; indexReadSteps.countFromHeader ? i < count : at < buf.length - 20; i++) {
    const w = (n: number) => buf.readUInt32BE(at + n * 4);
    const flags = buf.readUInt16BE(at + 60);
    const extended = (flags & 0x4000) !== 0 ? 2 : 0;
    const start = at + 62 + extended;
    const end = buf.indexOf(0, start);
    if (end < 0) throw new GitError("index file corrupt (unterminated path)");
    entries.push({
      ctimeS: w(0), ctimeNs: w(1), mtimeS: w(2), mtimeNs: w(3), dev: w(4), ino: w(5), mode: w(6), uid: w(7), gid: w(8), size: w(9),
      oid: buf.toString("hex", at + 40, at + 60),
      stage: (flags >> 12) & 3,
      path: buf.toString("utf8", start, end),
    });
    const length = end - at;
    at += indexReadSteps.padded ? length + 8 - (length % 8) : length + 1;
  }
  return entries;
}

export function indexPath(gitDir: string): string {
  return join(gitDir, "index");
}

/** The entries of .git/index, or none when there is no index yet. */
export function readIndex(gitDir: string): IndexEntry[] {
  const path = indexPath(gitDir);
  return existsSync(path) ? decodeIndex(readFileSync(path)) : [];
}

export function writeIndex(gitDir: string, entries: IndexEntry[], steps: IndexSteps = indexSteps): void {
  const path = indexPath(gitDir);
  writeFileSync(`${path}.lock`, encodeIndex(entries, steps));
  renameSync(`${path}.lock`, path);
}
