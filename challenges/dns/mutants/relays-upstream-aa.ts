// resolver stage: 1
// Reading: "answer your client with the reply": the upstream's header bits (AA) are relayed too.
import { Forwarder } from "../../../solutions/dns/forwarder.ts";
import { runMain } from "../../../solutions/dns/main.ts";
import type { Question } from "../../../solutions/dns/message.ts";

class RelaysAa extends Forwarder {
  override async answer(q: Question) {
    return { ...(await super.answer(q)), aa: true };
  }
}
const resolver = Bun.argv[Bun.argv.indexOf("--resolver") + 1]!;
const [host, port] = resolver.split(":");
const forwarder = new RelaysAa({ host: host!, port: Number(port) });
await runMain(Bun.argv.slice(2), { steps: { recurse: (q) => forwarder.answer(q) } });
