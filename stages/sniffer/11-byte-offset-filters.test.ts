import { arp, ethernet, ETHERTYPE, icmp, icmpEcho, internetChecksum, ipBytes, ipv4, IPPROTO, tcp, udp, type TcpFlag } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectFiltered } from "./filtered.ts";
import { randomIp, randomMac } from "./sniff.ts";

/** An IPv4 packet with 4 bytes of header options (IHL 6): what follows the header starts at 24, not 20. */
function withOptions(packet: Buffer): Buffer {
  const p = Buffer.concat([packet.subarray(0, 20), Buffer.from([0x94, 4, 0, 0]), packet.subarray(20)]);
  p[0] = 0x46;
  p.writeUInt16BE(p.length, 2);
  p.writeUInt16BE(0, 10);
  p.writeUInt16BE(internetChecksum(p.subarray(0, 24)), 10);
  return p;
}

/** Two different random bytes, the first smaller: read big-endian or little-endian they give different numbers. */
function rising(rand: Random): [number, number] {
  const a = rand.int(1, 200);
  return [a, rand.int(a + 1, 255)];
}

/**
 * The traffic every case sends (IPv4 and ARP between two random hosts), each
 * frame named for what the expressions look at in it.
 */
function traffic(rand: Random) {
  const [h1, h2] = [randomIp(rand), randomIp(rand)];
  const [m1, m2] = [randomMac(rand), randomMac(rand)];
  const ip = (protocol: number, payload: Uint8Array, o: { dstMac?: string; options?: boolean; fragmentOffset?: number; src?: string } = {}) => {
    const p = ipv4({ src: o.src ?? h1, dst: h2, protocol, payload, fragmentOffset: o.fragmentOffset });
    return ethernet(o.dstMac ?? m2, m1, ETHERTYPE.ipv4, o.options ? withOptions(p) : p);
  };
  const [sport, dport] = [rand.int(33000, 48000), rand.int(50000, 60000)];
  const seg = (flags: TcpFlag[], o: { options?: boolean; data?: number } = {}) =>
    ip(IPPROTO.tcp, tcp({ src: h1, dst: h2, srcPort: sport, dstPort: dport, seq: rand.int(0, 2 ** 31), ack: flags.includes("ack") ? rand.int(1, 2 ** 31) : 0, flags, payload: rand.bytes(o.data ?? 0) }), { options: o.options });
  const datagram = (payload: Uint8Array, dstMac?: string) => ip(IPPROTO.udp, udp(h1, h2, sport, dport, payload), { dstMac });
  // A UDP payload whose first two bytes, read big-endian, are `first`; its sixth byte (the TCP flags' place, byte 13 of the header) has SYN's bit.
  const [b0, b1] = rising(rand);
  const first = (b0 << 8) | b1;
  const udpPayload = Buffer.from([b0, b1, ...rand.bytes(rand.int(4, 40))]);
  udpPayload[5] = udpPayload[5]! | 0x02;
  const higher = Buffer.from(udpPayload);
  higher[0] = rand.int(b0 + 1, 255);
  // A later TCP fragment whose bytes read like a SYN's flags.
  const fragment = Buffer.alloc(24);
  fragment[13] = 0x02;
  const echoSource = `198.${rand.int(18, 19)}.${rand.int(0, 255)}.${rand.int(1, 254)}`;
  const frames = {
    arpBroadcast: ethernet("ff:ff:ff:ff:ff:ff", m1, ETHERTYPE.arp, arp({ op: "request", senderMac: m1, senderIp: h1, targetMac: "00:00:00:00:00:00", targetIp: h2 })),
    udpMulticast: datagram(udpPayload, `01:00:5e:${[1, 2, 3].map(() => rand.int(0, 127).toString(16).padStart(2, "0")).join(":")}`),
    udpEmpty: datagram(new Uint8Array()),
    udpOneByte: datagram(Buffer.from([0])),
    udpHigher: datagram(higher),
    echoRequest: ip(IPPROTO.icmp, icmpEcho("request", rand.int(0, 65535), rand.int(0, 65535), rand.bytes(rand.int(8, 40)))),
    echoReply: ip(IPPROTO.icmp, icmpEcho("reply", rand.int(0, 65535), rand.int(0, 65535), rand.bytes(rand.int(8, 40))), { src: echoSource }),
    unreachable: ip(IPPROTO.icmp, icmp(3, 3, Buffer.alloc(4), rand.bytes(28))),
    timeExceeded: ip(IPPROTO.icmp, icmp(11, 0, Buffer.alloc(4), rand.bytes(28))),
    synWithIpOptions: seg(["syn"], { options: true }),
    synAck: seg(["syn", "ack"]),
    finAck: seg(["fin", "ack"], { data: rand.int(1, 100) }),
    finPush: seg(["fin", "psh"], { data: rand.int(1, 100) }),
    // More data than finAck's: the len case needs four different lengths (42, 54, finAck's, this one's).
    dataWithIpOptions: seg(["psh", "ack"], { options: true, data: rand.int(101, 300) }),
    pureAck: seg(["ack"]),
    pureAckWithIpOptions: seg(["ack"], { options: true }),
    rst: seg(["rst"]),
    laterTcpFragment: ip(IPPROTO.tcp, fragment, { fragmentOffset: 8 * rand.int(1, 100) }),
  };
  return { frames, first, echoSource, all: Object.values(frames) };
}

type Traffic = ReturnType<typeof traffic>;
type Frames = Traffic["frames"];

const GRAMMAR = 'pcap-filter(7): "proto[offset]" is the byte at offset from the start of that protocol\'s header, "proto[offset:size]" 1, 2 or 4 bytes big-endian; a relation (=, !=, <, <=, >, >=) compares two arithmetic expressions (+ - * / & | << >>, unsigned 32-bit) and binds least. Compile it to classic BPF like the other primitives.';

/**
 * A case: sends some of the traffic's frames, then `last` (a frame the
 * expression keeps, sent once: a program that keeps too much prints a wrong
 * frame before it), and compares the lines with what tcpdump keeps.
 */
function kept(name: string, c: { frames: (f: Frames) => Buffer[]; last: (f: Frames) => Buffer; expression: (z: Traffic) => string; message: string; hint: (z: Traffic) => string }) {
  return {
    name,
    async run(t: CaseContext) {
      const z = traffic(t.rand);
      const last = c.last(z.frames);
      const frames = [...c.frames(z.frames).filter((f) => f !== last), last];
      await expectFiltered(t, frames, c.expression(z), c.message, `${GRAMMAR} ${c.hint(z)}`, "ARP, UDP, ICMP, TCP, a later fragment");
    },
  };
}

/** The frames sent in the len case, and their lengths: at least four different ones (see dataWithIpOptions). */
const sized = (f: Frames) => [f.arpBroadcast, f.synAck, f.echoRequest, f.udpMulticast, f.finAck, f.dataWithIpOptions];
const lengths = (f: Frames) => [...new Set(sized(f).map((x) => x.length))].sort((a, b) => a - b);

export default stage(import.meta, [
  kept("ip[offset] counts from the start of the IPv4 header", {
    frames: (f) => Object.values(f),
    last: (f) => f.udpHigher,
    expression: () => "ip[9] = 17",
    message: 'Your program kept other frames than tcpdump for "ip[9] = 17".',
    hint: () => "ip[9] is byte 9 of the IPv4 header (the protocol field), which is byte 14 + 9 of an Ethernet frame; ip[] is false for a frame that is not IPv4 (EtherType 0x0800).",
  }),
  kept("tcp[offset] counts from the end of the IPv4 header (IHL × 4), which options lengthen", {
    frames: (f) => [f.arpBroadcast, f.synWithIpOptions, f.synAck, f.finAck, f.pureAck, f.pureAckWithIpOptions],
    last: (f) => f.synWithIpOptions,
    expression: () => "tcp[13] & 2 != 0",
    message: 'Your program kept other frames than tcpdump for "tcp[13] & 2 != 0" (TCP segments with SYN set).',
    hint: () => "tcp[13] is byte 13 of the TCP header, which starts after the IPv4 header: at 14 + IHL × 4 in the frame, and IHL (the low 4 bits of the IPv4 header's first byte) is 6 when the header carries 4 bytes of options. In BPF: ldxb 4*([14]&0xf), then ldb [x + 14 + 13].",
  }),
  kept("proto[…] is false for another protocol and for a later fragment", {
    frames: (f) => [f.udpMulticast, f.laterTcpFragment, f.echoRequest, f.pureAck],
    last: (f) => f.synAck,
    expression: () => "tcp[13] & 2 != 0",
    message: 'Your program kept other frames than tcpdump for "tcp[13] & 2 != 0" among UDP and ICMP packets and a later TCP fragment.',
    hint: () => "tcp[…] holds only for an IPv4 packet whose protocol (byte 23) is TCP (6) and that is not a later fragment (fragment offset, the low 13 bits of bytes 20-21, is 0): a UDP datagram whose payload has the right bit where TCP's flags would be, or a later fragment of a TCP packet, does not match. The same for udp[…] (17) and icmp[…] (1).",
  }),
  kept("tcpflags and tcp-fin … tcp-cwr name TCP's flags byte and its bits", {
    frames: (f) => [f.synAck, f.finAck, f.finPush, f.rst, f.dataWithIpOptions, f.pureAck],
    last: (f) => f.synWithIpOptions,
    expression: () => "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and tcp[tcpflags] & tcp-ack = 0",
    message: "Your program kept other frames than tcpdump for TCP flags by name.",
    hint: () => "tcpflags is 13 (the flags' byte of the TCP header); the bits are tcp-fin 0x01, tcp-syn 0x02, tcp-rst 0x04, tcp-push 0x08, tcp-ack 0x10, tcp-urg 0x20, tcp-ece 0x40, tcp-cwr 0x80.",
  }),
  kept("icmptype and icmp-echo … name ICMP's type byte and its values", {
    frames: (f) => [f.echoReply, f.unreachable, f.timeExceeded, f.udpMulticast],
    last: (f) => f.echoRequest,
    expression: () => "icmp[icmptype] = icmp-echo or icmp[icmptype] = icmp-timxceed",
    message: "Your program kept other frames than tcpdump for ICMP types by name.",
    hint: () => "icmptype is 0 and icmpcode 1 (the ICMP header's first two bytes); icmp-echoreply is 0, icmp-unreach 3, icmp-echo 8, icmp-timxceed 11 (pcap-filter(7) lists the others).",
  }),
  kept("ether[offset] counts from the start of the frame", {
    frames: (f) => [f.udpEmpty, f.echoRequest, f.udpMulticast, f.pureAckWithIpOptions],
    last: (f) => f.arpBroadcast,
    expression: () => "ether[0] & 1 = 1",
    message: 'Your program kept other frames than tcpdump for "ether[0] & 1 = 1" (broadcast and multicast destinations).',
    hint: () => "ether[0] is the first byte of the frame, the destination MAC's first byte; its lowest bit is set for broadcast (ff:ff:ff:ff:ff:ff) and multicast (01:00:5e:…) destinations. ether[] is there for every frame, whatever its EtherType.",
  }),
  kept("arithmetic: * and / before + and -, left to right; parentheses first", {
    frames: (f) => [f.synWithIpOptions, f.pureAck, f.finAck, f.pureAckWithIpOptions, f.synAck],
    last: (f) => f.dataWithIpOptions,
    expression: () => "ip[2:2] - (ip[0] & 0xf) * 4 - (tcp[12] & 0xf0) / 4 != 0",
    message: "Your program kept other frames than tcpdump for an arithmetic expression (TCP segments that carry data).",
    hint: () => "The expression is the IPv4 total length minus the IPv4 header's length (IHL × 4) minus the TCP header's (data offset, the high 4 bits of tcp[12], × 4): the data's length. * and / bind tighter than + and -, which bind tighter than << and >>, then &, then |; each groups left to right, so a - b * 4 - c / 4 is (a - (b * 4)) - (c / 4).",
  }),
  kept("proto[offset:size] reads 2 or 4 bytes big-endian; a read past the frame's end fails the whole filter", {
    frames: (f) => [f.udpEmpty, f.udpOneByte, f.udpHigher, f.echoRequest, f.echoReply],
    last: (f) => f.udpMulticast,
    expression: (z) => `udp[8:2] <= ${z.first} or ip[12:4] = ${ipBytes(z.echoSource).readUInt32BE(0)}`,
    message: "Your program kept other frames than tcpdump for 2- and 4-byte loads.",
    hint: (z) =>
      `udp[8:2] is the two bytes after the 8-byte UDP header, the first one the high byte (network byte order): ${z.first} here is 0x${z.first.toString(16).padStart(4, "0")}; ip[12:4] the IPv4 source address as one 32-bit number (${z.echoSource} is ${ipBytes(z.echoSource).readUInt32BE(0)}). A load past the end of the frame (udp[8:2] of a datagram with fewer than 2 bytes of payload) makes the kernel's BPF program return 0 at once: the frame is dropped, whatever comes after in the expression — it does not read as 0.`,
  }),
  kept("len compares the frame's length: > and < exclusive, >= and <= inclusive", {
    frames: sized,
    last: (f) => sized(f).find((x) => x.length === lengths(f).at(-1))!,
    expression: (z) => {
      const l = lengths(z.frames);
      return `len > ${l[0]} and len <= ${l.at(-1)} and not (len >= ${l[1]} and len < ${l[2]})`;
    },
    message: "Your program kept other frames than tcpdump for relations on len.",
    hint: (z) => {
      const l = lengths(z.frames);
      return `len is the frame's length on the wire (BPF: ld #pktlen). "len > ${l[0]}" leaves out frames of exactly ${l[0]} bytes, "len <= ${l.at(-1)}" keeps frames of exactly ${l.at(-1)}; "len >= ${l[1]}" holds for ${l[1]} bytes, "len < ${l[2]}" does not hold for ${l[2]}.`;
    },
  }),
]);
