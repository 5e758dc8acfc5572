/**
 * Checks .git/index against gitformat-index version 2 and names the first
 * mistake: the header, the trailing checksum, an entry's padding, the order.
 * https://git-scm.com/docs/gitformat-index
 */
import { createHash } from "node:crypto";
import { lstatSync, type BigIntStats } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { GitCase } from "./git.ts";
import type { RepoFile } from "./git-repo.ts";

export const INDEX_LAYOUT =
  "The index is `DIRC`, the version (2) and the number of entries as 32-bit big-endian numbers; then each entry: ten 32-bit fields (ctime s/ns, mtime s/ns, dev, ino, mode, uid, gid, size), the 20-byte id, 16-bit flags (the path's length in the low 12 bits, the stage in bits 12–13), the path, and 1 to 8 NUL bytes so the entry's length is a multiple of 8; last, the SHA-1 of everything before it.";

export const PADDING_HINT =
  "After each entry's path come 1 to 8 NUL bytes, so that the entry's length (62 bytes of fields + the path + the NULs) is a multiple of 8; with a path whose entry would end on a multiple of 8, that is 8 NULs.";

export const FLAGS_HINT =
  "An entry's 16-bit flags, after its object id, hold the path's length in bytes in the low 12 bits (0xFFF when it is longer) and the stage in bits 12–13: git reads the path by that length, not up to the NUL.";

export const ORDER_HINT = "Index entries are sorted by path, comparing the whole paths byte by byte (a.c sorts before a/b, since . is 0x2E and / 0x2F: not directory by directory, where the directory a would come first), then by stage.";

export const STAGE_HINT =
  "The stage is bits 12–13 of the entry's 16-bit flags (flags >> 12 & 3): 0 normally; 1, 2 and 3 for the base, ours and theirs of a conflicted path.";

export const CHECKSUM_HINT = "The last 20 bytes of the index are the SHA-1 of every byte before them (header and entries, with their padding).";

export interface IndexProblem {
  message: string;
  hint: string;
}

/** The first way `bytes` breaks the version 2 index format, or undefined when it is well formed. */
export function indexProblem(bytes: Uint8Array): IndexProblem | undefined {
  const buf = Buffer.from(bytes);
  if (buf.length < 32 || buf.toString("latin1", 0, 4) !== "DIRC") return { message: ".git/index does not start with the signature DIRC.", hint: INDEX_LAYOUT };
  const version = buf.readUInt32BE(4);
  if (version !== 2) return { message: `.git/index says version ${version}; write version 2.`, hint: INDEX_LAYOUT };
  const body = buf.subarray(0, -20);
  const sum = createHash("sha1").update(body).digest();
  if (!sum.equals(buf.subarray(-20))) {
    return { message: `The trailing checksum of .git/index is wrong: its last 20 bytes are ${buf.toString("hex", buf.length - 20)}, the SHA-1 of the bytes before them is ${sum.toString("hex")}.`, hint: CHECKSUM_HINT };
  }
  const count = buf.readUInt32BE(8);
  const paths: Buffer[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    if (at + 62 > body.length) return { message: `.git/index says it holds ${count} entries but ends after ${i}.`, hint: INDEX_LAYOUT };
    const length = buf.readUInt16BE(at + 60) & 0xfff;
    const path = buf.subarray(at + 62, at + 62 + length);
    const nul = buf.indexOf(0, at + 62);
    // What follows the path when it has no padding: the next entry (whose path ends where its flags say), or after the last one an extension or the checksum.
    const next = at + 62 + length;
    const nextLooksLikeEntry = i + 1 < count ? next + 62 <= body.length && buf.indexOf(0, next + 62) === next + 62 + (buf.readUInt16BE(next + 60) & 0xfff) : /^[A-Z]{4}$/.test(buf.toString("latin1", next, next + 4));
    if (length < 0xfff && (62 + length) % 8 === 0 && next < body.length && buf[next] !== 0 && nextLooksLikeEntry) {
      return { message: `Entry ${i + 1} of .git/index (${path.toString("utf8")}) has no NUL after its path: its 62 bytes of fields and ${length}-byte path are already a multiple of 8, and it still needs 8 NULs (an entry ends with 1 to 8, never 0).`, hint: PADDING_HINT };
    }
    if (length < 0xfff && nul >= 0 && nul < body.length && nul - (at + 62) !== length) {
      return { message: `Entry ${i + 1} of .git/index (${buf.toString("utf8", at + 62, nul)}) has ${length} as its path length in the low 12 bits of its flags; the path is ${nul - (at + 62)} bytes.`, hint: FLAGS_HINT };
    }
    const padded = 62 + length + 8 - ((62 + length) % 8);
    const pad = buf.subarray(at + 62 + length, at + padded);
    if (at + padded > body.length || pad.some((b) => b !== 0)) {
      return { message: `Entry ${i + 1} of .git/index (${path.toString("utf8")}) is not followed by its NUL padding: the ${padded - 62 - length} bytes after the path should be NUL, so that the entry is ${padded} bytes long (a multiple of 8).`, hint: PADDING_HINT };
    }
    paths.push(path);
    at += padded;
  }
  // Extensions (a 4-byte signature, a 32-bit size, the data) may follow; then the checksum.
  while (at + 8 <= body.length && /^[A-Za-z]{4}$/.test(buf.toString("latin1", at, at + 4))) at += 8 + buf.readUInt32BE(at + 4);
  if (at !== body.length) {
    return { message: `After its ${count} entries, .git/index holds bytes that are neither an extension nor the checksum (the entries end at byte ${at}, the checksum starts at ${body.length}): an entry's length is off.`, hint: PADDING_HINT };
  }
  for (let i = 1; i < paths.length; i++) {
    if (Buffer.compare(paths[i - 1]!, paths[i]!) > 0) {
      return { message: `The entries of .git/index are not sorted: ${paths[i - 1]!.toString("utf8")} comes before ${paths[i]!.toString("utf8")}.`, hint: ORDER_HINT };
    }
  }
  return undefined;
}

export const STAT_HINT =
  "An entry's first ten fields come from lstat of the file, each truncated to 32 bits: ctime seconds and nanoseconds, mtime seconds and nanoseconds, dev, ino, mode, uid, gid, size. Git compares them with the file to tell whether it changed without reading it.";

/**
 * The first entry of a well-formed index (`indexProblem` found nothing) whose stat fields — ctime and mtime
 * seconds, ino, uid, gid, size — differ from lstat of its file under `workTree` (files that are gone are skipped).
 */
export function indexStatProblem(bytes: Uint8Array, workTree: string): IndexProblem | undefined {
  const buf = Buffer.from(bytes);
  const count = buf.readUInt32BE(8);
  let at = 12;
  for (let i = 0; i < count; i++) {
    const length = buf.readUInt16BE(at + 60) & 0xfff;
    const path = buf.toString("utf8", at + 62, at + 62 + length);
    let st: BigIntStats | undefined;
    try {
      st = lstatSync(join(workTree, path), { bigint: true });
    } catch {
      st = undefined;
    }
    if (st !== undefined) {
      const low = (n: bigint) => Number(n & 0xffffffffn);
      const fields: [string, number, number][] = [
        ["ctime seconds", buf.readUInt32BE(at), low(st.ctimeNs / 1_000_000_000n)],
        ["mtime seconds", buf.readUInt32BE(at + 8), low(st.mtimeNs / 1_000_000_000n)],
        ["ino", buf.readUInt32BE(at + 20), low(st.ino)],
        ["uid", buf.readUInt32BE(at + 28), low(st.uid)],
        ["gid", buf.readUInt32BE(at + 32), low(st.gid)],
        ["size", buf.readUInt32BE(at + 36), low(st.size)],
      ];
      const wrong = fields.find(([, got, want]) => got !== want);
      if (wrong) return { message: `The entry of ${path} in .git/index has ${wrong[0]} ${wrong[1]}; lstat of the file gives ${wrong[2]}.`, hint: STAT_HINT };
    }
    at += 62 + length + 8 - ((62 + length) % 8);
  }
  return undefined;
}

/** path → `<mode> <id> <stage>` from `git ls-files --stage` output. */
function stagedByPath(listing: string): Map<string, string> {
  return new Map(listing.split("\n").filter(Boolean).map((l) => [l.slice(l.indexOf("\t") + 1), l.slice(0, l.indexOf("\t"))] as const));
}

/** Names the first path whose `ls-files --stage` line differs: missing, extra, another mode or another blob. */
export function stagedHint(ours: string, real: string, modes: string, missing: string): string {
  const o = stagedByPath(ours);
  const r = stagedByPath(real);
  for (const [path, line] of r) {
    const got = o.get(path);
    if (got === undefined) return `${path} should be in the index. ${missing}`;
    const [mode, oid] = line.split(" ");
    const [gotMode, gotOid] = got.split(" ");
    if (gotMode !== mode) return `${path} should have mode ${mode}, not ${gotMode}. ${modes}`;
    if (gotOid !== oid) return `${path} should have the id ${oid} (the blob of its current content), not ${gotOid}.`;
    if (got !== line) return `${path}: expected \`${line}\`, got \`${got}\`. ${STAGE_HINT}`;
  }
  const extra = [...o.keys()].filter((p) => !r.has(p));
  if (extra.length > 0) return `The index holds ${extra.join(", ")}, which real git's does not. ${missing}`;
  return ORDER_HINT;
}

/** Two repositories with the same files: the program works in `ours`, real git in `theirs`. */
export interface Twins {
  ours: string;
  theirs: string;
}

export async function twinRepos(g: GitCase, files: RepoFile[], commit?: string): Promise<Twins> {
  const repos = { ours: await g.realRepo("ours", files), theirs: await g.realRepo("theirs", files) };
  if (commit !== undefined) for (const repo of [repos.ours, repos.theirs]) await g.commitAll(repo, commit);
  return repos;
}

/**
 * After the same command in both twins (`what`), real git's `ls-files --stage`
 * and `status --porcelain` must agree.
 */
export async function expectSameIndex(t: CaseContext, g: GitCase, repos: Twins, what: string, hints: { modes: string; missing: string; status: string }): Promise<void> {
  const view = async (args: string[], repo: string) => (await g.git(args, { cwd: repo, hint: "Real git could not read .git/index as your program wrote it." })).stdout;
  const staged = await view(["ls-files", "--stage"], repos.ours);
  const expected = await view(["ls-files", "--stage"], repos.theirs);
  t.expectEqual(staged, expected, { message: `After ${what}, real git's ls-files --stage shows another index than after real git's.`, hint: stagedHint(staged, expected, hints.modes, hints.missing) });
  t.expectEqual(await view(["status", "--porcelain"], repos.ours), await view(["status", "--porcelain"], repos.theirs), {
    message: `After ${what}, real git's status --porcelain differs from the one after real git's.`,
    hint: hints.status,
  });
}
