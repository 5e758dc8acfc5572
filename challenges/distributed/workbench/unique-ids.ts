import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Network } from "./network.ts";
import { checkReply } from "./reply.ts";
import { show, type Message } from "./message.ts";

export const GENERATE = 'Answer each generate with {"type": "generate_ok", "id": <an id no node ever returned before>, "in_reply_to": <its msg_id>}.';

/**
 * `clients` clients each send `perClient` generate requests one after another, all
 * clients at once, each to the nodes in turn (so every node gets several); every reply
 * must be generate_ok with an id. Returns the replies.
 */
export async function generateFrom(t: CaseContext, net: Network, nodes: string[], clients: number, perClient: number, hint = GENERATE): Promise<Message[]> {
  const replies: Message[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, k) => {
      const client = net.client(k + 1);
      for (let i = 0; i < perClient; i++) {
        const node = nodes[(k + i) % nodes.length]!;
        const reply = await net.rpc(client, node, { type: "generate" }, { hint });
        checkReply(t, reply, { node, client, type: "generate_ok", hint });
        if (reply.body.id === undefined || reply.body.id === null) t.fail({ message: `${node}'s generate_ok has no id.`, detail: show(reply), hint });
        replies.push(reply);
      }
    }),
  );
  return replies;
}

/** Fails if two replies carry the same id (compared as JSON values: "1" and 1 differ), naming both. */
export function checkUnique(t: CaseContext, replies: Message[], hint: string): void {
  const seen = new Map<string, Message>();
  for (const r of replies) {
    const key = JSON.stringify(r.body.id);
    const first = seen.get(key);
    if (first) {
      const where = first.src === r.src ? `both from ${r.src}` : `from ${first.src} and from ${r.src}`;
      t.fail({ message: `The id ${key} was returned twice, ${where}, out of ${replies.length} generate requests.`, detail: `${show(first)}\n${show(r)}`, hint });
    }
    seen.set(key, r);
  }
  t.log.note(`${replies.length} generate_ok replies, ${seen.size} distinct ids`);
}
