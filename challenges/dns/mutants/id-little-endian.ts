// stage: 1
// Reading: "ID is copied": read as a number and written back, but written little-endian.
import { runMain } from "../../../solutions/dns/main.ts";
import { defaultSteps } from "../../../solutions/dns/respond.ts";

await runMain(Bun.argv.slice(2), { steps: { replyHeader: (q, rcode) => ({ ...defaultSteps.replyHeader(q, rcode), id: ((q.id & 0xff) << 8) | (q.id >> 8) }) } });
