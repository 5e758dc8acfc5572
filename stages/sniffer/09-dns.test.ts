import { buildQuery, encodeName, TYPES } from "../../challenges/dns/clients/dns-wire.ts";
import { ethernet, ETHERTYPE, ipv4, IPPROTO, udp } from "../../harness/netns/frames.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";
import { expectTcpdumpLines, randomIp, randomMac } from "./sniff.ts";

const QUERY = 'A DNS query (QR 0) on UDP port 53 prints as "<id>[+] <TYPE>? <name>. (<bytes of the DNS message>)": "+" when RD (recursion desired, 0x0100 of the flags) is set; the question\'s name as dotted labels ending in "." (the root alone is "."), and its type by name (A, NS, CNAME, SOA, PTR, MX, TXT, AAAA).';
const RESPONSE = 'A DNS response (QR 1) prints as "<id><rcode><flags> <an>/<ns>/<ar> <answers> (<bytes>)": rcode " NXDomain", " ServFail", " FormErr", " NotImp", " Refused" when not 0; "*" when AA is set, "-" when RA is NOT set, "|" when TC is set; then the three record counts; then each answer record, ", " between them, as "<TYPE> <data>" (A and AAAA addresses, CNAME/NS/PTR names).';

/** A UDP datagram between a client and a DNS server on port 53, in the direction asked. */
function datagram(rand: Random, client: string, server: string, cport: number, message: Uint8Array, toServer: boolean, serverPort = 53): Buffer {
  const [src, dst, sp, dp] = toServer ? [client, server, cport, serverPort] : [server, client, serverPort, cport];
  return ethernet(randomMac(rand), randomMac(rand), ETHERTYPE.ipv4, ipv4({ src, dst, protocol: IPPROTO.udp, payload: udp(src, dst, sp, dp, message) }));
}

function randomName(rand: Random): string {
  return [...Array.from({ length: rand.int(1, 3) }, () => rand.word()), rand.word().slice(0, 3) || "org"].join(".");
}

interface Record {
  type: string;
  /** The rdata; names inside it may point back into the message. */
  data: Uint8Array;
  /** The owner's name as bytes (default: a pointer to the question's name). */
  owner?: Uint8Array;
}

/** A response: header, the question, answers. */
function response(o: { id: number; flags: number; name: string; type: string; answers: Record[] }): Uint8Array {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(o.id, 0);
  h.writeUInt16BE(o.flags, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(o.answers.length, 6);
  const q = Buffer.concat([encodeName(o.name), Buffer.from([0, TYPES[o.type]!, 0, 1])]);
  const rrs = o.answers.map((a) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(TYPES[a.type]!, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(300, 4);
    fixed.writeUInt16BE(a.data.length, 8);
    return Buffer.concat([a.owner ?? Buffer.from([0xc0, 0x0c]), fixed, a.data]);
  });
  return Buffer.concat([h, q, ...rrs]);
}

const ipBytes = (rand: Random) => Uint8Array.from([rand.int(1, 223), rand.int(0, 255), rand.int(0, 255), rand.int(1, 254)]);

function ends(rand: Random) {
  return { client: randomIp(rand), server: randomIp(rand), port: rand.int(33000, 48000) };
}

export default stage(import.meta, [
  {
    name: "a query prints as <id>[+] <TYPE>? <name>. (<length>)",
    async run(t) {
      const e = ends(t.rand);
      const types = ["A", "AAAA", "MX", "NS", "TXT", "SOA", "PTR"];
      const frames = [
        ...types.slice(0, 5).map((type, i) => datagram(t.rand, e.client, e.server, e.port, buildQuery({ id: t.rand.int(0, 65535), name: randomName(t.rand), type, rd: i !== 1 }), true)),
        datagram(t.rand, e.client, e.server, e.port, buildQuery({ id: t.rand.int(0, 65535), name: ".", type: "NS" }), true),
        datagram(t.rand, e.client, e.server, e.port, buildQuery({ id: t.rand.int(0, 65535), name: randomName(t.rand), type: types[t.rand.int(5, 6)]!, rd: false }), true),
      ];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "DNS queries to port 53, with and without RD, one for the root" }, "Your lines for DNS queries differ from tcpdump's.", QUERY);
    },
  },
  {
    name: "a query with additional records (EDNS) says [<n>au]",
    async run(t) {
      const e = ends(t.rand);
      const frames = [0, 1, 2].map((i) => datagram(t.rand, e.client, e.server, e.port, buildQuery({ id: t.rand.int(0, 65535), name: randomName(t.rand), type: "A", rd: i !== 2, ednsUdpSize: i === 1 ? undefined : t.rand.int(512, 4096) }), true));
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "DNS queries, two with an EDNS OPT record" }, "Your lines for DNS queries with additional records differ from tcpdump's.", `${QUERY} When the query's ARCOUNT (bytes 10-11) is not 0 (dig adds an EDNS OPT record), " [<ARCOUNT>au]" comes before the question.`);
    },
  },
  {
    name: "a response prints its id, rcode, flags (*, -), record counts and answers",
    async run(t) {
      const e = ends(t.rand);
      const name = randomName(t.rand);
      const six = Uint8Array.from(t.rand.bytes(16));
      const frames = [
        response({ id: t.rand.int(0, 65535), flags: 0x8180, name, type: "A", answers: [{ type: "A", data: ipBytes(t.rand) }, { type: "A", data: ipBytes(t.rand) }] }),
        response({ id: t.rand.int(0, 65535), flags: 0x8580, name, type: "AAAA", answers: [{ type: "AAAA", data: six }] }),
        response({ id: t.rand.int(0, 65535), flags: 0x8183, name: randomName(t.rand), type: "A", answers: [] }),
        response({ id: t.rand.int(0, 65535), flags: 0x8100, name, type: "A", answers: [{ type: "A", data: ipBytes(t.rand) }] }),
        response({ id: t.rand.int(0, 65535), flags: 0x8582, name, type: "A", answers: [] }),
        response({ id: t.rand.int(0, 65535), flags: 0x8185, name, type: "MX", answers: [] }),
      ].map((m) => datagram(t.rand, e.client, e.server, e.port, m, false));
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "DNS responses: answers, NXDomain, ServFail, Refused, AA and RA on and off" }, "Your lines for DNS responses differ from tcpdump's.", RESPONSE);
    },
  },
  {
    name: "names in answers are read through compression pointers",
    async run(t) {
      const e = ends(t.rand);
      const name = randomName(t.rand);
      const label = t.rand.word();
      // CNAME <label>.<the question's parent>, a pointer into the question's name; then A records owned by the CNAME's target.
      const parentAt = 12 + 1 + name.split(".")[0]!.length;
      const cname = Buffer.concat([Buffer.from([label.length]), Buffer.from(label), Buffer.from([0xc0 | (parentAt >> 8), parentAt & 0xff])]);
      const cnameAt = 12 + encodeName(name).length + 4 + 2 + 10;
      const owner = Buffer.from([0xc0, cnameAt]);
      const zone = name.split(".").slice(-1)[0]!;
      const frames = [
        response({ id: t.rand.int(0, 65535), flags: 0x8180, name, type: "A", answers: [{ type: "CNAME", data: cname }, { type: "A", data: ipBytes(t.rand), owner }, { type: "A", data: ipBytes(t.rand), owner }] }),
        response({ id: t.rand.int(0, 65535), flags: 0x8580, name: zone, type: "NS", answers: [{ type: "NS", data: Buffer.concat([Buffer.from([3]), Buffer.from("ns1"), Buffer.from([0xc0, 0x0c])]) }, { type: "NS", data: Buffer.concat([Buffer.from([3]), Buffer.from("ns2"), Buffer.from([0xc0, 0x0c])]) }] }),
      ].map((m) => datagram(t.rand, e.client, e.server, e.port, m, false));
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "DNS responses whose names use compression pointers" }, "Your lines for DNS responses with compressed names differ from tcpdump's.", `${RESPONSE} A length byte with its two top bits set (0xc0) starts a pointer: the low 14 bits of those two bytes are an offset from the start of the DNS message where the rest of the name is read (RFC 1035 §4.1.4).`);
    },
  },
  {
    name: "a message cut short prints what was read, then [|domain]",
    async run(t) {
      const e = ends(t.rand);
      const name = randomName(t.rand);
      const labels = (n: string) => encodeName(n).subarray(0, -1);
      const header = (id: number, flags: number, an: number, ar: number) => {
        const h = Buffer.alloc(12);
        h.writeUInt16BE(id, 0);
        h.writeUInt16BE(flags, 2);
        h.writeUInt16BE(1, 4);
        h.writeUInt16BE(an, 6);
        h.writeUInt16BE(ar, 10);
        return h;
      };
      const id = () => t.rand.int(0, 65535);
      const label = t.rand.word();
      const a = { type: "A", data: ipBytes(t.rand) };
      const messages: [Uint8Array, boolean][] = [
        // A query whose name ends in the first byte of a pointer: no room for the type.
        [Buffer.concat([header(id(), 0x0100, 0, 1), labels(name), Buffer.from([0xc0])]), true],
        // A query whose last label is cut.
        [Buffer.concat([header(id(), 0x0000, 0, 0), labels(name), Buffer.from([label.length + 2]), Buffer.from(label)]), true],
        // A response that says 2 answers and holds one.
        [response({ id: id(), flags: 0x8580, name, type: "A", answers: [a] }).fill(2, 7, 8), false],
        // A response whose CNAME's last label is cut.
        [Buffer.concat([response({ id: id(), flags: 0x8180, name, type: "A", answers: [a] }).fill(2, 7, 8), Buffer.from([0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, label.length + 1, label.length + 3]), Buffer.from(label)]), false],
        // A response whose CNAME ends with a pointer cut after its first byte, at the message's end.
        [Buffer.concat([response({ id: id(), flags: 0x8180, name, type: "A", answers: [a] }).fill(2, 7, 8), Buffer.from([0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, label.length + 2, label.length]), Buffer.from(label), Buffer.from([0xc0])]), false],
        // A query whose name stops after a whole label: the message ends where the next length byte (or the zero) should be.
        [Buffer.concat([header(id(), 0x0100, 0, 0), labels(name)]), true],
      ];
      const frames = messages.map(([m, toServer]) => datagram(t.rand, e.client, e.server, e.port, m, toServer));
      await expectTcpdumpLines(
        t,
        { flags: ["-n"], frames, what: "DNS messages cut short: in a query's name, in a label, an answer missing, a pointer cut after its first byte, a name stopping after a whole label" },
        "Your lines for DNS messages cut short differ from tcpdump's.",
        'tcpdump prints a DNS message as it reads it: when the message ends before what it must read next (the rest of a label, the question\'s type, an answer the count promises), it prints " [|domain]" after what it has printed so far (the ID and flags, " [<n>au]", the counts, the answers before) and no "(<length>)". A pointer whose second byte is past the end ends the name where it stands, in an answer; in a query\'s question it leaves no room for the type, so the message is cut.',
      );
    },
  },
  {
    name: "only UDP port 53 is decoded as DNS",
    async run(t) {
      const e = ends(t.rand);
      const other = t.rand.int(50000, 60000);
      const frames = [
        datagram(t.rand, e.client, e.server, e.port, buildQuery({ id: t.rand.int(0, 65535), name: randomName(t.rand), type: "A" }), true, other),
        datagram(t.rand, e.client, e.server, e.port, buildQuery({ id: t.rand.int(0, 65535), name: randomName(t.rand), type: "A" }), true),
        datagram(t.rand, e.client, e.server, e.port, response({ id: t.rand.int(0, 65535), flags: 0x8180, name: randomName(t.rand), type: "A", answers: [{ type: "A", data: ipBytes(t.rand) }] }), false, other),
      ];
      await expectTcpdumpLines(t, { flags: ["-n"], frames, what: "DNS messages to port 53 and to another port" }, "Your lines for DNS-looking datagrams differ from tcpdump's.", 'tcpdump decodes a UDP payload as DNS by the port: when the source or destination port is 53. On other ports the same bytes are just "UDP, length <n>".');
    },
  },
]);
