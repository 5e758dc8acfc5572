import { dig, expectSection, expectSectionIncludes, expectStatus } from "../../challenges/dns/clients/dns.ts";
import { randomIpv4, randomIpv6, startWithZone, TestZone } from "../../challenges/dns/clients/dns-zone.ts";
import { stage } from "../../harness/stage/define.ts";

const RELATIVE = "A name in the data that does not end with \".\" is relative to $ORIGIN, like an owner name: `mail` in the file is mail.<origin>.";

export default stage(import.meta, [
  {
    name: "AAAA, MX, TXT, SOA and PTR records are answered",
    async run(t) {
      const zone = new TestZone(t.rand);
      const v6 = zone.name("v6");
      zone.add(v6, "AAAA", randomIpv6(t.rand)).add(v6, "AAAA", randomIpv6(t.rand));
      const mail = zone.name("mail");
      zone.add(mail, "A", randomIpv4(t.rand));
      zone.add("@", "MX", `10 ${mail}`).add("@", "MX", `20 mx.${t.rand.word()}.example.`);
      const txt = zone.name("txt");
      zone.add(txt, "TXT", `"${t.rand.word()} ${t.rand.word()}" "${t.rand.word()}"`).add(txt, "TXT", `"v=${t.rand.word()}"`);
      const ptr = zone.name("ptr");
      zone.add(ptr, "PTR", mail);
      const server = await startWithZone(t, zone);
      const table: [string, string, string][] = [
        [v6, "AAAA", "An AAAA record's data is the 16 bytes of the IPv6 address (RFC 3596 §2.2); `::` in the file stands for the run of zero groups."],
        [zone.origin, "MX", `MX data is a 16-bit preference, then the exchange's name (RFC 1035 §3.3.9). ${RELATIVE}`],
        [txt, "TXT", "TXT data is one or more character-strings, each a length byte and up to 255 bytes (RFC 1035 §3.3.14): keep each quoted string of the file as its own string, spaces included."],
        [zone.origin, "SOA", `SOA data is MNAME, RNAME, then SERIAL, REFRESH, RETRY, EXPIRE and MINIMUM as 32-bit numbers (RFC 1035 §3.3.13); the file may spread it over lines with ( ). ${RELATIVE}`],
        [ptr, "PTR", `PTR data is one domain name (RFC 1035 §3.3.12). ${RELATIVE}`],
      ];
      for (const [name, type, hint] of table) expectSection(await dig(t, server).query(name, type, { norec: true }), "answer", zone.rrset(name, type), { hint });
    },
  },
  {
    name: "a CNAME is followed to its target within the zone",
    async run(t) {
      const zone = new TestZone(t.rand);
      const [www, alias, alias2] = [zone.name("www"), zone.name("alias"), zone.name("alias")];
      zone.add(www, "A", randomIpv4(t.rand)).add(www, "A", randomIpv4(t.rand));
      zone.add(alias, "CNAME", www).add(alias2, "CNAME", alias);
      // A CNAME whose target is outside the zone: the answer is the CNAME alone, NOERROR (the client goes on with the target).
      const away = zone.name("away");
      zone.add(away, "CNAME", `www.${t.rand.word()}${t.rand.int(100, 999)}.example.`);
      const server = await startWithZone(t, zone);
      const chase = "When the name has a CNAME and the query is for another type, put the CNAME in the answer and carry on with its target: its records of the type asked follow (RFC 1034 §4.3.2, step 3a).";
      expectSection(await dig(t, server).query(alias, "A", { norec: true }), "answer", [...zone.rrset(alias, "CNAME"), ...zone.rrset(www, "A")], { hint: chase });
      expectSection(await dig(t, server).query(alias2, "A", { norec: true }), "answer", [...zone.rrset(alias2, "CNAME"), ...zone.rrset(alias, "CNAME"), ...zone.rrset(www, "A")], {
        hint: `${chase} A chain of CNAMEs is followed link by link.`,
      });
      expectSection(await dig(t, server).query(alias, "CNAME", { norec: true }), "answer", zone.rrset(alias, "CNAME"), { hint: "A query for the CNAME itself gets the CNAME record alone." });
      const OUTSIDE = "A CNAME whose target is outside your zone is answered with the CNAME alone and NOERROR: the name exists (it is an alias); the client resolves the target itself (RFC 1034 §4.3.2, step 3a: the chase stops where the zone does).";
      const awayReply = await dig(t, server).query(away, "A", { norec: true });
      expectStatus(awayReply, "NOERROR", { hint: OUTSIDE });
      expectSection(awayReply, "answer", zone.rrset(away, "CNAME"), { hint: OUTSIDE });
    },
  },
  {
    name: "a CNAME loop in the zone gets an answer, each CNAME once",
    async run(t) {
      const zone = new TestZone(t.rand);
      const [one, two] = [zone.name("loop"), zone.name("loop")];
      zone.add(one, "CNAME", two).add(two, "CNAME", one);
      const server = await startWithZone(t, zone);
      const LOOP = "A zone may hold a CNAME loop. Follow the chain only while it reaches names you have not visited (or for a few links at most), then answer with what you have: each CNAME once.";
      const r = await dig(t, server).run(one, "A", { norec: true });
      if (!r.ok) t.fail({ message: `dig got no usable reply to ${one} A, a name whose CNAME chain loops back to it${r.problem ? `: ${r.problem}` : "."}`, hint: `${LOOP} A server that follows the chain forever never answers.` });
      expectSection(r, "answer", [...zone.rrset(one, "CNAME"), ...zone.rrset(two, "CNAME")], { hint: LOOP });
    },
  },
  {
    name: "NS records come with the name servers' addresses (glue) in ADDITIONAL",
    async run(t) {
      const zone = new TestZone(t.rand);
      const ns2 = zone.name("ns2");
      zone.add("@", "NS", ns2).add(ns2, "A", randomIpv4(t.rand)).add(ns2, "AAAA", randomIpv6(t.rand));
      zone.add("@", "NS", `ns.${t.rand.word()}.example.`);
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(zone.origin, "NS", { norec: true });
      expectSection(r, "answer", zone.rrset("@", "NS"), { hint: "Answer with every NS record of the name, those naming a server outside the zone included (only glue is limited to what the zone has)." });
      expectSectionIncludes(r, "additional", [...zone.rrset("ns1", "A"), ...zone.rrset(ns2, "A"), ...zone.rrset(ns2, "AAAA")], {
        hint: "NS records cause additional section processing (RFC 1035 §3.3.11): add the A and AAAA records the zone has for each name server named in the answer.",
      });
    },
  },
  {
    name: "MX answers carry the mail exchange's address in ADDITIONAL",
    async run(t) {
      const zone = new TestZone(t.rand);
      const mail = zone.name("mail");
      zone.add(mail, "A", randomIpv4(t.rand)).add("@", "MX", `${t.rand.int(1, 50)} ${mail}`);
      const server = await startWithZone(t, zone);
      const r = await dig(t, server).query(zone.origin, "MX", { norec: true });
      expectSection(r, "answer", zone.rrset("@", "MX"));
      expectSectionIncludes(r, "additional", zone.rrset(mail, "A"), { hint: "MX records cause additional section processing for the exchange (RFC 1035 §3.3.9): add its A and AAAA records from the zone." });
    },
  },
]);
