import { arp, ethernet, ETHERTYPE, icmpEcho, ipv4, IPPROTO, tcp, udp } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectFiltered } from "./filtered.ts";
import { closingCounts, randomMac } from "./sniff.ts";

/** A small network's traffic: hosts h1, h2 inside net/24, o1, o2 outside; each frame named for what filters should see in it. */
function zoo(rand: Random) {
  const net = `198.18.${rand.int(0, 255)}`;
  const [h1, h2] = [`${net}.${rand.int(1, 120)}`, `${net}.${rand.int(121, 254)}`];
  const [o1, o2] = [`198.19.${rand.int(0, 127)}.${rand.int(1, 254)}`, `198.19.${rand.int(128, 255)}.${rand.int(1, 254)}`];
  const mac = { h1: randomMac(rand), h2: randomMac(rand), o1: randomMac(rand), o2: randomMac(rand) };
  const [pa, pb, pa2, pb2] = [rand.int(33000, 40000), rand.int(50000, 55000), rand.int(40001, 48000), rand.int(55001, 60000)];
  const ip = (from: keyof typeof mac, to: keyof typeof mac, src: string, dst: string, protocol: number, payload: Uint8Array, extra: { fragmentOffset?: number } = {}) =>
    ethernet(mac[to], mac[from], ETHERTYPE.ipv4, ipv4({ src, dst, protocol, payload, ...extra }));
  // A later UDP fragment whose first bytes happen to read like the ports pa > pb.
  const fragment = Buffer.alloc(40);
  fragment.writeUInt16BE(pa, 0);
  fragment.writeUInt16BE(pb, 2);
  const frames = [
    ethernet("ff:ff:ff:ff:ff:ff", mac.h1, ETHERTYPE.arp, arp({ op: "request", senderMac: mac.h1, senderIp: h1, targetMac: "00:00:00:00:00:00", targetIp: h2 })),
    ethernet(mac.h1, mac.h2, ETHERTYPE.arp, arp({ op: "reply", senderMac: mac.h2, senderIp: h2, targetMac: mac.h1, targetIp: h1 })),
    ip("h1", "o1", h1, o1, IPPROTO.icmp, icmpEcho("request", rand.int(0, 65535), 1, rand.bytes(rand.int(20, 60)))),
    ip("o1", "h1", o1, h1, IPPROTO.icmp, icmpEcho("reply", rand.int(0, 65535), 1, rand.bytes(rand.int(20, 60)))),
    ip("h2", "o2", h2, o2, IPPROTO.udp, udp(h2, o2, pa, pb, rand.bytes(rand.int(10, 50)))),
    ip("o2", "h2", o2, h2, IPPROTO.udp, udp(o2, h2, pb, pa, rand.bytes(rand.int(10, 50)))),
    // UDP to the TCP server's port, before the TCP SYN: only a "tcp" qualifier tells them apart (a frame a wrong filter keeps must come before the last right one, or -c hides it).
    ip("h2", "o1", h2, o1, IPPROTO.udp, udp(h2, o1, pa, pb2, rand.bytes(rand.int(10, 50)))),
    ip("h1", "o1", h1, o1, IPPROTO.tcp, tcp({ src: h1, dst: o1, srcPort: pa2, dstPort: pb2, seq: rand.int(0, 2 ** 31), flags: ["syn"], options: [{ kind: "mss", value: 1460 }] })),
    ip("o1", "h1", o1, h1, IPPROTO.tcp, tcp({ src: o1, dst: h1, srcPort: pb2, dstPort: pa2, seq: rand.int(0, 2 ** 31), ack: rand.int(0, 2 ** 31), flags: ["syn", "ack"], options: [{ kind: "mss", value: 1460 }] })),
    ip("o1", "h2", o1, h2, IPPROTO.udp, fragment, { fragmentOffset: 8 * rand.int(1, 100) }),
    ip("h1", "o2", h1, o2, IPPROTO.udp, udp(h1, o2, pa2, pb, rand.bytes(rand.int(900, 1200)))),
  ];
  return { net, h1, h2, o1, o2, pa, pb, pa2, pb2, frames };
}

const GRAMMAR = 'The expression is the words after the options, joined with spaces (pcap-filter(7)). Compile it to a classic BPF program and attach it with setsockopt(SOL_SOCKET, SO_ATTACH_FILTER) before bind(); print "listening on …" to stderr once it is attached.';

export default stage(import.meta, [
  {
    name: "protocol names: icmp, tcp, udp, arp and ip select frames by EtherType and IP protocol",
    async run(t) {
      const z = zoo(t.rand);
      await expectFiltered(t, z.frames, "icmp or tcp", 'Your program kept other frames than tcpdump for "icmp or tcp".', `${GRAMMAR} "arp" and "ip" test the EtherType (bytes 12-13: 0x0806, 0x0800); "icmp", "tcp" and "udp" test IPv4's protocol field (byte 23 of the frame: 1, 6, 17) of an IPv4 frame.`);
    },
  },
  {
    name: "host matches IPv4 source or destination and ARP sender or target addresses",
    async run(t) {
      const z = zoo(t.rand);
      await expectFiltered(t, z.frames, `host ${z.h2}`, "Your program kept other frames than tcpdump for a host filter.", `${GRAMMAR} "host A" matches an IPv4 packet whose source (bytes 26-29) or destination (30-33) is A, and an ARP packet whose sender (28-31) or target (38-41) protocol address is A.`);
    },
  },
  {
    name: "src and dst restrict host to one direction",
    async run(t) {
      const z = zoo(t.rand);
      await expectFiltered(t, z.frames, `src host ${z.h1} or dst host ${z.o2}`, "Your program kept other frames than tcpdump for src host / dst host.", `${GRAMMAR} "src host A" tests only the source address (IPv4 source, ARP sender), "dst host A" only the destination (IPv4 destination, ARP target).`);
    },
  },
  {
    name: "net matches addresses under a prefix",
    async run(t) {
      const z = zoo(t.rand);
      await expectFiltered(t, z.frames, `dst net ${z.net}.0/24`, "Your program kept other frames than tcpdump for a net filter.", `${GRAMMAR} "net N/len" compares the address ANDed with the len-bit mask (0xffffff00 for /24) with N.`);
    },
  },
  {
    name: "port matches TCP and UDP source or destination ports, but not in later fragments",
    async run(t) {
      const z = zoo(t.rand);
      await expectFiltered(t, z.frames, `port ${z.pb}`, "Your program kept other frames than tcpdump for a port filter.", `${GRAMMAR} "port N": an IPv4 TCP, UDP (or SCTP) packet that is not a later fragment (fragment offset, the low 13 bits of bytes 20-21, is 0: a later fragment has no ports), whose source or destination port is N (SCTP too; not tested); the ports are at 14 + IHL×4 and 16 + IHL×4 (BPF: ldxb 4*([14]&0xf), then ldh [x+14]).`);
    },
  },
  {
    name: "tcp dst portrange A-B includes both ends",
    async run(t) {
      const z = zoo(t.rand);
      await expectFiltered(t, z.frames, `tcp dst portrange ${z.pb2 - 3}-${z.pb2}`, "Your program kept other frames than tcpdump for a port range.", `${GRAMMAR} "portrange A-B" matches ports from A to B, both included; "tcp" or "udp" before it limits it to that protocol, "src"/"dst" to one port.`);
    },
  },
  {
    name: "and and or have the same precedence and group left to right; not binds tighter",
    async run(t) {
      const z = zoo(t.rand);
      await expectFiltered(t, z.frames, `udp or icmp and host ${z.o1} and not arp`, "Your program kept other frames than tcpdump for an expression mixing and, or and not.", `${GRAMMAR} pcap-filter(7): "and" and "or" have the same precedence and associate left to right, so "a or b and c" is "(a or b) and c" (unlike C); "not" (or "!") applies to the primitive after it; parentheses group.`);
    },
  },
  {
    name: "less and greater compare the frame's length, both inclusive",
    async run(t) {
      const z = zoo(t.rand);
      const lengths = z.frames.map((f) => f.length);
      await expectFiltered(t, z.frames, `less ${Math.min(...lengths)} or greater ${Math.max(...lengths)}`, "Your program kept other frames than tcpdump for less/greater.", `${GRAMMAR} "less N" is "len <= N" and "greater N" is "len >= N", len being the frame's length on the wire (BPF: ld #pktlen).`);
    },
  },
  {
    name: "the kernel does the filtering: frames that do not match are not even received",
    async run(t) {
      const z = zoo(t.rand);
      const { capture, matched } = await expectFiltered(t, z.frames, "udp", 'Your program kept other frames than tcpdump for "udp".', GRAMMAR);
      const counts = closingCounts(capture.output);
      if (counts.received !== matched) {
        t.fail({
          message: `"packets received by filter" should count only the ${matched} frames that matched: with the filter attached to the socket, the kernel drops the others before they are queued (and counted in PACKET_STATISTICS).`,
          expected: `${matched} packets received by filter`,
          received: counts.received === undefined ? "(no \"packets received by filter\" line)" : `${counts.received} packets received by filter`,
          hint: "Filtering each frame after recvfrom() in your program gives the right lines but makes the kernel copy every frame to you: attach the compiled program with setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &(struct sock_fprog){ len, insns }) before bind().",
          detail: capture.tail(),
        });
      }
    },
  },
]);
