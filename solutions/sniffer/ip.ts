/** IPv4 (RFC 791) and what it carries, as tcpdump prints it with -n: "10.0.0.1.5353 > 10.0.0.2.53: UDP, length 12". */
import { ipv4, u16 } from "./bytes.ts";
import { dnsText } from "./dns.ts";
import { icmpText } from "./icmp.ts";
import { tcpText, type Bases } from "./tcp.ts";

export interface IpPrinters {
  icmp: (m: Uint8Array) => string;
  tcp: (s: Uint8Array, src: string, dst: string, bases: Bases) => string;
  udp: (d: Uint8Array) => string;
}

/** A UDP datagram: DNS when either port is 53, else its length. */
export function udpText(d: Uint8Array): string {
  const payload = d.subarray(8, Math.max(8, Math.min(u16(d, 4), d.length)));
  if (u16(d, 0) === 53 || u16(d, 2) === 53) return dnsText(payload);
  return `UDP, length ${u16(d, 4) - 8}`;
}

export const defaultIpPrinters: IpPrinters = {
  icmp: icmpText,
  tcp: tcpText,
  udp: udpText,
};

/** The text for an IPv4 packet (`p` starts at the IP header), without the "IP " in front. */
export function ipv4Text(p: Uint8Array, bases: Bases, printers: IpPrinters = defaultIpPrinters): string {
  if (p.length < 20 || p[0]! >> 4 !== 4) return "[|ip]";
  const ihl = (p[0]! & 15) * 4;
  const total = Math.min(u16(p, 2), p.length);
  const [src, dst, proto] = [ipv4(p, 12), ipv4(p, 16), p[9]!];
  const body = p.subarray(ihl, total);
  // A fragment other than the first carries no transport header: only the protocol number.
  if ((u16(p, 6) & 0x1fff) !== 0) return `${src} > ${dst}: ip-proto-${proto}`;
  if (proto === 1) return `${src} > ${dst}: ICMP ${printers.icmp(body)}`;
  if ((proto === 6 || proto === 17) && body.length >= 8) {
    const [from, to] = [`${src}.${u16(body, 0)}`, `${dst}.${u16(body, 2)}`];
    return `${from} > ${to}: ${proto === 6 ? printers.tcp(body, from, to, bases) : printers.udp(body)}`;
  }
  return `${src} > ${dst}:  ip-proto-${proto} ${body.length}`;
}
