/**
 * DNS messages (RFC 1035 §4.1) on UDP port 53, as tcpdump prints them
 * without -v. The text is built as the message is read, as tcpdump does: a
 * message that ends early (a label, a pointer or a record cut at its end)
 * prints what was read, then " [|domain]".
 */
import { ipv4, u16 } from "./bytes.ts";
import { ip6 } from "./ip6.ts";

const TYPES: Record<number, string> = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 41: "OPT", 255: "ANY" };
const RCODES: Record<number, string> = { 1: " FormErr", 2: " ServFail", 3: " NXDomain", 4: " NotImp", 5: " Refused" };

class Truncated extends Error {}

export interface DnsOptions {
  /** Follow compression pointers (RFC 1035 §4.1.4); a fixture turns this off. */
  pointers?: boolean;
  /** A pointer cut after its first byte, in a printed name: "end" the name there (tcpdump), or call the message "truncated" (a fixture). */
  cutPointer?: "end" | "truncated";
}

/** The line being built. */
class Text {
  s = "";
}

/**
 * Skips the name at `at` without printing it: where the name ends. A pointer
 * ends the name (its second byte is not read: tcpdump only reads it when it
 * prints the name); a label past the end is a truncated message.
 */
function skipName(m: Uint8Array, at: number, opts: DnsOptions): number {
  for (let i = at; ; ) {
    if (i >= m.length) throw new Truncated();
    const len = m[i]!;
    if (len === 0) return i + 1;
    if ((len & 0xc0) === 0xc0 && opts.pointers !== false) return i + 2;
    i += 1 + len;
  }
}

/**
 * Prints the name at `at` ("www.example.com.", or "." for the root), label by
 * label, following pointers. A label cut at the message's end prints what
 * there is of it and throws Truncated. A pointer whose first byte is the
 * message's last ends the name (tcpdump reads no further).
 */
function printName(out: Text, m: Uint8Array, at: number, opts: DnsOptions): void {
  if (at >= m.length) throw new Truncated();
  if (m[at] === 0) {
    out.s += ".";
    return;
  }
  let jumps = 0;
  for (let i = at; i < m.length; ) {
    const len = m[i]!;
    if (len === 0) return;
    if ((len & 0xc0) === 0xc0 && opts.pointers !== false) {
      if (i + 1 >= m.length) {
        if (opts.cutPointer === "truncated") throw new Truncated();
        return;
      }
      if (++jumps > 64) throw new Truncated();
      i = u16(m, i) & 0x3fff;
      continue;
    }
    out.s += Buffer.from(m.subarray(i + 1, Math.min(i + 1 + len, m.length))).toString("latin1");
    if (i + 1 + len > m.length) throw new Truncated();
    out.s += ".";
    i += 1 + len;
    if (i >= m.length) throw new Truncated();
  }
}

const typeName = (t: number) => TYPES[t] ?? `Type${t}`;

/** Where the name at `at` ends, or undefined when it runs past the message's end. */
function nameEnd(m: Uint8Array, at: number, opts: DnsOptions): number | undefined {
  try {
    return skipName(m, at, opts);
  } catch (e) {
    if (e instanceof Truncated) return undefined;
    throw e;
  }
}

/**
 * Prints one resource record (" A 192.0.2.1"); returns where it ends. A
 * record whose owner name or fixed part (type, class, TTL, length) is not all
 * there prints nothing and ends at the message's end (as tcpdump's does).
 */
function printRecord(out: Text, m: Uint8Array, at: number, opts: DnsOptions): number {
  const owner = nameEnd(m, at, opts);
  if (owner === undefined || owner + 10 > m.length) return m.length;
  const type = u16(m, owner);
  const len = u16(m, owner + 8);
  const data = owner + 10;
  out.s += ` ${typeName(type)}`;
  if (data + len > m.length) throw new Truncated();
  if (type === 1 && len === 4) out.s += ` ${ipv4(m, data)}`;
  else if (type === 28 && len === 16) out.s += ` ${ip6(m, data)}`;
  else if (type === 5 || type === 2 || type === 12) {
    out.s += " ";
    printName(out, m, data, opts);
  }
  return data + len;
}

function printResponse(out: Text, m: Uint8Array, opts: DnsOptions): void {
  const flags = u16(m, 2);
  const [qd, an, ns, ar] = [u16(m, 4), u16(m, 6), u16(m, 8), u16(m, 10)];
  out.s += `${u16(m, 0)}${RCODES[flags & 0xf] ?? ""}${flags & 0x0400 ? "*" : ""}${flags & 0x0080 ? "" : "-"}${flags & 0x0200 ? "|" : ""}`;
  if (qd !== 1) out.s += ` [${qd}q]`;
  let at = 12;
  for (let i = 0; i < qd; i++) at = skipName(m, at, opts) + 4;
  out.s += ` ${an}/${ns}/${ar}`;
  let left = an;
  if (left > 0) {
    at = printRecord(out, m, at, opts);
    left--;
    while (at < m.length && left > 0) {
      out.s += ",";
      at = printRecord(out, m, at, opts);
      left--;
    }
  }
  if (left > 0) throw new Truncated();
}

function printQuery(out: Text, m: Uint8Array, opts: DnsOptions): void {
  const flags = u16(m, 2);
  const [qd, an, ns, ar] = [u16(m, 4), u16(m, 6), u16(m, 8), u16(m, 10)];
  out.s += `${u16(m, 0)}${flags & 0x0100 ? "+" : ""}`;
  if (an) out.s += ` [${an}a]`;
  if (ns) out.s += ` [${ns}n]`;
  if (ar) out.s += ` [${ar}au]`;
  if (qd !== 1) out.s += ` [${qd}q]`;
  if (qd > 0) {
    const end = skipName(m, 12, opts);
    if (end + 4 > m.length) throw new Truncated();
    out.s += ` ${typeName(u16(m, end))}? `;
    printName(out, m, 12, opts);
  }
}

/** The text for a DNS message (the UDP payload), e.g. "12345+ A? www.example.com. (33)". */
export function dnsText(m: Uint8Array, opts: DnsOptions = {}): string {
  if (m.length < 12) return `[|domain]`;
  const out = new Text();
  try {
    if (u16(m, 2) & 0x8000) printResponse(out, m, opts);
    else printQuery(out, m, opts);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return `${out.s} [|domain]`;
  }
  return `${out.s} (${m.length})`;
}
