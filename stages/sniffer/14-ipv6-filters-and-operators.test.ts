import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectFiltered } from "./filtered.ts";
import { groups6, text6, Traffic } from "./traffic.ts";

const GRAMMAR = 'The expression is the words after the options, joined with spaces (pcap-filter(7)). Compile it to classic BPF, attach it with SO_ATTACH_FILTER before bind(), and print "listening on …" once it is attached.';

/** Frames of the given lengths (UDP over IPv4), shuffled, then one of exactly `last` bytes. */
function ofLengths(t: CaseContext, tr: Traffic, lengths: number[], last: number): Buffer[] {
  return [...t.rand.shuffle(lengths).map((l) => tr.v4OfLength(l)), tr.v4OfLength(last)];
}

export default stage(import.meta, [
  {
    name: "ip6, icmp6 and ip6 proto N read IPv6's next header, and past a fragment header",
    async run(t) {
      const tr = new Traffic(t.rand);
      const [a, b] = [text6(groups6(t.rand)), text6(groups6(t.rand))];
      // IPv4 ICMP and UDP first: "icmp6" and "ip6 proto 17" are IPv6 only. The fragments last: their protocol is in the fragment header.
      // Then IPv4 later fragments whose frame byte 20 reads 58 and 17: only the EtherType (0x0800) says they are not IPv6 (and a program that keeps them prints them before its -c count is reached).
      const frames = [tr.v4icmp(), tr.v4udp(), tr.v4FragmentLike(58), tr.v4FragmentLike(17), tr.v6("tcp", a, b), tr.v6("icmp6", a, b), tr.v6("udp", b, a), tr.v6Fragment("icmp6", a, b), tr.v6Fragment("udp", b, a)];
      await expectFiltered(t, frames, "icmp6 or ip6 proto 17", 'Your program kept other frames than tcpdump for "icmp6 or ip6 proto 17".', `${GRAMMAR} "ip6" is EtherType 0x86dd. "ip6 proto N" (and "icmp6", which is "ip6 proto 58") is an IPv6 packet whose next header (frame byte 20) is N, or is 44 (a fragment header) whose own next header (frame byte 54) is N; IPv4's protocol field does not count.`, "IPv4 ICMP and UDP, two IPv4 later fragments whose byte 20 reads 58 and 17, IPv6 TCP, ICMPv6 and UDP, and IPv6 first fragments of ICMPv6 and UDP");
    },
  },
  {
    name: "tcp and udp match IPv6 packets too",
    async run(t) {
      const tr = new Traffic(t.rand);
      const [a, b] = [text6(groups6(t.rand)), text6(groups6(t.rand))];
      const frames = [tr.v6("udp", a, b), tr.v4tcp(), tr.v6("tcp", a, b), tr.v6Fragment("tcp", b, a), tr.v4udp(), tr.v6("tcp", b, a)];
      await expectFiltered(t, frames, "tcp", 'Your program kept other frames than tcpdump for "tcp".', `${GRAMMAR} "tcp" is "ip proto 6 or ip6 proto 6" (and "udp" the same with 17): an IPv4 packet whose protocol is 6, or an IPv6 packet whose next header is 6 (or a fragment header, 44, whose next header is 6).`, "IPv4 and IPv6 TCP and UDP, an IPv6 first fragment of TCP");
    },
  },
  {
    name: "port matches IPv6 TCP and UDP ports, only right after the fixed header",
    async run(t) {
      const tr = new Traffic(t.rand);
      const [a, b] = [text6(groups6(t.rand)), text6(groups6(t.rand))];
      const p = t.rand.int(1024, 32000);
      const [x, y] = tr.ports();
      // Frames that only look as if they had port p come first: a fragment header before UDP, ICMPv6 bytes in the ports' place.
      const frames = [tr.v6Fragment("udp", a, b, [p, y]), tr.v6IcmpLikePorts(b, a, [x, p]), tr.v6("udp", a, b, [p, y]), tr.v4udp([x, p]), tr.v6("udp", b, a, [x, y]), tr.v6("tcp", b, a, [x, p])];
      await expectFiltered(t, frames, `port ${p}`, "Your program kept other frames than tcpdump for a port filter over IPv6.", `${GRAMMAR} "port N" also matches an IPv6 packet whose next header (frame byte 20) is TCP (6), UDP (17) or SCTP (132) and whose source (frame bytes 54-55) or destination port (56-57) is N. libpcap looks no further than the fixed header: after a fragment header (44) or any other next header, there are no ports.`, "IPv6 UDP and TCP with and without the port, an IPv6 first fragment of UDP, ICMPv6 whose bytes read like the port, IPv4 UDP");
    },
  },
  {
    name: "host with an IPv6 address compares all 128 bits of source or destination",
    async run(t) {
      const tr = new Traffic(t.rand);
      const g = groups6(t.rand);
      const [a, b, c] = [text6(g), text6(groups6(t.rand)), text6(groups6(t.rand))];
      // c2 differs from a only in its first 96 bits.
      const g2 = [...g];
      g2[2] = g2[2]! ^ (1 << t.rand.int(0, 15));
      const c2 = text6(g2);
      const frames = [tr.v6("udp", c2, b), tr.v6("udp", b, c2), tr.v6("tcp", a, b), tr.v6("icmp6", b, c), tr.v4udp(), tr.v6("udp", c, a)];
      await expectFiltered(t, frames, `host ${a}`, "Your program kept other frames than tcpdump for a host filter with an IPv6 address.", `${GRAMMAR} "host A" with an IPv6 address A matches an IPv6 packet whose source (frame bytes 22-37) or destination (38-53) is A: all four 32-bit words equal (BPF: four "ld [k]; jeq" each).`, "IPv6 packets to and from the host and from an address differing only in its first 96 bits, IPv4 UDP");
    },
  },
  {
    name: "src host and dst host with IPv6 addresses look at one address each",
    async run(t) {
      const tr = new Traffic(t.rand);
      const [a, b, c] = [text6(groups6(t.rand)), text6(groups6(t.rand)), text6(groups6(t.rand))];
      const frames = [tr.v6("udp", b, a), tr.v6("tcp", c, b), tr.v6("udp", a, b), tr.v6("icmp6", b, c)];
      await expectFiltered(t, frames, `src host ${a} or dst host ${c}`, "Your program kept other frames than tcpdump for src host / dst host with IPv6 addresses.", `${GRAMMAR} "src host A" with an IPv6 address tests only the source (frame bytes 22-37), "dst host A" only the destination (38-53).`, "IPv6 packets between three hosts, each host source once and destination once");
    },
  },
  {
    name: "ip6 net N/len compares the address ANDed with the len-bit mask, len not a multiple of 32",
    async run(t) {
      const tr = new Traffic(t.rand);
      // A prefix of 33 to 63 bits: its second word is masked in part.
      const bits = t.rand.int(33, 63);
      const free = 64 - bits;
      const g = groups6(t.rand);
      const word1 = (((g[2]! << 16) | g[3]!) >>> 0) & ~((1 << free) - 1) & 0xffffffff;
      const net = text6([g[0]!, g[1]!, word1 >>> 16, word1 & 0xffff, 0, 0, 0, 0]);
      // Inside: the host bits of the second word not all zero. Outside: one bit of the prefix's part of it flipped.
      const inside = (w: number) => text6([g[0]!, g[1]!, w >>> 16, w & 0xffff, ...groups6(t.rand).slice(4)]);
      const outside = inside(((word1 ^ (1 << t.rand.int(free, 31))) | t.rand.int(0, (1 << free) - 1)) >>> 0);
      const in1 = inside((word1 | t.rand.int(1, (1 << free) - 1)) >>> 0);
      const in2 = inside((word1 | t.rand.int(1, (1 << free) - 1)) >>> 0);
      const other = text6(groups6(t.rand));
      const frames = [tr.v6("udp", outside, other), tr.v6("tcp", other, outside), tr.v6("udp", in1, other), tr.v4udp(), tr.v6("icmp6", other, in2)];
      await expectFiltered(t, frames, `ip6 net ${net.replace(/(:0)+$/, "::")}/${bits}`, "Your program kept other frames than tcpdump for an IPv6 net filter.", `${GRAMMAR} "ip6 net N/len" matches an IPv6 packet whose source or destination, ANDed with the len-bit mask, equals N: the words the prefix covers in full are compared as they are, the word it covers in part after "and #<mask>" (for /${bits}: word 2 of 4 with 0x${(((0xffffffff << free) >>> 0)).toString(16)}).`, "IPv6 packets from and to addresses inside and just outside the prefix, IPv4 UDP");
    },
  },
  {
    name: "ip proto N reads only IPv4's protocol field",
    async run(t) {
      const tr = new Traffic(t.rand);
      const [a, b] = [text6(groups6(t.rand)), text6(groups6(t.rand))];
      const frames = [tr.v6("udp", a, b), tr.v6Fragment("udp", b, a), tr.v4tcp(), tr.v4udp()];
      await expectFiltered(t, frames, "ip proto 17", 'Your program kept other frames than tcpdump for "ip proto 17".', `${GRAMMAR} "ip proto N" is an IPv4 packet (EtherType 0x0800) whose protocol field (frame byte 23) is N; IPv6 packets never match it.`, "IPv6 UDP, an IPv6 first fragment of UDP, IPv4 TCP and UDP");
    },
  },
  {
    name: "% takes the operand before it and the rest of the expression after it",
    async run(t) {
      const tr = new Traffic(t.rand);
      // len % d + e = last is len % (d + e) = last: every frame is shorter than d + e, so only the last frame's length matches.
      const d = t.rand.int(20, 40);
      let e = t.rand.int(200, 260);
      if (e % d === 0) e++;
      const last = t.rand.int(100, 199);
      const lengths = Array.from({ length: 5 }, () => t.rand.int(60, 199)).filter((l) => l !== last);
      await expectFiltered(t, ofLengths(t, tr, lengths, last), `len % ${d} + ${e} = ${last}`, "Your program kept other frames than tcpdump for an expression with %.", `${GRAMMAR} "%" (and "^") have no precedence of their own in libpcap's grammar, so its parser always shifts: "%" takes the operand just before it and everything after it up to the relation, "len % ${d} + ${e}" is "len % (${d} + ${e})" (BPF: mod, 0x94). Unlike C.`, "IPv4 UDP datagrams of several lengths");
    },
  },
  {
    name: "^ takes the operand before it and the rest of the expression after it",
    async run(t) {
      const tr = new Traffic(t.rand);
      // len ^ m | 15 is len ^ (m | 15), whose low 4 bits are those of len inverted; in C it would be (len ^ m) | 15, whose low 4 bits are all ones.
      const m = t.rand.int(16, 255);
      let last = t.rand.int(100, 199);
      if ((last & 15) === 0) last++;
      const lengths = Array.from({ length: 5 }, () => t.rand.int(60, 199)).filter((l) => l !== last);
      await expectFiltered(t, ofLengths(t, tr, lengths, last), `len ^ ${m} | 15 = ${last ^ (m | 15)}`, "Your program kept other frames than tcpdump for an expression with ^.", `${GRAMMAR} "^" (exclusive or) has no precedence of its own in libpcap's grammar, so its parser always shifts: it takes the operand just before it and everything after it up to the relation, "len ^ ${m} | 15" is "len ^ (${m} | 15)" (BPF: xor, 0xa4). Unlike C, where it would be "(len ^ ${m}) | 15".`, "IPv4 UDP datagrams of several lengths");
    },
  },
  {
    name: "unary minus binds tighter than every binary operator",
    async run(t) {
      const tr = new Traffic(t.rand);
      // 1000 = - len + c holds for len = c - 1000 only; -(len + c) never equals 1000 for these lengths.
      const last = t.rand.int(100, 199);
      const lengths = Array.from({ length: 5 }, () => t.rand.int(60, 199)).filter((l) => l !== last);
      await expectFiltered(t, ofLengths(t, tr, lengths, last), `1000 = - len + ${1000 + last}`, "Your program kept other frames than tcpdump for an expression with unary minus.", `${GRAMMAR} Unary minus negates the operand right after it, modulo 2^32 (BPF: neg, 0x84), before any binary operator: "- len + c" is "(-len) + c". A word starting with "-" would be read as an option: the tests write "- len", two words.`, "IPv4 UDP datagrams of several lengths");
    },
  },
]);
