import { ethernet, ETHERTYPE, ipv4, IPPROTO, tcp, udp, type Tcp, type TcpFlag, type TcpOption } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectTcpdumpLines, randomIp, randomMac } from "./sniff.ts";

const TCP_LINE = 'A TCP segment prints as "IP <src>.<port> > <dst>.<port>: Flags [<flags>], seq …, ack …, win <window>, [urg <pointer>, ][options [...], ]length <payload bytes>".';

/**
 * Ports tcpdump decodes nothing special on: a client port in 33000-48000 and a
 * server port in 50000-60000 (tcpdump reads some well-known ports, e.g. 53 or
 * 8080, as DNS or HTTP and prints more).
 */
function ports(rand: Random): [number, number] {
  return [rand.int(33000, 48000), rand.int(50000, 60000)];
}

/** One side of a made-up connection: its MAC, address and port. */
interface End {
  mac: string;
  ip: string;
  port: number;
}

function ends(rand: Random): [End, End] {
  const [cp, sp] = ports(rand);
  return [
    { mac: randomMac(rand), ip: randomIp(rand), port: cp },
    { mac: randomMac(rand), ip: randomIp(rand), port: sp },
  ];
}

type Segment = Omit<Tcp, "src" | "dst" | "srcPort" | "dstPort">;

function segment(from: End, to: End, s: Segment): Buffer {
  return ethernet(to.mac, from.mac, ETHERTYPE.ipv4, ipv4({ src: from.ip, dst: to.ip, protocol: IPPROTO.tcp, payload: tcp({ ...s, src: from.ip, dst: to.ip, srcPort: from.port, dstPort: to.port }) }));
}

/**
 * A whole connection: handshake, data both ways, FIN both ways, from ISNs
 * `isnC` and `isnS`. Each side sends 600 to 1400 bytes, so ISNs less than 600
 * below 2^32 always wrap.
 */
function conversation(rand: Random, isnC: number, isnS: number): Buffer[] {
  const [c, s] = ends(rand);
  const [n1, n2] = [rand.int(600, 1400), rand.int(600, 1400)];
  const u = (x: number) => x >>> 0;
  const win = () => rand.int(1000, 65535);
  return [
    segment(c, s, { seq: isnC, flags: ["syn"], window: win(), options: [{ kind: "mss", value: 1460 }] }),
    segment(s, c, { seq: isnS, ack: u(isnC + 1), flags: ["syn", "ack"], window: win(), options: [{ kind: "mss", value: 1460 }] }),
    segment(c, s, { seq: u(isnC + 1), ack: u(isnS + 1), flags: ["ack"], window: win() }),
    // The server sends its SYN-ACK again (as when the ACK above was lost): a SYN-ACK always prints as it is.
    segment(s, c, { seq: isnS, ack: u(isnC + 1), flags: ["syn", "ack"], window: win(), options: [{ kind: "mss", value: 1460 }] }),
    segment(c, s, { seq: u(isnC + 1), ack: u(isnS + 1), flags: ["psh", "ack"], window: win(), payload: rand.bytes(n1) }),
    segment(s, c, { seq: u(isnS + 1), ack: u(isnC + 1 + n1), flags: ["ack"], window: win() }),
    segment(s, c, { seq: u(isnS + 1), ack: u(isnC + 1 + n1), flags: ["psh", "ack"], window: win(), payload: rand.bytes(n2) }),
    segment(c, s, { seq: u(isnC + 1 + n1), ack: u(isnS + 1 + n2), flags: ["fin", "ack"], window: win() }),
    segment(s, c, { seq: u(isnS + 1 + n2), ack: u(isnC + 2 + n1), flags: ["fin", "ack"], window: win() }),
    segment(c, s, { seq: u(isnC + 2 + n1), ack: u(isnS + 2 + n2), flags: ["ack"], window: win() }),
  ];
}

const isn = (rand: Random) => rand.int(0, 2 ** 31 - 1) * 2 + rand.int(0, 1);

/** Single segments, each on a connection of its own, with these flags. */
function lone(rand: Random, flags: TcpFlag[], extra: Partial<Segment> = {}): Buffer {
  const [c, s] = ends(rand);
  return segment(c, s, { seq: isn(rand), ack: flags.includes("ack") ? isn(rand) : 0, flags, window: rand.int(0, 65535), ...extra });
}

export default stage(import.meta, [
  {
    name: "a UDP datagram prints as: IP <src>.<port> > <dst>.<port>: UDP, length <payload bytes>",
    async run(t) {
      const frames = [0, t.rand.int(1, 4), t.rand.int(5, 1400), t.rand.int(5, 1400)].map((n) => {
        const [c, s] = ends(t.rand);
        const f = ethernet(s.mac, c.mac, ETHERTYPE.ipv4, ipv4({ src: c.ip, dst: s.ip, protocol: IPPROTO.udp, payload: udp(c.ip, s.ip, c.port, s.port, t.rand.bytes(n)) }));
        return f.length < 60 ? Buffer.concat([f, Buffer.alloc(60 - f.length)]) : f;
      });
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "UDP datagrams with 0 to 1400 bytes of payload" }, "Your lines for UDP datagrams differ from tcpdump's.", 'UDP (protocol 17): "IP <src>.<src port> > <dst>.<dst port>: UDP, length <n>", the ports from bytes 0-1 and 2-3 of the UDP header, and n the payload: the UDP length field (bytes 4-5) minus the 8-byte header.');
    },
  },
  {
    name: "TCP flags print as [FSRP.UEW] letters in that order, or [none]",
    async run(t) {
      const sets: TcpFlag[][] = [["syn"], ["syn", "ack"], ["ack"], ["psh", "ack"], ["fin", "ack"], ["rst"], ["rst", "ack"], ["fin", "psh", "ack"], ["syn", "ece", "cwr"], []];
      const frames = sets.map((f) => lone(t.rand, f));
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "TCP segments with different flags, each on its own connection" }, "Your lines for TCP flags differ from tcpdump's.", `${TCP_LINE} The flags are one letter each, in this order: F (FIN), S (SYN), R (RST), P (PSH), . (ACK), U (URG), E (ECE), W (CWR); "none" when no flag is set.`);
    },
  },
  {
    name: "sequence numbers are relative to the connection's first segment with ACK set",
    async run(t) {
      const frames = conversation(t.rand, isn(t.rand), isn(t.rand));
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "a whole TCP connection: handshake, data both ways, FIN both ways" }, "Your lines for a TCP connection differ from tcpdump's.", `${TCP_LINE} Like tcpdump without -S, print relative numbers: per connection (both directions), the first segment with ACK set is printed as is and sets the bases: its sender's base is its seq, the other side's is its ack - 1; so does every segment with SYN and ACK set (a retransmitted SYN-ACK prints its numbers as they are). Later segments with ACK set print seq and ack minus the base of their own side and of the other side. "seq" is printed when there is data or SYN, FIN or RST ("seq a:b" with data: b = a + length), "ack" only when ACK is set.`);
    },
  },
  {
    name: "relative sequence numbers wrap around at 2^32",
    async run(t) {
      // Both sides start just below 2^32: their numbers wrap during the connection.
      const frames = conversation(t.rand, 2 ** 32 - t.rand.int(1, 600), 2 ** 32 - t.rand.int(1, 600));
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "a TCP connection whose sequence numbers wrap past 2^32 - 1" }, "Your lines for a connection whose sequence numbers wrap differ from tcpdump's.", "Sequence numbers are unsigned 32-bit and wrap: compute relative numbers modulo 2^32 ((seq - base) >>> 0 in JavaScript), never as negative numbers or past 4294967295.");
    },
  },
  {
    name: "TCP options print as [mss N,sackOK,TS val N ecr N,nop,wscale N]",
    async run(t) {
      const ts = (): TcpOption => ({ kind: "ts", val: t.rand.int(0, 2 ** 32 - 1), ecr: t.rand.int(0, 2 ** 32 - 1) });
      const frames = [
        lone(t.rand, ["syn"], { options: [{ kind: "mss", value: t.rand.int(536, 9000) }, { kind: "sackOK" }, ts(), { kind: "nop" }, { kind: "wscale", shift: t.rand.int(0, 14) }] }),
        lone(t.rand, ["syn", "ack"], { options: [{ kind: "mss", value: t.rand.int(536, 9000) }, { kind: "nop" }, { kind: "nop" }, { kind: "sackOK" }, { kind: "nop" }, { kind: "wscale", shift: t.rand.int(0, 14) }] }),
        lone(t.rand, ["psh", "ack"], { options: [{ kind: "nop" }, { kind: "nop" }, ts()], payload: t.rand.bytes(t.rand.int(1, 500)) }),
      ];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "TCP segments with options" }, "Your lines for TCP options differ from tcpdump's.", `${TCP_LINE} Options sit between byte 20 and the data offset (byte 12's high nibble × 4): kind 1 "nop"; kind 2 "mss <16-bit>"; kind 3 "wscale <shift count>"; kind 4 "sackOK"; kind 8 "TS val <32-bit> ecr <32-bit>"; joined by "," in ", options [...]" before the length.`);
    },
  },
  {
    name: "win is the raw window field and length the payload after the TCP header, options included; urg when URG is set",
    async run(t) {
      const frames = [
        lone(t.rand, ["psh", "ack"], { payload: t.rand.bytes(t.rand.int(1, 1400)), options: [{ kind: "nop" }, { kind: "nop" }, { kind: "ts", val: t.rand.int(0, 2 ** 32 - 1), ecr: 0 }] }),
        lone(t.rand, ["ack"], { window: t.rand.int(0, 65535) }),
        lone(t.rand, ["psh", "ack", "urg"], { payload: t.rand.bytes(t.rand.int(2, 200)), urgent: t.rand.int(1, 100) }),
        lone(t.rand, ["ack"], { payload: t.rand.bytes(t.rand.int(1, 1400)) }),
      ];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "TCP segments with data, windows and an urgent pointer" }, "Your lines for TCP windows, lengths or urgent pointers differ from tcpdump's.", `${TCP_LINE} "win" is bytes 14-15 as they are (no scaling); "length" counts only the data after the header (the data offset, byte 12's high nibble × 4, includes the options); "urg <bytes 18-19>" appears only when URG is set.`);
    },
  },
]);
