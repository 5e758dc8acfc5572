import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Network } from "./network.ts";
import { checkReply } from "./reply.ts";
import { show } from "./message.ts";

export const BROADCAST = 'Answer broadcast with {"type": "broadcast_ok"}, topology with {"type": "topology_ok"}, and read with {"type": "read_ok", "messages": [every value this node has seen]}, each in_reply_to the request\'s msg_id.';

/** A line: each node's neighbours are the nodes before and after it in `order`. */
export function lineTopology(order: string[]): Record<string, string[]> {
  return Object.fromEntries(order.map((n, i) => [n, [order[i - 1], order[i + 1]].filter((x): x is string => x !== undefined)]));
}

/** Sends every node the topology and checks its topology_ok. */
export async function sendTopology(t: CaseContext, net: Network, topology: Record<string, string[]>): Promise<void> {
  t.log.note(`topology: ${Object.entries(topology).map(([n, ns]) => `${n}→[${ns.join(",")}]`).join(" ")}`);
  const client = net.client(1);
  for (const node of Object.keys(topology)) {
    const reply = await net.rpc(client, node, { type: "topology", topology }, { hint: BROADCAST });
    checkReply(t, reply, { node, client, type: "topology_ok", hint: BROADCAST });
  }
}

export async function broadcast(t: CaseContext, net: Network, client: string, node: string, value: number): Promise<void> {
  const reply = await net.rpc(client, node, { type: "broadcast", message: value }, { hint: BROADCAST });
  checkReply(t, reply, { node, client, type: "broadcast_ok", hint: BROADCAST });
}

/** What `node` answers to read, as the values it lists. */
export async function read(t: CaseContext, net: Network, client: string, node: string): Promise<unknown[]> {
  const reply = await net.rpc(client, node, { type: "read" }, { hint: BROADCAST });
  checkReply(t, reply, { node, client, type: "read_ok", hint: BROADCAST });
  const messages = reply.body.messages;
  if (!Array.isArray(messages)) t.fail({ message: `${node}'s read_ok has no "messages" array.`, detail: show(reply), hint: BROADCAST });
  return messages;
}

/**
 * Reads every node, again every 100 ms, until each lists every value, for at most
 * `withinMs`; then fails naming the first node that still misses values, and which.
 */
export async function awaitEverywhere(t: CaseContext, net: Network, nodes: string[], values: number[], withinMs: number, hint: string): Promise<void> {
  const client = net.client(2);
  const started = Date.now();
  for (;;) {
    const missing: { node: string; values: number[] }[] = [];
    for (const node of nodes) {
      const has = new Set(await read(t, net, client, node));
      const lacks = values.filter((v) => !has.has(v));
      if (lacks.length > 0) missing.push({ node, values: lacks });
    }
    if (missing.length === 0) {
      t.log.note(`every node read all ${values.length} values after ${Date.now() - started} ms; ${net.interNode} messages between nodes (${net.dropped} dropped by the partition)`);
      return;
    }
    if (Date.now() - started >= withinMs) {
      t.fail({
        message: `${withinMs / 1000} s after the last broadcast_ok, ${missing.length} of ${nodes.length} nodes still miss values.`,
        expected: `every node reads all ${values.length} values: ${values.join(", ")}`,
        received: missing.map((m) => `${m.node} misses ${m.values.length}: ${m.values.join(", ")}`).join("\n"),
        hint,
        detail: `${net.interNode} messages between nodes so far, ${net.dropped} dropped by the partition.`,
      });
    }
    await Bun.sleep(100);
  }
}
