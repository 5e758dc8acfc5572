// resolver stage: 2
// Reading: "the SOA's MINIMUM is the negative TTL": the SOA record's own TTL is not looked at.
import { Cache, cacheTtl, type CachedAnswer } from "../../../solutions/dns/cache.ts";
import { runMain } from "../../../solutions/dns/main.ts";

class MinimumOnly extends Cache {
  protected override ttlOf(answer: CachedAnswer): number {
    const soa = answer.answers.length === 0 ? answer.authority.find((rr) => "minimum" in rr.data) : undefined;
    return soa && "minimum" in soa.data ? soa.data.minimum : cacheTtl(answer);
  }
}
await runMain(Bun.argv.slice(2), { cache: (n) => new MinimumOnly(n) });
