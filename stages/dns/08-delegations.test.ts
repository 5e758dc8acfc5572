import { dig, expectFlag, expectSection, expectStatus, type DigResult } from "../../challenges/dns/clients/dns.ts";
import { randomIpv4, randomIpv6, startWithZone, TestZone } from "../../challenges/dns/clients/dns-zone.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";

const REFERRAL = "At or below a zone cut (a name other than the origin that owns NS records) the zone is not the authority: answer with a referral (RFC 1034 §4.3.2, step 3b): NOERROR, AA clear, no answer, the cut's NS records in AUTHORITY.";
const AA_CLEAR = "A referral is not an authoritative answer: the child zone's servers are the authority below the cut, so AA is clear (RFC 1034 §4.3.2, step 3b).";
const GLUE = "Glue: add the A and AAAA records the zone has for the name servers of the delegation to ADDITIONAL (RFC 9471: in-domain glue must be sent), and nothing else.";
const OCCLUDED = "Records the zone file has at or below a cut (other than the NS records and the glue, sent in a referral) are occluded: never answer them; refer instead (RFC 1034 §4.2.1, §4.3.2 step 3b).";

/** A delegated child `sub-NNNN` with two name servers: one in the child (with A and AAAA glue), one outside the zone. */
function delegate(zone: TestZone, rand: Random, at?: string): { cut: string; ns: string } {
  const cut = at ?? zone.name("sub");
  const ns = `ns.${cut}`;
  zone.add(cut, "NS", ns).add(cut, "NS", `ns.${rand.word()}.example.`);
  zone.add(ns, "A", randomIpv4(rand)).add(ns, "AAAA", randomIpv6(rand));
  return { cut, ns };
}

/** Fails unless `r` is the referral to `cut`, with the glue of `ns` (if any) in ADDITIONAL; `why` says why a referral is due. */
function expectReferral(zone: TestZone, r: DigResult, cut: string, ns: string | undefined, why: string): void {
  const hint = `${why} ${REFERRAL}`;
  expectStatus(r, "NOERROR", { hint });
  expectFlag(r, "aa", false, { hint: `${why} ${AA_CLEAR}` });
  expectSection(r, "answer", [], { hint });
  expectSection(r, "authority", zone.rrset(cut, "NS"), { hint: `${why} AUTHORITY holds the NS records of the cut, exactly: not the SOA, not the zone's own NS records.` });
  expectSection(r, "additional", ns ? [...zone.rrset(ns, "A"), ...zone.rrset(ns, "AAAA")] : [], { hint: `${why} ${GLUE}` });
}

export default stage(import.meta, [
  {
    name: "a name at or below a delegation gets a referral: NOERROR, AA clear, the NS records in AUTHORITY, glue in ADDITIONAL",
    async run(t) {
      const zone = new TestZone(t.rand);
      const { cut, ns } = delegate(zone, t.rand);
      const server = await startWithZone(t, zone);
      const below = `${t.rand.word()}-${t.rand.int(10, 99)}.${cut}`;
      expectReferral(zone, await dig(t, server).query(below, t.rand.pick(["A", "AAAA", "MX", "TXT"]), { norec: true }), cut, ns, `${below} is below ${cut}, a zone cut.`);
      expectReferral(zone, await dig(t, server).query(cut, "A", { norec: true }), cut, ns, `${cut} is itself the zone cut: its NS records belong to the child zone, so even the cut's own name gets a referral.`);
      expectReferral(zone, await dig(t, server).query(cut, "NS", { norec: true }), cut, ns, `The NS records at ${cut} are the child's, copied into the parent to point the way: an NS query for the cut gets them in a referral (AUTHORITY, AA clear), not as an authoritative answer.`);
    },
  },
  {
    name: "a delegation under an empty non-terminal, two labels below the origin, is a cut too",
    async run(t) {
      const zone = new TestZone(t.rand);
      const dept = zone.name("dept");
      const { cut, ns } = delegate(zone, t.rand, `${t.rand.word()}.${dept}`);
      const server = await startWithZone(t, zone);
      const below = `${t.rand.word()}.${cut}`;
      expectReferral(zone, await dig(t, server).query(below, "A", { norec: true }), cut, ns, `${cut} owns NS records, so it is a zone cut even though it is two labels below the origin: look for NS records at every name between the origin and the name asked.`);
      // Above the cut the zone is still the authority: the empty non-terminal is NODATA with AA.
      const r = await dig(t, server).query(dept, "A", { norec: true });
      expectStatus(r, "NOERROR", { hint: `${dept} is above the cut: an empty non-terminal of this zone, answered with NODATA as in stage 5.` });
      expectFlag(r, "aa", true, { hint: `${dept} is above the cut, so this zone is its authority: AA is set.` });
      expectSection(r, "authority", [zone.negativeSoa()]);
    },
  },
  {
    name: "records below a delegation are occluded: the glue's owner and other names get the referral, not their data",
    async run(t) {
      const zone = new TestZone(t.rand);
      const { cut, ns } = delegate(zone, t.rand);
      const host = `${t.rand.word()}.${cut}`;
      zone.add(host, "A", randomIpv4(t.rand));
      const server = await startWithZone(t, zone);
      expectReferral(zone, await dig(t, server).query(host, "A", { norec: true }), cut, ns, `The zone file has an A record for ${host}, but it is below ${cut}, a zone cut. ${OCCLUDED}`);
      expectReferral(zone, await dig(t, server).query(ns, "AAAA", { norec: true }), cut, ns, `${ns} is the delegation's name server, below the cut: its addresses are glue, sent in ADDITIONAL of a referral, never as an authoritative answer. ${OCCLUDED}`);
    },
  },
  {
    name: "a CNAME whose target is below a delegation: the CNAME in ANSWER, then the referral",
    async run(t) {
      const zone = new TestZone(t.rand);
      const { cut, ns } = delegate(zone, t.rand);
      const alias = zone.name("alias");
      const target = `${t.rand.word()}.${cut}`;
      zone.add(alias, "CNAME", target);
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(alias, "A", { norec: true });
      const hint = `${alias} is a CNAME to ${target}, below the zone cut at ${cut}: put the CNAME in ANSWER (step 3a), then, since the chain has reached a cut, the referral: the cut's NS records in AUTHORITY and their glue in ADDITIONAL (step 3b).`;
      expectStatus(r, "NOERROR", { hint });
      expectSection(r, "answer", zone.rrset(alias, "CNAME"), { hint });
      expectFlag(r, "aa", true, { hint: `The CNAME is this zone's own data: AA is set, for the first name in the answer (RFC 1035 §4.1.1).` });
      expectSection(r, "authority", zone.rrset(cut, "NS"), { hint });
      expectSection(r, "additional", [...zone.rrset(ns, "A"), ...zone.rrset(ns, "AAAA")], { hint: GLUE });
    },
  },
  {
    name: "DS at a delegation is answered by the parent: NODATA with AA and the SOA; DS below it gets the referral",
    async run(t) {
      const zone = new TestZone(t.rand);
      const { cut, ns } = delegate(zone, t.rand);
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(cut, "DS", { norec: true });
      const DS = `DS records live on the parent side of a cut (RFC 4035 §3.1.4.1): a DS query for ${cut} is answered by this zone, authoritatively, not referred. The zone has no DS for it: NODATA (NOERROR, AA, no answer, the SOA in AUTHORITY).`;
      expectStatus(r, "NOERROR", { hint: DS });
      expectFlag(r, "aa", true, { hint: DS });
      expectSection(r, "answer", [], { hint: DS });
      expectSection(r, "authority", [zone.negativeSoa()], { hint: DS });
      const below = `${t.rand.word()}.${cut}`;
      expectReferral(zone, await dig(t, server).query(below, "DS", { norec: true }), cut, ns, `Only the cut's own DS is the parent's: a DS query for ${below}, below the cut, belongs to the child zone and gets the referral.`);
    },
  },
  {
    name: "a delegation to name servers outside the zone is a referral without glue",
    async run(t) {
      const zone = new TestZone(t.rand);
      const cut = zone.name("far");
      zone.add(cut, "NS", `ns1.${t.rand.word()}.example.`).add(cut, "NS", `ns2.${t.rand.word()}.example.`);
      const server = await startWithZone(t, zone);
      const below = `${t.rand.word()}.${cut}`;
      expectReferral(zone, await dig(t, server).query(below, "A", { norec: true }), cut, undefined, `${cut}'s name servers are outside the zone: the zone has no addresses for them, and needs none (the resolver looks them up itself). It is still a zone cut: refer, with an empty ADDITIONAL.`);
    },
  },
]);
