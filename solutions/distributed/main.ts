// A Maelstrom node (the Gossip Glomers workloads: echo, unique ids, broadcast, g-counter, Kafka-style log): run with no arguments, one process per node.
import { init, Node, type Handler, type NodeOptions } from "./node.ts";
import { echo, generate } from "./workloads.ts";
import { broadcastHandlers, seenMessages } from "./broadcast.ts";
import { addToCounter, counterValue } from "./counter.ts";
import { kafkaHandlers } from "./kafka.ts";

/**
 * `read` is both the broadcast workload's (messages) and the g-counter's (value):
 * one program runs every stage, so its read_ok carries both.
 */
const read: Handler = async (node, m) => node.reply(m, { type: "read_ok", messages: seenMessages(), value: await counterValue(node) });

const add: Handler = async (node, m) => {
  await addToCounter(node, Number(m.body.delta));
  node.reply(m, { type: "add_ok" });
};

export const defaultHandlers: Record<string, Handler> = { init, echo, generate, ...broadcastHandlers(), read, add, ...kafkaHandlers };

export async function runMain(opts: Partial<NodeOptions> = {}): Promise<void> {
  await new Node({ ...opts, handlers: { ...defaultHandlers, ...opts.handlers } }).run();
}

if (import.meta.main) await runMain();
