/**
 * Loose objects: `<type> <size>\0<body>`, named by the SHA-1 of those bytes
 * (uncompressed), stored zlib-deflated at .git/objects/<2 hex>/<38 hex>.
 * https://git-scm.com/book/en/v2/Git-Internals-Git-Objects
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { packsOf, type Pack } from "./pack.ts";

export type ObjectType = "blob" | "tree" | "commit" | "tag";
const TYPES: readonly string[] = ["blob", "tree", "commit", "tag"];

export interface GitObject {
  type: ObjectType;
  body: Uint8Array;
}

/** The bytes that are hashed and stored: the header `<type> <size>\0`, then the body. */
export function encodeObject(type: ObjectType, body: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(`${type} ${body.length}\0`);
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

export function sha1Hex(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

/** How an object is named and what goes in its file (a fixture can replace this). */
export interface Hashing {
  /** The object id and the bytes of its file under .git/objects. */
  (type: ObjectType, body: Uint8Array): { oid: string; file: Uint8Array };
}

export const hashing: Hashing = (type, body) => {
  const raw = encodeObject(type, body);
  return { oid: sha1Hex(raw), file: deflateSync(raw) };
};

export function objectPath(gitDir: string, oid: string): string {
  return join(gitDir, "objects", oid.slice(0, 2), oid.slice(2));
}

export class ObjectStore {
  constructor(
    readonly gitDir: string,
    private readonly hash: Hashing = hashing,
  ) {}

  /** Computes the id; with `write`, stores the object (if it is not there yet). */
  put(type: ObjectType, body: Uint8Array, write = true): string {
    const { oid, file } = this.hash(type, body);
    const path = objectPath(this.gitDir, oid);
    if (write && !existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.tmp${process.pid}`;
      writeFileSync(tmp, file, { mode: 0o444 });
      renameSync(tmp, path);
    }
    return oid;
  }

  private packs: Pack[] | undefined;

  /** Forgets the packs found so far (after writing a new one). */
  rescanPacks(): void {
    this.packs = undefined;
  }

  /** Whether the object is here, loose or in a pack (without reading it). */
  has(oid: string): boolean {
    if (!/^[0-9a-f]{40}$/.test(oid)) return false;
    if (existsSync(objectPath(this.gitDir, oid))) return true;
    this.packs ??= packsOf(this.gitDir);
    return this.packs.some((pack) => pack.offsetOf(oid) !== undefined);
  }

  /** A loose object, or else one from a pack. */
  get(oid: string): GitObject {
    const path = objectPath(this.gitDir, oid);
    if (!/^[0-9a-f]{40}$/.test(oid)) throw new GitError(`Not a valid object name ${oid}`);
    if (!existsSync(path)) {
      this.packs ??= packsOf(this.gitDir);
      for (const pack of this.packs) {
        const offset = pack.offsetOf(oid);
        if (offset !== undefined) return pack.read(offset, (base) => this.get(base));
      }
      throw new GitError(`Not a valid object name ${oid}`);
    }
    const raw = inflateSync(readFileSync(path));
    const nul = raw.indexOf(0);
    const header = new TextDecoder().decode(raw.subarray(0, nul));
    const [type, size] = header.split(" ");
    const body = raw.subarray(nul + 1);
    if (nul < 0 || type === undefined || !TYPES.includes(type) || Number(size) !== body.length) throw new GitError(`bad object header in ${oid}`);
    return { type: type as ObjectType, body };
  }
}

/** A failure reported as git does: `fatal: <message>` and exit code 128. */
export class GitError extends Error {}
