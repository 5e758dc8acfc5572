// stage: 6
// Reading: "set TC and send what fits": the encoded reply is cut at the limit, mid-record, with TC set.
import { runMain } from "../../../solutions/dns/main.ts";

await runMain(Bun.argv.slice(2), {
  steps: {
    fit: (steps, m, limit) => {
      const whole = steps.encode(m);
      if (whole.length <= limit) return whole;
      const cut = whole.slice(0, limit);
      cut[2] = cut[2]! | 0x02;
      return cut;
    },
  },
});
