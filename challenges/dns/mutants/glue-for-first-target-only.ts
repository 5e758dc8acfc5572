// stage: 3
// Reading: "add the A and AAAA records for the host the record names": done for the first NS or MX record only.
import { additionalFor, answer } from "../../../solutions/dns/authority.ts";
import { runMain } from "../../../solutions/dns/main.ts";

await runMain(Bun.argv.slice(2), { steps: { answer: (zone, q) => ({ ...answer(zone, q), additional: additionalFor(zone, answer(zone, q).answers.slice(0, 1)) }) } });
