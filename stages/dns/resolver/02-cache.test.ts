import { dig, expectSection, expectStatus } from "../../../harness/clients/dns.ts";
import { stage } from "../../../harness/stage/define.ts";
import { withoutTtls, withUpstream, withUpstreamName } from "../../../harness/clients/dns-upstream.ts";

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
    name: "NXDOMAIN is cached for the SOA's negative TTL, then asked again",
    async run(t) {
      const { server, up, outside } = await withUpstream(t);
      const name = `nope.${outside}`;
      up.nxdomain(name, outside, 3600, 2);
      const d = dig(t, server);
      expectStatus(await d.query(name, "A"), "NXDOMAIN");
      const second = await d.query(name, "A");
      expectStatus(second, "NXDOMAIN", { hint: "Cache negative answers with their RCODE and AUTHORITY section." });
      if (up.count(name) !== 1) t.fail({ message: `The upstream was asked for ${name} ${up.count(name)} times within a second: the NXDOMAIN should have been answered from the cache.`, hint: "Cache negative answers too (RFC 2308 §5), for min(SOA TTL, SOA MINIMUM) seconds: here min(3600, 2) = 2." });
      // Caches count in whole seconds: 3.2 s is past the 2 s however the clock ticks fall.
      t.log.note("waiting 3.2 s: the negative TTL was 2 s");
      await Bun.sleep(3200);
      expectStatus(await d.query(name, "A"), "NXDOMAIN");
      if (up.count(name) !== 2) t.fail({ message: `The NXDOMAIN for ${name} may be cached for 2 s (the SOA's MINIMUM), yet 3.2 s later your program still answered it from the cache.`, expected: "2 queries upstream", received: `${up.count(name)} queries upstream`, hint: "A negative answer's TTL is min(SOA TTL, SOA MINIMUM) from its AUTHORITY section (RFC 2308 §5), not the SOA's own TTL (3600 here)." });
    },
  },
]);
