import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Network } from "./network.ts";
import { checkReply } from "./reply.ts";
import { show } from "./message.ts";

export const COUNTER = 'Answer add with {"type": "add_ok"} and read with {"type": "read_ok", "value": <the counter, an integer>}, each in_reply_to the request\'s msg_id.';

/** Sends an add of `delta` and checks its add_ok. */
export async function add(t: CaseContext, net: Network, client: string, node: string, delta: number): Promise<void> {
  const reply = await net.rpc(client, node, { type: "add", delta }, { hint: COUNTER });
  checkReply(t, reply, { node, client, type: "add_ok", hint: COUNTER });
}

/** What `node` answers to read, as an integer. */
export async function readCounter(t: CaseContext, net: Network, client: string, node: string): Promise<number> {
  const reply = await net.rpc(client, node, { type: "read" }, { hint: COUNTER });
  if (reply.body.type === "error" && reply.body.code === 20) {
    t.fail({ message: `${node} answered read with error 20 (key-does-not-exist) instead of read_ok.`, expected: "read_ok", received: show(reply), hint: `${COUNTER} A key no node wrote yet (a node given no add has written nothing) does not exist in seq-kv, which answers error 20: count it as 0.` });
  }
  checkReply(t, reply, { node, client, type: "read_ok", hint: COUNTER });
  const value = reply.body.value;
  if (typeof value !== "number" || !Number.isInteger(value)) t.fail({ message: `${node}'s read_ok has no integer "value".`, detail: show(reply), hint: COUNTER });
  return value;
}

/**
 * `clients` clients at once each send `perClient` adds (deltas 1 to 9 from the seed), one
 * after another, to the nodes in turn. Returns the sum of the deltas (all acknowledged),
 * and each node's share of it.
 */
export async function addFrom(t: CaseContext, net: Network, nodes: string[], clients: number, perClient: number): Promise<Added> {
  let sum = 0;
  const perNode = new Map<string, number>(nodes.map((n) => [n, 0]));
  await Promise.all(
    Array.from({ length: clients }, async (_, k) => {
      const client = net.client(k + 1);
      for (let i = 0; i < perClient; i++) {
        const delta = t.rand.int(1, 9);
        const node = nodes[(k + i) % nodes.length]!;
        await add(t, net, client, node, delta);
        sum += delta;
        perNode.set(node, perNode.get(node)! + delta);
      }
    }),
  );
  t.log.note(`${clients * perClient} adds acknowledged, summing to ${sum}`);
  return { sum, perNode };
}

export interface Added {
  sum: number;
  /** The sum of the adds each node was given. */
  perNode: Map<string, number>;
}

/** Why final reads are wrong, from what they read: the hint names the likely mistake. */
export function diagnose({ sum, perNode }: Added, values: Map<string, number>): string {
  const vs = [...values.values()];
  if ([...values].every(([n, v]) => v === (perNode.get(n) ?? 0)) && [...perNode.values()].some((v) => v !== sum)) {
    return "Each node reads the sum of the adds it was given itself: the nodes do not share their counts. Keep the count where every node can read it (seq-kv: a key per node, or one key updated with cas), or send it to the other nodes.";
  }
  if (vs.some((v) => v > sum)) return "A node read more than was ever added: an add was counted twice (a retried write or cas applied again, or a value added to a total that already held it).";
  if (new Set(vs).size > 1) {
    return "The nodes disagree: each node must see the adds given to every other node, so keep the count where all can read it (seq-kv). seq-kv is only sequentially consistent: a node that only reads may keep getting an old state, however often it reads. Before reading, write a value no one wrote before (to a key of the node's own): that moves the node to the newest state, and the reads after it see every add acknowledged before.";
  }
  return "The nodes agree on a total that misses adds: an add that reads the counter and then writes read + delta overwrites an add another node made in between. Use cas (from the value read, to value + delta; on error 22 read again and retry), or give each node a key of its own that only it writes, and sum the keys.";
}

/**
 * The workload's final reads (Maelstrom's g-counter checker: every final read is the
 * sum of the acknowledged adds): each node is read every 100 ms until every node reads
 * `sum`, for at most `withinMs`; then the case fails naming each node's value, with
 * `hint` (what the case adds) before the mistake its values point to.
 */
export async function awaitFinalReads(t: CaseContext, net: Network, nodes: string[], added: Added, withinMs: number, context: string, hint = ""): Promise<void> {
  const { sum } = added;
  const client = net.client(9);
  const started = Date.now();
  for (;;) {
    const values = new Map<string, number>();
    for (const node of nodes) values.set(node, await readCounter(t, net, client, node));
    const wrong = [...values].filter(([, v]) => v !== sum);
    if (wrong.length === 0) {
      t.log.note(`every node read ${sum} after ${Date.now() - started} ms; ${net.serviceRequests} requests to services, ${net.interNode} messages between nodes (${net.dropped} dropped by the partition)`);
      return;
    }
    if (Date.now() - started >= withinMs) {
      t.fail({
        message: `${withinMs / 1000} s after ${context}, ${wrong.length} of ${nodes.length} nodes' final read is not the sum of the acknowledged adds.`,
        expected: `every node reads ${sum}`,
        received: [...values].map(([n, v]) => `${n} reads ${v}`).join("\n"),
        hint: `${hint}${diagnose(added, values)}`,
        detail: `${net.serviceRequests} requests to services, ${net.interNode} messages between nodes so far, ${net.dropped} dropped by the partition.`,
      });
    }
    await Bun.sleep(100);
  }
}
