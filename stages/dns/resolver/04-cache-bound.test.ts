import { dig } from "../../../challenges/dns/clients/dns.ts";
import { FakeUpstream } from "../../../challenges/dns/clients/dns-upstream.ts";
import { randomIpv4, startWithZone, TestZone } from "../../../challenges/dns/clients/dns-zone.ts";
import { stage } from "../../../harness/stage/define.ts";

export default stage(import.meta, [
  {
    name: "with --cache-size 2, at most two answers are served from the cache",
    async run(t) {
      const up = await FakeUpstream.start(t);
      const outside = `${t.rand.word()}${t.rand.int(100, 999)}.example.`;
      const names = [1, 2, 3, 4, 5].map((i) => `host${i}.${outside}`);
      for (const n of names) up.addresses(n, [randomIpv4(t.rand)], 3600);
      const missing = [1, 2, 3, 4, 5].map((i) => `gone${i}.${outside}`);
      for (const n of missing) up.nxdomain(n, outside, 3600, 3600);
      const again = `again.${outside}`;
      up.addresses(again, [randomIpv4(t.rand)], 3600);
      const server = await startWithZone(t, new TestZone(t.rand), ["--resolver", up.address, "--cache-size", "2"]);
      const d = dig(t, server);
      await d.query(again, "A");
      await d.query(again, "A");
      if (up.count(again) !== 1) t.fail({ message: `With --cache-size 2, the second query for ${again}, right after the first, should still come from the cache.`, hint: "A bounded cache still caches: --cache-size is how many answers it keeps." });
      // Two answers of two records each: --cache-size counts answers, so both fit.
      const pair = [1, 2].map((i) => `pair${i}.${outside}`);
      for (const n of pair) up.addresses(n, [randomIpv4(t.rand), randomIpv4(t.rand)], 3600);
      for (const n of pair) await d.query(n, "A");
      t.log.note("the same two names again: two answers fit in --cache-size 2, whatever their records");
      for (const n of pair) await d.query(n, "A");
      const pairAsked = pair.reduce((sum, n) => sum + up.count(n), 0);
      if (pairAsked !== 2) {
        t.fail({
          message: `With --cache-size 2, your program asked the upstream ${pairAsked} times for two names asked twice each in a row, each answered with two A records: it kept fewer than two answers.`,
          expected: "2 queries upstream (each name once)",
          received: `${pairAsked} queries upstream`,
          hint: "--cache-size is the number of answers (questions) the cache holds, not of records: an answer of two A records is one entry.",
        });
      }
      for (const n of names) await d.query(n, "A");
      t.log.note("the same five names again: at most two of them can still be cached");
      for (const n of names) await d.query(n, "A");
      const asked = names.reduce((sum, n) => sum + up.count(n), 0);
      if (asked < 8) {
        t.fail({
          message: `With --cache-size 2, your program answered ${10 - asked} of the second five queries from the cache: it kept more than two answers.`,
          expected: "at least 8 queries upstream for the 10 queries (5 names, twice)",
          received: `${asked} queries upstream`,
          hint: "Keep at most --cache-size entries: when a new answer would exceed it, drop one first — the least recently used is the usual choice (a Map in insertion order, re-inserting an entry on each use, gives you that order).",
        });
      }
      t.log.note("five names the upstream says do not exist, twice: negative answers count against the bound too");
      for (const n of missing) await d.query(n, "A");
      for (const n of missing) await d.query(n, "A");
      const askedMissing = missing.reduce((sum, n) => sum + up.count(n), 0);
      if (askedMissing < 8) {
        t.fail({
          message: `With --cache-size 2, your program answered ${10 - askedMissing} of the second five NXDOMAIN queries from the cache: negative answers escaped the bound.`,
          expected: "at least 8 queries upstream for the 10 queries (5 names, twice)",
          received: `${askedMissing} queries upstream`,
          hint: "--cache-size bounds every answer the cache holds, negative ones included: keep them in the same bounded store.",
        });
      }
    },
  },
]);
