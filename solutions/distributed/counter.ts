/**
 * The g-counter workload over seq-kv: each node keeps the sum of the adds it was given
 * under a key of its own ("counter-<node id>"), which only it writes (so no write is
 * lost to another node's); a read sums every node's key. seq-kv may serve an old state
 * to a node that only reads, so a read first writes a value never written before to the
 * node's "sync-<node id>" key: that moves the node to seq-kv's newest state.
 */
import type { Body, Node } from "./node.ts";

const RPC_MS = 500;

let mine = 0;
let written = 0;
let syncs = 0;
let flushing: Promise<void> = Promise.resolve();

/** Sends a request to a service until it answers (it always does, after the network's latency). */
export async function ask(node: Node, service: string, body: Body): Promise<Body> {
  for (;;) {
    const reply = await node.rpc(service, body, RPC_MS);
    if (reply) return reply;
  }
}

/** Writes this node's count to seq-kv, one write at a time (so a later value is never overwritten by an earlier one). */
function flush(node: Node): Promise<void> {
  flushing = flushing.then(async () => {
    while (written !== mine) {
      const value = mine;
      const reply = await ask(node, "seq-kv", { type: "write", key: `counter-${node.id}`, value });
      if (reply.type === "write_ok") written = value;
    }
  });
  return flushing;
}

/** Adds `delta` and resolves once seq-kv holds it. */
export async function addToCounter(node: Node, delta: number): Promise<void> {
  mine += delta;
  await flush(node);
}

/** Whether this node was given an add. */
export const counterUsed = (): boolean => mine !== 0;

/** The sum of every node's count, as of seq-kv's newest state when called. */
export async function counterValue(node: Node): Promise<number> {
  await ask(node, "seq-kv", { type: "write", key: `sync-${node.id}`, value: ++syncs });
  const counts = await Promise.all(
    node.nodeIds.map(async (id) => {
      const reply = await ask(node, "seq-kv", { type: "read", key: `counter-${id}` });
      return reply.type === "read_ok" ? Number(reply.value) : 0;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
