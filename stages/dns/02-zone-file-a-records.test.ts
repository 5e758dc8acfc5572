import { dig, expectSection } from "../../challenges/dns/clients/dns.ts";
import { randomIpv4, startWithZone, TestZone } from "../../challenges/dns/clients/dns-zone.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import { stage } from "../../harness/stage/define.ts";

const RRSET = "Answer with every A record the zone has for the name (the whole RRset), each with the TTL its line gives, or the $TTL before it when it gives none (RFC 2308 §4). Relative names in the file are relative to $ORIGIN, and `@` stands for the origin itself; a line starting with a blank has the owner of the line before.";

/** A zone with A records in the styles a master file allows: several per name, explicit TTLs, the apex. */
function zoneWithAddresses(t: { rand: TestZone["rand"] }): { zone: TestZone; names: string[] } {
  const zone = new TestZone(t.rand);
  const names = [zone.name("www"), zone.name("api"), zone.name("db"), zone.origin];
  // The origin's A records on two lines apart (first and last): the zone writer alternates `@` and the origin
  // spelled out, so on every seed one of the two lines says `@` and the other the origin.
  zone.add(names[3]!, "A", randomIpv4(t.rand));
  zone.add(names[0]!, "A", randomIpv4(t.rand));
  const ttl = t.rand.int(60, 900);
  for (let i = 0; i < 3; i++) zone.add(names[1]!, "A", randomIpv4(t.rand), ttl);
  // Written in capitals in the file: names compare case-insensitively on that side too.
  const upper = names[2]!.toUpperCase();
  zone.add(upper, "A", randomIpv4(t.rand), t.rand.int(1000, 5000)).add(upper, "A", randomIpv4(t.rand));
  zone.add(names[3]!, "A", randomIpv4(t.rand));
  return { zone, names };
}

export default stage(import.meta, [
  {
    name: "the reply repeats the question",
    async run(t) {
      const { zone, names } = zoneWithAddresses(t);
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(names[0]!, "A", { norec: true });
      const q = r.question.map((x) => `${x.name.toLowerCase()} ${x.class} ${x.type}`).join("\n");
      if (r.counts.query !== 1 || q !== `${names[0]} IN A`) {
        throw new StageFailure({
          message: "The reply's question section should be the query's question.",
          expected: `QUERY: 1\n${names[0]} IN A`,
          received: `QUERY: ${r.counts.query}\n${q || "(none)"}`,
          hint: "Set QDCOUNT to 1 and copy the question (name, type, class) after the header (RFC 1035 §4.1.2).",
        });
      }
    },
  },
  {
    name: "A records come from the zone file, all of them, with their TTLs",
    async run(t) {
      const { zone, names } = zoneWithAddresses(t);
      const server = await startWithZone(t, zone);
      for (const name of names) {
        const r = await dig(t, server).query(name, "A", { norec: true });
        expectSection(r, "answer", zone.rrset(name, "A"), { hint: RRSET });
      }
    },
  },
  {
    name: "names match whatever their case",
    async run(t) {
      const { zone, names } = zoneWithAddresses(t);
      const server = await startWithZone(t, zone);
      const name = names[1]!;
      // Every other letter in capitals, from a random start: always mixed.
      const start = t.rand.int(0, 1);
      const mixed = [...name].map((c, i) => (i % 2 === start ? c.toUpperCase() : c)).join("");
      const r = await dig(t, server).query(mixed, "A", { norec: true });
      expectSection(r, "answer", zone.rrset(name, "A"), { hint: "Names compare case-insensitively (RFC 4343): lowercase both sides (ASCII letters only) before comparing." });
    },
  },
]);
