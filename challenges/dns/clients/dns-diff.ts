/**
 * The differential check of dns/9: a seeded zone with every feature the base
 * stages cover (delegations with glue, CNAME chains, empty non-terminals, an
 * RRset too large for one datagram, several types), the queries to ask about
 * it, and what two replies to one query must share to agree.
 */
import type { Random } from "../../../harness/random.ts";
import { showRecord, type DigOptions, type DigResult } from "./dns.ts";
import { randomIpv4, randomIpv6, TestZone } from "./dns-zone.ts";

export interface DiffQuery {
  name: string;
  type: string;
}

/** The four ways each query is sent (dig's options). */
export const VARIANTS: { label: string; options: DigOptions }[] = [
  { label: "+norec +noedns", options: { norec: true, noedns: true, ignoreTc: true } },
  { label: "+tcp", options: { tcp: true } },
  { label: "+bufsize=1232", options: { bufsize: 1232, ignoreTc: true } },
  { label: "plain", options: { ignoreTc: true } },
];

/** A zone with every feature, and the queries that exercise each one (the same kinds on every seed; names and values vary). */
export function differentialZone(rand: Random, total = 60): { zone: TestZone; queries: DiffQuery[] } {
  const zone = new TestZone(rand);
  const www = zone.name("www");
  zone.add(www, "A", randomIpv4(rand)).add(www, "A", randomIpv4(rand)).add(www, "AAAA", randomIpv6(rand));
  const mx = zone.name("mx");
  zone.add(mx, "A", randomIpv4(rand));
  const mail = zone.name("mail");
  zone.add(mail, "MX", `10 ${mx}`).add(mail, "MX", `20 mx.${rand.word()}.example.`);
  const txt = zone.name("txt");
  zone.add(txt, "TXT", `"${rand.word()} ${rand.word()}"`).add(txt, "TXT", `"${rand.word()}" "${rand.word()}"`);
  const ptr = zone.name("ptr");
  zone.add(ptr, "PTR", www);
  // An empty non-terminal: a name that owns nothing but has a name below it.
  const ent = zone.name("ent");
  const underEnt = `${rand.word()}.${ent}`;
  zone.add(underEnt, "A", randomIpv4(rand));
  // A delegation with in-zone glue (A and AAAA) and an out-of-zone server, and a deeper one under an empty non-terminal.
  const cut = zone.name("sub");
  const cutNs = `ns.${cut}`;
  zone.add(cut, "NS", cutNs).add(cut, "NS", `ns.${rand.word()}.example.`);
  zone.add(cutNs, "A", randomIpv4(rand)).add(cutNs, "AAAA", randomIpv6(rand));
  const occluded = `${rand.word()}.${cut}`;
  zone.add(occluded, "A", randomIpv4(rand));
  const dept = zone.name("dept");
  const deepCut = `${rand.word()}.${dept}`;
  zone.add(deepCut, "NS", `ns1.${rand.word()}.example.`);
  // CNAME chains: two links to an address, out of the zone, into the delegation, to a missing name.
  const alias2 = zone.name("alias");
  zone.add(alias2, "CNAME", www);
  const alias1 = zone.name("alias");
  zone.add(alias1, "CNAME", alias2);
  const outside = zone.name("out");
  zone.add(outside, "CNAME", `www.${rand.word()}.example.`);
  const intoCut = zone.name("into");
  zone.add(intoCut, "CNAME", `${rand.word()}.${cut}`);
  const dangling = zone.name("dangling");
  zone.add(dangling, "CNAME", zone.name("missing"));
  // Large RRsets: one over 512 bytes (truncated without EDNS), one over 1232 (truncated over UDP with dig's EDNS size too).
  const big = zone.name("big");
  for (let i = 0; i < 40; i++) zone.add(big, "A", `10.${rand.int(0, 255)}.${i}.${rand.int(1, 254)}`);
  const huge = zone.name("huge");
  for (let i = 0; i < 12; i++) zone.add(huge, "TXT", `"${i}-${"x".repeat(100 + rand.int(0, 20))}"`);
  const missing = zone.name("nx");

  const core: DiffQuery[] = [
    { name: zone.origin, type: "SOA" },
    { name: zone.origin, type: "NS" },
    { name: zone.origin, type: "A" },
    { name: www, type: "A" },
    { name: www, type: "AAAA" },
    { name: www, type: "MX" },
    { name: mail, type: "MX" },
    { name: mx, type: "A" },
    { name: txt, type: "TXT" },
    { name: ptr, type: "PTR" },
    { name: ent, type: "A" },
    { name: underEnt, type: "A" },
    { name: `${rand.word()}.${ent}`, type: "A" },
    { name: cut, type: "NS" },
    { name: cut, type: "A" },
    { name: cut, type: "DS" },
    { name: cutNs, type: "A" },
    { name: occluded, type: "A" },
    { name: `${rand.word()}.${cut}`, type: "TXT" },
    { name: deepCut, type: "A" },
    { name: dept, type: "A" },
    { name: alias1, type: "A" },
    { name: alias1, type: "CNAME" },
    { name: alias2, type: "AAAA" },
    { name: outside, type: "A" },
    { name: intoCut, type: "A" },
    { name: dangling, type: "A" },
    { name: big, type: "A" },
    { name: huge, type: "TXT" },
    { name: missing, type: "A" },
    { name: `${rand.word()}.${missing}`, type: "MX" },
    { name: `${rand.word()}.example.`, type: "A" },
  ];
  const names = [zone.origin, www, mail, mx, txt, ptr, ent, underEnt, cut, cutNs, occluded, deepCut, dept, alias1, alias2, outside, intoCut, dangling, big, huge, missing];
  const types = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "CNAME", "PTR", "DS"];
  const queries = [...core];
  while (queries.length < total) queries.push({ name: rand.pick(names), type: rand.pick(types) });
  return { zone, queries: rand.shuffle(queries) };
}

/** What a reply is compared on: status, the AA, TC and RA flags, ANSWER, and AUTHORITY when ANSWER is empty. */
export function digest(r: DigResult): string {
  if (!r.ok) return `no usable reply${r.problem ? ` (${r.problem})` : ""}`;
  const flags = ["aa", "tc", "ra"].filter((f) => r.flags.has(f));
  const lines = [`status: ${r.status}`, `flags: ${flags.join(" ") || "(none of aa tc ra)"}`];
  const answer = r.answer.map(showRecord).sort();
  lines.push("ANSWER:", ...(answer.length ? answer : ["(no records)"]));
  if (answer.length === 0) {
    const authority = r.authority.map(showRecord).sort();
    lines.push("AUTHORITY:", ...(authority.length ? authority : ["(no records)"]));
  }
  return lines.join("\n");
}
