/**
 * A reader of tar archives (POSIX.1-2001 pax and ustar, with GNU long names),
 * the format of an OCI image's layers (image-spec layer.md): 512-byte headers,
 * each followed by its content padded to 512 bytes, two zero blocks at the end.
 */

export type EntryType = "file" | "hardlink" | "symlink" | "char" | "block" | "dir" | "fifo";

export interface TarEntry {
  /** The path as archived, without a leading "./" or "/". */
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  /** The target of a symbolic or hard link. */
  linkname: string;
  devmajor: number;
  devminor: number;
  content: Buffer;
}

const TYPES: Record<string, EntryType> = { "0": "file", "\0": "file", "7": "file", "1": "hardlink", "2": "symlink", "3": "char", "4": "block", "5": "dir", "6": "fifo" };

const text = (b: Buffer, at: number, len: number): string => {
  const field = b.subarray(at, at + len);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? len : end).toString("utf8");
};

/** An octal number field, or base-256 when its first byte has the high bit (GNU, for large values). */
function number(b: Buffer, at: number, len: number): number {
  if (b[at]! & 0x80) {
    let n = 0;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = text(b, at, len).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

/** pax extended header records: "<length> <key>=<value>\n". */
function paxRecords(content: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(content.subarray(at, space).toString());
    if (!Number.isInteger(length) || length <= 0) throw new Error("tar: a malformed pax record");
    const record = content.subarray(space + 1, at + length - 1).toString("utf8");
    const eq = record.indexOf("=");
    out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

function clean(path: string): string {
  return path.replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
}

/** The entries of a tar archive, in order. */
export function* readTar(archive: Buffer): Generator<TarEntry> {
  let at = 0;
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  while (at + 512 <= archive.length) {
    const h = archive.subarray(at, at + 512);
    if (h.every((byte) => byte === 0)) return;
    const size = number(h, 124, 12);
    const content = archive.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    const flag = String.fromCharCode(h[156]!);
    if (flag === "x") {
      pax = paxRecords(content);
      continue;
    }
    if (flag === "g") continue; // global pax header: nothing here needs it
    if (flag === "L" || flag === "K") {
      const value = content.toString("utf8").replace(/\0+$/, "");
      if (flag === "L") longName = value;
      else longLink = value;
      continue;
    }
    const type = TYPES[flag];
    if (type === undefined) throw new Error(`tar: entry type "${flag}" is not supported`);
    const prefix = text(h, 257, 6).startsWith("ustar") ? text(h, 345, 155) : "";
    const name = pax.get("path") ?? longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    yield {
      path: clean(name),
      type,
      mode: number(h, 100, 8) & 0o7777,
      uid: pax.has("uid") ? Number(pax.get("uid")) : number(h, 108, 8),
      gid: pax.has("gid") ? Number(pax.get("gid")) : number(h, 116, 8),
      linkname: pax.get("linkpath") ?? longLink ?? text(h, 157, 100),
      devmajor: number(h, 329, 8),
      devminor: number(h, 337, 8),
      content: type === "file" ? content : Buffer.alloc(0),
    };
    pax = new Map();
    longName = longLink = undefined;
  }
}
