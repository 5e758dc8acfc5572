/**
 * A checker for read-write register transactions (Maelstrom's txn-rw-register
 * workload), after Adya's isolation anomalies as Elle finds them in histories whose
 * written values are unique per key: each read names the write it saw.
 *
 * - G1a (aborted read): a committed transaction read a value written by one that was
 *   refused with a definite error (it did not happen, so nothing may see its writes).
 * - G1b (intermediate read): it read a value that its writer overwrote later in the
 *   same transaction (only a transaction's last write to a key is ever installed).
 * - G0 (write cycle): a cycle of write-write edges. T1 →ww T2 on key k when T2 read
 *   T1's version of k and then wrote k (the one version order a black box can infer
 *   without assuming more of the database).
 * - G1c (cyclic information flow): a cycle of write-write and write-read edges
 *   (T1 →wr T2: T2 read a value T1 wrote), not made of write-write edges alone.
 *
 * Two more are checked first, as Elle does, because the graph would be meaningless
 * without them: `garbage` (a read of a value no transaction wrote) and `internal` (a
 * read that does not see the transaction's own earlier write of the key, or sees its
 * own later one).
 *
 * A transaction without a reply (time-out, error 0 or 13) may have happened: its writes
 * may be read, and then it is a node of the graph like a committed one.
 */

export type Mop = ["r", unknown, unknown] | ["w", unknown, unknown];

export interface Txn {
  client: string;
  node: string;
  /** The micro-operations as sent (reads with null). */
  sent: Mop[];
  /** ok: the txn_ok's micro-operations (reads filled in); failed: a definite error; unknown: no reply or an indefinite error. */
  outcome: { kind: "ok"; mops: Mop[] } | { kind: "failed"; code: unknown } | { kind: "unknown" };
  /** ms (performance.now()) when it was sent and answered. */
  start: number;
  end: number;
}

export type AnomalyKind = "garbage" | "internal" | "G1a" | "G1b" | "G0" | "G1c";

export interface Anomaly {
  kind: AnomalyKind;
  /** The transactions involved, in the order the explanation names them (a cycle: in cycle order). */
  txns: Txn[];
  /** What happened, in words (keys and values). */
  explain: string;
}

/** The order the checker reports anomalies in: the ones that make the others meaningless first. */
export const ANOMALY_ORDER: AnomalyKind[] = ["garbage", "internal", "G1a", "G1b", "G0", "G1c"];

const text = (v: unknown): string => JSON.stringify(v);
const slot = (k: unknown, v: unknown): string => `${text(k)}=${text(v)}`;

interface Edge {
  to: number;
  kind: "ww" | "wr";
  key: unknown;
  value: unknown;
}

/** Every anomaly the history shows (at most one cycle: a G0 if there is one, else a G1c), in ANOMALY_ORDER. */
export function checkTxns(history: readonly Txn[]): Anomaly[] {
  const found: Anomaly[] = [];
  // Who wrote each (key, value), at which index of its micro-operations, and whether it was its last write of the key.
  const writers = new Map<string, { t: number; final: boolean }>();
  history.forEach((txn, t) => {
    const mops = txn.outcome.kind === "ok" ? txn.outcome.mops : txn.sent;
    mops.forEach((m, i) => {
      if (m[0] !== "w") return;
      const final = !mops.slice(i + 1).some((later) => later[0] === "w" && text(later[1]) === text(m[1]));
      writers.set(slot(m[1], m[2]), { t, final });
    });
  });
  const edges: Edge[][] = history.map(() => []);
  const addEdge = (from: number, e: Edge) => {
    if (from !== e.to && !edges[from]!.some((x) => x.to === e.to && x.kind === e.kind)) edges[from]!.push(e);
  };
  history.forEach((txn, t) => {
    if (txn.outcome.kind !== "ok") return;
    const mops = txn.outcome.mops;
    const own = new Map<string, unknown>();
    /** The writer of each key's external read, for write-write edges from the writes that follow it. */
    const readFrom = new Map<string, number | null>();
    mops.forEach(([f, k, v]) => {
      const key = text(k);
      if (f === "w") {
        own.set(key, v);
        const from = readFrom.get(key);
        if (from !== undefined && from !== null) addEdge(from, { to: t, kind: "ww", key: k, value: v });
        return;
      }
      if (own.has(key)) {
        if (text(own.get(key)) !== text(v)) found.push({ kind: "internal", txns: [txn], explain: `it wrote ${slot(k, own.get(key))}, then read ${slot(k, v)} in the same transaction (a read sees the transaction's own earlier write)` });
        return;
      }
      if (v === null || v === undefined) {
        readFrom.set(key, null);
        return;
      }
      const w = writers.get(slot(k, v));
      if (!w) {
        found.push({ kind: "garbage", txns: [txn], explain: `it read ${slot(k, v)}, a value no transaction wrote` });
        return;
      }
      if (w.t === t) {
        found.push({ kind: "internal", txns: [txn], explain: `it read ${slot(k, v)} before writing that value itself later in the same transaction` });
        return;
      }
      const writer = history[w.t]!;
      readFrom.set(key, w.t);
      if (writer.outcome.kind === "failed") {
        found.push({ kind: "G1a", txns: [txn, writer], explain: `it read ${slot(k, v)}, written by a transaction that was refused with error ${text(writer.outcome.code)} (so it never happened)` });
        return;
      }
      if (!w.final) found.push({ kind: "G1b", txns: [txn, writer], explain: `it read ${slot(k, v)}, an intermediate value: the transaction that wrote it wrote ${text(k)} again later, so only its last write was ever installed` });
      addEdge(w.t, { to: t, kind: "wr", key: k, value: v });
    });
  });
  const g0 = findCycle(edges, (e) => e.kind === "ww");
  if (g0) found.push({ kind: "G0", txns: g0.map((s) => history[s.from]!), explain: explainCycle(g0) });
  // A G0 is a G1c as well (its edges are among G1c's): only a history without a write cycle is searched for one with reads.
  const g1c = g0 ? undefined : findCycle(edges, () => true);
  if (g1c) found.push({ kind: "G1c", txns: g1c.map((s) => history[s.from]!), explain: explainCycle(g1c) });
  return found.sort((a, b) => ANOMALY_ORDER.indexOf(a.kind) - ANOMALY_ORDER.indexOf(b.kind));
}

interface Step {
  from: number;
  edge: Edge;
}

function explainCycle(cycle: Step[]): string {
  const name = (i: number) => `T${i + 1}`;
  return cycle
    .map((s, i) => {
      const to = i + 1 === cycle.length ? 0 : i + 1;
      const { key, value } = s.edge;
      return s.edge.kind === "wr" ? `${name(to)} read ${slot(key, value)}, which ${name(i)} wrote` : `${name(to)} read ${name(i)}'s value of ${text(key)}, then wrote ${slot(key, value)} over it`;
    })
    .join("; ");
}

/**
 * A cycle through the edges `use` keeps (a Tarjan strongly connected component of two
 * or more transactions, then a path around it), or undefined. Iterative: histories have
 * thousands of transactions.
 */
function findCycle(edges: Edge[][], use: (e: Edge) => boolean): Step[] | undefined {
  const n = edges.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      const out = edges[v]!.filter(use);
      if (i < out.length) {
        top[1]++;
        const w = out[i]!.to;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const component = new Set<number>();
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = false;
          component.add(w);
          if (w === v) break;
        }
        if (component.size > 1) return cycleIn(edges, use, component, v);
      }
    }
  }
  return undefined;
}

/** A shortest cycle through `start` inside a strongly connected component (breadth-first). */
function cycleIn(edges: Edge[][], use: (e: Edge) => boolean, component: Set<number>, start: number): Step[] {
  const via = new Map<number, Step>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const e of edges[v]!) {
      if (!use(e) || !component.has(e.to)) continue;
      if (e.to === start) {
        const path: Step[] = [{ from: v, edge: e }];
        for (let at = v; at !== start; ) {
          const s = via.get(at)!;
          path.unshift(s);
          at = s.from;
        }
        return path;
      }
      if (!via.has(e.to)) {
        via.set(e.to, { from: v, edge: e });
        queue.push(e.to);
      }
    }
  }
  throw new Error("no cycle in a strongly connected component");
}
