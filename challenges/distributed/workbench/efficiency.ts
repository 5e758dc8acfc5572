/**
 * Efficient broadcast, measured as Maelstrom's broadcast workload does (Gossip Glomers 3d
 * and 3e): clients broadcast and read at a fixed rate, then the run reports messages per
 * operation (node-to-node messages / client operations) and stable latencies (for each
 * value, from its broadcast to the last read that still missed it).
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import type { Network } from "./network.ts";
import { broadcast, read } from "./broadcast.ts";

/** Maelstrom's default topology: the nodes in a square grid, each the neighbour of those above, below, left and right. */
export function gridTopology(ids: string[]): Record<string, string[]> {
  const side = Math.ceil(Math.sqrt(ids.length));
  return Object.fromEntries(
    ids.map((id, i) => {
      const [row, col] = [Math.floor(i / side), i % side];
      const near = [col > 0 ? i - 1 : -1, col < side - 1 ? i + 1 : -1, i - side, i + side];
      return [id, near.filter((j) => j >= 0 && j < ids.length).map((j) => ids[j]!)];
    }),
  );
}

export interface Load {
  /** Client operations per second, alternately broadcast and read, each to a node drawn from the seed. */
  rate: number;
  durationMs: number;
  /** How many clients share the operations. */
  clients: number;
}

/** The messages between nodes a run may send: fewer than `perOp` per operation; `fail` reports what was seen. */
export interface Budget {
  perOp: number;
  fail(seen: string): never;
}

export interface LoadResult {
  ops: number;
  /** Node-to-node messages from the first operation until every node had every value. */
  messages: number;
  /** Each value's stable latency in ms. */
  latencies: Map<number, number>;
  values: number[];
  /** How long each read of the load took to be answered: the machine's delay, since a read needs no other node. */
  readMs: number[];
}

interface Sent {
  value: number;
  at: number;
}
interface Seen {
  node: string;
  at: number;
  has: Set<unknown>;
}

/** The `p`th percentile of `xs` (the nearest rank below; 0 for none): 50 the median, 100 the largest. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(((s.length - 1) * p) / 100)]!;
}

/** The median and the largest of `xs` (0 for none). */
export function medianAndMax(xs: number[]): { median: number; max: number } {
  return { median: percentile(xs, 50), max: percentile(xs, 100) };
}

/**
 * Each value's stable latency: from its broadcast's invocation to the invocation of the
 * last read, on any node, that did not list it (0 when none did). A lower bound of the
 * time until every node had it, as Maelstrom's (reads sample the nodes).
 */
export function stableLatencies(sent: Sent[], reads: Seen[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of sent) {
    let last = s.at;
    for (const r of reads) if (r.at > last && !r.has.has(s.value)) last = r.at;
    out.set(s.value, last - s.at);
  }
  return out;
}

/**
 * Runs the load, then reads every node every 100 ms until each lists every value
 * acknowledged, for at most `settleMs` (failing, naming the nodes and the values they
 * miss, after that). Reads of this last phase count for the latencies, not as operations.
 */
export async function runLoad(t: CaseContext, net: Network, ids: string[], load: Load, settleMs: number, lostHint: string, budget: Budget): Promise<LoadResult> {
  const sent: Sent[] = [];
  const reads: Seen[] = [];
  const readMs: number[] = [];
  const pending: Promise<void>[] = [];
  const before = net.interNode;
  const start = Date.now();
  const count = Math.round((load.rate * load.durationMs) / 1000);
  const used = new Set<number>();
  const limit = budget.perOp * count;
  /** Fails as soon as the messages already exceed what the whole run may send (a flood would otherwise load the machine for long). */
  const withinBudget = (done: number): void => {
    const messages = net.interNode - before;
    if (messages >= limit) budget.fail(`${messages} messages between nodes after ${done} of the ${count} operations, already ${(messages / count).toFixed(1)} per operation of the whole run (the case stopped there)`);
  };
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / load.rate;
    if (due > Date.now()) await Bun.sleep(due - Date.now());
    net.check();
    withinBudget(i);
    const client = net.client(1 + (i % load.clients));
    const node = ids[t.rand.int(0, ids.length - 1)]!;
    const at = Date.now();
    if (i % 2 === 0) {
      let value = t.rand.int(0, 999_999);
      while (used.has(value)) value = t.rand.int(0, 999_999);
      used.add(value);
      pending.push(broadcast(t, net, client, node, value).then(() => void sent.push({ value, at })));
    } else {
      pending.push(read(t, net, client, node).then((vs) => void (reads.push({ node, at, has: new Set(vs) }), readMs.push(Date.now() - at))));
    }
    // Awaited below; a failure meanwhile must not count as unhandled.
    pending.at(-1)!.catch(() => {});
  }
  await Promise.all(pending);
  const values = sent.map((s) => s.value);
  const settled = Date.now();
  const client = net.client(load.clients + 1);
  for (;;) {
    const missing: { node: string; values: number[] }[] = [];
    for (const node of ids) {
      const at = Date.now();
      const has = new Set(await read(t, net, client, node));
      reads.push({ node, at, has });
      const lacks = values.filter((v) => !has.has(v));
      if (lacks.length > 0) missing.push({ node, values: lacks });
    }
    if (missing.length === 0) break;
    withinBudget(count);
    if (Date.now() - settled >= settleMs) {
      t.fail({
        message: `${settleMs / 1000} s after the last operation, ${missing.length} of ${ids.length} nodes still miss values that were acknowledged with broadcast_ok.`,
        expected: `every node reads all ${values.length} values`,
        received: missing.slice(0, 5).map((m) => `${m.node} misses ${m.values.length}: ${m.values.slice(0, 8).join(", ")}${m.values.length > 8 ? ", …" : ""}`).join("\n") + (missing.length > 5 ? `\n… and ${missing.length - 5} more nodes` : ""),
        hint: lostHint,
      });
    }
    await Bun.sleep(100);
  }
  return { ops: count, messages: net.interNode - before, latencies: stableLatencies(sent, reads), values, readMs };
}

