// A Maelstrom node (the Gossip Glomers workloads: echo, unique ids, broadcast): run with no arguments, one process per node.
import { init, Node, type Handler, type NodeOptions } from "./node.ts";
import { echo, generate } from "./workloads.ts";
import { broadcastHandlers } from "./broadcast.ts";

export const defaultHandlers: Record<string, Handler> = { init, echo, generate, ...broadcastHandlers() };

export async function runMain(opts: Partial<NodeOptions> = {}): Promise<void> {
  await new Node({ ...opts, handlers: { ...defaultHandlers, ...opts.handlers } }).run();
}

if (import.meta.main) await runMain();
