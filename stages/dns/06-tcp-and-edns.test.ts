import { dig, DnsTcp, expectFlag, expectSection, expectStatus } from "../../challenges/dns/clients/dns.ts";
import { buildQuery, readWireMessage } from "../../challenges/dns/clients/dns-wire.ts";
import { randomIpv4, randomIpv6, startWithZone, TestZone } from "../../challenges/dns/clients/dns-zone.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";

const TCP = "Listen on TCP on the same port as UDP; over TCP each message is preceded by its length as a 2-byte big-endian number (RFC 1035 §4.2.2).";
const TRUNCATE = "Without EDNS a UDP reply is at most 512 bytes (RFC 1035 §4.2.1). When the answer does not fit, set TC and send what fits (say, the header and question alone): the client then asks again over TCP (RFC 2181 §9).";
const EDNS = "A query with an OPT record (RFC 6891) says how big a UDP reply the client accepts (the OPT's CLASS field): allow up to that size (at least 512), and put an OPT record of your own in the reply.";

/** A zone with names of 10 A records (about 200 bytes of answer), 60 (about 1000 bytes) and 300 (about 5 KB, more than any UDP size). */
function bigZone(rand: Random): { zone: TestZone; mid: string; big: string; huge: string } {
  const zone = new TestZone(rand);
  const [mid, big, huge] = [zone.name("mid"), zone.name("big"), zone.name("huge")];
  for (const [name, count] of [[mid, 10], [big, 60], [huge, 300]] as const) {
    const ttl = rand.int(60, 600);
    for (let i = 0; i < count; i++) zone.add(name, "A", `10.${i >> 8}.${i & 0xff}.${rand.int(1, 254)}`, ttl);
  }
  return { zone, mid, big, huge };
}

export default stage(import.meta, [
  {
    name: "dig +tcp gets the same answer as over UDP",
    async run(t) {
      const zone = new TestZone(t.rand);
      const www = zone.name("www");
      zone.add(www, "A", randomIpv4(t.rand)).add(www, "A", randomIpv4(t.rand));
      const server = await startWithZone(t, zone, [], { tcp: true });
      const r = await dig(t, server).query(www, "A", { tcp: true, norec: true }, { hint: TCP });
      expectSection(r, "answer", zone.rrset(www, "A"), { hint: TCP });
    },
  },
  {
    name: "several queries on one TCP connection are all answered, even when they arrive together or in pieces",
    async run(t) {
      const zone = new TestZone(t.rand);
      const names = [zone.name("a"), zone.name("b"), zone.name("c")];
      for (const n of names) zone.add(n, "A", randomIpv4(t.rand));
      const server = await startWithZone(t, zone, [], { tcp: true });
      const conn = await DnsTcp.open(t, server);
      const ids = names.map(() => t.rand.int(1, 0xfffe));
      const queries = names.map((name, i) => buildQuery({ id: ids[i]!, name, type: "A", rd: false }));
      const PIPELINE = "Keep reading after a reply: a client may send several length-prefixed queries on one connection, back to back (RFC 7766 §6.2.1). Answer every complete message in what you have read, and keep an incomplete one until the rest arrives.";
      t.log.note("two queries in one write");
      await conn.send(queries.slice(0, 2));
      // Replies may come in any order (RFC 7766 §7).
      const got: string[] = [];
      for (let i = 0; i < 2; i++) {
        const r = await conn.reply({ message: `Only ${i} of the 2 queries sent together (IDs ${ids[0]} and ${ids[1]}) got a reply over TCP`, hint: PIPELINE });
        got.push(`id ${r.header.id}: ${readWireMessage(r.bytes).header.ancount} answer`);
      }
      const want = ids.slice(0, 2).map((id) => `id ${id}: 1 answer`);
      t.expectEqual(got.sort().join("\n"), want.sort().join("\n"), { message: "Wrong replies to two queries sent together on one TCP connection.", hint: PIPELINE });
      t.log.note("a third query in three pieces: the length's first byte, then part of the message, then the rest");
      await conn.send([queries[2]!], [1, 9]);
      const r = await conn.reply({ message: `No reply to a query that arrived in three pieces, with ID ${ids[2]}`, hint: "TCP is a byte stream: a message can arrive over several reads. Read the 2-byte length, then wait until that many bytes have arrived." });
      t.expectEqual(`id ${r.header.id}`, `id ${ids[2]}`, { message: "Wrong reply to a query that arrived in pieces.", hint: PIPELINE });
    },
  },
  {
    name: "an answer over 512 bytes sets TC over UDP without EDNS, and comes whole over TCP",
    async run(t) {
      const { zone, big, huge } = bigZone(t.rand);
      const server = await startWithZone(t, zone, [], { tcp: true });
      const d = dig(t, server);
      const udp = await d.query(big, "A", { norec: true, noedns: true, ignoreTc: true });
      expectFlag(udp, "tc", true, { message: `The 60 A records of ${big} take about 1000 bytes: over UDP without EDNS the reply must be truncated.`, hint: TRUNCATE });
      if ((udp.size ?? 0) > 512) t.fail({ message: "A UDP reply without EDNS must not exceed 512 bytes.", expected: "MSG SIZE at most 512", received: `MSG SIZE ${udp.size}`, hint: TRUNCATE });
      if (udp.edns) t.fail({ message: "The reply to a query without an OPT record carries an OPT record (dig prints an \"EDNS:\" line).", hint: "Put an OPT record in a reply only when the query had one: a client that sent none may not understand it (RFC 6891 §7)." });
      // Without EDNS and bigger than any UDP size: a server that applies a UDP limit over TCP truncates it.
      const tcp = await d.query(huge, "A", { norec: true, tcp: true, noedns: true, ignoreTc: true }, { hint: TCP });
      const NO_TCP_LIMIT = "Over TCP there is no 512-byte limit, nor the EDNS size: the 2-byte length prefix allows up to 65535 bytes, so send the whole answer (RFC 1035 §4.2.2). Apply the UDP limits to UDP replies only.";
      expectFlag(tcp, "tc", false, { message: `The 300 A records of ${huge} (about 5 KB) were truncated over TCP.`, hint: NO_TCP_LIMIT });
      expectSection(tcp, "answer", zone.rrset(huge, "A"), { hint: `${NO_TCP_LIMIT} Over TCP, send every record.` });
      // With EDNS (dig offers 1232 bytes): the EDNS size is for UDP only.
      const tcpEdns = await d.query(huge, "A", { norec: true, tcp: true, ignoreTc: true }, { hint: TCP });
      expectFlag(tcpEdns, "tc", false, { message: `The 300 A records of ${huge} (about 5 KB) were truncated over TCP, to a query with EDNS (UDP size 1232).`, hint: NO_TCP_LIMIT });
      expectSection(tcpEdns, "answer", zone.rrset(huge, "A"), { hint: `${NO_TCP_LIMIT} Over TCP, send every record.` });
    },
  },
  {
    name: "when only ADDITIONAL records do not fit in 512 bytes, they are left out without TC",
    async run(t) {
      const zone = new TestZone(t.rand);
      // Ten MX records fit in 512 bytes (about 350); with their hosts' A and AAAA records (about 450 more) the reply would not.
      for (let i = 0; i < 10; i++) {
        const host = zone.name(`mx${i}`);
        zone.add("@", "MX", `${i + 1} ${host}`).add(host, "A", randomIpv4(t.rand)).add(host, "AAAA", randomIpv6(t.rand));
      }
      const server = await startWithZone(t, zone, [], { tcp: true });
      const r = await dig(t, server).query(zone.origin, "MX", { norec: true, noedns: true, ignoreTc: true });
      const DROP_ADDITIONAL = "When the answer fits but the ADDITIONAL records do not, send the reply without them (or with those that fit), and without TC: the client has its answer, and TC would make it ask again over TCP for nothing (RFC 2181 §9).";
      expectFlag(r, "tc", false, { message: `The ten MX records of ${zone.origin} fit in 512 bytes; only their addresses in ADDITIONAL do not, yet the reply was truncated.`, hint: DROP_ADDITIONAL });
      expectSection(r, "answer", zone.rrset("@", "MX"), { hint: DROP_ADDITIONAL });
      if ((r.size ?? 0) > 512) t.fail({ message: "A UDP reply without EDNS must not exceed 512 bytes.", expected: "MSG SIZE at most 512", received: `MSG SIZE ${r.size}`, hint: DROP_ADDITIONAL });
    },
  },
  {
    name: "an OPT record raises the UDP limit, and the reply carries OPT",
    async run(t) {
      const { zone, mid, big } = bigZone(t.rand);
      const server = await startWithZone(t, zone, [], { tcp: true });
      const d = dig(t, server);
      const r = await d.query(big, "A", { norec: true, bufsize: 1232, ignoreTc: true });
      if (!r.edns) t.fail({ message: "The reply to a query with an OPT record has no OPT record (dig prints no \"EDNS:\" line).", hint: EDNS });
      expectFlag(r, "tc", false, { message: `dig offered 1232 bytes with EDNS (+bufsize=1232), enough for the ${big} answer, yet the reply was truncated.`, hint: EDNS });
      expectSection(r, "answer", zone.rrset(big, "A"), { hint: EDNS });
      const small = await d.query(big, "A", { norec: true, bufsize: 512, ignoreTc: true });
      expectFlag(small, "tc", true, { message: "With +bufsize=512 the same answer does not fit over UDP: it must be truncated.", hint: "Use the size the query's OPT record offers, not a fixed larger one." });
      if (!small.edns) t.fail({ message: "The truncated reply (TC set) to a query with an OPT record has no OPT record (dig prints no \"EDNS:\" line).", hint: "A truncated reply still answers an EDNS query: the minimal response is the header, the question and your OPT record (RFC 6891 §7). Add the OPT after truncating, not before." });
      const tiny = await d.query(mid, "A", { norec: true, bufsize: 100, ignoreTc: true });
      expectFlag(tiny, "tc", false, { message: `dig offered 100 bytes with EDNS (+bufsize=100); the ${mid} answer takes about 200, and a size below 512 counts as 512, yet the reply was truncated.`, hint: "RFC 6891 §6.2.5: treat an EDNS UDP size below 512 as 512." });
      expectSection(tiny, "answer", zone.rrset(mid, "A"), { hint: "RFC 6891 §6.2.5: treat an EDNS UDP size below 512 as 512." });
    },
  },
  {
    name: "an EDNS version other than 0 gets BADVERS",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone, [], { tcp: true });
      const r = await dig(t, server).query(zone.origin, "SOA", { norec: true, ednsVersion: 1 });
      expectStatus(r, "BADVERS", {
        hint: "RFC 6891 §6.1.3: to a query whose OPT has a VERSION you do not implement (only 0 exists), reply with extended RCODE 16, BADVERS: RCODE 0 in the header and 1 in the top byte of your OPT record's TTL field.",
      });
      expectSection(r, "answer", [], { hint: "A BADVERS reply answers nothing: the question was not processed (RFC 6891 §7)." });
    },
  },
]);
