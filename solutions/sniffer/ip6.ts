/** IPv6 (RFC 8200), its extension headers and ICMPv6 (RFC 4443, RFC 4861), as tcpdump prints them with -n. */
import { ipv4, u16, u32 } from "./bytes.ts";
import type { IpPrinters } from "./ip.ts";
import type { Bases } from "./tcp.ts";

/**
 * An IPv6 address in its RFC 5952 text form: groups in lower-case hex without
 * leading zeros, the longest run of two or more zero groups (the first one,
 * on a tie) written "::", and an IPv4-mapped address (::ffff:0:0/96) ending in
 * a dotted quad.
 */
export function ip6(b: Uint8Array, at: number): string {
  const groups = Array.from({ length: 8 }, (_, i) => u16(b, at + 2 * i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${ipv4(b, at + 12)}`;
  let [best, bestLen] = [-1, 1];
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

const UNREACHABLE: Record<number, string> = { 0: "unreachable route", 1: "unreachable prohibited", 2: "beyond scope", 3: "unreachable address", 4: "unreachable port" };

/** The quoted packet of an ICMPv6 error: its destination, and the text for port unreachable. */
function quoted(q: Uint8Array): { dst: string; port?: string } | undefined {
  if (q.length < 40) return undefined;
  const dst = ip6(q, 24);
  const next = q[6];
  if ((next === 6 || next === 17) && q.length >= 44) return { dst, port: `${dst} ${next === 6 ? "tcp" : "udp"} port ${u16(q, 42)}` };
  return { dst };
}

/** The text after "ICMP6, " for an ICMPv6 message (`m` starts at its header). */
export function icmp6Text(m: Uint8Array): string {
  const [type, code] = [m[0]!, m[1]!];
  const q = quoted(m.subarray(8));
  const len = `length ${m.length}`;
  switch (type) {
    case 1: {
      const what = UNREACHABLE[code] ?? `unreachable code #${code}`;
      if (code === 4 && q?.port) return `destination unreachable, ${what}, ${q.port}, ${len}`;
      return `destination unreachable, ${what}${q && code !== 4 ? ` ${q.dst}` : ""}, ${len}`;
    }
    case 2:
      return `packet too big, mtu ${u32(m, 4)}, ${len}`;
    case 3:
      return code === 0 ? `time exceeded in-transit${q ? ` for ${q.dst}` : ""}, ${len}` : `time exceeded in-transit (reassembly), ${len}`;
    case 128:
    case 129:
      return `echo ${type === 128 ? "request" : "reply"}, id ${u16(m, 4)}, seq ${u16(m, 6)}, ${len}`;
    case 133:
      return `router solicitation, ${len}`;
    case 134:
      return `router advertisement, ${len}`;
    case 135:
      return `neighbor solicitation, who has ${ip6(m, 8)}, ${len}`;
    case 136:
      return `neighbor advertisement, tgt is ${ip6(m, 8)}, ${len}`;
    default:
      return `icmp6 type-#${type}, ${len}`;
  }
}

export interface Ip6Printers extends IpPrinters {
  icmp6: (m: Uint8Array) => string;
}

/**
 * The text for an IPv6 packet (`p` starts at its fixed header), without the
 * "IP6 " in front: hop-by-hop and destination options are named and skipped,
 * a fragment header prints "frag (offset|length)" and only the first
 * fragment is decoded further.
 */
export function ipv6Text(p: Uint8Array, bases: Bases, printers: Ip6Printers): string {
  if (p.length < 40 || p[0]! >> 4 !== 6) return "[|ip6]";
  const end = Math.min(40 + u16(p, 4), p.length);
  const [src, dst] = [ip6(p, 8), ip6(p, 24)];
  let next = p[6]!;
  let at = 40;
  const parts: string[] = [];
  for (;;) {
    if ((next === 0 || next === 60) && at + 8 <= end) {
      parts.push(next === 0 ? "HBH" : "DSTOPT");
      [next, at] = [p[at]!, at + (p[at + 1]! + 1) * 8];
    } else if (next === 44 && at + 8 <= end) {
      const offset = u16(p, at + 2) & 0xfff8;
      parts.push(`frag (${offset}|${end - at - 8})`);
      if (offset !== 0) return `${src} > ${dst}: ${parts.join(" ")}`;
      [next, at] = [p[at]!, at + 8];
    } else break;
  }
  const body = p.subarray(at, end);
  const prefix = parts.length > 0 ? `${parts.join(" ")} ` : "";
  if (next === 58) return `${src} > ${dst}: ${prefix}ICMP6, ${printers.icmp6(body)}`;
  if (next === 59) return `${src} > ${dst}: ${prefix}no next header`;
  if ((next === 6 || next === 17) && body.length >= 8) {
    const [from, to] = [`${src}.${u16(body, 0)}`, `${dst}.${u16(body, 2)}`];
    const text = next === 6 ? printers.tcp(body, from, to, bases) : printers.udp(body);
    // After extension headers, tcpdump names them first and prints the ports on their own: "src > dst: frag (0|n) sport > dport: …".
    if (parts.length > 0) return `${src} > ${dst}: ${prefix}${u16(body, 0)} > ${u16(body, 2)}: ${text}`;
    return `${from} > ${to}: ${text}`;
  }
  return `${src} > ${dst}: ${prefix}ip-proto-${next} ${body.length}`;
}
