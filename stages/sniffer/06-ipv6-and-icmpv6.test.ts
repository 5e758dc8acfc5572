import { ethernet, ETHERTYPE, icmpv6, ip6Extension, ip6Fragment, ipv6, IPPROTO6, tcp, udp, withIp6Checksum } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectTcpdumpLines, randomMac } from "./sniff.ts";

const IP6_LINE = 'An IPv6 packet (EtherType 0x86dd) prints as "IP6 <source> > <destination>: " and then what it carries; for ICMPv6 (next header 58): "ICMP6, " and the message.';

/** An address of the documentation prefix 2001:db8::/32, from eight groups. */
const addr = (groups: number[]) => groups.map((g) => g.toString(16)).join(":");
const group = (rand: Random) => rand.int(1, 0xffff);

/** A random address in 2001:db8::/32 with a run of 2-4 zero groups somewhere after the prefix. */
function randomIp6(rand: Random): string {
  const g = [0x2001, 0xdb8, ...Array.from({ length: 6 }, () => group(rand))];
  const len = rand.int(2, 4);
  const start = rand.int(2, 8 - len);
  for (let i = start; i < start + len; i++) g[i] = 0;
  return addr(g);
}

function frame(rand: Random, src: string, dst: string, nextHeader: number, payload: Uint8Array, hopLimit = 64): Buffer {
  return ethernet(randomMac(rand), randomMac(rand), ETHERTYPE.ipv6, ipv6({ src, dst, nextHeader, payload, hopLimit }));
}

function echo(rand: Random, src: string, dst: string, kind: "request" | "reply" = "request"): Buffer {
  const rest = Buffer.alloc(4);
  rest.writeUInt16BE(rand.int(0, 65535), 0);
  rest.writeUInt16BE(rand.int(0, 65535), 2);
  return icmpv6(src, dst, kind === "request" ? 128 : 129, 0, rest, rand.bytes(rand.int(0, 100)));
}

/** The first bytes of a packet an ICMPv6 error quotes: its IPv6 header and 8 bytes of UDP or TCP. */
function quotedPacket(rand: Random, next: "udp" | "tcp"): { packet: Buffer; dst: string } {
  const [src, dst] = [randomIp6(rand), randomIp6(rand)];
  const [sport, dport] = [rand.int(33000, 48000), rand.int(50000, 60000)];
  const l4 = next === "udp" ? withIp6Checksum(src, dst, IPPROTO6.udp, udp("0.0.0.0", "0.0.0.0", sport, dport, rand.bytes(8)), 6) : withIp6Checksum(src, dst, IPPROTO6.tcp, tcp({ src: "0.0.0.0", dst: "0.0.0.0", srcPort: sport, dstPort: dport, seq: rand.int(0, 2 ** 31), flags: ["syn"] }), 16);
  return { packet: ipv6({ src, dst, nextHeader: next === "udp" ? IPPROTO6.udp : IPPROTO6.tcp, payload: l4 }).subarray(0, 48), dst };
}

export default stage(import.meta, [
  {
    name: "IPv6 addresses are written in their RFC 5952 form",
    async run(t) {
      const g = () => group(t.rand);
      const pairs: [string, string][] = [
        // A run of zeros compressed to "::"; a single zero group is not.
        [randomIp6(t.rand), addr([0x2001, 0xdb8, 0, g(), g(), g(), g(), g()])],
        // Two runs of the same length: the first one is compressed. Groups lose their leading zeros.
        [addr([0x2001, 0xdb8, 0, 0, g(), 0, 0, g()]), addr([0x2001, t.rand.int(1, 0xff), t.rand.int(0x10, 0xfff), 0, 0, g(), 0, 0])],
        // The longest run wins, wherever it is; the unspecified and loopback addresses.
        [addr([0x2001, 0xdb8, 0, 0, g(), 0, 0, 0]), "::"],
        ["::1", addr([g(), 0, 0, 0, 0, 0, 0, 0])],
        // An IPv4-mapped address ends in a dotted quad.
        [`::ffff:${t.rand.int(1, 254)}.${t.rand.int(0, 255)}.${t.rand.int(0, 255)}.${t.rand.int(1, 254)}`, randomIp6(t.rand)],
      ];
      const frames = pairs.map(([src, dst]) => frame(t.rand, src, dst, IPPROTO6.icmpv6, echo(t.rand, src, dst)));
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ICMPv6 echo requests between addresses with runs of zeros" }, "Your IPv6 addresses differ from tcpdump's.", `${IP6_LINE} Write addresses as RFC 5952 says: each 16-bit group in lower-case hex without leading zeros; the longest run of two or more zero groups replaced by "::" (the first such run when two are equally long; a single zero group stays "0"); ::ffff:a.b.c.d for IPv4-mapped addresses.`);
    },
  },
  {
    name: "ICMPv6 echo request and reply: ICMP6, echo request, id <id>, seq <seq>, length <ICMPv6 bytes>",
    async run(t) {
      const frames = [0, 1, 2].map((i) => {
        const [src, dst] = [randomIp6(t.rand), randomIp6(t.rand)];
        return frame(t.rand, src, dst, IPPROTO6.icmpv6, echo(t.rand, src, dst, i === 1 ? "reply" : "request"));
      });
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ICMPv6 echo requests and a reply" }, "Your lines for ICMPv6 echo messages differ from tcpdump's.", `${IP6_LINE} ICMPv6 has its own type numbers (RFC 4443 §4): echo request is 128, echo reply 129 (not ICMP's 8 and 0); then id, seq and the length of the whole ICMPv6 message, as for ICMP.`);
    },
  },
  {
    name: "neighbour discovery: solicitation (who has), advertisement (tgt is), router solicitation and advertisement",
    async run(t) {
      const link = () => `fe80::${group(t.rand).toString(16)}:${group(t.rand).toString(16)}`;
      const target = link();
      const solicited = `ff02::1:ff${(group(t.rand) & 0xff).toString(16).padStart(2, "0")}:${group(t.rand).toString(16)}`;
      const from = link();
      const to = link();
      const option = (type: number) => Buffer.concat([Buffer.from([type, 1]), Buffer.from(randomMac(t.rand).split(":").map((x) => parseInt(x, 16)))]);
      const ns = icmpv6(from, solicited, 135, 0, Buffer.alloc(4), Buffer.concat([Buffer.from(ipv6({ src: target, dst: target, nextHeader: 59, payload: Buffer.alloc(0) }).subarray(8, 24)), option(1)]));
      const na = icmpv6(target, to, 136, 0, Buffer.from([0x60, 0, 0, 0]), Buffer.concat([Buffer.from(ipv6({ src: target, dst: target, nextHeader: 59, payload: Buffer.alloc(0) }).subarray(8, 24)), option(2)]));
      const rs = icmpv6(from, "ff02::2", 133, 0, Buffer.alloc(4));
      const ra = icmpv6(to, "ff02::1", 134, 0, Buffer.from([64, 0, 7, 8]), Buffer.alloc(8));
      const frames = [frame(t.rand, from, solicited, 58, ns, 255), frame(t.rand, target, to, 58, na, 255), frame(t.rand, from, "ff02::2", 58, rs, 255), frame(t.rand, to, "ff02::1", 58, ra, 255)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "neighbour and router solicitations and advertisements" }, "Your lines for neighbour discovery differ from tcpdump's.", 'Neighbour discovery (RFC 4861 §4) is ICMPv6: type 133 "router solicitation", 134 "router advertisement", 135 "neighbor solicitation, who has <target>", 136 "neighbor advertisement, tgt is <target>"; the target address is the message\'s own field (bytes 8-23 of the ICMPv6 message), not the packet\'s destination (a solicitation goes to a solicited-node multicast address).');
    },
  },
  {
    name: "ICMPv6 errors name the quoted packet's destination: unreachable, packet too big, time exceeded",
    async run(t) {
      const err = (type: number, code: number, rest: Buffer, next: "udp" | "tcp", quotedBytes?: number) => {
        const [src, dst] = [randomIp6(t.rand), randomIp6(t.rand)];
        return frame(t.rand, src, dst, 58, icmpv6(src, dst, type, code, rest, quotedPacket(t.rand, next).packet.subarray(0, quotedBytes)));
      };
      const mtu = Buffer.alloc(4);
      mtu.writeUInt32BE(t.rand.int(1280, 9000), 0);
      // The third quotes only the IPv6 header and the 4 bytes of ports: enough for the port.
      const frames = [err(1, 4, Buffer.alloc(4), "udp"), err(1, 4, Buffer.alloc(4), "tcp"), err(1, 4, Buffer.alloc(4), "udp", 44), err(1, 3, Buffer.alloc(4), "udp"), err(1, 0, Buffer.alloc(4), "tcp"), err(2, 0, mtu, "udp"), err(3, 0, Buffer.alloc(4), "udp"), err(3, 1, Buffer.alloc(4), "tcp")];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ICMPv6 destination unreachable (port, one quoting only 44 bytes; address, route), packet too big, time exceeded" }, "Your lines for ICMPv6 errors differ from tcpdump's.", 'An ICMPv6 error (RFC 4443 §3) quotes the packet that failed after its 8-byte header. Destination unreachable (type 1): code 4 "unreachable port, <quoted dst> udp port <quoted dst port>" (the port is there as soon as the quote holds 40 + 4 bytes), code 3 "unreachable address <quoted dst>", code 0 "unreachable route <quoted dst>"; packet too big (2): "mtu <bytes 4-7>"; time exceeded (3): code 0 "in-transit for <quoted dst>", code 1 "in-transit (reassembly)".');
    },
  },
  {
    name: "extension headers: hop-by-hop (HBH) and destination options (DSTOPT) are skipped, a fragment header prints frag (offset|length)",
    async run(t) {
      const [src, dst] = [randomIp6(t.rand), randomIp6(t.rand)];
      const message = echo(t.rand, src, dst);
      const padN = (n: number) => Buffer.from([1, n - 2, ...Array(n - 2).fill(0)]);
      const cut = 8 * t.rand.int(2, Math.floor(message.length / 8) - 1 || 2);
      const id = t.rand.int(0, 2 ** 32 - 1);
      const frames = [
        frame(t.rand, src, dst, IPPROTO6.hopByHop, Buffer.concat([ip6Extension(58, Buffer.concat([Buffer.from([5, 2, 0, 0]), padN(2)])), message])),
        frame(t.rand, src, dst, IPPROTO6.destination, Buffer.concat([ip6Extension(58, padN(6)), message])),
        frame(t.rand, src, dst, IPPROTO6.hopByHop, Buffer.concat([ip6Extension(IPPROTO6.destination, padN(6)), ip6Extension(58, padN(14)), message])),
        frame(t.rand, src, dst, IPPROTO6.fragment, Buffer.concat([ip6Fragment(58, 0, true, id), message.subarray(0, cut)])),
        frame(t.rand, src, dst, IPPROTO6.fragment, Buffer.concat([ip6Fragment(58, cut, false, id), message.subarray(cut)])),
      ];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ICMPv6 echo requests behind hop-by-hop and destination options headers, and in two fragments" }, "Your lines for IPv6 extension headers differ from tcpdump's.", 'The fixed header\'s Next Header may name an extension header (RFC 8200 §4) before the upper-layer one: hop-by-hop options (0, printed "HBH ") and destination options (60, "DSTOPT ") hold their own Next Header and length (byte 1, in 8-byte units not counting the first 8): skip them. A fragment header (44, 8 bytes) prints "frag (<offset in bytes: the 13-bit field × 8>|<bytes after it>) "; only the fragment at offset 0 goes on to the upper layer.');
    },
  },
  {
    name: "UDP and TCP over IPv6 print <address>.<port>",
    async run(t) {
      const frames = [0, 1, 2].map((i) => {
        const [src, dst] = [randomIp6(t.rand), randomIp6(t.rand)];
        const [sport, dport] = [t.rand.int(33000, 48000), t.rand.int(50000, 60000)];
        if (i === 1) return frame(t.rand, src, dst, IPPROTO6.tcp, withIp6Checksum(src, dst, IPPROTO6.tcp, tcp({ src: "0.0.0.0", dst: "0.0.0.0", srcPort: sport, dstPort: dport, seq: t.rand.int(0, 2 ** 31), flags: ["syn"], options: [{ kind: "mss", value: 1440 }] }), 16));
        return frame(t.rand, src, dst, IPPROTO6.udp, withIp6Checksum(src, dst, IPPROTO6.udp, udp("0.0.0.0", "0.0.0.0", sport, dport, t.rand.bytes(t.rand.int(0, 300))), 6));
      });
      // Behind extension headers: a UDP datagram after a hop-by-hop header, a TCP SYN in a first fragment.
      const [src, dst] = [randomIp6(t.rand), randomIp6(t.rand)];
      const [sport, dport] = [t.rand.int(33000, 48000), t.rand.int(50000, 60000)];
      const datagram = withIp6Checksum(src, dst, IPPROTO6.udp, udp("0.0.0.0", "0.0.0.0", sport, dport, t.rand.bytes(t.rand.int(0, 100))), 6);
      const syn = withIp6Checksum(src, dst, IPPROTO6.tcp, tcp({ src: "0.0.0.0", dst: "0.0.0.0", srcPort: dport, dstPort: sport, seq: t.rand.int(0, 2 ** 31), flags: ["syn"] }), 16);
      frames.push(
        frame(t.rand, src, dst, IPPROTO6.hopByHop, Buffer.concat([ip6Extension(IPPROTO6.udp, Buffer.alloc(6)), datagram])),
        frame(t.rand, dst, src, IPPROTO6.fragment, Buffer.concat([ip6Fragment(IPPROTO6.tcp, 0, true, t.rand.int(0, 2 ** 31)), syn])),
      );
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "UDP datagrams and a TCP SYN over IPv6, then a UDP datagram behind a hop-by-hop header and a TCP SYN in a first fragment" }, "Your lines for UDP and TCP over IPv6 differ from tcpdump's.", `${IP6_LINE} For UDP (17) and TCP (6) the ports follow the address after a dot, as with IPv4 ("2001:db8::1.40000 > 2001:db8::2.53000: UDP, length 12"), not in brackets. Behind extension headers the addresses stand alone and the ports come after the headers' names: "2001:db8::1 > 2001:db8::2: HBH 40000 > 53000: UDP, length 12".`);
    },
  },
]);
