import { dig, expectSection, expectStatus } from "../../../challenges/dns/clients/dns.ts";
import { randomIpv4, randomIpv6 } from "../../../challenges/dns/clients/dns-zone.ts";
import { stage } from "../../../harness/stage/define.ts";
import { withoutTtls, withUpstream, withUpstreamName } from "../../../challenges/dns/clients/dns-upstream.ts";

const CACHE = "Keep each answer from upstream, by question (name, type, class), until its TTL runs out, and answer the same question from there (RFC 1035 §7.4).";

export default stage(import.meta, [
  {
    name: "a second query is answered from the cache, with its TTL counted down",
    async run(t) {
      const { server, up, name, ips } = await withUpstreamName(t, "www", 300);
      const ip = ips[0]!;
      const d = dig(t, server);
      const first = await d.query(name, "A");
      expectSection(withoutTtls(first, "answer"), "answer", [`${name} 0 IN A ${ip}`]);
      t.log.note("waiting 2.2 s");
      await Bun.sleep(2200);
      const second = await d.query(name, "A");
      expectSection(withoutTtls(second, "answer"), "answer", [`${name} 0 IN A ${ip}`], { hint: CACHE });
      if (up.count(name) !== 1) t.fail({ message: `The upstream was asked for ${name} ${up.count(name)} times; the second query should have been answered from the cache.`, hint: CACHE });
      const ttl = second.answer[0]!.ttl;
      if (!(ttl <= 298 && ttl >= 290)) {
        t.fail({ message: "An answer from the cache carries the time it has left, not the TTL it came with.", expected: "TTL 297 or 298 (300 minus the 2.2 s it spent in the cache)", received: `TTL ${ttl}`, hint: "Store when each answer arrived; when you serve it, lower every record's TTL by the whole seconds since (RFC 1034 §3.6: a record may be cached for its TTL, and no longer)." });
      }
    },
  },
  {
    name: "the cache is keyed by type too, and by name whatever its case",
    async run(t) {
      const { server, up, name, ips } = await withUpstreamName(t, "dual", 3600);
      const v6 = [randomIpv6(t.rand), randomIpv6(t.rand)];
      up.addresses6(name, v6, 3600);
      const d = dig(t, server);
      expectSection(withoutTtls(await d.query(name, "A"), "answer"), "answer", [`${name} 0 IN A ${ips[0]}`]);
      const KEY = "Key the cache by the whole question: the name (case-insensitively), the type and the class (RFC 1035 §7.4). An answer for one type says nothing about another.";
      const aaaa = await d.query(name, "AAAA");
      expectSection(withoutTtls(aaaa, "answer"), "answer", v6.map((ip) => `${name} 0 IN AAAA ${ip}`), { message: `Wrong answer to ${name} AAAA, asked after ${name} A.`, hint: KEY });
      if (up.count(name, "AAAA") !== 1) t.fail({ message: `The AAAA question for ${name} never reached the upstream: your program answered it from what it cached for A.`, hint: KEY });
      const mixed = [...name].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join("");
      expectSection(withoutTtls(await d.query(mixed, "A"), "answer"), "answer", [`${name} 0 IN A ${ips[0]}`]);
      if (up.count(name, "A") !== 1) {
        t.fail({ message: `${mixed} A is the question ${name} A in other letters, yet your program asked the upstream again instead of answering from its cache.`, expected: "1 query upstream for A", received: `${up.count(name, "A")} queries upstream for A`, hint: "Names compare case-insensitively (RFC 4343): lowercase the name (ASCII letters) in the cache key." });
      }
    },
  },
  {
    name: "an answer is fetched again once its TTL has run out",
    async run(t) {
      const { server, up, name, ips } = await withUpstreamName(t, "short", 1);
      const ip = ips[0]!;
      const d = dig(t, server);
      await d.query(name, "A");
      t.log.note("waiting 2.5 s: the answer's TTL was 1 s");
      await Bun.sleep(2500);
      const again = await d.query(name, "A");
      expectSection(withoutTtls(again, "answer"), "answer", [`${name} 0 IN A ${ip}`]);
      if (up.count(name) < 2) t.fail({ message: `The answer for ${name} had a TTL of 1 s, yet 2.5 s later your program answered it without asking the upstream again.`, expected: "2 queries upstream", received: `${up.count(name)} query upstream`, hint: "Drop (or stop using) a cached answer once its TTL has passed: a record may be used for at most its TTL (RFC 1035 §3.2.1, §7.4)." });
    },
  },
  {
    name: "an answer is fetched again once its smallest TTL has run out",
    async run(t) {
      const { server, up, outside } = await withUpstream(t);
      const [alias, target] = [`alias.${outside}`, `www.${outside}`];
      const ip = randomIpv4(t.rand);
      // A CNAME that may be kept an hour, and an address that may be kept 1 s: the answer is stale after 1 s.
      up.chain(alias, target, 3600, [ip], 1);
      const d = dig(t, server);
      expectSection(withoutTtls(await d.query(alias, "A"), "answer"), "answer", [`${alias} 0 IN CNAME ${target}`, `${target} 0 IN A ${ip}`]);
      t.log.note("waiting 2.5 s: the A record's TTL was 1 s (the CNAME's 3600 s)");
      await Bun.sleep(2500);
      const again = await d.query(alias, "A");
      expectSection(withoutTtls(again, "answer"), "answer", [`${alias} 0 IN CNAME ${target}`, `${target} 0 IN A ${ip}`]);
      const asked = up.count(alias) + up.count(target);
      if (asked < 2) {
        t.fail({
          message: `The answer for ${alias} held a record with TTL 1 s, yet 2.5 s later your program answered it from the cache without asking the upstream again.`,
          expected: `a second query upstream (for ${alias} or ${target})`,
          received: `${asked} query upstream`,
          hint: "An answer may be kept only as long as its smallest TTL (RFC 2181 §5.2: each RRset's own TTL; the CNAME's longer TTL does not keep the address alive).",
        });
      }
    },
  },
  {
    name: "SERVFAIL is not cached",
    async run(t) {
      const { server, up, outside } = await withUpstream(t);
      const flaky = `flaky.${outside}`;
      up.addresses(flaky, [randomIpv4(t.rand)], 3600).failOnce(flaky);
      const d = dig(t, server);
      // The first answer may be SERVFAIL, or the record if the resolver asked again by itself (Unbound does).
      await d.query(flaky, "A");
      const second = await d.query(flaky, "A");
      if (up.count(flaky) < 2 || second.status !== "NOERROR") {
        t.fail({ message: `The upstream answered SERVFAIL once for ${flaky}; your program answered the next query for it without asking again.`, expected: "status: NOERROR, after a second query upstream", received: `status: ${second.status}, ${up.count(flaky)} query upstream`, hint: "Do not cache SERVFAIL (or a failure to get a reply): the next question must be asked again (RFC 2308 §7)." });
      }
    },
  },
  {
    name: "NXDOMAIN and NODATA are cached for the SOA's negative TTL, then asked again",
    async run(t) {
      const { server, up, outside } = await withUpstream(t);
      // One SOA whose MINIMUM is the smaller (TTL 3600, MINIMUM 2), one whose own TTL is (TTL 2, MINIMUM 3600): both may be kept 2 s.
      // NXDOMAIN with an SOA whose MINIMUM is the smaller (TTL 3600, MINIMUM 2), NXDOMAIN with one whose own TTL is (TTL 2, MINIMUM 3600),
      // and NODATA for AAAA (TTL 3600, MINIMUM 2): all three may be kept 2 s.
      const asked: { name: string; type: string; status: string; what: string }[] = [
        { name: `nope.${outside}`, type: "A", status: "NXDOMAIN", what: "NXDOMAIN (its SOA: TTL 3600, MINIMUM 2)" },
        { name: `gone.${outside}`, type: "A", status: "NXDOMAIN", what: "NXDOMAIN (its SOA: TTL 2, MINIMUM 3600)" },
        { name: `v4only.${outside}`, type: "AAAA", status: "NOERROR", what: "NODATA (no AAAA; its SOA: TTL 3600, MINIMUM 2)" },
      ];
      up.nxdomain(asked[0]!.name, outside, 3600, 2).nxdomain(asked[1]!.name, outside, 2, 3600).nodata(asked[2]!.name, "AAAA", outside, 3600, 2);
      const d = dig(t, server);
      const NEGATIVE_TTL = "A negative answer's TTL is min(SOA TTL, SOA MINIMUM) from its AUTHORITY section (RFC 2308 §5): here 2 s for each, whichever of the two fields holds the 2.";
      for (const a of asked) expectStatus(await d.query(a.name, a.type), a.status);
      for (const a of asked) {
        const second = await d.query(a.name, a.type);
        expectStatus(second, a.status, { hint: "Cache negative answers with their RCODE and AUTHORITY section." });
        if (up.count(a.name, a.type) !== 1) {
          t.fail({ message: `The upstream was asked for ${a.name} ${a.type} ${up.count(a.name, a.type)} times within a second: its ${a.what} should have been answered from the cache.`, hint: "Cache negative answers too, NXDOMAIN and NODATA (NOERROR with no records) alike (RFC 2308 §5), for min(SOA TTL, SOA MINIMUM) seconds: here 2." });
        }
      }
      // A negative answer kept 30 s (SOA TTL 30, MINIMUM 3600): after the wait below, its SOA's TTL must have counted down too.
      const kept = `kept.${outside}`;
      up.nxdomain(kept, outside, 30, 3600);
      const keptFirst = await d.query(kept, "A");
      expectStatus(keptFirst, "NXDOMAIN");
      // Caches count in whole seconds: 3.2 s is past the 2 s however the clock ticks fall.
      t.log.note("waiting 3.2 s: the negative TTLs were 2 s");
      await Bun.sleep(3200);
      const keptAgain = await d.query(kept, "A");
      expectStatus(keptAgain, "NXDOMAIN", { hint: "Cache negative answers with their RCODE and AUTHORITY section." });
      const keptSoa = keptAgain.authority.find((rr) => rr.type === "SOA");
      if (up.count(kept, "A") !== 1) t.fail({ message: `The upstream was asked for ${kept} A again 3.2 s after its NXDOMAIN, whose SOA (TTL 30, MINIMUM 3600) lets it be cached 30 s.`, hint: NEGATIVE_TTL });
      if (keptSoa === undefined || keptSoa.ttl > 27) {
        t.fail({ message: `${kept} A came from the cache 3.2 s after the upstream's NXDOMAIN, whose SOA had TTL 30, yet the SOA in your reply's AUTHORITY has TTL ${keptSoa?.ttl ?? "(no SOA)"}.`, expected: "TTL 27 or less", received: keptSoa ? `TTL ${keptSoa.ttl}` : "no SOA", hint: "Every record served from the cache has its TTL minus the whole seconds it has spent there (RFC 1034 §3.6, RFC 2308 §5), the SOA of a negative answer too: a downstream cache would otherwise keep the negative answer longer than its source allows." });
      }
      for (const a of asked) {
        expectStatus(await d.query(a.name, a.type), a.status);
        if (up.count(a.name, a.type) !== 2) {
          t.fail({ message: `The ${a.what} for ${a.name} ${a.type} may be cached for 2 s, yet 3.2 s later your program still answered it from the cache.`, expected: "2 queries upstream", received: `${up.count(a.name, a.type)} queries upstream`, hint: NEGATIVE_TTL });
        }
      }
    },
  },
]);
