import { arp, ethernet, ETHERTYPE, icmpEcho, ipv4, IPPROTO, udp } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectTcpdumpLines, randomIp, randomMac } from "./sniff.ts";

const HEX = 'After each packet line, -x prints the frame\'s bytes after the 14-byte Ethernet header (padding included: every byte captured) in lines of 16: "\\n\\t0x<offset, 4 hex digits>:  " then the bytes as groups of two bytes in lower-case hex ("4500 0054 …", a last odd byte alone), groups separated by one space.';

const pad = (f: Buffer) => (f.length < 60 ? Buffer.concat([f, Buffer.alloc(60 - f.length)]) : f);

/** A UDP datagram whose payload mixes words, spaces, punctuation and bytes outside printable ASCII, of an odd length. */
function textDatagram(rand: Random): Buffer {
  const [src, dst] = [randomIp(rand), randomIp(rand)];
  const words = Array.from({ length: rand.int(3, 8) }, () => rand.word()).join(" ");
  const payload = Buffer.concat([Buffer.from(`${words}, ok! ~{}`), Buffer.from(rand.bytes(rand.int(1, 6))), Buffer.from([0x20, 0x7f, 0x80, 0xff, 0x41])]);
  const odd = payload.length % 2 === 0 ? Buffer.concat([payload, Buffer.from("?")]) : payload;
  return ethernet(randomMac(rand), randomMac(rand), ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.udp, payload: udp(src, dst, rand.int(33000, 48000), rand.int(50000, 60000), odd) }));
}

function frames(rand: Random): Buffer[] {
  const mac = randomMac(rand);
  const [src, dst] = [randomIp(rand), randomIp(rand)];
  return [
    pad(ethernet("ff:ff:ff:ff:ff:ff", mac, ETHERTYPE.arp, arp({ op: "request", senderMac: mac, senderIp: randomIp(rand), targetMac: "00:00:00:00:00:00", targetIp: randomIp(rand) }))),
    pad(ethernet(randomMac(rand), randomMac(rand), ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.icmp, payload: icmpEcho("reply", rand.int(0, 65535), rand.int(0, 65535), rand.bytes(rand.int(0, 4))) }))),
    ethernet(randomMac(rand), randomMac(rand), ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.icmp, payload: icmpEcho("request", rand.int(0, 65535), rand.int(0, 65535), rand.bytes(rand.int(40, 120))) })),
    textDatagram(rand),
  ];
}

export default stage(import.meta, [
  {
    name: "-x dumps the bytes after the link-level header in hex, 16 a line, padding included",
    async run(t) {
      await expectTcpdumpLines(t, { flags: ["-n", "-x"], frames: frames(t.rand), what: "ARP, ICMP and UDP frames, two padded to 60 bytes", allLines: true }, "Your -x dumps differ from tcpdump's.", HEX);
    },
  },
  {
    name: "-X adds an ASCII column: printable characters as they are, other bytes (space included) as dots, aligned",
    async run(t) {
      await expectTcpdumpLines(
        t,
        { flags: ["-n", "-X"], frames: [textDatagram(t.rand), ...frames(t.rand).slice(0, 2), textDatagram(t.rand)], what: "UDP datagrams with text, an ARP and an ICMP frame", allLines: true },
        "Your -X dumps differ from tcpdump's.",
        `${HEX} -X adds, after two spaces, the same 16 bytes as characters: bytes 0x21 to 0x7e as themselves, every other byte (the space 0x20 too) as "."; on a short last line the hex column is padded with spaces to its full width (39 characters), so the characters line up.`,
      );
    },
  },
  {
    name: "-xx dumps the whole frame, link-level header included",
    async run(t) {
      await expectTcpdumpLines(t, { flags: ["-n", "-xx"], frames: frames(t.rand), what: "ARP, ICMP and UDP frames, shown with -xx", allLines: true }, "Your -xx dumps differ from tcpdump's.", `${HEX} Given twice (-xx, -XX), the dump starts at the frame's first byte: the Ethernet header is included.`);
    },
  },
]);
