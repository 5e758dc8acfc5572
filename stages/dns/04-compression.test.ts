import { dig, expectFlag, expectSection, udpExchange, udpExpectReply } from "../../challenges/dns/clients/dns.ts";
import { buildQuery, encodeName, readWireMessage, RCODES, showHeader } from "../../challenges/dns/clients/dns-wire.ts";
import { randomIpv4, startWithZone, TestZone } from "../../challenges/dns/clients/dns-zone.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import type { Program } from "../../harness/stage/program.ts";
import { stage } from "../../harness/stage/define.ts";

const COMPRESS = "Compress names (RFC 1035 §4.1.4): when a name, or its tail, was already written in the message, write a 2-byte pointer (0xC000 | offset) to it instead. Remember where each name and each of its suffixes starts as you write.";
const FORMERR = "Reading a name, follow a pointer only to an earlier offset (a \"prior occurrence\", RFC 1035 §4.1.4), and check every length against the end of the message; on any problem reply with just the header, the query's ID, QR set and RCODE 1 (FORMERR).";

/** Bytes of a question name that is `prefix` labels then the 2-byte pointer. */
function pointerName(labels: string[], target: number): Uint8Array {
  const named = encodeName(labels.join("."));
  return Uint8Array.from([...named.subarray(0, named.length - 1), 0xc0 | (target >> 8), target & 0xff]);
}

async function expectFormerr(t: CaseContext, server: Program, zone: TestZone, rawName: Uint8Array, what: string): Promise<void> {
  const id = t.rand.int(1, 0xfffe);
  const reply = await udpExpectReply(t, server, buildQuery({ id, rawName }), {
    message: `No reply to a query whose name has ${what}: a malformed query gets FORMERR.`,
    hint: `${FORMERR} If your program is still busy with that name, it is probably following pointers in a loop.`,
    note: what,
  });
  const h = reply.header;
  t.expectEqual(`id ${h.id}, QR=${h.qr ? 1 : 0}, rcode ${RCODES[h.rcode] ?? h.rcode}`, `id ${id}, QR=1, rcode FORMERR`, { message: `Wrong reply to a query whose name has ${what} (${showHeader(h)}).`, hint: FORMERR });
  const counts = `QUERY ${h.qdcount}, ANSWER ${h.ancount}, AUTHORITY ${h.nscount}, ADDITIONAL ${h.arcount}; ${reply.bytes.length} bytes`;
  t.expectEqual(counts, "QUERY 0, ANSWER 0, AUTHORITY 0, ADDITIONAL 0; 12 bytes", { message: `The FORMERR reply to a query whose name has ${what} should be the header alone.`, hint: "A FORMERR reply is the 12-byte header with every count 0: the question could not be read, so it cannot be repeated (and the query's counts must not be copied)." });
  // The server must still be there, and answer a well-formed query. A program that dies of the query a moment after
  // replying (an error thrown later, outside the handler) would still answer a query sent at once: wait a little first.
  await Bun.sleep(100);
  if (server.process.exitCode !== null) t.fail({ message: `After a query whose name has ${what}, your program no longer answers well-formed queries: it exited (code ${server.process.exitCode}).`, hint: FORMERR });
  const after = await udpExchange(t, server, buildQuery({ id: id ^ 1, name: zone.origin, type: "SOA" }), { note: "a well-formed query after it" });
  if (!after) t.fail({ message: `After a query whose name has ${what}, your program no longer answers well-formed queries: it crashed or hangs.`, hint: FORMERR });
}

export default stage(import.meta, [
  {
    name: "answers are compressed: owner names point at the question, names in NS, CNAME, PTR, MX and SOA data at earlier names",
    async run(t) {
      const zone = new TestZone(t.rand);
      const mail = [zone.name("mail"), zone.name("mail")];
      for (const m of mail) zone.add("@", "MX", `${t.rand.int(1, 50)} ${m}`).add(m, "A", randomIpv4(t.rand));
      const [www, alias, ptr] = [zone.name("www"), zone.name("alias"), zone.name("ptr")];
      zone.add(www, "A", randomIpv4(t.rand)).add(alias, "CNAME", www).add(ptr, "PTR", mail[0]!);
      const server = await startWithZone(t, zone);
      // Asked with every other letter in capitals: names compare case-insensitively when compressing too.
      const start = t.rand.int(0, 1);
      const mixed = (name: string) => [...name].map((c, i) => (i % 2 === start ? c.toUpperCase() : c)).join("");
      const asked: [string, string][] = [[zone.origin, "MX"], [zone.origin, "NS"], [zone.origin, "SOA"], [alias, "CNAME"], [ptr, "PTR"]];
      for (const [name, type] of asked) {
        const reply = await udpExpectReply(t, server, buildQuery({ id: t.rand.int(1, 0xfffe), name: mixed(name), type, rd: false }), { message: `No reply to a ${type} query.`, hint: "Answer every query." });
        const m = readWireMessage(reply.bytes);
        if (m.header.ancount === 0) t.fail({ message: `The reply to ${mixed(name)} ${type} has no answer.`, hint: "Answer from the zone, as in stage 3." });
        for (const [i, rr] of m.records.entries()) {
          const names = [{ what: "owner name", n: rr.owner }, ...rr.dataNames.map((n) => ({ what: "name in its data", n }))];
          for (const { what, n } of names) {
            if (!n.compressed) {
              t.fail({
                message: `Record ${i + 1} of the reply to ${mixed(name)} ${type} spells out its ${what} ${n.name} (${n.size} bytes at byte ${n.offset}), although the message already holds that name or its tail (${zone.origin}, in any case).`,
                expected: "a compression pointer (2 bytes, or labels ending in one)",
                received: `${n.size} bytes of labels`,
                hint: `${COMPRESS} Compress the names inside NS, CNAME, PTR, MX and SOA data too, and compare names case-insensitively when you look for an earlier one.`,
              });
            }
          }
        }
      }
    },
  },
  {
    name: "twenty-five A records fit in 512 bytes once compressed",
    async run(t) {
      const zone = new TestZone(t.rand);
      const long = zone.fqdn(`${t.rand.word()}-${"x".repeat(20)}-${t.rand.int(1000, 9999)}.${t.rand.word()}`);
      for (let i = 0; i < 25; i++) zone.add(long, "A", `10.0.${t.rand.int(0, 255)}.${i + 1}`, 300);
      const server = await startWithZone(t, zone);
      // Without EDNS a UDP reply is at most 512 bytes; spelled out, these owner names alone would take over 1500.
      const r = await dig(t, server).query(long, "A", { norec: true, noedns: true, ignoreTc: true });
      expectFlag(r, "tc", false, { message: `The 25 A records of ${long} fit in 512 bytes when their owner names are compressed, yet the reply was truncated.`, hint: COMPRESS });
      expectSection(r, "answer", zone.rrset(long, "A"), { hint: COMPRESS });
    },
  },
  {
    name: "a pointer loop gets FORMERR, and the server keeps answering",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone);
      await expectFormerr(t, server, zone, pointerName([], 12), "a pointer to itself");
      await expectFormerr(t, server, zone, pointerName([t.rand.word()], 12), "a pointer back to its own start (a loop)");
    },
  },
  {
    name: "a pointer past the end, a forward pointer, or a label past the end, gets FORMERR",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone);
      await expectFormerr(t, server, zone, pointerName([t.rand.word()], 0x3ff0), "a pointer past the end of the message");
      // The name is a pointer to byte 14, just after it: the type's first byte, 0, reads as the root name.
      await expectFormerr(t, server, zone, pointerName([], 14), "a pointer forward, to the byte after it");
      await expectFormerr(t, server, zone, Uint8Array.from([60, ...Buffer.from(t.rand.word())]), "a label longer than the rest of the message");
    },
  },
  {
    name: "reserved label types and names over 255 bytes get FORMERR",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone);
      // Length bytes 0x41 and 0x81 with as many bytes after them as their low bits say: only the type bits make them wrong.
      for (const lengthByte of [0x41, 0x81]) {
        const label = [lengthByte, ...Array.from({ length: lengthByte }, () => t.rand.int(0x61, 0x7a))];
        await expectFormerr(t, server, zone, Uint8Array.from([...label, ...encodeName(zone.origin)]), `a length byte 0x${lengthByte.toString(16)} (label type ${lengthByte >> 6 === 1 ? "01" : "10"}, reserved)`);
      }
      const label63 = () => [63, ...Array.from({ length: 63 }, () => t.rand.int(0x61, 0x7a))];
      await expectFormerr(t, server, zone, Uint8Array.from([...label63(), ...label63(), ...label63(), ...label63(), 0]), "four labels of 63 bytes: 257 bytes, over the 255 a name may take");
    },
  },
]);
