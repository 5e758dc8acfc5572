// resolver stage: 3
// Reading: "ask with RD clear" taken as "copy the client's RD": dig sets RD, so the servers are asked with RD.
import { runMain } from "../../../solutions/dns/main.ts";
import type { Message, Question } from "../../../solutions/dns/message.ts";
import { Upstream, type Server } from "../../../solutions/dns/upstream.ts";

class ClientRd extends Upstream {
  override ask(server: Server, q: Question): Promise<Message> {
    return super.ask(server, q, true);
  }
}
await runMain(Bun.argv.slice(2), { upstream: () => new ClientRd() });
