/** One line per frame, in tcpdump's format (after the timestamp). */
import { arpText } from "./arp.ts";
import { mac, u16 } from "./bytes.ts";
import { defaultIpPrinters, ipv4Text, type IpPrinters } from "./ip.ts";
import { icmp6Text, ipv6Text, type Ip6Printers } from "./ip6.ts";
import { SequenceBases, type Bases } from "./tcp.ts";

const ETHERTYPE_NAMES: Record<number, string> = { 0x0800: "IPv4", 0x0806: "ARP", 0x86dd: "IPv6" };

export interface Printers extends Ip6Printers {
  arp: (p: Uint8Array) => string;
  /** An IPv4 packet and what it carries, without the "IP " in front. */
  ip: (p: Uint8Array, bases: Bases, printers: IpPrinters) => string;
  /** An IPv6 packet and what it carries, without the "IP6 " in front. */
  ip6: (p: Uint8Array, bases: Bases, printers: Ip6Printers) => string;
  /** -e: "src > dst, ethertype IPv4 (0x0800), length 98: " */
  linkHeader: (frame: Uint8Array) => string;
}

export const defaultPrinters: Printers = {
  ...defaultIpPrinters,
  arp: arpText,
  ip: ipv4Text,
  ip6: ipv6Text,
  icmp6: icmp6Text,
  linkHeader: (f) => {
    const type = u16(f, 12);
    return `${mac(f, 6)} > ${mac(f, 0)}, ethertype ${ETHERTYPE_NAMES[type] ?? "Unknown"} (0x${type.toString(16).padStart(4, "0")}), length ${f.length}: `;
  },
};

export class LinePrinter {
  private readonly bases = new SequenceBases();

  constructor(
    private readonly linkLevel: boolean,
    private readonly printers: Printers = defaultPrinters,
  ) {}

  /** The line for one Ethernet frame, without timestamp. */
  line(frame: Uint8Array): string {
    if (frame.length < 14) return "[|ether]";
    const type = u16(frame, 12);
    const payload = frame.subarray(14);
    const header = this.linkLevel ? this.printers.linkHeader(frame) : "";
    if (type === 0x0806) return this.linkLevel ? header + this.printers.arp(payload) : `ARP, ${this.printers.arp(payload)}`;
    if (type === 0x0800) {
      const text = this.printers.ip(payload, this.bases, this.printers);
      return this.linkLevel ? header + text : `IP ${text}`;
    }
    if (type === 0x86dd) {
      const text = this.printers.ip6(payload, this.bases, this.printers);
      return this.linkLevel ? header + text : `IP6 ${text}`;
    }
    // Without -e too, tcpdump shows the link-level header of a frame it cannot decode.
    return this.printers.linkHeader(frame).trimEnd();
  }
}

/** -q: quick output: a TCP segment is "tcp <payload bytes>", a UDP datagram "UDP, length <n>" (no application decoding). */
export const quickPrinters: Partial<Printers> = {
  tcp: (s) => `tcp ${s.length - (s[12]! >> 4) * 4}`,
  udp: (d) => `UDP, length ${u16(d, 4) - 8}`,
};
