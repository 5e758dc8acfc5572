/** The broadcast workload: every value any node is given reaches every node, through the topology, despite partitions. */
import type { Handler, Node } from "./node.ts";

/** How long a node waits for a neighbour's broadcast_ok before sending a value again. */
const RETRY_MS = 250;

const seen = new Set<unknown>();
const messages: unknown[] = [];
let given: Record<string, string[]> | undefined;

/** Whether a topology message came (the broadcast workload sends one to every node first). */
export const topologyGiven = (): boolean => given !== undefined;

/** Every value this node has, in the order it got them. */
export const seenMessages = (): readonly unknown[] => messages;

/** Sends `value` to `dest` until it acknowledges (across partitions: the node retries until the network heals). */
export async function deliver(node: Node, dest: string, value: unknown): Promise<void> {
  while (!(await node.rpc(dest, { type: "broadcast", message: value }, RETRY_MS)));
}

/** How long a node waits for a neighbour's gossip_ok before sending the batch again: several round trips, so a slow machine does not make it resend. */
const BATCH_RETRY_MS = 1000;

/**
 * A `send` that batches: values for a neighbour wait, and every `intervalMs` each neighbour
 * with values waiting gets them all in one `gossip` message, sent again on a later tick
 * after BATCH_RETRY_MS until it answers gossip_ok (so a partition delays them, never loses them).
 */
export function batched(intervalMs: number): BroadcastOptions["send"] {
  const waiting = new Map<string, Set<unknown>>();
  let ticking = false;
  const tick = (node: Node): void => {
    for (const [dest, values] of waiting) {
      if (values.size === 0) continue;
      const batch = [...values];
      values.clear();
      void node.rpc(dest, { type: "gossip", messages: batch }, BATCH_RETRY_MS).then((ok) => {
        if (!ok) for (const v of batch) values.add(v);
      });
    }
  };
  return (node, dest, value) => {
    const values = waiting.get(dest) ?? new Set();
    values.add(value);
    waiting.set(dest, values);
    if (!ticking) setInterval(() => tick(node), intervalMs), (ticking = true);
  };
}

export interface BroadcastOptions {
  /** Whether to pass on a value another node sent (not only a client's). */
  relay: boolean;
  /** How a value reaches a neighbour. */
  send: (node: Node, dest: string, value: unknown) => void | Promise<void>;
  /**
   * Whom a node sends to: "given", its neighbours in the topology message (every other node
   * before one arrives); "star", a tree of its own, whatever the topology says: the first
   * node id is the hub, every other node its leaf (at most two hops from any node to any other).
   */
  overlay?: "given" | "star";
}

function neighbours(node: Node, overlay: BroadcastOptions["overlay"]): string[] {
  const others = node.nodeIds.filter((n) => n !== node.id);
  if (overlay === "star") return node.id === node.nodeIds[0] ? others : node.nodeIds.slice(0, 1);
  return given?.[node.id] ?? others;
}

export function broadcastHandlers(opts: BroadcastOptions = { relay: true, send: batched(50), overlay: "star" }): Record<string, Handler> {
  /** Keeps `value` if new, and sends it on (unless it came from another node and relaying is off). */
  const learn = (node: Node, from: string, value: unknown): void => {
    if (seen.has(value)) return;
    seen.add(value);
    messages.push(value);
    if (node.nodeIds.includes(from) && !opts.relay) return;
    for (const dest of neighbours(node, opts.overlay)) if (dest !== from) void opts.send(node, dest, value);
  };
  return {
    topology: (node, m) => {
      given = m.body.topology as Record<string, string[]> | undefined;
      node.reply(m, { type: "topology_ok" });
    },
    broadcast: (node, m) => {
      node.reply(m, { type: "broadcast_ok" });
      learn(node, m.src, m.body.message);
    },
    gossip: (node, m) => {
      node.reply(m, { type: "gossip_ok" });
      for (const value of (m.body.messages as unknown[] | undefined) ?? []) learn(node, m.src, value);
    },
    read: (node, m) => node.reply(m, { type: "read_ok", messages }),
  };
}
