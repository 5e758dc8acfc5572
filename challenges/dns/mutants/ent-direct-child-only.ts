// stage: 5
// Reading: "b.example.test. exists if a.b.example.test. has records": only a direct child makes a name exist.
import { answer } from "../../../solutions/dns/authority.ts";
import { runMain } from "../../../solutions/dns/main.ts";
import { RCODE } from "../../../solutions/dns/message.ts";
import { nameKey } from "../../../solutions/dns/wire.ts";

await runMain(Bun.argv.slice(2), {
  steps: {
    answer: (zone, q) => {
      const a = answer(zone, q);
      if (a.rcode !== RCODE.NOERROR || a.answers.length > 0 || zone.nodes.has(nameKey(q.name))) return a;
      const child = [...zone.nodes.keys()].some((k) => k.split(".").length === q.name.length + 1 && k.endsWith(`.${nameKey(q.name)}`));
      return child ? a : { ...a, rcode: RCODE.NXDOMAIN };
    },
  },
});
