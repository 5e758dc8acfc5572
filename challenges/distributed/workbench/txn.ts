/**
 * Maelstrom's txn-rw-register workload on the learner's nodes: clients send `txn`
 * requests (micro-operations ["r", k, null] and ["w", k, v]) to any node; a TxnHistory
 * records each with when it was sent and answered and how it ended, checks each reply's
 * shape at once, and checks the whole history for G0, G1a, G1b and G1c at the end
 * (txn-anomalies.ts). Written values are unique, so a read names the write it saw.
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { show, type Message } from "./message.ts";
import type { Network } from "./network.ts";
import { checkTxns, type Anomaly, type AnomalyKind, type Mop, type Txn } from "./txn-anomalies.ts";

export const TXN =
  'Answer {"type": "txn", "txn": [["r", k, null], ["w", k, v], …]} with {"type": "txn_ok", "txn": …}: the same micro-operations in the same order, each read\'s null replaced by the value read (null if the key has none), each write as sent; in_reply_to the request\'s msg_id.';

/** Maelstrom's error codes whose request may have happened (doc/protocol.md: indefinite). */
const INDEFINITE = new Set([0, 13]);

/** What to do about each anomaly. */
export const ANOMALY_HINTS: Record<AnomalyKind, string> = {
  garbage: "A read returned a value no transaction ever wrote to that key: return only values written by a txn (or null).",
  internal:
    "Within one transaction, a read of a key the transaction already wrote returns that write (its latest one), and a read before the transaction's own write returns what the key held before: run the micro-operations in order on one state.",
  G1a: "A transaction you refused (a definite error: it did not happen) had its writes read by another: check the whole transaction before applying any of it, and apply none of it if you refuse it (aborted read, G1a).",
  G1b: "Another transaction read a value that its writer overwrote later in the same transaction: only a transaction's last write to each key may ever be seen outside it, so replicate (and install) the final value of each key, not every write (intermediate read, G1b).",
  G0: "Two transactions each wrote over the other's write of a key: their writes interleaved. Run each transaction at one instant on one node's state, every micro-operation at once with nothing in between (no request to another node or service mid-transaction), then replicate its writes (write cycle, G0).",
  G1c: "Each transaction read something the other wrote: they did not happen one after the other. A transaction reads only what was installed before it runs, all at one instant on the node's state: do not fetch values from other nodes after the transaction's own writes are applied (cyclic information flow, G1c).",
};

const KIND_NAMES: Record<AnomalyKind, string> = {
  garbage: "a garbage read",
  internal: "an internally inconsistent transaction",
  G1a: "G1a (aborted read)",
  G1b: "G1b (intermediate read)",
  G0: "G0 (write cycle)",
  G1c: "G1c (cyclic information flow)",
};

export class TxnHistory {
  readonly txns: Txn[] = [];
  readonly t0 = performance.now();
  private nextValue: number;

  constructor(private readonly t: CaseContext, private readonly net: Network) {
    this.nextValue = t.rand.int(1, 900) * 1000;
  }

  /** A value no transaction wrote before. */
  fresh(): number {
    return this.nextValue++;
  }

  /**
   * One txn through `node`, recorded with its outcome: a time-out (or error 0 or 13) is
   * unknown (it may have happened), another error is definite (it did not). With
   * `mustAnswer`, a time-out fails the case with that hint instead.
   */
  async txn(client: string, node: string, mops: Mop[], opts: { timeoutMs?: number; mustAnswer?: string } = {}): Promise<Txn> {
    const start = performance.now();
    let reply: Message | undefined;
    try {
      reply = await this.net.rpc(client, node, { type: "txn", txn: mops }, { timeoutMs: opts.timeoutMs ?? 1000, hint: opts.mustAnswer ?? TXN });
    } catch (e) {
      this.net.check();
      if (!(e instanceof StageFailure) || opts.mustAnswer) throw e;
    }
    const txn: Txn = { client, node, sent: mops, outcome: reply ? this.outcome(mops, reply) : { kind: "unknown" }, start, end: performance.now() };
    this.txns.push(txn);
    return txn;
  }

  private outcome(sent: Mop[], reply: Message): Txn["outcome"] {
    const b = reply.body;
    if (b.type === "error") return typeof b.code === "number" && INDEFINITE.has(b.code) ? { kind: "unknown" } : { kind: "failed", code: b.code };
    const wrong = (what: string) => this.t.fail({ message: `${reply.src}'s answer to a txn ${what}.`, expected: `txn_ok with "txn" like ${JSON.stringify(sent)}, each read's null replaced by a value`, received: show(reply), hint: TXN });
    if (b.type !== "txn_ok") wrong(`has type ${JSON.stringify(b.type)}, not txn_ok`);
    const got = b.txn;
    if (!Array.isArray(got) || got.length !== sent.length) wrong(`has no "txn" array of ${sent.length} micro-operations`);
    const mops = got as unknown[][];
    mops.forEach((m, i) => {
      const s = sent[i]!;
      if (!Array.isArray(m) || m.length !== 3 || m[0] !== s[0] || JSON.stringify(m[1]) !== JSON.stringify(s[1])) wrong(`has ${JSON.stringify(m)} where the request had ${JSON.stringify(s)}`);
      if (s[0] === "w" && JSON.stringify(m[2]) !== JSON.stringify(s[2])) wrong(`changed the write ${JSON.stringify(s)} into ${JSON.stringify(m)}`);
    });
    return { kind: "ok", mops: mops as Mop[] };
  }

  /** A transaction as one line of a report: its client, node, times (ms since the first request) and micro-operations. */
  describe(x: Txn, name?: string): string {
    const when = `${Math.round(x.start - this.t0)}–${x.outcome.kind === "unknown" ? "?" : Math.round(x.end - this.t0)} ms`;
    const what = x.outcome.kind === "ok" ? `txn_ok ${JSON.stringify(x.outcome.mops)}` : x.outcome.kind === "failed" ? `${JSON.stringify(x.sent)} refused with error ${JSON.stringify(x.outcome.code)}` : `${JSON.stringify(x.sent)} without a reply`;
    return `${name ? `${name}: ` : ""}${x.client} → ${x.node} at ${when}: ${what}`;
  }

  /** The anomalies the history so far shows, in the checker's order. */
  anomalies(): Anomaly[] {
    return checkTxns(this.txns);
  }

  /** Fails the case on the first anomaly (G0, G1a, G1b, G1c, or a garbage or inconsistent read), naming the transactions. */
  check(scenario?: string): void {
    const [a] = this.anomalies();
    const counts = `${this.txns.length} transactions (${this.txns.filter((x) => x.outcome.kind === "unknown").length} without a reply, ${this.txns.filter((x) => x.outcome.kind === "failed").length} refused)`;
    if (a) {
      this.net.record.blame(`${KIND_NAMES[a.kind]}: ${a.explain}`, a.txns);
      this.t.fail({
        message: `The history shows ${KIND_NAMES[a.kind]}: ${a.explain}.`,
        expected: "no G0, G1a, G1b or G1c (read committed), and every read a value some transaction wrote, consistent with the reading transaction's own writes",
        received: a.txns.map((x, i) => this.describe(x, `T${i + 1}`)).join("\n"),
        hint: scenario ? `${ANOMALY_HINTS[a.kind]} ${scenario}` : ANOMALY_HINTS[a.kind],
        detail: counts,
      });
    }
    this.t.log.note(`${counts}: no anomaly`);
  }

  /**
   * Reads `keys` through each of `nodes` (one txn of reads per try, every 50 ms) until
   * each returns the expected value, failing the case if one does not within `withinMs`.
   */
  async readUntil(client: string, nodes: string[], expected: Map<number, number>, withinMs: number, hint: string, when: string): Promise<void> {
    for (const node of nodes) {
      const started = Date.now();
      for (;;) {
        const ks = [...expected.keys()];
        const x = await this.txn(client, node, ks.map((k): Mop => ["r", k, null]));
        const got = x.outcome.kind === "ok" ? x.outcome.mops : undefined;
        const missing = got ? got.filter(([, k, v]) => v !== expected.get(k as number)) : undefined;
        if (missing && missing.length === 0) break;
        if (Date.now() - started >= withinMs) {
          this.t.fail({
            message: `${node} still does not read every value written ${when}, ${withinMs / 1000} s later.`,
            expected: ks.map((k) => `${k}=${expected.get(k)}`).join(", "),
            received: this.describe(x),
            hint,
          });
        }
        await Bun.sleep(50);
      }
    }
  }
}

/** `count` distinct integer keys drawn from the seed (Maelstrom's txn keys are integers). */
export function txnKeys(t: CaseContext, count: number): number[] {
  const out = new Set<number>();
  while (out.size < count) out.add(t.rand.int(1, 9999));
  return [...out];
}
