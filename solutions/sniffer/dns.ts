/** DNS messages (RFC 1035 §4.1) on UDP port 53, as tcpdump prints them without -v. */
import { ipv4, u16 } from "./bytes.ts";
import { ip6 } from "./ip6.ts";

const TYPES: Record<number, string> = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 41: "OPT", 255: "ANY" };
const RCODES: Record<number, string> = { 1: " FormErr", 2: " ServFail", 3: " NXDomain", 4: " NotImp", 5: " Refused" };

class Truncated extends Error {}

export interface DnsOptions {
  /** Follow compression pointers (RFC 1035 §4.1.4); a fixture turns this off. */
  pointers?: boolean;
}

/** A domain name at `at`: its text ("www.example.com.", or "." for the root) and where the name ends in the message. */
export function readName(m: Uint8Array, at: number, opts: DnsOptions = {}): { name: string; end: number } {
  const labels: string[] = [];
  let end = -1;
  let jumps = 0;
  for (let i = at; ; ) {
    if (i >= m.length) throw new Truncated();
    const len = m[i]!;
    if (len === 0) {
      if (end < 0) end = i + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0 && opts.pointers !== false) {
      if (i + 1 >= m.length || ++jumps > 64) throw new Truncated();
      if (end < 0) end = i + 2;
      i = u16(m, i) & 0x3fff;
      continue;
    }
    if (i + 1 + len > m.length) throw new Truncated();
    labels.push(Buffer.from(m.subarray(i + 1, i + 1 + len)).toString("latin1"));
    i += 1 + len;
  }
  return { name: labels.length === 0 ? "." : `${labels.join(".")}.`, end };
}

const typeName = (t: number) => TYPES[t] ?? `Type${t}`;

/** One resource record as " A 192.0.2.1" would read after its separator: "A 192.0.2.1". Returns the text and where the record ends. */
function readRecord(m: Uint8Array, at: number, opts: DnsOptions): { text: string; end: number } {
  const { end: nameEnd } = readName(m, at, opts);
  if (nameEnd + 10 > m.length) throw new Truncated();
  const type = u16(m, nameEnd);
  const len = u16(m, nameEnd + 8);
  const data = nameEnd + 10;
  if (data + len > m.length) throw new Truncated();
  let text = typeName(type);
  if (type === 1 && len === 4) text += ` ${ipv4(m, data)}`;
  else if (type === 28 && len === 16) text += ` ${ip6(m, data)}`;
  else if (type === 5 || type === 2 || type === 12) text += ` ${readName(m, data, opts).name}`;
  return { text, end: data + len };
}

/** The text for a DNS message (the UDP payload), e.g. "12345+ A? www.example.com. (33)". */
export function dnsText(m: Uint8Array, opts: DnsOptions = {}): string {
  if (m.length < 12) return `[|domain]`;
  const id = u16(m, 0);
  const flags = u16(m, 2);
  const [qd, an, ns, ar] = [u16(m, 4), u16(m, 6), u16(m, 8), u16(m, 10)];
  const response = (flags & 0x8000) !== 0;
  let text: string;
  try {
    if (response) {
      text = `${id}${RCODES[flags & 0xf] ?? ""}${flags & 0x0400 ? "*" : ""}${flags & 0x0080 ? "" : "-"}${flags & 0x0200 ? "|" : ""}`;
      if (qd !== 1) text += ` [${qd}q]`;
      text += ` ${an}/${ns}/${ar}`;
      let at = 12;
      for (let i = 0; i < qd; i++) at = readName(m, at, opts).end + 4;
      for (let i = 0; i < an; i++) {
        const rr = readRecord(m, at, opts);
        text += `${i === 0 ? " " : ", "}${rr.text}`;
        at = rr.end;
      }
    } else {
      text = `${id}${flags & 0x0100 ? "+" : ""}`;
      if (an) text += ` [${an}a]`;
      if (ns) text += ` [${ns}n]`;
      if (ar) text += ` [${ar}au]`;
      if (qd !== 1) text += ` [${qd}q]`;
      if (qd > 0) {
        const q = readName(m, 12, opts);
        if (q.end + 4 > m.length) throw new Truncated();
        text += ` ${typeName(u16(m, q.end))}? ${q.name}`;
      }
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return `${id} [|domain]`;
  }
  return `${text} (${m.length})`;
}
