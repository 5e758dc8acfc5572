/**
 * Packfiles in the tests: what real git's `verify-pack -v` says about a
 * pack (which objects, which are deltas and of what type), and which part
 * of a version 2 .idx differs from the one real git's index-pack writes.
 * https://git-scm.com/docs/gitformat-pack
 */
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";

export interface PackedObject {
  oid: string;
  type: string;
  /** Offset of the entry in the .pack. */
  offset: number;
  /** Length of its delta chain (0: stored whole). */
  depth: number;
}

/** The objects of `git verify-pack -v` output. */
export function verifyPackObjects(output: string): PackedObject[] {
  const out: PackedObject[] = [];
  for (const line of output.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (!/^[0-9a-f]{40}$/.test(f[0] ?? "") || f.length < 5) continue;
    out.push({ oid: f[0]!, type: f[1]!, offset: Number(f[4]), depth: f.length >= 7 ? Number(f[5]) : 0 });
  }
  return out;
}

/** The entry type codes (1–4 whole objects, 6 OFS_DELTA, 7 REF_DELTA) at those offsets of a .pack. */
export function entryTypes(packPath: string, objects: PackedObject[]): Set<number> {
  const pack = readFileSync(packPath);
  return new Set(objects.map((o) => (pack[o.offset]! >> 4) & 7));
}

/** What a delta's copy instructions need: an offset of 3 or 4 bytes (≥ 65536), or a size of 0 meaning 0x10000. */
export interface DeltaCopies {
  oid: string;
  /** The largest copy offset in the delta. */
  maxOffset: number;
  /** Whether a copy has no size bytes (size 0, which means 0x10000). */
  sizeZero: boolean;
}

/** The copy instructions of each delta entry of a .pack (whole objects are left out). */
export function deltaCopies(packPath: string, objects: PackedObject[]): DeltaCopies[] {
  const pack = readFileSync(packPath);
  const out: DeltaCopies[] = [];
  for (const o of objects) {
    let at = o.offset;
    const type = (pack[at]! >> 4) & 7;
    while (pack[at++]! & 0x80);
    if (type === 6) while (pack[at++]! & 0x80);
    else if (type === 7) at += 20;
    else continue;
    const delta = inflateSync(pack.subarray(at));
    let i = 0;
    for (let n = 0; n < 2; n++) while (delta[i++]! & 0x80); // the base's size and the result's size
    let maxOffset = 0;
    let sizeZero = false;
    while (i < delta.length) {
      const op = delta[i++]!;
      if (op & 0x80) {
        let offset = 0;
        for (let b = 0; b < 4; b++) if (op & (1 << b)) offset += delta[i++]! * 2 ** (8 * b);
        if ((op & 0x70) === 0) sizeZero = true;
        for (let b = 0; b < 3; b++) if (op & (0x10 << b)) i++;
        maxOffset = Math.max(maxOffset, offset);
      } else i += op;
    }
    out.push({ oid: o.oid, maxOffset, sizeZero });
  }
  return out;
}

export const IDX_LAYOUT =
  "A version 2 .idx is: the magic \\377tOc and version 2; 256 fan-out entries (entry i: how many ids have a first byte ≤ i, 4 bytes big-endian each); the ids, sorted; a CRC-32 per object (of its entry's bytes in the .pack, header and compressed data); a 4-byte offset per object (into the .pack); the .pack's trailing SHA-1; the SHA-1 of everything before it. All tables in the order of the sorted ids.";

/** The object ids a version 2 .idx lists, in its order. */
export function idxIds(idx: Uint8Array): string[] {
  const buf = Buffer.from(idx);
  const n = buf.readUInt32BE(8 + 255 * 4);
  return Array.from({ length: n }, (_, i) => buf.toString("hex", 8 + 1024 + 20 * i, 8 + 1024 + 20 * i + 20));
}

/** Names the section of a version 2 .idx where `ours` first differs from `real`. */
export function idxDifference(ours: Uint8Array, real: Uint8Array): string {
  const n = Buffer.from(real).readUInt32BE(8 + 255 * 4);
  const sections: [string, number][] = [
    ["the header (magic and version)", 8],
    ["the fan-out table", 8 + 1024],
    ["the sorted object ids", 8 + 1024 + 20 * n],
    ["the CRC-32s (each over the entry's bytes in the .pack: its header and compressed data)", 8 + 1024 + 24 * n],
    ["the offsets", 8 + 1024 + 28 * n],
    ["the .pack's checksum", 8 + 1024 + 28 * n + 20],
    ["the .idx's own checksum", 8 + 1024 + 28 * n + 40],
  ];
  let at = 0;
  while (at < ours.length && at < real.length && ours[at] === real[at]) at++;
  const section = sections.find(([, end]) => at < end);
  return `The first difference is at byte ${at}, in ${section ? section[0] : "what follows the checksum (the file is too long)"}. ${IDX_LAYOUT}`;
}
