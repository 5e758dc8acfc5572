/** Traffic of both IP versions for the filter stages that look at IPv6 (14, 15). */
import { ethernet, ETHERTYPE, icmpEcho, icmpv6, ip6Fragment, ipv4, IPPROTO, IPPROTO6, ipv6, tcp, udp, withIp6Checksum } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { randomIp, randomMac } from "./sniff.ts";

/** Eight random non-zero groups starting with 2001:db8 (documentation addresses), as words of 16 bits. */
export function groups6(rand: Random): number[] {
  return [0x2001, 0xdb8, ...Array.from({ length: 6 }, () => rand.int(1, 0xffff))];
}
export const text6 = (g: number[]) => g.map((x) => x.toString(16)).join(":");

/** Frames of both IP versions between random hosts; the cases put them in an order where every frame a wrong filter would keep or drop comes before the last one the right filter keeps. */
export class Traffic {
  readonly v4: readonly [string, string];
  readonly macs: readonly [string, string];
  constructor(private readonly rand: Random) {
    this.v4 = [randomIp(rand), randomIp(rand)];
    this.macs = [randomMac(rand), randomMac(rand)];
  }

  private frame6(src: string, dst: string, nextHeader: number, payload: Uint8Array): Buffer {
    return ethernet(this.macs[1], this.macs[0], ETHERTYPE.ipv6, ipv6({ src, dst, nextHeader, payload }));
  }

  private frame4(protocol: number, payload: Uint8Array, extra = 0): Buffer {
    const [src, dst] = this.v4;
    return ethernet(this.macs[1], this.macs[0], ETHERTYPE.ipv4, ipv4({ src, dst, protocol, payload: Buffer.concat([payload, this.rand.bytes(extra)]) }));
  }

  /** The upper-layer message of a kind, over IPv6 between src and dst. */
  private message6(kind: "icmp6" | "udp" | "tcp", src: string, dst: string, ports: [number, number], data: number): Buffer {
    if (kind === "icmp6") return icmpv6(src, dst, 128, 0, this.rand.bytes(4), this.rand.bytes(data));
    if (kind === "udp") return withIp6Checksum(src, dst, IPPROTO6.udp, udp("0.0.0.0", "0.0.0.0", ports[0], ports[1], this.rand.bytes(data)), 6);
    return withIp6Checksum(src, dst, IPPROTO6.tcp, tcp({ src: "0.0.0.0", dst: "0.0.0.0", srcPort: ports[0], dstPort: ports[1], seq: this.rand.int(0, 2 ** 31), flags: ["syn"], options: [{ kind: "mss", value: 1440 }] }), 16);
  }

  ports(): [number, number] {
    return [this.rand.int(33000, 48000), this.rand.int(50000, 60000)];
  }

  /** An IPv6 packet carrying a message straight after its fixed header. */
  v6(kind: "icmp6" | "udp" | "tcp", src: string, dst: string, ports = this.ports(), data = this.rand.int(8, 60)): Buffer {
    return this.frame6(src, dst, { icmp6: IPPROTO6.icmpv6, udp: IPPROTO6.udp, tcp: IPPROTO6.tcp }[kind], this.message6(kind, src, dst, ports, data));
  }

  /** The first fragment of an IPv6 packet: a fragment header (next header 44) whose own next header names the message after it. */
  v6Fragment(kind: "icmp6" | "udp" | "tcp", src: string, dst: string, ports = this.ports()): Buffer {
    const next = { icmp6: IPPROTO6.icmpv6, udp: IPPROTO6.udp, tcp: IPPROTO6.tcp }[kind];
    return this.frame6(src, dst, IPPROTO6.fragment, Buffer.concat([ip6Fragment(next, 0, true, this.rand.int(1, 2 ** 31)), this.message6(kind, src, dst, ports, 40)]));
  }

  /** An ICMPv6 echo request whose bytes where ports would be (frame bytes 54-57) read as these ports. */
  v6IcmpLikePorts(src: string, dst: string, ports: [number, number]): Buffer {
    const m = Buffer.alloc(16);
    m.writeUInt16BE(ports[0], 0);
    m.writeUInt16BE(ports[1], 2);
    return this.frame6(src, dst, IPPROTO6.icmpv6, m);
  }

  v4udp(ports = this.ports(), extra = 0): Buffer {
    return this.frame4(IPPROTO.udp, udp(this.v4[0], this.v4[1], ports[0], ports[1], this.rand.bytes(this.rand.int(8, 40))), extra);
  }

  v4tcp(ports = this.ports()): Buffer {
    return this.frame4(IPPROTO.tcp, tcp({ src: this.v4[0], dst: this.v4[1], srcPort: ports[0], dstPort: ports[1], seq: this.rand.int(0, 2 ** 31), flags: ["syn"] }));
  }

  v4icmp(): Buffer {
    return this.frame4(IPPROTO.icmp, icmpEcho("request", this.rand.int(0, 65535), 1, this.rand.bytes(this.rand.int(8, 40))));
  }

  /**
   * A later fragment of an IPv4 UDP datagram whose frame byte 20 (the IPv4
   * header's flags and the fragment offset's first bits) is `n`, where an
   * IPv6 header has its next header: 58 or 17 there reads as ICMPv6 or UDP to
   * a filter that skips the EtherType check. `n` must have its top two bits
   * clear (no reserved or DF flag).
   */
  v4FragmentLike(n: number): Buffer {
    const [src, dst] = this.v4;
    const offset = (((n & 0x1f) << 8) | this.rand.int(0, 255)) * 8;
    return ethernet(this.macs[1], this.macs[0], ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.udp, moreFragments: (n & 0x20) !== 0, fragmentOffset: offset, payload: this.rand.bytes(16) }));
  }

  /** An IPv4 UDP datagram of exactly `length` bytes on the wire (at least 42). */
  v4OfLength(length: number): Buffer {
    return this.frame4(IPPROTO.udp, udp(this.v4[0], this.v4[1], 40000, 50000, this.rand.bytes(length - 42)));
  }
}
