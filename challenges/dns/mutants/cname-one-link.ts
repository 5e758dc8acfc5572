// stage: 3
// Reading: "put the CNAME in the answer and go on with its target": one step only, a chain is not followed further.
import { answer } from "../../../solutions/dns/authority.ts";
import { runMain } from "../../../solutions/dns/main.ts";
import { TYPE } from "../../../solutions/dns/message.ts";

await runMain(Bun.argv.slice(2), {
  steps: {
    answer: (zone, q) => {
      const a = answer(zone, q);
      const cnames = a.answers.filter((rr) => rr.type === TYPE.CNAME);
      return cnames.length > 1 ? { ...a, answers: cnames.slice(0, 1) } : a;
    },
  },
});
