// resolver stage: 2
// Reading: "minus the whole seconds it has spent": seconds counted rounding up (2.2 s counts as 3).
import { Cache } from "../../../solutions/dns/cache.ts";
import { runMain } from "../../../solutions/dns/main.ts";
import type { ResourceRecord } from "../../../solutions/dns/message.ts";

class RoundsUp extends Cache {
  protected override aged(rr: ResourceRecord, elapsed: number): ResourceRecord {
    return { ...rr, ttl: Math.max(0, rr.ttl - elapsed - 1) };
  }
}
await runMain(Bun.argv.slice(2), { cache: (n) => new RoundsUp(n) });
