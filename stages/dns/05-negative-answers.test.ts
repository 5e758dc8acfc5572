import { dig, expectFlag, expectSection, expectStatus } from "../../challenges/dns/clients/dns.ts";
import { randomIpv4, startWithZone, TestZone } from "../../challenges/dns/clients/dns-zone.ts";
import { stage } from "../../harness/stage/define.ts";

const SOA_IN_AUTHORITY = "A negative answer carries the zone's SOA record in AUTHORITY, with TTL min(SOA TTL, SOA MINIMUM) (RFC 2308 §3): that is how long resolvers may cache the \"no\".";
const AA = "Set AA (0x04 in byte 2) on every answer from a zone you are authoritative for, positive or negative (RFC 1035 §4.1.1).";

export default stage(import.meta, [
  {
    name: "a name that does not exist gets NXDOMAIN with AA and the SOA in AUTHORITY",
    async run(t) {
      const zone = new TestZone(t.rand);
      zone.add(zone.name("www"), "A", randomIpv4(t.rand));
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(zone.name("missing"), "A", { norec: true });
      expectStatus(r, "NXDOMAIN", { hint: "When no record has the name and no name lies below it, the reply's RCODE is 3, NXDOMAIN (RFC 2308 §2.1)." });
      expectFlag(r, "aa", true, { hint: AA });
      expectSection(r, "answer", []);
      expectSection(r, "authority", [zone.negativeSoa()], { hint: SOA_IN_AUTHORITY });
    },
  },
  {
    name: "a name without the type asked gets NODATA: NOERROR, no answer, the SOA in AUTHORITY",
    async run(t) {
      // Here the SOA's own TTL is the smaller: the negative TTL is the minimum of the two, whichever it is.
      const zone = new TestZone(t.rand, { ttl: t.rand.int(60, 250), minimum: t.rand.int(1000, 5000) });
      const www = zone.name("www");
      zone.add(www, "A", randomIpv4(t.rand));
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(www, t.rand.pick(["AAAA", "MX", "TXT"]), { norec: true });
      expectStatus(r, "NOERROR", { hint: "The name exists, so this is not NXDOMAIN: it is NODATA, RCODE 0 with an empty answer (RFC 2308 §2.2)." });
      expectFlag(r, "aa", true, { hint: AA });
      expectSection(r, "answer", [], { hint: "Only records of the type asked (or a CNAME) go in the answer." });
      expectSection(r, "authority", [zone.negativeSoa()], { hint: SOA_IN_AUTHORITY });
    },
  },
  {
    name: "a name with names below it but no records of its own exists: NODATA, not NXDOMAIN",
    async run(t) {
      const zone = new TestZone(t.rand);
      const parent = zone.name("dept");
      // Two levels below: neither sub.<parent> nor <parent> owns records, and <parent> has no direct child that does.
      zone.add(`${t.rand.word()}.sub.${parent}`, "A", randomIpv4(t.rand));
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(parent, "A", { norec: true });
      expectStatus(r, "NOERROR", { hint: `${parent} owns no records but has names below it: it is an empty non-terminal and exists (RFC 8020: NXDOMAIN means there is nothing underneath). Answer NODATA.` });
      expectSection(r, "authority", [zone.negativeSoa()], { hint: SOA_IN_AUTHORITY });
    },
  },
  {
    name: "answers from the zone have AA set",
    async run(t) {
      const zone = new TestZone(t.rand);
      const www = zone.name("www");
      zone.add(www, "A", randomIpv4(t.rand));
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(www, "A", { norec: true });
      expectFlag(r, "aa", true, { hint: AA });
      expectSection(r, "answer", zone.rrset(www, "A"));
    },
  },
  {
    name: "a name outside the zone is REFUSED, without AA",
    async run(t) {
      const zone = new TestZone(t.rand);
      const server = await startWithZone(t, zone);
      // Another zone; and a name that ends with the zone's name but not at a label boundary (x<zone> is not in <zone>).
      for (const outside of [`www.${t.rand.word()}${t.rand.int(100, 999)}.example.`, `${t.rand.word()}${zone.origin}`]) {
        const r = await dig(t, server).query(outside, "A", { norec: true });
        expectStatus(r, "REFUSED", {
          hint: `${outside} is not in ${zone.origin}, the only zone served: the server has no authority to say anything about it, so it refuses (RCODE 5) rather than claim it does not exist. A name is in the zone when its last labels are the zone's labels: compare label by label, not as strings.`,
        });
        expectFlag(r, "aa", false, { hint: "AA says the server is an authority for the name: not for a name outside its zones." });
        expectSection(r, "answer", []);
      }
    },
  },
]);
