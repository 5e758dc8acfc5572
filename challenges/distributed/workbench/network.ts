import type { CaseContext } from "../../../harness/stage/context.ts";
import { stageName } from "../../../harness/challenge/stages.ts";
import { StageFailure } from "../../../harness/report/failure.ts";
import { shellQuote } from "../../../harness/report/show.ts";
import { show, type Message } from "./message.ts";
import { NodeProcess } from "./node-process.ts";
import { RunRecord, writeRunPage, type Request } from "./run-page.ts";
import { isService, makeService, type Service, type ServiceId } from "./services.ts";

/** How long a node has to answer its init: it may be starting a runtime or compiling first. */
const INIT_TIMEOUT_MS = 8_000;

const LINES = "Each node writes one JSON object per line on stdout, {\"src\": <its node id>, \"dest\": <a node or client id>, \"body\": {\"type\": …}}, and nothing else: logs go to stderr.";
const EXITED = "A node keeps running, reading one message per line on stdin, until the test stops it: look at its output above for the error that ended it (exit code 127: the shell could not find the command you gave).";

/** How many client↔node messages the transcript shows before it only counts them. */
const LOGGED = 30;

/** How long lockstep holds a node's service request while waiting for its partners' (a bound for a partner that never sends one). */
const LOCKSTEP_MS = 1_000;

/** Nodes whose service requests go in rounds (see Network.lockstep). */
interface Lockstep {
  nodes: string[];
  /** Each node's held requests, handled when the round is released. */
  held: Map<string, (() => void)[]>;
  /** Nodes whose transaction was answered: the rounds no longer wait for them. */
  finished: Set<string>;
  timer?: ReturnType<typeof setTimeout>;
}

interface Waiting {
  node: string;
  request: Message;
  record: Request;
  resolve(reply: Message): void;
  reject(e: unknown): void;
}

/**
 * The simulated network between the nodes and the test's clients: every message a
 * node prints goes through it. Node-to-node messages are delivered after a latency
 * the seed draws, or dropped while a partition separates the two nodes; replies to
 * clients resolve the request they answer (by in_reply_to).
 */
export class Network {
  readonly nodes = new Map<string, NodeProcess>();
  /** Messages between nodes, delivered or dropped. */
  interNode = 0;
  dropped = 0;
  /** Requests the nodes sent to services (seq-kv, lin-kv, lww-kv, lin-tso). */
  serviceRequests = 0;
  private readonly services = new Map<ServiceId, Service>();
  private readonly waiting = new Map<string, Waiting>();
  /** What each client got that answered no request of its own. */
  private readonly strays = new Map<string, Message[]>();
  private readonly nextMsgId = new Map<string, number>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private side: Map<string, number> | null = null;
  private cutPair: [string, string] | null = null;
  /** Recent node-to-node messages (src, dest, when), for guessing which node leads. */
  private recent: { src: string; dest: string; at: number }[] = [];
  private problem: StageFailure | null = null;
  private logged = 0;
  private step: Lockstep | null = null;
  /** Every message and client request of the case, for the run's page (run-page.ts). */
  readonly record = new RunRecord();
  private page: string | undefined;
  /** The request each time-out failure is about (marked on the page if it fails the case). */
  private readonly unanswered = new WeakMap<StageFailure, Request>();

  constructor(private readonly t: CaseContext, private readonly latencyMs: [number, number] = [0, 5]) {
    t.defer(() => {
      for (const timer of this.timers) clearTimeout(timer);
    });
    t.onFailure((e) => this.writePage(e));
    if (process.env.SYSCRAFT_RUN_PAGE === "1") {
      t.defer(() => {
        if (this.page === undefined) this.writePage(undefined);
        t.log.note(`the run's page: ${this.page}`);
      });
    }
  }

  /**
   * Writes the run's page (message diagram, latencies, history); for a failure, adds its
   * path to the report.
   */
  private writePage(error: unknown): void {
    const d = error instanceof StageFailure ? error.details : undefined;
    const failure = error === undefined ? undefined : d ? [d.message, d.expected !== undefined ? `expected: ${d.expected}` : "", d.received !== undefined ? `received:\n${d.received}` : "", d.hint ? `Hint: ${d.hint}` : ""].filter(Boolean).join("\n\n") : String(error);
    const late = error instanceof StageFailure ? this.unanswered.get(error) : undefined;
    if (late && !this.record.blamed) {
      late.culprit = true;
      this.record.blamed = `${late.node} never answered ${late.client}'s request`;
    }
    if (failure !== undefined) this.record.blameQuoted(failure + (d?.detail ?? ""));
    const stage = stageName(this.t.challenge, this.t.stage);
    this.page = writeRunPage(this.record, { stage, caseName: this.t.caseName, seed: this.t.rand.seed, failure, rerun: `bun test --stage-only=${stage} --seed=${this.t.rand.seed}${this.t.impl.source === "flag or SYSCRAFT_IMPL" ? ` --impl=${shellQuote(this.t.impl.command)}` : ""}` });
    if (d) d.detail = `${d.detail ? `${d.detail}\n` : ""}The run's page (message diagram, latencies, history${this.record.blamed ? ", the operation that broke the model marked in red" : ""}): ${this.page}`;
  }

  /** Starts nodes n1…nN (not yet initialised). */
  start(count: number): string[] {
    const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
    for (const id of ids) this.spawn(id);
    return ids;
  }

  private spawn(id: string): void {
    this.nodes.set(id, new NodeProcess(this.t, id, { message: (from, m) => this.route(from, m), problem: (from, what, line) => this.fail(from, what, line) }));
  }

  /**
   * Kills nodes with SIGKILL (messages on their way to them are lost), then starts each
   * again with the same id in the same directory (its files kept) and sends it init
   * again, as Maelstrom's kill nemesis does.
   */
  async crashAndRestart(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.nodes.get(id)!.kill()));
    this.t.log.note(`kill -9 ${ids.join(" ")}; restarted with their directories kept`);
    this.record.note(`kill -9 ${ids.join(" ")}, restarted`);
    for (const id of ids) this.spawn(id);
    const all = [...this.nodes.keys()];
    await Promise.all(ids.map((id) => this.init(this.client(Number(id.slice(1)) + 50), id, all)));
  }

  /** The first msg_id a client uses is drawn from the seed, so a hard-coded in_reply_to does not match. */
  private msgId(client: string): number {
    const next = this.nextMsgId.get(client) ?? this.t.rand.int(1, 900);
    this.nextMsgId.set(client, next + 1);
    return next;
  }

  /** Splits the nodes into groups that cannot reach each other (each node not listed is alone). */
  partition(groups: string[][]): void {
    this.side = new Map();
    groups.forEach((g, i) => g.forEach((n) => this.side!.set(n, i)));
    this.record.note(`partition: ${groups.map((g) => `{${g.join(" ")}}`).join(" ")}`);
    this.t.log.note(`network partition: ${[...this.nodes.keys()].map((n) => n).join(" ")} split into ${groups.map((g) => `{${g.join(" ")}}`).join(" ")}${groups.flat().length < this.nodes.size ? " and the rest each alone" : ""}`);
  }

  heal(): void {
    this.side = null;
    this.cutPair = null;
    this.record.note("healed");
    this.t.log.note("network partition healed");
  }

  /** Heals any partition but cuts `a` off from `b` (each still reaches every other node: a bridge between them). */
  cutBetween(a: string, b: string): void {
    this.side = null;
    this.cutPair = [a, b];
    this.record.note(`${a} and ${b} cut off from each other`);
    this.t.log.note(`network: every node reaches every other, except ${a} and ${b}, cut off from each other`);
  }

  /**
   * The node that sent to the most other nodes in the `ms` that ended `endedAgo` ago (ties: the most
   * messages), undefined if none sent any: a Raft leader sends to every follower,
   * a follower mostly answers the leader.
   */
  busiest(ms: number, endedAgo = 0): string | undefined {
    const until = Date.now() - endedAgo;
    const since = until - ms;
    const per = new Map<string, { dests: Set<string>; count: number }>();
    for (const r of this.recent) {
      if (r.at < since || r.at > until) continue;
      const p = per.get(r.src) ?? { dests: new Set(), count: 0 };
      p.dests.add(r.dest);
      p.count++;
      per.set(r.src, p);
    }
    let best: string | undefined;
    for (const [id, p] of per) {
      const b = best === undefined ? undefined : per.get(best)!;
      if (!b || p.dests.size > b.dests.size || (p.dests.size === b.dests.size && p.count > b.count)) best = id;
    }
    return best;
  }

  /** Of `among`, the node that sent the most messages to `dest` in the last `ms` (undefined if none did). */
  mostTo(dest: string, ms: number, among: string[]): string | undefined {
    const since = Date.now() - ms;
    const counts = new Map<string, number>();
    for (const r of this.recent) if (r.at >= since && r.dest === dest && among.includes(r.src)) counts.set(r.src, (counts.get(r.src) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  }

  /** Whether a partition leaves `node` on a side with fewer than a majority of the nodes. */
  cutOff(node: string): boolean {
    if (!this.side) return false;
    const side = this.side.get(node);
    const with_ = side === undefined ? 1 : [...this.side.values()].filter((s) => s === side).length;
    return with_ <= this.nodes.size / 2;
  }

  private separated(a: string, b: string): boolean {
    if (this.cutPair && this.cutPair.includes(a) && this.cutPair.includes(b) && a !== b) return true;
    if (!this.side) return false;
    const sa = this.side.get(a);
    const sb = this.side.get(b);
    return sa === undefined || sb === undefined || sa !== sb;
  }

  private note(text: string): void {
    if (this.logged < LOGGED) this.t.log.note(text);
    else if (this.logged === LOGGED) this.t.log.note("… (further client messages not shown)");
    this.logged++;
  }

  /** Runs `deliver` after a latency drawn from the seed (cancelled when the case ends). */
  private later(deliver: () => void): number {
    const [lo, hi] = this.latencyMs;
    const delay = this.t.rand.int(lo, hi);
    const timer = setTimeout(() => (this.timers.delete(timer), deliver()), delay);
    this.timers.add(timer);
    return delay;
  }

  /**
   * A request to a service: handled when it arrives (one latency), its reply back to
   * the node after another. Services are never cut off by a partition (as in Maelstrom,
   * whose partitions split the nodes only).
   */
  private toService(from: NodeProcess, id: ServiceId, m: Message): void {
    this.serviceRequests++;
    let service = this.services.get(id);
    if (!service) this.services.set(id, (service = makeService(id, (lo, hi) => this.t.rand.int(lo, hi))));
    const s = service;
    const handle = () => {
      const sent = this.record.now();
      const delay = this.later(() => {
        const reply: Message = { src: id, dest: m.src, body: { ...s.handle(m.src, m.body), in_reply_to: m.body.msg_id } };
        this.record.message(reply, this.later(() => from.write(reply)));
      });
      this.record.message(m, this.record.now() - sent + delay);
    };
    const step = this.step;
    if (!step || !step.nodes.includes(from.id) || step.finished.has(from.id)) return handle();
    step.held.set(from.id, [...(step.held.get(from.id) ?? []), handle]);
    this.releaseRound(step);
  }

  /**
   * Releases lockstep's round when every node of it still running its transaction has a
   * request held (or the bound passed): the held requests are handled, in the nodes' order.
   */
  private releaseRound(step: Lockstep, force = false): void {
    const waiting = step.nodes.filter((n) => !step.finished.has(n));
    if (!force && !waiting.every((n) => (step.held.get(n)?.length ?? 0) > 0)) {
      step.timer ??= setTimeout(() => this.releaseRound(step, true), LOCKSTEP_MS);
      return;
    }
    clearTimeout(step.timer);
    step.timer = undefined;
    const go = step.nodes.flatMap((n) => step.held.get(n) ?? []);
    step.held.clear();
    for (const handle of go) handle();
  }

  /**
   * Runs `run` with the service requests of `nodes` in rounds: a request is held until
   * every other node of `nodes` whose transaction `run` has not yet marked finished has
   * sent one too, then all are handled. Two transactions that each send their
   * micro-operations to a service one by one then interleave step by step on every run
   * (first operations, then second operations, …), whatever the latencies drawn or the
   * machine's load: the schedule that makes G0 and G1c, forced rather than hoped for.
   * A node that sends no service request is not waited for once `run` marks it finished.
   */
  async lockstep<T>(nodes: string[], run: (finished: (node: string) => void) => Promise<T>): Promise<T> {
    const step: Lockstep = { nodes, held: new Map(), finished: new Set() };
    this.step = step;
    try {
      return await run((node) => {
        step.finished.add(node);
        this.releaseRound(step);
      });
    } finally {
      this.step = null;
      this.releaseRound(step, true);
    }
  }

  private route(from: NodeProcess, m: Message): void {
    if (m.src !== from.id) {
      this.fail(from, `sent a message with "src": ${JSON.stringify(m.src)}; a node's messages carry its own id, the node_id its init gave (${from.id})`, JSON.stringify(m));
      return;
    }
    if (isService(m.dest)) {
      this.toService(from, m.dest, m);
      return;
    }
    const node = this.nodes.get(m.dest);
    if (node) {
      this.interNode++;
      this.recent.push({ src: m.src, dest: m.dest, at: Date.now() });
      if (this.recent.length > 4000) this.recent = this.recent.slice(-2000);
      if (this.separated(m.src, m.dest)) {
        this.dropped++;
        this.record.message(m, undefined);
        return;
      }
      this.record.message(m, this.later(() => node.write(m)));
      return;
    }
    if (!/^c\d+$/.test(m.dest)) {
      this.fail(from, `sent a message to ${JSON.stringify(m.dest)}, which is neither a node (${[...this.nodes.keys()].join(", ")}), a service (seq-kv, lin-kv, lww-kv, lin-tso) nor a client (c1, c2, …)`, JSON.stringify(m));
      return;
    }
    this.note(show(m));
    this.record.message(m, 0);
    const key = `${m.dest}:${m.body.in_reply_to}`;
    const w = m.body.in_reply_to === undefined ? undefined : this.waiting.get(key);
    if (!w || w.node !== m.src) {
      const list = this.strays.get(m.dest) ?? [];
      list.push(m);
      this.strays.set(m.dest, list);
      return;
    }
    this.waiting.delete(key);
    this.record.replied(w.record, m);
    w.resolve(m);
  }

  /** A node broke the protocol: every request in flight fails with a report that shows what it printed. */
  private fail(from: NodeProcess, what: string, line?: string): void {
    if (this.problem) return;
    this.problem = new StageFailure({
      message: `Node ${from.id} ${what}${line === undefined ? "." : `:\n  ${line}`}`,
      hint: line === undefined ? EXITED : LINES,
      detail: `${from.id}'s output:\n${from.log()}`,
    });
    for (const [key, w] of this.waiting) {
      this.waiting.delete(key);
      w.reject(this.problem);
    }
  }

  /** Fails the case if a node broke the protocol since it started. */
  check(): void {
    if (this.problem) throw this.problem;
  }

  /**
   * Sends `body` from `client` to `node` with a fresh msg_id and waits, bounded, for
   * the reply (a message to the client whose in_reply_to is that msg_id).
   */
  async rpc(client: string, node: string, body: { type: string; [field: string]: unknown }, opts: { timeoutMs?: number; hint?: string } = {}): Promise<Message> {
    this.check();
    const target = this.nodes.get(node);
    if (!target) throw new Error(`no node ${node}`);
    const request: Message = { src: client, dest: node, body: { ...body, msg_id: this.msgId(client) } };
    const key = `${client}:${request.body.msg_id}`;
    const timeoutMs = opts.timeoutMs ?? 3000;
    const record = this.record.request(client, node, request);
    const reply = new Promise<Message>((resolve, reject) => this.waiting.set(key, { node, request, record, resolve, reject }));
    this.note(show(request));
    this.record.message(request, 0);
    target.write(request);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.waiting.delete(key);
        record.reply = `no reply within ${timeoutMs} ms`;
        const strays = [...this.strays.values()].flat().filter((m) => m.src === node);
        const failure = new StageFailure({
            message: `No reply from ${node} to ${client}'s ${body.type} (msg_id ${request.body.msg_id}) within ${timeoutMs} ms.`,
            expected: `a message from ${node} to ${client} whose body has "in_reply_to": ${request.body.msg_id}`,
            received: strays.length > 0 ? `${node} sent, answering no request:\n${strays.map(show).join("\n")}` : `nothing from ${node} to ${client}`,
            hint: opts.hint ?? "Answer every request: the reply goes to the request's src, with in_reply_to set to the request's msg_id.",
            detail: `${node}'s output:\n${target.log()}`,
          });
        this.unanswered.set(failure, record);
        reject(failure);
      }, timeoutMs);
    });
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Starts `count` nodes and initialises each (init from a client of its own, node_ids
   * every node), checking its init_ok. Returns the node ids.
   */
  async boot(count: number): Promise<string[]> {
    const ids = this.start(count);
    await Promise.all(ids.map((id, i) => this.init(`c${i + 1}`, id, ids)));
    return ids;
  }

  private async init(client: string, id: string, ids: string[]): Promise<void> {
    const hint = 'The first message to each node is init: remember node_id and node_ids, then answer {"type": "init_ok", "in_reply_to": <the init\'s msg_id>} to the init\'s src.';
    const reply = await this.rpc(client, id, { type: "init", node_id: id, node_ids: ids }, { hint, timeoutMs: INIT_TIMEOUT_MS });
    if (reply.body.type !== "init_ok") this.t.fail({ message: `${id} answered init with a body of type ${JSON.stringify(reply.body.type)}.`, expected: "init_ok", received: reply.body.type, hint });
  }

  /** A client id after those boot used. */
  client(k: number): string {
    return `c${this.nodes.size + k}`;
  }
}
