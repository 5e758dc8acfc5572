/**
 * Authoritative answers from one zone (RFC 1034 §4.3.2, without wildcards):
 * the records asked for, CNAMEs chased within the zone, NXDOMAIN and NODATA
 * with the SOA in AUTHORITY (RFC 2308 §2-3), additional A/AAAA for NS and MX
 * targets (RFC 1035 §3.3.9, §3.3.11), referrals with glue at and below a
 * zone cut (step 3b; RFC 9471), and REFUSED for names outside the zone.
 */
import { RCODE, TYPE, type Question, type ResourceRecord } from "./message.ts";
import type { Zone } from "./zone.ts";
import { isAtOrBelow, nameKey, type Name } from "./wire.ts";

export interface Answer {
  rcode: number;
  /** Authoritative Answer: set for every answer from the zone, not for REFUSED. */
  aa: boolean;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

/** How many CNAMEs one answer follows before giving up (guards against loops in the zone). */
const MAX_CHAIN = 8;

/** RFC 2308 §3: the SOA in a negative answer has TTL min(SOA TTL, SOA MINIMUM). */
export function negativeSoa(zone: Zone): ResourceRecord {
  return { ...zone.soa, ttl: Math.min(zone.soa.ttl, zone.soa.data.minimum) };
}

/** A and AAAA records of names the answer mentions (NS and MX targets), when the zone has them. */
export function additionalFor(zone: Zone, records: readonly ResourceRecord[]): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  const seen = new Set<string>();
  for (const rr of records) {
    const target = "exchange" in rr.data ? rr.data.exchange : rr.type === TYPE.NS && "target" in rr.data ? rr.data.target : undefined;
    if (!target || seen.has(nameKey(target))) continue;
    seen.add(nameKey(target));
    out.push(...(zone.nodes.get(nameKey(target)) ?? []).filter((a) => a.type === TYPE.A || a.type === TYPE.AAAA));
  }
  return out;
}

/**
 * The zone cut at or above `name` (RFC 1034 §4.2.1): the NS RRset of the
 * highest name between the origin (excluded) and `name` that owns NS records.
 * Everything at or below it belongs to the child zone; only a DS question at
 * the cut itself is the parent's to answer (RFC 4035 §3.1.4.1).
 */
export function delegationFor(zone: Zone, name: Name, type: number): ResourceRecord[] | undefined {
  for (let n = zone.origin.length + 1; n <= name.length; n++) {
    const ns = (zone.nodes.get(nameKey(name.slice(name.length - n))) ?? []).filter((rr) => rr.type === TYPE.NS);
    if (ns.length === 0) continue;
    return n === name.length && type === TYPE.DS ? undefined : ns;
  }
  return undefined;
}

/** A referral (step 3b): not authoritative, the cut's NS RRset in AUTHORITY, the glue the zone has in ADDITIONAL. */
export function referral(zone: Zone, ns: ResourceRecord[], answers: ResourceRecord[]): Answer {
  // AA still covers the CNAMEs the zone gave before reaching the cut (RFC 1035 §4.1.1: AA is for the first owner name).
  return { rcode: RCODE.NOERROR, aa: answers.length > 0, answers, authority: ns, additional: additionalFor(zone, ns) };
}

/** How the zone cut above a name is found (a parameter so the broken fixtures can replace it). */
export type FindCut = (zone: Zone, name: Name, type: number) => ResourceRecord[] | undefined;

export function answer(zone: Zone, q: Question, findCut: FindCut = delegationFor): Answer {
  if (!isAtOrBelow(q.name, zone.origin)) return { rcode: RCODE.REFUSED, aa: false, answers: [], authority: [], additional: [] };
  const answers: ResourceRecord[] = [];
  let name: Name = q.name;
  // Names the chain has visited: a CNAME back to one of them is a loop, and each CNAME is given once.
  const visited = new Set<string>();
  for (let hop = 0; hop <= MAX_CHAIN && !visited.has(nameKey(name)); hop++) {
    visited.add(nameKey(name));
    // At or below a zone cut, the zone holds no authoritative data, only the way to the child (step 3b).
    const cut = findCut(zone, name, q.type);
    if (cut) return referral(zone, cut, answers);
    const node = zone.nodes.get(nameKey(name));
    if (!node) {
      // A name with nothing below it does not exist; an empty non-terminal does, with no data (RFC 8020).
      const rcode = zone.existing.has(nameKey(name)) ? RCODE.NOERROR : RCODE.NXDOMAIN;
      return { rcode, aa: true, answers, authority: [negativeSoa(zone)], additional: [] };
    }
    const matching = node.filter((rr) => rr.type === q.type || q.type === TYPE.ANY);
    if (matching.length > 0) {
      // Owner names as asked: the answer's names then compress against the question's.
      answers.push(...matching.map((rr) => ({ ...rr, name })));
      return { rcode: RCODE.NOERROR, aa: true, answers, authority: [], additional: additionalFor(zone, matching) };
    }
    const cname = node.find((rr) => rr.type === TYPE.CNAME);
    if (!cname || !("target" in cname.data)) return { rcode: RCODE.NOERROR, aa: true, answers, authority: [negativeSoa(zone)], additional: [] };
    answers.push({ ...cname, name });
    name = cname.data.target;
    // A target outside the zone is for the resolver to chase (RFC 1034 §4.3.2 step 3a).
    if (!isAtOrBelow(name, zone.origin)) break;
  }
  return { rcode: RCODE.NOERROR, aa: true, answers, authority: [], additional: [] };
}
