import { stage } from "../../harness/stage/define.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { show, type Message } from "../../challenges/distributed/workbench/message.ts";
import { checkReply } from "../../challenges/distributed/workbench/reply.ts";

const ECHO = 'Answer each echo with {"type": "echo_ok", "echo": <the echo field, unchanged>, "in_reply_to": <the echo\'s msg_id>}, from your node id to the echo\'s src.';

/** An echo value that always has quotes, a backslash, a newline, non-ASCII text and surrounding spaces; the words vary. */
function echoValue(t: CaseContext): string {
  return ` ${t.rand.word()} "${t.rand.word()}" \\ ${t.rand.int(0, 9999)}\n été ✓ ${t.rand.word()} `;
}

async function cluster(t: CaseContext): Promise<{ net: Network; ids: string[] }> {
  const net = new Network(t);
  const ids = await net.boot(t.rand.int(2, 4));
  return { net, ids };
}

export default stage(import.meta, [
  {
    name: "every node answers init with init_ok, in reply to the init, from its node id",
    async run(t) {
      // boot() sends each node its init from a client of its own and checks the reply's type,
      // src, dest and in_reply_to (the client's msg_id starts at a number the seed draws).
      const { net } = await cluster(t);
      await Bun.sleep(50);
      net.check();
    },
  },
  {
    name: "echo: each node answers echo_ok with the same echo, to the client that sent it, in reply to its msg_id",
    async run(t) {
      const { net, ids } = await cluster(t);
      const clients = [net.client(1), net.client(2), net.client(3)];
      await Promise.all(
        clients.map(async (client, k) => {
          for (let i = 0; i < 4; i++) {
            const node = ids[(k + i) % ids.length]!;
            const echo = echoValue(t);
            const reply: Message = await net.rpc(client, node, { type: "echo", echo }, { hint: ECHO });
            checkReply(t, reply, { node, client, type: "echo_ok", hint: ECHO });
            if (reply.body.echo !== echo) {
              t.fail({ message: `${node}'s echo_ok does not carry the echo it was sent.`, expected: JSON.stringify(echo), received: reply.body.echo === undefined ? "no echo field" : JSON.stringify(reply.body.echo), hint: ECHO, detail: show(reply) });
            }
          }
        }),
      );
      net.check();
    },
  },
]);
