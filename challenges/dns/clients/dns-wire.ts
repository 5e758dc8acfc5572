/**
 * A small DNS message builder and reader for the tests' raw packets
 * (RFC 1035 §4.1): queries with exact bytes (malformed ones too), and
 * replies read field by field, with where each name sits and whether it was
 * compressed. Independent of the reference solution.
 */

export const TYPES: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, OPT: 41 };
export const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

/** A name as length-prefixed labels ending with the root (no compression). */
export function encodeName(name: string): Uint8Array {
  const labels = name.split(".").filter((l) => l !== "");
  const out: number[] = [];
  for (const l of labels) out.push(l.length, ...Buffer.from(l, "latin1"));
  out.push(0);
  return Uint8Array.from(out);
}

export interface QueryOptions {
  id: number;
  /** The question's name as bytes, when it should be something encodeName cannot make (a pointer, a loop). */
  rawName?: Uint8Array;
  name?: string;
  type?: string;
  rd?: boolean;
  /** The opcode (0, QUERY, unless given). */
  opcode?: number;
  /** Other header bits to set in the flags word (AA 0x0400, TC 0x0200, RA 0x0080, Z 0x0070): a query may carry them, a reply must not echo them. */
  setBits?: number;
  /** Adds an OPT record (RFC 6891 §6.1.2) with this UDP size. */
  ednsUdpSize?: number;
}

/** A query: header (QDCOUNT 1), one question, and an OPT record if asked for. */
export function buildQuery(o: QueryOptions): Uint8Array {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(o.id, 0);
  header.writeUInt16BE((o.rd === false ? 0 : 0x0100) | ((o.opcode ?? 0) << 11) | (o.setBits ?? 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(o.ednsUdpSize === undefined ? 0 : 1, 10);
  const typeAndClass = Buffer.alloc(4);
  typeAndClass.writeUInt16BE(TYPES[o.type ?? "A"]!, 0);
  typeAndClass.writeUInt16BE(1, 2);
  const parts: Uint8Array[] = [header, o.rawName ?? encodeName(o.name ?? "."), typeAndClass];
  if (o.ednsUdpSize !== undefined) {
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(o.ednsUdpSize, 3);
    parts.push(opt);
  }
  return Buffer.concat(parts);
}

export interface WireHeader {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: number;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export function readWireHeader(b: Uint8Array): WireHeader | undefined {
  if (b.length < 12) return undefined;
  const v = Buffer.from(b);
  const flags = v.readUInt16BE(2);
  return {
    id: v.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags >> 4) & 0x7,
    rcode: flags & 0xf,
    qdcount: v.readUInt16BE(4),
    ancount: v.readUInt16BE(6),
    nscount: v.readUInt16BE(8),
    arcount: v.readUInt16BE(10),
  };
}

export function showHeader(h: WireHeader): string {
  const flags = (["qr", "aa", "tc", "rd", "ra"] as const).filter((f) => h[f]);
  return `id ${h.id}, opcode ${h.opcode}, rcode ${RCODES[h.rcode] ?? h.rcode}, flags: ${flags.join(" ") || "(none)"}${h.z ? `, Z=${h.z}` : ""}; QUERY ${h.qdcount}, ANSWER ${h.ancount}, AUTHORITY ${h.nscount}, ADDITIONAL ${h.arcount}`;
}

export interface WireName {
  name: string;
  /** Where the name starts and how many bytes it takes there (a pointer takes 2). */
  offset: number;
  size: number;
  /** True when the name ends with (or is) a compression pointer. */
  compressed: boolean;
}

/** Reads a name at `offset`, following pointers, giving up on loops (at most 128 jumps). */
export function readWireName(b: Uint8Array, offset: number): WireName {
  const labels: string[] = [];
  let pos = offset;
  let size: number | undefined;
  for (let jumps = 0; jumps < 128; ) {
    const len = b[pos];
    if (len === undefined) throw new Error(`name at byte ${offset} runs past the end`);
    if ((len & 0xc0) === 0xc0) {
      size ??= pos + 2 - offset;
      pos = ((len & 0x3f) << 8) | (b[pos + 1] ?? 0);
      jumps++;
      continue;
    }
    if (len === 0) return { name: `${labels.join(".")}.`, offset, size: size ?? pos + 1 - offset, compressed: size !== undefined };
    labels.push(Buffer.from(b.subarray(pos + 1, pos + 1 + len)).toString("latin1"));
    pos += 1 + len;
  }
  throw new Error(`name at byte ${offset} has a pointer loop`);
}

export interface WireRecord {
  owner: WireName;
  type: number;
  ttl: number;
  /** The names inside the data of NS, CNAME, PTR, MX and SOA records. */
  dataNames: WireName[];
}

export interface WireMessage {
  header: WireHeader;
  records: WireRecord[];
  size: number;
}

/** Reads a reply's header, question and records. Throws when it is malformed. */
export function readWireMessage(b: Uint8Array): WireMessage {
  const header = readWireHeader(b);
  if (!header) throw new Error(`a DNS message is at least 12 bytes, got ${b.length}`);
  const v = Buffer.from(b);
  let pos = 12;
  for (let i = 0; i < header.qdcount; i++) pos += readWireName(b, pos).size + 4;
  const records: WireRecord[] = [];
  for (let i = 0; i < header.ancount + header.nscount + header.arcount; i++) {
    const owner = readWireName(b, pos);
    pos += owner.size;
    if (pos + 10 > b.length) throw new Error(`record ${i + 1} runs past the end`);
    const type = v.readUInt16BE(pos);
    const ttl = v.readUInt32BE(pos + 4);
    const length = v.readUInt16BE(pos + 8);
    const data = pos + 10;
    const dataNames: WireName[] = [];
    if ([2, 5, 12].includes(type)) dataNames.push(readWireName(b, data));
    if (type === 15) dataNames.push(readWireName(b, data + 2));
    if (type === 6) {
      const mname = readWireName(b, data);
      dataNames.push(mname, readWireName(b, data + mname.size));
    }
    records.push({ owner, type, ttl, dataNames });
    pos = data + length;
    if (pos > b.length) throw new Error(`record ${i + 1} runs past the end`);
  }
  return { header, records, size: b.length };
}

/** Prefixes a message with its length, as over TCP (RFC 1035 §4.2.2). */
export function framed(message: Uint8Array): Uint8Array {
  const out = Buffer.alloc(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}
