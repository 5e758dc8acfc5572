// stage: 6
// Reading: "an OPT record raises the limit": over TCP too, a reply is held to the EDNS size (or 65535 without OPT).
import { runMain } from "../../../solutions/dns/main.ts";

await runMain(Bun.argv.slice(2), { steps: { tcpLimit: (q) => (q.edns ? Math.max(512, q.edns.udpSize) : 65535) } });
