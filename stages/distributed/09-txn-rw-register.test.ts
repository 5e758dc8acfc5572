import { stage } from "../../harness/stage/define.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { Network } from "../../challenges/distributed/workbench/network.ts";
import { TXN, TxnHistory, txnKeys } from "../../challenges/distributed/workbench/txn.ts";
import type { Mop, Txn } from "../../challenges/distributed/workbench/txn-anomalies.ts";

const SERIAL = `${TXN} On one node, transactions run one after another: a read returns the value of the last write to the key, by this transaction or by those the node answered before it (null if none).`;
const REFUSE =
  'A txn with a micro-operation that is neither ["r", k, null] nor ["w", k, v] is malformed: refuse it whole with {"type": "error", "code": 12, "text": …} (malformed-request, a definite error: the transaction did not happen), before applying any of it.';
const AVAILABLE =
  "The workload is totally available: a node answers every txn at once from its own copy of the registers, even when it cannot reach any other node; replicate the writes afterwards, in the background, instead of waiting for the other nodes before answering.";
const REPLICATE = "Every node must come to read every committed write: after answering a txn, send its writes (the last one to each key) to every other node, which installs them.";
const ACROSS =
  "Writes made during a partition must reach the other nodes once it heals: keep sending a transaction's writes to each node until it acknowledges them (a message the partition dropped is lost, not delayed).";

/**
 * Checks that each read of a txn answered by the only node returns what the serial
 * model says; if not, the history's anomaly (more specific) is reported first.
 */
function serial(t: CaseContext, h: TxnHistory, x: Txn, model: Map<unknown, unknown>): void {
  if (x.outcome.kind !== "ok") return;
  const own = new Map(model);
  x.outcome.mops.forEach(([f, k, v], i) => {
    if (f === "w") return void own.set(k, v);
    const want = own.has(k) ? own.get(k) : null;
    if (JSON.stringify(v) === JSON.stringify(want)) return;
    h.check();
    t.fail({
      message: `The only node's txn_ok read ${JSON.stringify(v)} for key ${JSON.stringify(k)} (micro-operation ${i + 1}), where the transactions it answered before, and this one's own writes, leave ${JSON.stringify(want)}.`,
      expected: JSON.stringify(x.sent.map((m, j): Mop => (j === i ? ["r", k, want] : m))),
      received: h.describe(x),
      hint: SERIAL,
    });
  });
  for (const [f, k, v] of x.outcome.mops) if (f === "w") model.set(k, v);
}

/**
 * Two transactions sent at once through two nodes, in the same instant (both requests
 * are on the nodes' stdin before either node can send anything, so whatever a node sends
 * the other reaches it after the other's transaction), with the nodes' service requests in
 * lockstep (Network.lockstep): micro-operations that go to a service one by one interleave
 * step by step on every run.
 */
const together = (net: Network, h: TxnHistory, a: [string, string, Mop[]], b: [string, string, Mop[]]) =>
  net.lockstep([a[1], b[1]], (finished) => Promise.all([a, b].map((x) => h.txn(...x).then((done) => (finished(x[1]), done)))));

export default stage(import.meta, [
  {
    name: "one node: reads see earlier writes, the transaction's own writes in order, and nothing of a refused transaction",
    async run(t) {
      const net = new Network(t);
      const [n1] = (await net.boot(1)) as [string];
      const h = new TxnHistory(t, net);
      const c = net.client(1);
      const [k1, k2, k3, k4] = txnKeys(t, 4) as [number, number, number, number];
      const model = new Map<unknown, unknown>();
      const run = async (mops: Mop[]) => serial(t, h, await h.txn(c, n1, mops, { mustAnswer: SERIAL }), model);
      await run([["r", k1, null]]);
      // A later transaction reads what an earlier one wrote.
      await run([["w", k2, h.fresh()]]);
      await run([["r", k2, null], ["r", k1, null]]);
      // The transaction's own writes, in order: a read between two writes sees the first.
      await run([["w", k1, h.fresh()], ["r", k1, null], ["w", k1, h.fresh()], ["r", k1, null], ["r", k2, null]]);
      await run([["r", k1, null], ["w", k2, h.fresh()], ["r", k2, null]]);
      // A malformed transaction: refused whole, its write never seen.
      const bad: Mop[] = [["w", k3, h.fresh()], ["append", k1, h.fresh()] as unknown as Mop];
      const refused = await h.txn(c, n1, bad, { mustAnswer: REFUSE });
      if (refused.outcome.kind !== "failed") t.fail({ message: `${n1} did not refuse a txn with an "append" micro-operation.`, expected: 'an error with a definite code (12: malformed-request)', received: h.describe(refused), hint: REFUSE });
      await run([["r", k3, null], ["r", k1, null]]);
      // Then random transactions, one at a time, each checked against the serial order.
      const ks = [k1, k2, k3, k4];
      for (let i = 0; i < 25; i++) {
        const mops = Array.from({ length: t.rand.int(1, 4) }, (): Mop => (t.rand.int(0, 1) === 0 ? ["r", t.rand.pick(ks), null] : ["w", t.rand.pick(ks), h.fresh()]));
        await run(mops);
      }
      h.check();
      net.check();
    },
  },
  {
    name: "three nodes: concurrent transactions that read then write each other's keys make no write cycle (G0), writes reach every node, every node answers while cut off alone, and its writes arrive after the heal",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(3);
      const h = new TxnHistory(t, net);
      // Pairs of transactions at once through two nodes, each writing a key, reading the other's, then writing it.
      for (let round = 0; round < 10; round++) {
        const [a, b] = t.rand.shuffle(ids) as [string, string];
        const [x, y] = txnKeys(t, 2) as [number, number];
        await together(net, h, [net.client(1), a, [["w", x, h.fresh()], ["r", y, null], ["w", y, h.fresh()]]], [net.client(2), b, [["w", y, h.fresh()], ["r", x, null], ["w", x, h.fresh()]]]);
      }
      h.check();
      // A write through one node reaches the others.
      const [k0] = txnKeys(t, 1) as [number];
      const v0 = h.fresh();
      const w0 = await h.txn(net.client(1), ids[0]!, [["w", k0, v0]], { mustAnswer: TXN });
      if (w0.outcome.kind !== "ok") t.fail({ message: `${ids[0]} refused a txn of one write on a healthy network.`, received: h.describe(w0), hint: TXN });
      await h.readUntil(net.client(3), ids.slice(1), new Map([[k0, v0]]), 3000, REPLICATE, `through ${ids[0]} on a healthy network`);
      // Each node alone: it still answers at once, and takes a write.
      net.partition(ids.map((n) => [n]));
      const written = new Map<number, number>();
      const ks = txnKeys(t, ids.length);
      for (const [i, node] of ids.entries()) {
        const k = ks[i]!;
        const v = h.fresh();
        const x = await h.txn(net.client(4), node, [["r", k0, null], ["w", k, v]], { timeoutMs: 2000, mustAnswer: AVAILABLE });
        if (x.outcome.kind !== "ok") t.fail({ message: `${node}, cut off from every other node, refused a txn.`, expected: "txn_ok", received: h.describe(x), hint: AVAILABLE });
        written.set(k, v);
      }
      await Bun.sleep(300);
      net.heal();
      await h.readUntil(net.client(5), ids, written, 3000, ACROSS, "during the partition (each by a node cut off alone) after it healed");
      h.check();
      net.check();
    },
  },
  {
    name: "three nodes, read committed: no intermediate value is ever read (G1b), two transactions never read each other's writes (G1c), and random transactions show no anomaly",
    async run(t) {
      const net = new Network(t);
      const ids = await net.boot(3);
      const h = new TxnHistory(t, net);
      // Three writes of one key in one transaction; the others then read it until it arrives.
      for (let round = 0; round < 3; round++) {
        const [a, ...others] = t.rand.shuffle(ids) as [string, ...string[]];
        const [k] = txnKeys(t, 1) as [number];
        const last = h.fresh();
        await h.txn(net.client(1), a, [["w", k, h.fresh()], ["w", k, h.fresh()], ["w", k, last]], { mustAnswer: TXN });
        const deadline = Date.now() + 3000;
        for (const node of others) {
          for (;;) {
            const x = await h.txn(net.client(2), node, [["r", k, null]]);
            if (x.outcome.kind === "ok" && x.outcome.mops[0]![2] !== null) break;
            if (Date.now() >= deadline) t.fail({ message: `${node} still reads nothing of a key ${a} wrote 3 s earlier.`, received: h.describe(x), hint: REPLICATE });
            await Bun.sleep(30);
          }
        }
      }
      h.check();
      // Pairs at once through two nodes: each writes a key and reads the other's.
      for (let round = 0; round < 12; round++) {
        const [a, b] = t.rand.shuffle(ids) as [string, string];
        const [x, y] = txnKeys(t, 2) as [number, number];
        await together(net, h, [net.client(1), a, [["w", x, h.fresh()], ["r", y, null]]], [net.client(2), b, [["w", y, h.fresh()], ["r", x, null]]]);
      }
      h.check();
      // Random transactions from three clients through every node for 1 s.
      const ks = txnKeys(t, 4);
      const until = Date.now() + 1000;
      await Promise.all(
        [3, 4, 5].map(async (k) => {
          while (Date.now() < until) {
            const mops = Array.from({ length: t.rand.int(1, 4) }, (): Mop => (t.rand.int(0, 1) === 0 ? ["r", t.rand.pick(ks), null] : ["w", t.rand.pick(ks), h.fresh()]));
            await h.txn(net.client(k), t.rand.pick(ids), mops);
            await Bun.sleep(t.rand.int(0, 10));
          }
        }),
      );
      h.check();
      net.check();
    },
  },
]);
