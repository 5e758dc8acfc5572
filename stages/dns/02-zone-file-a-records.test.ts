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
  // Written over two lines in ( … ): the type and address on the second.
  zone.add(names[0]!, "A", randomIpv4(t.rand), undefined, { split: true, comment: "split over two lines" });
  const ttl = t.rand.int(60, 900);
  // The first line ends in a comment that names another address (a comment is not data).
  for (let i = 0; i < 3; i++) zone.add(names[1]!, "A", randomIpv4(t.rand), ttl, i === 0 ? { comment: `formerly ${randomIpv4(t.rand)}` } : undefined);
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
      // names[0]'s record spans two lines in ( … ); names[1]'s first line ends in a comment naming another address.
      const layout = [
        "This name's A record is written over two lines: `( … )` lets a record span lines (RFC 1035 §5.1), for any record, not only the SOA; read the tokens up to the matching `)` as one line.",
        "The first of this name's lines ends in `; formerly <address>`: `;` starts a comment that runs to the end of the line (RFC 1035 §5.1), so drop it before reading the record's data.",
      ];
      for (const [i, name] of names.entries()) {
        const r = await dig(t, server).query(name, "A", { norec: true });
        expectSection(r, "answer", zone.rrset(name, "A"), { hint: layout[i] === undefined ? RRSET : `${layout[i]} ${RRSET}` });
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
