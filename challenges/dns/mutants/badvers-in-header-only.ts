// stage: 6
// Reading: "reply with RCODE 16, BADVERS": written into the header's 4-bit RCODE (where 16 becomes 0), with no OPT record.
import { runMain } from "../../../solutions/dns/main.ts";
import { encodeMessage, RCODE } from "../../../solutions/dns/message.ts";

await runMain(Bun.argv.slice(2), { steps: { encode: (m) => encodeMessage(m.header.rcode === RCODE.BADVERS ? { ...m, edns: undefined } : m) } });
