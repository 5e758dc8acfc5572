import { ethernet, ETHERTYPE, icmp, icmpEcho, internetChecksum, ipv4, IPPROTO, tcp, udp, type Ipv4 } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectTcpdumpLines, randomIp, randomMac } from "./sniff.ts";

const IP_LINE = 'An IPv4 packet (EtherType 0x0800) prints as "IP <source> > <destination>: " and then what it carries; for ICMP (protocol 1): "ICMP " and the message.';

/** An Ethernet frame carrying an IPv4 packet between two made-up hosts. */
function frame(rand: Random, p: Omit<Ipv4, "src" | "dst"> & { src?: string; dst?: string }): Buffer {
  return ethernet(randomMac(rand), randomMac(rand), ETHERTYPE.ipv4, ipv4({ src: randomIp(rand), dst: randomIp(rand), ...p }));
}

function echo(rand: Random, kind: "request" | "reply", dataLength = rand.int(0, 200)): Buffer {
  return frame(rand, { protocol: IPPROTO.icmp, id: rand.int(0, 65535), payload: icmpEcho(kind, rand.int(0, 65535), rand.int(0, 65535), rand.bytes(dataLength)) });
}

/** The first 28 bytes of a packet an ICMP error quotes: its IP header and 8 bytes of what it carried. */
/** The start of a packet an ICMP error quotes: its IP header (with 4 bytes of options when asked) and 8 bytes more. */
function quoted(rand: Random, protocol: number, ipOptions = false): Buffer {
  const src = randomIp(rand);
  let dst = randomIp(rand);
  while (dst === src) dst = randomIp(rand);
  const payload = protocol === IPPROTO.udp ? udp(src, dst, rand.int(1024, 65535), rand.int(1024, 65535), rand.bytes(8)) : protocol === IPPROTO.tcp ? tcp({ src, dst, srcPort: rand.int(1024, 65535), dstPort: rand.int(1024, 65535), seq: rand.int(0, 2 ** 31), flags: ["syn"] }) : Buffer.from(rand.bytes(8));
  const packet = ipv4({ src, dst, protocol, payload });
  if (!ipOptions) return packet.subarray(0, 28);
  const withOptions = Buffer.concat([packet.subarray(0, 20), Buffer.from([0x94, 4, 0, 0]), packet.subarray(20)]);
  withOptions[0] = 0x46;
  withOptions.writeUInt16BE(withOptions.length, 2);
  return withOptions.subarray(0, 32);
}

function icmpError(rand: Random, type: number, code: number, protocol: number = IPPROTO.udp, ipOptions = false): Buffer {
  return frame(rand, { protocol: IPPROTO.icmp, payload: icmp(type, code, Buffer.alloc(4), quoted(rand, protocol, ipOptions)) });
}

/** An IPv4 packet with header options (IHL > 5). */
function withOptions(rand: Random, options: number[]): Buffer {
  const src = randomIp(rand);
  const dst = randomIp(rand);
  const payload = icmpEcho("request", rand.int(0, 65535), rand.int(0, 65535), rand.bytes(rand.int(0, 64)));
  const plain = ipv4({ src, dst, protocol: IPPROTO.icmp, payload });
  const opts = Buffer.from(options);
  const p = Buffer.concat([plain.subarray(0, 20), opts, plain.subarray(20)]);
  p[0] = 0x40 | ((20 + opts.length) / 4);
  p.writeUInt16BE(p.length, 2);
  p.writeUInt16BE(0, 10);
  p.writeUInt16BE(internetChecksum(p.subarray(0, 20 + opts.length)), 10);
  return ethernet(randomMac(rand), randomMac(rand), ETHERTYPE.ipv4, p);
}

const pad = (f: Buffer) => (f.length < 60 ? Buffer.concat([f, Buffer.alloc(60 - f.length)]) : f);

export default stage(import.meta, [
  {
    name: "ICMP echo request and reply: IP <src> > <dst>: ICMP echo request, id <id>, seq <seq>, length <ICMP bytes>",
    async run(t) {
      const frames = [echo(t.rand, "request"), echo(t.rand, "reply"), echo(t.rand, "request", 0), echo(t.rand, "reply", 1400)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ICMP echo requests and replies" }, "Your lines for ICMP echo messages differ from tcpdump's.", `${IP_LINE} An echo request (type 8) or reply (type 0) carries an identifier and a sequence number (bytes 4-5 and 6-7 of the ICMP header, big-endian); "length" is the whole ICMP message, its 8-byte header included.`);
    },
  },
  {
    name: "destination unreachable names what could not be reached, read from the quoted packet",
    async run(t) {
      const frames = [icmpError(t.rand, 3, 3, IPPROTO.udp), icmpError(t.rand, 3, 3, IPPROTO.tcp), icmpError(t.rand, 3, 3, IPPROTO.udp, true), icmpError(t.rand, 3, 1), icmpError(t.rand, 3, 0), icmpError(t.rand, 3, 2, 47)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ICMP destination unreachable: port (UDP, TCP; one quoting a header with options), host, net, protocol" }, "Your lines for ICMP destination unreachable differ from tcpdump's.", 'An ICMP error (type 3) quotes the IP header and first 8 bytes of the packet that failed, after its own 8-byte header. Name the quoted packet\'s destination (bytes 16-19 of the quoted IP header): code 0 "net <dst> unreachable", 1 "host <dst> unreachable", 2 "<dst> protocol <n> unreachable", 3 "<dst> udp port <port> unreachable" (the destination port, read after the quoted header\'s IHL).');
    },
  },
  {
    name: "time exceeded: in-transit (code 0) and ip reassembly (code 1)",
    async run(t) {
      const frames = [icmpError(t.rand, 11, 0), icmpError(t.rand, 11, 1), icmpError(t.rand, 11, 0, IPPROTO.tcp)];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ICMP time exceeded, codes 0 and 1" }, "Your lines for ICMP time exceeded differ from tcpdump's.", 'ICMP type 11 is "time exceeded in-transit" for code 0 (the TTL reached 0 in a router) and "ip reassembly time exceeded" for code 1.');
    },
  },
  {
    name: "a header with options: the IHL field says where the payload starts",
    async run(t) {
      const frames = [withOptions(t.rand, [0x94, 4, 0, 0]), withOptions(t.rand, [1, 1, 1, 0]), withOptions(t.rand, [1, 1, 1, 1, 0x94, 4, 0, 0])];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "ICMP echo requests in IPv4 packets with 4 and 8 bytes of options" }, "Your lines for IPv4 packets with options differ from tcpdump's.", "The IPv4 header is not always 20 bytes: its low nibble of byte 0 (IHL) is its length in 32-bit words, so the payload starts at IHL × 4.");
    },
  },
  {
    name: "fragments: only the first one carries the ICMP header; later ones print ip-proto-<n>",
    async run(t) {
      const [src, dst] = [randomIp(t.rand), randomIp(t.rand)];
      const id = t.rand.int(0, 65535);
      const whole = icmpEcho("request", t.rand.int(0, 65535), t.rand.int(0, 65535), t.rand.bytes(t.rand.int(100, 300)));
      const cut = 8 * t.rand.int(4, 10);
      const frames = [
        frame(t.rand, { src, dst, id, protocol: IPPROTO.icmp, moreFragments: true, payload: whole.subarray(0, cut) }),
        frame(t.rand, { src, dst, id, protocol: IPPROTO.icmp, fragmentOffset: cut, payload: whole.subarray(cut) }),
        frame(t.rand, { protocol: IPPROTO.udp, fragmentOffset: 8 * t.rand.int(1, 100), payload: Buffer.from(t.rand.bytes(32)) }),
      ];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "an ICMP echo request in two fragments, and a later UDP fragment" }, "Your lines for IPv4 fragments differ from tcpdump's.", 'Only the fragment at offset 0 starts with the transport header. When the fragment offset (low 13 bits of bytes 6-7, in 8-byte units) is not 0, print just "IP <src> > <dst>: ip-proto-<protocol number>". A first fragment is printed from its own bytes: its "length" is what this fragment carries.');
    },
  },
  {
    name: "lengths come from the IP header's total length, not the frame (a short packet is padded to 60 bytes)",
    async run(t) {
      const frames = [pad(echo(t.rand, "request", 0)), pad(echo(t.rand, "reply", t.rand.int(1, 10))), echo(t.rand, "request")];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "small ICMP echo messages in frames padded to 60 bytes" }, "Your lines for padded frames differ from tcpdump's.", "Ethernet pads frames to 60 bytes: the IPv4 packet ends at its total length (bytes 2-3 of its header), not at the end of the frame. Stop there.");
    },
  },
  {
    name: "-e: the link-level header says ethertype IPv4 (0x0800), then the addresses without IP in front",
    async run(t) {
      const frames = [echo(t.rand, "request"), icmpError(t.rand, 3, 3), echo(t.rand, "reply")];
      await expectTcpdumpLines(t, { flags: ["-n", "-e"], frames, what: "IPv4 frames, shown with -e" }, "Your lines with -e for IPv4 frames differ from tcpdump's.", 'With -e the header already names the protocol: "<src MAC> > <dst MAC>, ethertype IPv4 (0x0800), length <frame length>: <src> > <dst>: ICMP …", without "IP " before the addresses.');
    },
  },
]);
