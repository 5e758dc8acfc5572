// stage: 5
// Reading: "AUTHORITY says who is the authority": NODATA carries the zone's NS records there, not its SOA.
import { answer } from "../../../solutions/dns/authority.ts";
import { runMain } from "../../../solutions/dns/main.ts";
import { RCODE, TYPE } from "../../../solutions/dns/message.ts";
import { nameKey } from "../../../solutions/dns/wire.ts";

await runMain(Bun.argv.slice(2), {
  steps: {
    answer: (zone, q) => {
      const a = answer(zone, q);
      if (a.rcode !== RCODE.NOERROR || a.answers.length > 0) return a;
      return { ...a, authority: (zone.nodes.get(nameKey(zone.origin)) ?? []).filter((rr) => rr.type === TYPE.NS) };
    },
  },
});
