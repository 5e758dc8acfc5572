/**
 * DNS messages as data (RFC 1035 §4.1) and their encoding and decoding.
 * Record data is kept parsed for the types the server serves (§3.3, RFC
 * 3596) and as raw bytes for any other type.
 */
import { FormatError, Reader, Writer, type Name } from "./wire.ts";

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, OPT: 41, DS: 43, ANY: 255 } as const;
export const CLASS_IN = 1;
export const OPCODE_QUERY = 0;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

/** Record data by shape (the record's type says which): A/AAAA, NS/CNAME/PTR, MX, TXT, SOA, or any other type as raw bytes. */
export type RData =
  | { address: Uint8Array }
  | { target: Name }
  | { preference: number; exchange: Name }
  | { strings: Uint8Array[] }
  | Soa
  | { raw: Uint8Array };

export interface Soa {
  mname: Name;
  rname: Name;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface ResourceRecord {
  name: Name;
  type: number;
  class: number;
  ttl: number;
  data: RData;
}

export interface Question {
  name: Name;
  type: number;
  class: number;
}

/** EDNS(0) (RFC 6891 §6.1.2): the OPT pseudo-record, kept apart from the additional records. */
export interface Edns {
  udpSize: number;
  extendedRcode: number;
  version: number;
  flags: number;
}

export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The full response code; values above 15 need an OPT record for their upper bits. */
  rcode: number;
}

export interface Message {
  header: Header;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  edns?: Edns;
}

export function readHeader(r: Reader): Header & { counts: [number, number, number, number] } {
  const id = r.u16();
  const flags = r.u16();
  const counts: [number, number, number, number] = [r.u16(), r.u16(), r.u16(), r.u16()];
  return {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    counts,
  };
}

function readRData(r: Reader, type: number, length: number): RData {
  const end = r.offset + length;
  let data: RData;
  switch (type) {
    case TYPE.A:
    case TYPE.AAAA:
      data = { address: r.take(length) };
      break;
    case TYPE.NS:
    case TYPE.CNAME:
    case TYPE.PTR:
      data = { target: r.name() };
      break;
    case TYPE.MX:
      data = { preference: r.u16(), exchange: r.name() };
      break;
    case TYPE.SOA:
      data = { mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
      break;
    case TYPE.TXT: {
      const strings: Uint8Array[] = [];
      while (r.offset < end) strings.push(r.take(r.u8()));
      data = { strings };
      break;
    }
    default:
      data = { raw: r.take(length) };
  }
  if (r.offset !== end) throw new FormatError(`record data of type ${type} is ${length} bytes long, but its fields took ${length + r.offset - end}`);
  return data;
}

/** Decodes a whole message. Throws FormatError when it is malformed. */
export function decodeMessage(bytes: Uint8Array, r: Reader = new Reader(bytes)): Message {
  const { counts, ...header } = readHeader(r);
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const sections: ResourceRecord[][] = [[], [], []];
  let edns: Edns | undefined;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const name = r.name();
      const type = r.u16();
      const klass = r.u16();
      const ttl = r.u32();
      const length = r.u16();
      if (type === TYPE.OPT) {
        // RFC 6891 §6.1.1: one OPT at most, in the additional section, owned by the root.
        if (s !== 2 || edns || name.length !== 0) throw new FormatError("misplaced or repeated OPT record");
        r.take(length);
        edns = { udpSize: klass, extendedRcode: ttl >>> 24, version: (ttl >>> 16) & 0xff, flags: ttl & 0xffff };
        continue;
      }
      sections[s]!.push({ name, type, class: klass, ttl, data: readRData(r, type, length) });
    }
  }
  if (edns) header.rcode |= edns.extendedRcode << 4;
  return { header, questions, answers: sections[0]!, authority: sections[1]!, additional: sections[2]!, edns };
}

function writeRData(w: Writer, d: RData): void {
  if ("address" in d) w.bytes(d.address);
  else if ("target" in d) w.dataName(d.target);
  else if ("exchange" in d) {
    w.u16(d.preference);
    w.dataName(d.exchange);
  } else if ("strings" in d) {
    for (const s of d.strings) {
      w.u8(s.length);
      w.bytes(s);
    }
  } else if ("mname" in d) {
    w.dataName(d.mname);
    w.dataName(d.rname);
    for (const n of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(n);
  } else w.bytes(d.raw);
}

export function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lengthAt = w.length;
  w.u16(0);
  writeRData(w, rr.data);
  w.patch16(lengthAt, w.length - lengthAt - 2);
}

export function writeHeader(w: Writer, h: Header, counts: readonly number[]): void {
  w.u16(h.id);
  w.u16((h.qr ? 0x8000 : 0) | ((h.opcode & 0xf) << 11) | (h.aa ? 0x0400 : 0) | (h.tc ? 0x0200 : 0) | (h.rd ? 0x0100 : 0) | (h.ra ? 0x0080 : 0) | (h.rcode & 0xf));
  for (const c of counts) w.u16(c);
}

/** Encodes a message; names are compressed (§4.1.4) unless `compress` is false (or as the Writer given does). */
export function encodeMessage(m: Message, compress = true, w: Writer = new Writer(compress)): Uint8Array {
  const additional = m.additional.length + (m.edns ? 1 : 0);
  writeHeader(w, m.header, [m.questions.length, m.answers.length, m.authority.length, additional]);
  for (const q of m.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...m.answers, ...m.authority, ...m.additional]) writeRecord(w, rr);
  if (m.edns) {
    w.u8(0); // the root
    w.u16(TYPE.OPT);
    w.u16(m.edns.udpSize);
    w.u32((((m.header.rcode >> 4) & 0xff) << 24) | ((m.edns.version & 0xff) << 16) | (m.edns.flags & 0xffff));
    w.u16(0);
  }
  return w.done();
}
