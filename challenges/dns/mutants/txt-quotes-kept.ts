// stage: 3
// Reading: "each quoted string stays its own string": the quotes are kept as part of the string.
import { answer } from "../../../solutions/dns/authority.ts";
import { runMain } from "../../../solutions/dns/main.ts";

const quoted = (s: Uint8Array) => Buffer.concat([Buffer.from('"'), s, Buffer.from('"')]);
await runMain(Bun.argv.slice(2), {
  steps: {
    answer: (zone, q) => {
      const a = answer(zone, q);
      return { ...a, answers: a.answers.map((rr) => ("strings" in rr.data ? { ...rr, data: { strings: rr.data.strings.map(quoted) } } : rr)) };
    },
  },
});
