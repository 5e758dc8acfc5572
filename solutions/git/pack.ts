/**
 * Packfiles: reading objects from .git/objects/pack/*.pack through their
 * version 2 .idx (whole objects, OFS_DELTA and REF_DELTA chains), and
 * writing a pack with deltas and its index.
 * https://git-scm.com/docs/gitformat-pack
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync, inflateSync } from "node:zlib";
import { GitError, type GitObject, type ObjectType } from "./objects.ts";

const TYPE_CODES: Record<number, ObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };
const CODE_OF: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** How pack entries are decoded (a fixture replaces a part). */
export const packReadSteps = {
  /** The distance back to an OFS_DELTA's base: 7 bits a byte, most significant first, adding 1 before each shift. */
  ofsBack(buf: Uint8Array, at: number): [number, number] {
    let byte = buf[at++]!;
    let back = byte & 0x7f;
    while (byte & 0x80) {
      byte = buf[at++]!;
      back = (back + 1) * 128 + (byte & 0x7f);
    }
    return [back, at];
  },
  /** A copy instruction's offset (bits 0–3 of `op`: which of 4 bytes follow) and size (bits 4–6: which of 3; 0 means 0x10000). */
  copyArgs(delta: Uint8Array, at: number, op: number): [offset: number, size: number, at: number] {
    let off = 0;
    let len = 0;
    for (let i = 0; i < 4; i++) if (op & (1 << i)) off += delta[at++]! * 2 ** (8 * i);
    for (let i = 0; i < 3; i++) if (op & (0x10 << i)) len += delta[at++]! * 2 ** (8 * i);
    return [off, len === 0 ? 0x10000 : len, at];
  },
  /** The size in an entry's header continues 7 bits a byte while the high bit is set (else: the 4 bits of the first byte only). */
  headerSizeContinues: true,
  /** How many bytes of REF_DELTA base id come before the delta. */
  refBaseBytes: 20,
  /** A delta's base is read whole or as a delta itself (else: as if stored whole). */
  chains: true,
  /** A delta's object type: its base's. */
  deltaType: (baseType: ObjectType): ObjectType => baseType,
  /** A delta's two sizes: varints, 7 bits a byte, least significant first. */
  deltaSize: (data: Uint8Array, at: number): [number, number] => varint(data, at),
  /** Where the .idx search for ids starting with `first` begins: the fan-out count of ids below `first`. */
  fanoutLow: (idx: Buffer, first: number): number => (first === 0 ? 0 : idx.readUInt32BE(8 + (first - 1) * 4)),
};

/** One .idx (version 2) and its .pack. */
export class Pack {
  private readonly idx: Buffer;
  private pack: Buffer | undefined;
  readonly count: number;

  constructor(private readonly idxPath: string) {
    this.idx = readFileSync(idxPath);
    if (this.idx.readUInt32BE(0) !== 0xff744f63 || this.idx.readUInt32BE(4) !== 2) throw new GitError(`${idxPath}: not a version 2 pack index`);
    this.count = this.idx.readUInt32BE(8 + 255 * 4);
  }

  private data(): Buffer {
    this.pack ??= readFileSync(this.idxPath.replace(/\.idx$/, ".pack"));
    return this.pack;
  }

  /** The offset of an object in the pack (binary search in the sorted names, narrowed by the fan-out table). */
  offsetOf(oid: string): number | undefined {
    const want = Buffer.from(oid, "hex");
    const first = want[0]!;
    let lo = packReadSteps.fanoutLow(this.idx, first);
    let hi = this.idx.readUInt32BE(8 + first * 4);
    const names = 8 + 256 * 4;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const cmp = Buffer.compare(this.idx.subarray(names + mid * 20, names + mid * 20 + 20), want);
      if (cmp === 0) {
        const offsets = names + this.count * 24;
        const small = this.idx.readUInt32BE(offsets + mid * 4);
        if ((small & 0x80000000) === 0) return small;
        const large = offsets + this.count * 4 + (small & 0x7fffffff) * 8;
        return Number(this.idx.readBigUInt64BE(large));
      }
      if (cmp < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  /** The object at `offset`, resolving deltas (`lookup` finds a REF_DELTA's base anywhere). */
  read(offset: number, lookup: (oid: string) => GitObject, whole = false): GitObject {
    const buf = this.data();
    let at = offset;
    let byte = buf[at++]!;
    const type = (byte >> 4) & 7;
    if (packReadSteps.headerSizeContinues) while (byte & 0x80) byte = buf[at++]!; // the size; inflating tells us anyway
    if (TYPE_CODES[type] || (!packReadSteps.chains && whole)) return { type: TYPE_CODES[type] ?? "blob", body: inflateSync(buf.subarray(at)) };
    let base: GitObject;
    if (type === OFS_DELTA) {
      let back: number;
      [back, at] = packReadSteps.ofsBack(buf, at);
      base = this.read(offset - back, lookup, true);
    } else if (type === REF_DELTA) {
      base = lookup(buf.toString("hex", at, at + 20));
      at += packReadSteps.refBaseBytes;
    } else throw new GitError(`bad object type ${type} in pack at offset ${offset}`);
    return { type: packReadSteps.deltaType(base.type), body: applyDelta(base.body, inflateSync(buf.subarray(at))) };
  }
}

/** Every pack of the repository, by its .idx. */
export function packsOf(gitDir: string): Pack[] {
  const dir = join(gitDir, "objects", "pack");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".idx")).sort().map((f) => new Pack(join(dir, f)));
}

function varint(data: Uint8Array, at: number): [number, number] {
  let n = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = data[at++]!;
    n += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [n, at];
}

/** A delta: the base's size, the result's size, then copy (from the base) and insert instructions. */
export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  let [baseSize, at] = packReadSteps.deltaSize(delta, 0);
  if (baseSize !== base.length) throw new GitError("delta base size mismatch");
  let size: number;
  [size, at] = packReadSteps.deltaSize(delta, at);
  const out = Buffer.alloc(size);
  let w = 0;
  while (at < delta.length) {
    const op = delta[at++]!;
    if (op & 0x80) {
      let off: number;
      let len: number;
      [off, len, at] = packReadSteps.copyArgs(delta, at, op);
      if (off + len > base.length || w + len > size) throw new GitError("delta copies outside its base or result");
      out.set(base.subarray(off, off + len), w);
      w += len;
    } else if (op > 0) {
      out.set(delta.subarray(at, at + op), w);
      at += op;
      w += op;
    } else throw new GitError("delta opcode 0 is reserved");
  }
  if (w !== size) throw new GitError("delta result size mismatch");
  return out;
}

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

const BLOCK = 16;

/** A copy instruction: 0x80, then bits 0–3 for the offset bytes present and 4–6 for the size bytes present (least significant first, zero bytes left out). */
export function copyInstruction(offset: number, size: number): number[] {
  let op = 0x80;
  const args: number[] = [];
  for (let i = 0; i < 4; i++) {
    const b = Math.floor(offset / 2 ** (8 * i)) & 0xff;
    if (b) (op |= 1 << i), args.push(b);
  }
  for (let i = 0; i < 3; i++) {
    const b = (size >>> (8 * i)) & 0xff;
    if (b) (op |= 0x10 << i), args.push(b);
  }
  return [op, ...args];
}

/** A delta turning `base` into `target`: blocks of the base found by hashing 16-byte windows, extended byte by byte; the rest inserted. */
export function makeDelta(base: Uint8Array, target: Uint8Array, copy: typeof copyInstruction = copyInstruction): Uint8Array {
  const index = new Map<string, number>();
  const key = (b: Uint8Array, at: number) => Buffer.from(b.subarray(at, at + BLOCK)).toString("latin1");
  for (let i = 0; i + BLOCK <= base.length; i += BLOCK) if (!index.has(key(base, i))) index.set(key(base, i), i);
  const out: number[] = [...encodeVarint(base.length), ...encodeVarint(target.length)];
  let pending: number[] = [];
  const flush = () => {
    for (let i = 0; i < pending.length; i += 127) {
      const part = pending.slice(i, i + 127);
      out.push(part.length, ...part);
    }
    pending = [];
  };
  let at = 0;
  while (at < target.length) {
    const hit = at + BLOCK <= target.length ? index.get(key(target, at)) : undefined;
    if (hit === undefined) {
      pending.push(target[at++]!);
      continue;
    }
    let len = BLOCK;
    while (at + len < target.length && hit + len < base.length && len < 0xffffff && target[at + len] === base[hit + len]) len++;
    flush();
    out.push(...copy(hit, len));
    at += len;
  }
  flush();
  return Uint8Array.from(out);
}

/** The type-and-size header of a pack entry. */
function entryHeader(type: number, size: number): number[] {
  let byte = (type << 4) | (size & 0x0f);
  size = Math.floor(size / 16);
  const out: number[] = [];
  while (size > 0) {
    out.push(byte | 0x80);
    byte = size & 0x7f;
    size = Math.floor(size / 128);
  }
  out.push(byte);
  return out;
}

function ofsDistance(n: number): number[] {
  const out = [n & 0x7f];
  n = Math.floor(n / 128);
  while (n > 0) {
    n -= 1;
    out.unshift(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  return out;
}

export interface PackInput {
  oid: string;
  type: ObjectType;
  body: Uint8Array;
}

/** How deltas are chosen (a fixture replaces it). */
export interface PackSteps {
  /** Whether to try deltas at all. */
  deltas: boolean;
  /** How a copy instruction is encoded. */
  copy: typeof copyInstruction;
  /** The .idx's CRC-32 of an entry: over its bytes in the pack (header, delta base, compressed data). */
  crc: (entry: Uint8Array, obj: PackInput) => number;
}

export const packSteps: PackSteps = { deltas: true, copy: copyInstruction, crc: (entry) => crc32(entry) };

const WINDOW = 10;

/** A version 2 pack of the objects (deltas against one of the previous objects of the same type, as OFS_DELTA) and its version 2 index. */
export function writePack(objects: PackInput[], steps: PackSteps = packSteps): { pack: Buffer; idx: Buffer; checksum: string } {
  // Similar objects next to each other: by type, then size, biggest first (git's heuristic: deltas shrink things).
  const order = [...objects].sort((a, b) => CODE_OF[a.type] - CODE_OF[b.type] || b.body.length - a.body.length);
  const header = Buffer.alloc(12);
  header.write("PACK", 0, "latin1");
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(order.length, 8);
  const parts: Buffer[] = [header];
  let offset = 12;
  const entries: { oid: string; offset: number; crc: number }[] = [];
  const placed: { obj: PackInput; offset: number; depth: number }[] = [];
  for (const obj of order) {
    let best: { bytes: Uint8Array; base: (typeof placed)[number] } | undefined;
    if (steps.deltas && obj.body.length >= 32) {
      for (const cand of placed.slice(-WINDOW)) {
        if (cand.obj.type !== obj.type || cand.depth >= 50) continue;
        const delta = makeDelta(cand.obj.body, obj.body, steps.copy);
        if (delta.length < obj.body.length / 2 && (!best || delta.length < best.bytes.length)) best = { bytes: delta, base: cand };
      }
    }
    const entry = best
      ? Buffer.concat([Buffer.from(entryHeader(OFS_DELTA, best.bytes.length)), Buffer.from(ofsDistance(offset - best.base.offset)), deflateSync(best.bytes)])
      : Buffer.concat([Buffer.from(entryHeader(CODE_OF[obj.type], obj.body.length)), deflateSync(obj.body)]);
    entries.push({ oid: obj.oid, offset, crc: steps.crc(entry, obj) });
    placed.push({ obj, offset, depth: best ? best.base.depth + 1 : 0 });
    parts.push(entry);
    offset += entry.length;
  }
  const body = Buffer.concat(parts);
  const trailer = createHash("sha1").update(body).digest();
  const pack = Buffer.concat([body, trailer]);

  const idx = encodeIdx(entries, trailer);
  return { pack, idx, checksum: trailer.toString("hex") };
}

/** A version 2 .idx for a pack's entries (id, offset, CRC-32 of the entry's bytes) and the pack's trailing checksum. */
export function encodeIdx(entries: { oid: string; offset: number; crc: number }[], packChecksum: Uint8Array): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const fanout = Buffer.alloc(256 * 4);
  for (let i = 0, at = 0; i < 256; i++) {
    while (at < sorted.length && parseInt(sorted[at]!.oid.slice(0, 2), 16) <= i) at++;
    fanout.writeUInt32BE(at, i * 4);
  }
  const names = Buffer.concat(sorted.map((e) => Buffer.from(e.oid, "hex")));
  const crcs = Buffer.alloc(sorted.length * 4);
  const offs = Buffer.alloc(sorted.length * 4);
  sorted.forEach((e, i) => {
    crcs.writeUInt32BE(e.crc >>> 0, i * 4);
    offs.writeUInt32BE(e.offset, i * 4);
  });
  const body = Buffer.concat([Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]), fanout, names, crcs, offs, packChecksum]);
  return Buffer.concat([body, createHash("sha1").update(body).digest()]);
}

/** Inflates the zlib stream at the start of `data`; returns the bytes and how many input bytes it used. */
function inflateCounted(data: Uint8Array): [Buffer, number] {
  const r = inflateSync(data, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
  return [r.buffer, r.engine.bytesWritten];
}

/**
 * Indexes a pack received whole (as `git index-pack` does): walks its
 * entries, resolves deltas (bases in the pack, or `lookup` for a thin
 * pack's bases elsewhere), names every object; returns the .idx.
 */
export function indexPack(pack: Uint8Array, lookup: (oid: string) => GitObject | undefined): { idx: Buffer; checksum: string } {
  const buf = Buffer.from(pack);
  if (buf.toString("latin1", 0, 4) !== "PACK") throw new GitError("not a pack: no PACK signature");
  const count = buf.readUInt32BE(8);
  const end = buf.length - 20;
  if (createHash("sha1").update(buf.subarray(0, end)).digest("hex") !== buf.toString("hex", end)) throw new GitError("pack checksum mismatch");
  interface Raw { offset: number; type: number; data: Buffer; base?: number | string; crc: number }
  const raws: Raw[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    const offset = at;
    let byte = buf[at++]!;
    const type = (byte >> 4) & 7;
    while (byte & 0x80) byte = buf[at++]!;
    let base: number | string | undefined;
    if (type === OFS_DELTA) {
      let back: number;
      [back, at] = packReadSteps.ofsBack(buf, at);
      base = offset - back;
    } else if (type === REF_DELTA) {
      base = buf.toString("hex", at, at + 20);
      at += 20;
    }
    const [data, used] = inflateCounted(buf.subarray(at, end));
    at += used;
    raws.push({ offset, type, data, base, crc: crc32(buf.subarray(offset, at)) });
  }
  const resolved = new Map<number, GitObject>();
  const byOid = new Map<string, GitObject>();
  const entries: { oid: string; offset: number; crc: number }[] = [];
  const name = (r: Raw, obj: GitObject) => {
    const oid = createHash("sha1").update(Buffer.from(`${obj.type} ${obj.body.length}\0`)).update(obj.body).digest("hex");
    resolved.set(r.offset, obj);
    byOid.set(oid, obj);
    entries.push({ oid, offset: r.offset, crc: r.crc });
  };
  for (const r of raws) if (TYPE_CODES[r.type]) name(r, { type: TYPE_CODES[r.type]!, body: r.data });
  // Deltas whose base is resolved, until none is left (a chain resolves one link per round).
  let pending = raws.filter((r) => !TYPE_CODES[r.type]);
  while (pending.length > 0) {
    const next: Raw[] = [];
    for (const r of pending) {
      const base = typeof r.base === "number" ? resolved.get(r.base) : byOid.get(r.base!) ?? (r.base ? lookup(r.base) : undefined);
      if (base === undefined) next.push(r);
      else name(r, { type: base.type, body: applyDelta(base.body, r.data) });
    }
    if (next.length === pending.length) throw new GitError(`pack has ${next.length} deltas whose base is missing`);
    pending = next;
  }
  const trailer = buf.subarray(end);
  return { idx: encodeIdx(entries, trailer), checksum: trailer.toString("hex") };
}
