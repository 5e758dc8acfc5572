import { dig, expectFlag } from "../../harness/clients/dns.ts";
import { udpExpectReply } from "../../harness/clients/dns.ts";
import { buildQuery, showHeader } from "../../harness/clients/dns-wire.ts";
import { randomIpv4, startWithZone, TestZone } from "../../harness/clients/dns-zone.ts";
import { stage } from "../../harness/stage/define.ts";

const COPY_ID = "Copy the 16-bit ID from the first two bytes of the query into the first two bytes of the reply (RFC 1035 §4.1.1): it is how the client matches replies to queries.";
const NO_REPLY = "Read each datagram on the UDP port and send the reply back to the address and port it came from.";

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
      const ids = [t.rand.int(1, 0xfffe), 0, 0xffff, t.rand.int(1, 0xfffe), t.rand.int(1, 0xfffe)];
      for (const id of ids) {
        const reply = await udpExpectReply(t, server, buildQuery({ id, name: zone.origin, type: "A" }), { message: `No reply to a query with ID ${id}.`, hint: NO_REPLY, note: `query with ID ${id}` });
        t.expectEqual(`id ${reply.header.id}`, `id ${id}`, { message: "The reply's ID is not the query's.", hint: COPY_ID });
      }
    },
  },
  {
    name: "the reply's header has QR set, the query's opcode and RD bit, and Z zero",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone);
      for (const rd of [true, false]) {
        const id = t.rand.int(1, 0xfffe);
        const reply = await udpExpectReply(t, server, buildQuery({ id, name: zone.origin, type: "SOA", rd }), { message: `No reply to a query with RD=${rd ? 1 : 0}.`, hint: NO_REPLY, note: `RD=${rd ? 1 : 0}` });
        const h = reply.header;
        const expected = `QR=1 opcode=0 RD=${rd ? 1 : 0} Z=0`;
        const received = `QR=${h.qr ? 1 : 0} opcode=${h.opcode} RD=${h.rd ? 1 : 0} Z=${h.z}`;
        t.expectEqual(received, expected, {
          message: `Wrong header bits in the reply (${showHeader(h)}).`,
          hint: h.rd !== rd ? "Copy the RD (recursion desired) bit from the query into the reply (RFC 1035 §4.1.1: \"copied into the response\")." : "Byte 2 of a reply: QR (0x80) set, the opcode (bits 0x78) copied from the query, RD (0x01) copied; Z (0x70 of byte 3) is zero.",
        });
      }
    },
  },
]);
