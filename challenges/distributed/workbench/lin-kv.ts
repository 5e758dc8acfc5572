/**
 * Maelstrom's lin-kv workload on the learner's own nodes: clients send read, write and
 * cas (the lin-kv service's requests and errors) to any node; a KvHistory records each
 * operation with when it was sent and answered and how it ended, then checks the whole
 * history as linearizable (linearizability.ts), and reports a small set of operations
 * that cannot be ordered.
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { keys, show, type Message } from "./message.ts";
import { Network } from "./network.ts";
import { checkKv, describeOp, type KvCall, type KvOp, type Outcome } from "./linearizability.ts";

export const LIN_KV =
  'Answer {"type": "read", "key": k} with {"type": "read_ok", "value": v} (or error 20 if the key does not exist), {"type": "write", "key": k, "value": v} with {"type": "write_ok"}, {"type": "cas", "key": k, "from": a, "to": b} with {"type": "cas_ok"} (error 22 if the value is not a, 20 if the key does not exist), each in_reply_to the request\'s msg_id; error 11 (temporarily unavailable) when the request surely did not happen.';

/** Maelstrom's error codes whose request may have happened (doc/protocol.md: indefinite). */
const INDEFINITE = new Set([0, 13]);

/** Hints for an ordering nobody could explain, chosen by what the operations that broke it show. */
export const STALE =
  "An answer (a read's value, a cas's error 22) came from an older state than a write already acknowledged. Answer reads only once you know you are still the leader of a majority: put reads through the log too (answer once the entry commits), or a lease (§8 of the Raft paper); a node cut off from the majority, leader or not, must not answer from its own state, and an entry (a read's too) commits only once a majority of nodes stores it (§5.3).";
export const LOST =
  "A write (or cas) that a node cut off from the majority acknowledged is missing from what the majority returns later: acknowledge an entry only once a majority of nodes stores it and it is committed (§5.3); a leader cut off from the majority can commit nothing.";
export const ORDER =
  "Every node must apply the same committed entries in the same order, and answer a client only from them: reads through the log (or a lease), an entry acknowledged only once a majority stores it (§5.3), votes only for a candidate whose log is at least as up to date as yours (§5.4.1).";
export const PERSIST =
  "A write acknowledged before every node was killed is gone after they restarted: save the term, the vote and the log to a file in the node's directory, and flush it to disk (fsync), before answering a client or replying to a Raft message that depends on them; read the file back when the node starts (Figure 2 of the Raft paper: persistent state).";
export const MISSING =
  "A key no write (or cas) ever gave a value does not exist: read answers error 20 (key-does-not-exist), not a read_ok, and so does cas, whatever its from (22 is for a key that exists with another value).";
export const CAS =
  "Two cas requests from the same value both succeeded, with no write of that value between them: a cas compares and sets in one step of the log (one entry, applied by every node the same way), never as a read then a write.";

export class KvHistory {
  readonly ops: KvOp[] = [];
  readonly t0 = performance.now();
  private nextValue: number;
  /** When nodes were killed (performance.now()). */
  private readonly crashes: number[] = [];

  constructor(private readonly t: CaseContext, private readonly net: Network) {
    this.nextValue = t.rand.int(1, 900) * 1000;
  }

  /**
   * Reads every key through every node, each until a definite answer within `withinMs`;
   * with `atOnce`, the nodes are read at the same time (keys one after another through
   * each), which checks the same reads in a third of the time on three nodes.
   */
  async readEverywhere(client: string, nodes: string[], ks: string[], withinMs: number, when: string, atOnce = false): Promise<void> {
    const through = async (node: string) => {
      for (const key of ks) await this.until(client, [node], key, { f: "read" }, withinMs, when);
    };
    if (atOnce) await Promise.all(nodes.map(through));
    else for (const node of nodes) await through(node);
  }

  /** Kills `ids` with SIGKILL and restarts them (Network.crashAndRestart), noting when. */
  async crashAndRestart(ids: string[]): Promise<void> {
    this.crashes.push(performance.now());
    await this.net.crashAndRestart(ids);
  }

  /** A value no operation wrote before (so a read names the write it saw). */
  fresh(): number {
    return this.nextValue++;
  }

  /** One request through `node`, recorded with its outcome (a time-out: unknown, it may have happened). */
  async op(client: string, node: string, key: string, call: KvCall, timeoutMs = 600): Promise<KvOp> {
    const body = call.f === "read" ? { type: "read", key } : call.f === "write" ? { type: "write", key, value: call.value } : { type: "cas", key, from: call.from, to: call.to };
    const start = performance.now();
    const cutOff = this.net.cutOff(node);
    let reply: Message | undefined;
    try {
      reply = await this.net.rpc(client, node, body, { timeoutMs, hint: LIN_KV });
    } catch (e) {
      this.net.check();
      if (!(e instanceof StageFailure)) throw e;
    }
    const op: KvOp = { client, node, key, call, outcome: reply ? this.outcome(call, reply) : { kind: "unknown" }, start, end: performance.now(), ...(cutOff ? { cutOff } : {}) };
    this.ops.push(op);
    return op;
  }

  private outcome(call: KvCall, reply: Message): Outcome {
    const b = reply.body;
    const wrong = (what: string) => this.t.fail({ message: `${reply.src} answered ${call.f} ${what}.`, received: show(reply), hint: LIN_KV });
    if (b.type === "error") {
      const code = b.code;
      if (code === 20 && call.f !== "write") return { kind: "missing" };
      if (code === 22 && call.f === "cas") return { kind: "mismatch" };
      if (typeof code === "number" && INDEFINITE.has(code)) return { kind: "unknown" };
      if (code === 11 || code === 14 || code === 1 || code === 30) return { kind: "failed" };
      wrong(`with error ${JSON.stringify(code)}, which ${call.f} never gets (20 key-does-not-exist for read and cas, 22 precondition-failed for cas, 11 temporarily-unavailable, 0 timeout)`);
    }
    if (b.type !== `${call.f}_ok`) wrong(`with a body of type ${JSON.stringify(b.type)}, not ${call.f}_ok`);
    if (call.f === "read") {
      if (!("value" in b)) wrong('with a read_ok that has no "value"');
      return { kind: "ok", value: b.value };
    }
    return { kind: "ok" };
  }

  /**
   * Repeats `call` through `nodes` in turn (a try bounded by 600 ms, 50 ms between tries)
   * until one gets a definite answer; fails the case if none does within `withinMs`.
   */
  async until(client: string, nodes: string[], key: string, call: KvCall, withinMs: number, when: string): Promise<KvOp> {
    const started = Date.now();
    const tries: KvOp[] = [];
    for (let i = 0; ; i++) {
      const op = await this.op(client, nodes[i % nodes.length]!, key, call);
      if (op.outcome.kind !== "unknown" && op.outcome.kind !== "failed") return op;
      tries.push(op);
      if (Date.now() - started >= withinMs) {
        this.t.fail({
          message: `No node of ${nodes.join(", ")} completed ${client}'s ${call.f} of key ${JSON.stringify(key)} within ${withinMs / 1000} s ${when}: the cluster is unavailable although a majority of nodes can reach each other.`,
          expected: `a ${call.f}_ok (or error 20/22) through one of ${nodes.join(", ")}`,
          received: tries.slice(-6).map((o) => describeOp(o, this.t0)).join("\n"),
          hint: "A majority that can talk must elect a leader and serve requests: a follower that hears no heartbeat for an election timeout (randomised, say 150–300 ms) becomes a candidate for the next term (§5.2), and a node that is not the leader passes a request to the leader it knows or answers error 11 so the client tries another node.",
        });
      }
      await Bun.sleep(50);
    }
  }

  /**
   * `clients` clients each sending random read, write and cas requests (cas from the
   * last value it saw of the key, or written) through random nodes until `untilMs`
   * (Date.now()), waiting for each reply (or its time-out).
   */
  async random(clients: string[], nodes: string[], keys: string[], untilMs: number): Promise<void> {
    const rand = this.t.rand;
    await Promise.all(
      clients.map(async (client) => {
        const last = new Map<string, unknown>();
        while (Date.now() < untilMs) {
          const key = rand.pick(keys);
          const node = rand.pick(nodes);
          const r = rand.int(1, 10);
          const call: KvCall = r <= 4 ? { f: "read" } : r <= 7 ? { f: "write", value: this.fresh() } : { f: "cas", from: last.get(key) ?? this.fresh(), to: this.fresh() };
          const op = await this.op(client, node, key, call);
          if (op.outcome.kind === "ok") last.set(key, call.f === "read" ? op.outcome.value : call.f === "write" ? call.value : call.to);
          await Bun.sleep(rand.int(0, 20));
        }
      }),
    );
  }

  /**
   * Fails the case unless every key's history is linearizable, showing the operations
   * that cannot be ordered; `scenario` (what this case did that a mistake may not survive)
   * follows the hint.
   */
  check(scenario?: string): void {
    const findings = checkKv(this.ops, 5000);
    const counts = `${this.ops.length} operations (${this.ops.filter((o) => o.outcome.kind === "unknown").length} without a reply, ${this.ops.filter((o) => o.outcome.kind === "failed").length} refused with error 11)`;
    const undecided = findings.find((f) => f.verdict === "timed out");
    // The key whose history broke first.
    const bad = findings.filter((f) => f.verdict === "not linearizable").sort((a, b) => a.culprit!.end - b.culprit!.end)[0];
    if (bad) {
      const core = bad.core!;
      const culprit = bad.culprit!;
      const okCas = core.filter((o) => o.call.f === "cas" && o.outcome.kind === "ok");
      const sameFrom = okCas.length >= 2 && new Set(okCas.map((o) => JSON.stringify((o.call as { from: unknown }).from))).size < okCas.length;
      const read = culprit.call.f === "read";
      const ackedCutOff = core.some((o) => o.call.f !== "read" && o.outcome.kind === "ok" && o.cutOff);
      const acrossCrash = this.crashes.some((c) => culprit.start > c && core.some((o) => o.call.f !== "read" && o.outcome.kind === "ok" && o.end < c));
      const neverWritten = !core.some((o) => o.call.f !== "read" && o.outcome.kind !== "missing" && o.outcome.kind !== "mismatch");
      // A node cut off from the majority that answered anything but a time-out or 11 is the likely culprit.
      const cutOffAnswered = core.some((o) => o.cutOff && o.outcome.kind !== "unknown" && o.outcome.kind !== "failed");
      this.net.record.blame(`key ${JSON.stringify(bad.key)}'s history is not linearizable; it broke at ${describeOp(culprit, this.net.record.t0)} (ms since the network started)`, [culprit]);
      const hint =
        neverWritten && (culprit.outcome.kind === "ok" || culprit.outcome.kind === "mismatch") ? MISSING : sameFrom ? CAS : ackedCutOff ? LOST : cutOffAnswered ? STALE : acrossCrash ? PERSIST : read && staleRead(core, culprit) ? STALE : ORDER;
      this.t.fail({
        message: `The history of key ${JSON.stringify(bad.key)} is not linearizable: no order of its operations, each taking effect at one instant between its request and its reply, explains what the clients saw. It broke at: ${describeOp(culprit, this.t0)}.`,
        expected: "an order of these operations (times in ms since the first request), each one inside its own interval, in which each read returns the last value written and each cas sees the value it compares with",
        received: core.map((o) => describeOp(o, this.t0)).join("\n"),
        hint: scenario ? `${hint} ${scenario}` : hint,
        detail: `${counts}; the ${this.ops.filter((o) => o.key === bad.key).length} of key ${JSON.stringify(bad.key)}:\n${this.ops
          .filter((o) => o.key === bad.key)
          .sort((a, b) => a.start - b.start)
          .slice(0, 60)
          .map((o) => describeOp(o, this.t0))
          .join("\n")}`,
      });
    }
    if (undecided) this.t.fail({ message: `The linearizability check of key ${JSON.stringify(undecided.key)} did not finish within 5 s (${counts}).`, hint: "This is the test's limit, not necessarily your program's fault: run again; if it persists, report it." });
    this.t.log.note(`${counts}: linearizable`);
  }
}

/**
 * Whether `read` returned a value that an acknowledged write (or cas) in `core` had
 * replaced before the read was sent: that write began after the read value's write
 * was acknowledged and ended before the read began.
 */
function staleRead(core: KvOp[], read: KvOp): boolean {
  const v = read.outcome.kind === "ok" ? JSON.stringify(read.outcome.value) : undefined;
  const wrote = (o: KvOp) => (o.call.f === "write" ? JSON.stringify(o.call.value) : o.call.f === "cas" ? JSON.stringify(o.call.to) : undefined);
  const writer = core.find((o) => o.outcome.kind === "ok" && wrote(o) === v);
  return writer !== undefined && core.some((o) => o !== writer && o.outcome.kind === "ok" && wrote(o) !== undefined && o.start > writer.end && o.end < read.start);
}

/**
 * Boots `count` nodes and writes a first value to each of `keyCount` keys, each within
 * 3 s (a first leader must be elected by then).
 */
export async function kvCluster(t: CaseContext, count: number, keyCount: number): Promise<{ net: Network; ids: string[]; h: KvHistory; ks: string[] }> {
  const net = new Network(t);
  const ids = await net.boot(count);
  const h = new KvHistory(t, net);
  const ks = keys(t, keyCount);
  for (const key of ks) await h.until(net.client(1), ids, key, { f: "write", value: h.fresh() }, 3000, "after init (the first leader must be elected by then)");
  return { net, ids, h, ks };
}

/**
 * The node that sent to the most other nodes (a Raft leader's heartbeats) in each of
 * two windows of 200 ms in a row (tried up to 5 times: an election may be under way;
 * with `past`, the two windows that just ended first),
 * and another node drawn from the seed.
 */
export async function presumedLeader(t: CaseContext, net: Network, ids: string[], opts: { past?: boolean } = {}): Promise<[string, string]> {
  let leader: string | undefined;
  // With `past`, the two windows just gone by are tried first (the same evidence, without waiting for it).
  const before = opts.past ? net.busiest(200, 200) : undefined;
  const seen = before !== undefined && net.busiest(200) === before;
  if (seen) leader = before;
  for (let i = 0; i < 5 && !seen; i++) {
    await Bun.sleep(200);
    const first = net.busiest(200);
    await Bun.sleep(200);
    leader = net.busiest(200);
    if (leader !== undefined && leader === first) break;
  }
  leader ??= t.rand.pick(ids);
  t.log.note(`${leader} sent to the most nodes in the last 200 ms, twice in a row: taken as the leader`);
  return [leader, t.rand.pick(ids.filter((n) => n !== leader))];
}
