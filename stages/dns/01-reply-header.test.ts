import { dig, expectFlag } from "../../challenges/dns/clients/dns.ts";
import { udpExpectReply } from "../../challenges/dns/clients/dns.ts";
import { buildQuery, showHeader, type WireHeader } from "../../challenges/dns/clients/dns-wire.ts";
import { randomIpv4, startWithZone, TestZone } from "../../challenges/dns/clients/dns-zone.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const COPY_ID = "Copy the 16-bit ID from the first two bytes of the query into the first two bytes of the reply (RFC 1035 §4.1.1): it is how the client matches replies to queries.";
const NO_REPLY = "Read each datagram on the UDP port and send the reply back to the address and port it came from.";

/** Hints by header field, for the first field that differs. */
const FIELD_HINTS: Record<string, string> = {
  qr: "QR is the top bit of byte 2 (0x80): 1 in every response.",
  opcode: "Copy the opcode (bits 0x78 of byte 2) from the query into the reply (RFC 1035 §4.1.1); an opcode you do not implement is still copied, with RCODE 4 (NOTIMP).",
  rd: "Copy the RD (recursion desired) bit from the query into the reply (RFC 1035 §4.1.1: \"copied into the response\").",
  z: "Z (0x70 of byte 3) is reserved and must be zero in every reply, whatever the query carried (RFC 1035 §4.1.1).",
  ra: "RA (0x80 of byte 3) says whether the server offers recursion: this server does not recurse, so RA is 0 (RFC 1035 §4.1.1). Build the reply's flags from scratch rather than copying the query's.",
  tc: "TC (0x02 of byte 2) means the reply was truncated; a whole reply has TC 0, even when the query had the bit set. Build the reply's flags from scratch rather than copying the query's.",
  rcode: "RCODE (0x0f of byte 3) is 0 (NOERROR) for a query you answer, and 4 (NOTIMP) for an opcode you do not implement (RFC 1035 §4.1.1).",
};

type HeaderFields = Record<"qr" | "opcode" | "rd" | "z" | "ra" | "tc" | "rcode", number>;

/** Fails unless the reply's header has these fields, with the hint for the first that differs. */
function expectHeader(t: CaseContext, h: WireHeader, want: HeaderFields, what: string): void {
  const got: HeaderFields = { qr: h.qr ? 1 : 0, opcode: h.opcode, rd: h.rd ? 1 : 0, z: h.z, ra: h.ra ? 1 : 0, tc: h.tc ? 1 : 0, rcode: h.rcode };
  const show = (f: HeaderFields) => Object.entries(f).map(([k, v]) => `${k.toUpperCase()}=${v}`).join(" ");
  const wrong = (Object.keys(want) as (keyof HeaderFields)[]).find((k) => got[k] !== want[k]);
  if (!wrong) return;
  t.fail({ message: `Wrong ${wrong.toUpperCase()} in ${what} (${showHeader(h)}).`, expected: show(want), received: show(got), hint: FIELD_HINTS[wrong] });
}

/** An ID in [lo, hi] whose two bytes differ, so that a byte-swapped copy is wrong. */
function asymmetricId(rand: Random, lo: number, hi: number): number {
  for (;;) {
    const id = rand.int(lo, hi);
    if (id >> 8 !== (id & 0xff)) return id;
  }
}

export default stage(import.meta, [
  {
    name: "dig gets a reply to its query, with QR set",
    async run(t) {
      const zone = new TestZone(t.rand);
      const www = zone.name("www");
      zone.add(www, "A", randomIpv4(t.rand));
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(www, "A");
      expectFlag(r, "qr", true, { hint: "QR is the top bit of the third byte: 1 in every response." });
    },
  },
  {
    name: "every reply carries the ID of its query",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone);
      // 0 and 65535 every run, one ID with the top bit set and one without, each with two different bytes (a byte-swapped ID shows).
      const ids = [asymmetricId(t.rand, 0x8000, 0xfffe), 0, 0xffff, asymmetricId(t.rand, 0x0100, 0x7fff), t.rand.int(1, 0xfffe)];
      for (const id of ids) {
        const reply = await udpExpectReply(t, server, buildQuery({ id, name: zone.origin, type: "A" }), { message: `No reply to a query with ID ${id}.`, hint: NO_REPLY, note: `query with ID ${id}` });
        t.expectEqual(`id ${reply.header.id}`, `id ${id}`, { message: "The reply's ID is not the query's.", hint: COPY_ID });
      }
    },
  },
  {
    name: "the reply's header has QR set, the query's opcode and RD bit, and Z, RA, TC and RCODE zero",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone);
      const queries: { rd: boolean; setBits: number; note: string }[] = [
        { rd: true, setBits: 0, note: "RD=1" },
        { rd: false, setBits: 0, note: "RD=0" },
        // A query may carry bits a reply must not echo: Z, TC and RA.
        { rd: true, setBits: 0x0070 | 0x0200 | 0x0080, note: "RD=1 with the Z, TC and RA bits set in the query" },
      ];
      for (const q of queries) {
        const id = t.rand.int(1, 0xfffe);
        const reply = await udpExpectReply(t, server, buildQuery({ id, name: zone.origin, type: "SOA", rd: q.rd, setBits: q.setBits }), { message: `No reply to a query with ${q.note}.`, hint: NO_REPLY, note: q.note });
        expectHeader(t, reply.header, { qr: 1, opcode: 0, rd: q.rd ? 1 : 0, z: 0, ra: 0, tc: 0, rcode: 0 }, `the reply to a query with ${q.note}`);
      }
    },
  },
  {
    name: "a query with another opcode gets its opcode back, with NOTIMP",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone);
      const id = asymmetricId(t.rand, 1, 0xfffe);
      const reply = await udpExpectReply(t, server, buildQuery({ id, name: zone.origin, type: "SOA", opcode: 2 }), { message: "No reply to a query with opcode 2 (STATUS).", hint: NO_REPLY, note: "opcode 2 (STATUS)" });
      t.expectEqual(`id ${reply.header.id}`, `id ${id}`, { message: "The reply's ID is not the query's.", hint: COPY_ID });
      expectHeader(t, reply.header, { qr: 1, opcode: 2, rd: 1, z: 0, ra: 0, tc: 0, rcode: 4 }, "the reply to a query with opcode 2 (STATUS)");
      const h = reply.header;
      t.expectEqual(`QUERY ${h.qdcount}, ANSWER ${h.ancount}, AUTHORITY ${h.nscount}, ADDITIONAL ${h.arcount}; ${reply.bytes.length} bytes`, "QUERY 0, ANSWER 0, AUTHORITY 0, ADDITIONAL 0; 12 bytes", {
        message: "The NOTIMP reply to a query with opcode 2 should be the header alone.",
        hint: "A query whose opcode you do not implement gets the 12-byte header alone: its ID, QR, its opcode, RD copied, RCODE 4 and every count 0.",
      });
    },
  },
]);
