/**
 * Why an object id or a stored object is wrong: the harness recomputes the
 * plausible mistakes (no header, hashing the compressed bytes, a file that is
 * not zlib) so the hint names the one the program made.
 * https://git-scm.com/book/en/v2/Git-Internals-Git-Objects
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";

export function sha1(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

/** `<type> <size>\0<body>`: what git hashes and stores. */
export function withHeader(type: string, body: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
}

export const HEADER_HINT = (type: string) =>
  `An object's id is the SHA-1 of the header "${type} <size in decimal>\\0" followed by the content, and the stored file is that same header+content, zlib-compressed.`;

const COMPRESSED = "The id is the SHA-1 of the compressed bytes. Hash the uncompressed object (header + content) first; compress only what goes in the file.";

/** The likely mistake behind a wrong id or a stored object real git cannot read. */
export function diagnoseObject(gitDir: string, oid: string, type: string, body: Uint8Array): string {
  if (oid === sha1(body)) return `The id is the SHA-1 of the content alone, without the header. ${HEADER_HINT(type)}`;
  const chars = Buffer.from(body).toString("utf8").length;
  if (chars !== body.length && oid === sha1(Buffer.concat([Buffer.from(`${type} ${chars}\0`), body]))) {
    return `The header's size is the content's length in characters (${chars}, the bytes decoded as UTF-8 text), not in bytes (${body.length}). ${HEADER_HINT(type)} Read the file as bytes and use their count.`;
  }
  const raw = withHeader(type, body);
  for (let level = 1; level <= 9; level++) if (oid === sha1(deflateSync(raw, { level }))) return COMPRESSED;
  const file = join(gitDir, "objects", oid.slice(0, 2), oid.slice(2));
  if (/^[0-9a-f]{40}$/.test(oid) && existsSync(file)) {
    const stored = readFileSync(file);
    if (sha1(stored) === oid) return COMPRESSED;
    let inflated: Buffer;
    try {
      inflated = inflateSync(stored);
    } catch {
      return `The file ${file} is not zlib-compressed data: store the object deflated with zlib (as Node's zlib.deflateSync does).`;
    }
    if (!inflated.subarray(0, 20).toString("latin1").startsWith(`${type} `)) return `The stored object does not start with its header. ${HEADER_HINT(type)}`;
  }
  return HEADER_HINT(type);
}
