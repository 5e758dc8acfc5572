/**
 * Master files (RFC 1035 §5): one zone, with $ORIGIN, $TTL (RFC 2308 §4),
 * relative names, `@`, a blank owner meaning "the previous owner",
 * parentheses spanning lines, comments, and quoted strings.
 */
import { CLASS_IN, TYPE, type RData, type ResourceRecord, type Soa } from "./message.ts";
import { isAtOrBelow, nameKey, showName, type Name } from "./wire.ts";

export class ZoneFileError extends Error {}

export interface Zone {
  origin: Name;
  soa: ResourceRecord & { data: Soa };
  /** Records by owner name (nameKey). */
  nodes: Map<string, ResourceRecord[]>;
  /** Every name that owns records or has a descendant that does (empty non-terminals included, RFC 8020). */
  existing: Set<string>;
}

interface Token {
  text: string;
  quoted: boolean;
}

interface Line {
  number: number;
  /** The line began with a space or tab: the owner is the previous record's. */
  blankOwner: boolean;
  tokens: Token[];
}

/** Splits the file into logical lines of tokens: comments dropped, ( … ) joined across lines. */
function lines(text: string): Line[] {
  const out: Line[] = [];
  let current: Line | undefined;
  let depth = 0;
  let number = 1;
  let i = 0;
  const startLine = () => {
    current = { number, blankOwner: text[i] === " " || text[i] === "\t", tokens: [] };
  };
  startLine();
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      number++;
      i++;
      if (depth === 0) {
        if (current!.tokens.length > 0) out.push(current!);
        startLine();
      }
    } else if (c === ";") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === " " || c === "\t" || c === "\r") i++;
    else if (c === "(") {
      depth++;
      i++;
    } else if (c === ")") {
      if (depth === 0) throw new ZoneFileError(`line ${number}: ")" without "("`);
      depth--;
      i++;
    } else if (c === '"') {
      let s = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) s += text[i++];
        if (text[i] === "\n") number++;
        s += text[i++];
      }
      if (i >= text.length) throw new ZoneFileError(`line ${number}: unterminated quoted string`);
      i++;
      current!.tokens.push({ text: s, quoted: true });
    } else {
      let s = "";
      while (i < text.length && !' \t\r\n;()"'.includes(text[i]!)) {
        if (text[i] === "\\" && i + 1 < text.length) s += text[i++];
        s += text[i++];
      }
      current!.tokens.push({ text: s, quoted: false });
    }
  }
  if (depth !== 0) throw new ZoneFileError(`line ${number}: "(" without ")"`);
  if (current!.tokens.length > 0) out.push(current!);
  return out;
}

/** Text with \X and \DDD escapes (§5.1) as bytes. */
function unescape(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\") out.push(...Buffer.from(c, "utf8"));
    else if (/^\d{3}/.test(text.slice(i + 1, i + 4))) {
      out.push(Number(text.slice(i + 1, i + 4)));
      i += 3;
    } else out.push(text.charCodeAt(++i));
  }
  return Uint8Array.from(out);
}

/** A name in the file: "@" is the origin, a name ending in "." is absolute, any other is relative to the origin. */
export function parseName(text: string, origin: Name): Name {
  if (text === "@") return origin;
  const labels: string[] = [];
  let label = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") {
      const end = /^\d{3}/.test(text.slice(i + 1, i + 4)) ? i + 4 : i + 2;
      label += Buffer.from(unescape(text.slice(i, end))).toString("latin1");
      i = end - 1;
    } else if (text[i] === ".") {
      labels.push(label);
      label = "";
    } else label += text[i];
  }
  if (text.endsWith(".") && !text.endsWith("\\.")) return text === "." ? [] : labels;
  labels.push(label);
  if (labels.some((l) => l === "" || l.length > 63)) throw new ZoneFileError(`"${text}" is not a valid name`);
  return [...labels, ...origin];
}

/** A TTL: seconds, or with BIND's units (1h30m). */
function parseTtl(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const m = text.toLowerCase().match(/^(\d+[smhdw])+$/);
  if (!m) return undefined;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const [, n, u] of text.toLowerCase().matchAll(/(\d+)([smhdw])/g)) total += Number(n) * unit[u!]!;
  return total;
}

function ipv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

function ipv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

const TYPES: Record<string, number> = { A: TYPE.A, NS: TYPE.NS, CNAME: TYPE.CNAME, SOA: TYPE.SOA, PTR: TYPE.PTR, MX: TYPE.MX, TXT: TYPE.TXT, AAAA: TYPE.AAAA };

function parseRData(type: number, args: Token[], origin: Name, where: string): RData {
  const fail = (what: string): never => {
    throw new ZoneFileError(`${where}: ${what}`);
  };
  const arg = (i: number) => args[i]?.text ?? fail(`missing field ${i + 1} of the record data`);
  const count = (n: number) => {
    if (args.length !== n) fail(`expected ${n} fields of record data, got ${args.length}`);
  };
  const num = (i: number, max = 0xffffffff) => {
    const v = parseTtl(arg(i));
    return v !== undefined && v <= max ? v : fail(`"${arg(i)}" is not a number`);
  };
  switch (type) {
    case TYPE.A:
      count(1);
      return { address: ipv4(arg(0)) ?? fail(`"${arg(0)}" is not an IPv4 address`) };
    case TYPE.AAAA:
      count(1);
      return { address: ipv6(arg(0)) ?? fail(`"${arg(0)}" is not an IPv6 address`) };
    case TYPE.NS:
    case TYPE.CNAME:
    case TYPE.PTR:
      count(1);
      return { target: parseName(arg(0), origin) };
    case TYPE.MX:
      count(2);
      return { preference: num(0, 0xffff), exchange: parseName(arg(1), origin) };
    case TYPE.TXT:
      if (args.length === 0) fail("TXT needs at least one string");
      return { strings: args.map((a) => (unescape(a.text).length > 255 ? fail("a TXT string is at most 255 bytes") : unescape(a.text))) };
    case TYPE.SOA:
      count(7);
      return { mname: parseName(arg(0), origin), rname: parseName(arg(1), origin), serial: num(2), refresh: num(3), retry: num(4), expire: num(5), minimum: num(6) };
    default:
      return fail(`type ${type} is not supported`);
  }
}

/** The records of a master file, in order (a zone file, or a root hints file). */
export function parseRecords(text: string, origin: Name = []): ResourceRecord[] {
  let currentOrigin = origin;
  let defaultTtl: number | undefined;
  let lastTtl: number | undefined;
  let owner: Name | undefined;
  const records: ResourceRecord[] = [];
  for (const line of lines(text)) {
    const where = `line ${line.number}`;
    const [first, ...rest] = line.tokens;
    if (!line.blankOwner && first!.text.startsWith("$")) {
      const directive = first!.text.toUpperCase();
      if (directive === "$ORIGIN") currentOrigin = parseName(rest[0]?.text ?? ".", []);
      else if (directive === "$TTL") defaultTtl = parseTtl(rest[0]?.text ?? "") ?? (() => { throw new ZoneFileError(`${where}: $TTL needs a number of seconds`); })();
      else throw new ZoneFileError(`${where}: ${first!.text} is not supported`);
      continue;
    }
    const tokens = line.blankOwner ? line.tokens : rest;
    if (!line.blankOwner) owner = parseName(first!.text, currentOrigin);
    if (!owner) throw new ZoneFileError(`${where}: the first record needs an owner name`);
    let ttl: number | undefined;
    let i = 0;
    // [TTL] [class] or [class] [TTL], in either order (§5.1).
    for (; i < 2 && i < tokens.length; i++) {
      const t = tokens[i]!.text;
      if (parseTtl(t) !== undefined && ttl === undefined) ttl = parseTtl(t);
      else if (t.toUpperCase() !== "IN") break;
    }
    const typeText = tokens[i]?.text.toUpperCase() ?? "";
    const type = TYPES[typeText];
    if (type === undefined) throw new ZoneFileError(`${where}: unknown or missing record type "${typeText}"`);
    if (ttl !== undefined) lastTtl = ttl;
    ttl ??= defaultTtl ?? lastTtl;
    const data = parseRData(type, tokens.slice(i + 1), currentOrigin, where);
    if (type === TYPE.SOA) ttl ??= (data as Soa).minimum;
    if (ttl === undefined) throw new ZoneFileError(`${where}: no TTL (give one, or a $TTL line before it)`);
    records.push({ name: owner, type, class: CLASS_IN, ttl, data });
  }
  return records;
}

/** Reads a master file. `origin` is the zone's name when the file has no $ORIGIN before its first record. */
export function parseZone(text: string, origin: Name = []): Zone {
  const records = parseRecords(text, origin);
  // The zone is named by its SOA's owner.
  const soa = records.find((r) => r.type === TYPE.SOA);
  if (!soa) throw new ZoneFileError("the zone has no SOA record");
  const zoneOrigin = soa.name;
  const zone: Zone = { origin: zoneOrigin, soa: soa as Zone["soa"], nodes: new Map(), existing: new Set() };
  for (const rr of records) {
    if (!isAtOrBelow(rr.name, zoneOrigin)) throw new ZoneFileError(`${showName(rr.name)} is outside the zone ${showName(zoneOrigin)}`);
    const key = nameKey(rr.name);
    const node = zone.nodes.get(key) ?? [];
    // A record given twice is one record (RFC 2181 §5: an RRset has no duplicates).
    if (!node.some((o) => o.type === rr.type && JSON.stringify(o.data) === JSON.stringify(rr.data))) node.push(rr);
    zone.nodes.set(key, node);
    for (let n = rr.name; n.length >= zoneOrigin.length; n = n.slice(1)) zone.existing.add(nameKey(n));
  }
  return zone;
}
