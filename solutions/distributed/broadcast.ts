/** The broadcast workload: every value any node is given reaches every node, through the topology, despite partitions. */
import type { Handler, Node } from "./node.ts";

/** How long a node waits for a neighbour's broadcast_ok before sending again. */
const RETRY_MS = 250;

const seen = new Set<unknown>();
const messages: unknown[] = [];
let neighbours: string[] | undefined;

/** Every value this node has, in the order it got them. */
export const seenMessages = (): readonly unknown[] => messages;

/** Sends `value` to `dest` until it acknowledges (across partitions: the node retries until the network heals). */
export async function deliver(node: Node, dest: string, value: unknown): Promise<void> {
  while (!(await node.rpc(dest, { type: "broadcast", message: value }, RETRY_MS)));
}

export interface BroadcastOptions {
  /** Whether to pass on a value another node sent (not only a client's). */
  relay: boolean;
  /** How a value reaches a neighbour. */
  send: (node: Node, dest: string, value: unknown) => void | Promise<void>;
}

export function broadcastHandlers(opts: BroadcastOptions = { relay: true, send: deliver }): Record<string, Handler> {
  return {
    topology: (node, m) => {
      const topology = m.body.topology as Record<string, string[]> | undefined;
      neighbours = topology?.[node.id];
      node.reply(m, { type: "topology_ok" });
    },
    broadcast: (node, m) => {
      const value = m.body.message;
      node.reply(m, { type: "broadcast_ok" });
      if (seen.has(value)) return;
      seen.add(value);
      messages.push(value);
      const fromNode = node.nodeIds.includes(m.src);
      if (fromNode && !opts.relay) return;
      for (const dest of neighbours ?? node.nodeIds.filter((n) => n !== node.id)) if (dest !== m.src) void opts.send(node, dest, value);
    },
    read: (node, m) => node.reply(m, { type: "read_ok", messages }),
  };
}
