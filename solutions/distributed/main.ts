// A Maelstrom node (the Gossip Glomers workloads: echo, unique ids, broadcast, g-counter, Kafka-style log, txn-rw-register; lin-kv on Raft): run with no arguments, one process per node.
import { init, Node, type Handler, type NodeOptions } from "./node.ts";
import { echo, generate } from "./workloads.ts";
import { broadcastHandlers, seenMessages, topologyGiven } from "./broadcast.ts";
import { addToCounter, counterUsed, counterValue } from "./counter.ts";
import { kafkaHandlers } from "./kafka.ts";
import { Raft, raftHandlers } from "./raft.ts";
import { txnHandlers } from "./txn.ts";

/**
 * The lin-kv handlers on a Raft that `make` builds, with `read`: both the broadcast
 * workload's (messages) and the g-counter's (value), one program running every stage,
 * so its read_ok carries both; a read with a key is lin-kv's, answered through Raft.
 */
export function kvHandlers(make?: (node: Node) => Raft): Record<string, Handler> {
  const raft = raftHandlers(make);
  const read: Handler = async (node, m) => {
    if ("key" in m.body) return raft.kv(node, m);
    // A node given a topology and never an add is in a broadcast run: it answers at once
    // (value 0) rather than asking seq-kv for every node's count (stage 8 reads 25 nodes
    // 50 times a second, and the workbench times reads against the broadcasts).
    const messages = [...seenMessages()];
    const value = topologyGiven() && !counterUsed() ? 0 : await counterValue(node);
    node.reply(m, { type: "read_ok", messages, value });
  };
  return { ...raft.handlers, read };
}

const add: Handler = async (node, m) => {
  await addToCounter(node, Number(m.body.delta));
  node.reply(m, { type: "add_ok" });
};

export const defaultHandlers: Record<string, Handler> = { init, echo, generate, ...broadcastHandlers(), add, ...kafkaHandlers, ...kvHandlers(), ...txnHandlers() };

export async function runMain(opts: Partial<NodeOptions> = {}): Promise<void> {
  await new Node({ ...opts, handlers: { ...defaultHandlers, ...opts.handlers } }).run();
}

if (import.meta.main) await runMain();
