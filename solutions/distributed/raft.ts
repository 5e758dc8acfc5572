/**
 * Maelstrom's lin-kv workload (read, write, cas on keys) made linearizable by Raft
 * (Ongaro & Ousterhout 2014, §5): a leader elected for a term by a majority with
 * randomised timeouts (§5.2), a log it replicates with AppendEntries (§5.3), an entry
 * committed once a majority holds it and it is of the leader's term (§5.3, §5.4.2),
 * votes only for a candidate whose log is at least as up to date (§5.4.1). Writes and
 * cas go through the log, and the node a client asked answers once the entry is
 * applied. A node that is not the leader passes the request to the one it knows, or
 * answers error 11 (temporarily unavailable) when it knows none.
 *
 * Reads do not touch the log (ReadIndex, Ongaro's dissertation §6.4): a new leader
 * first commits an empty entry of its term (a no-op); a read waits until that is done,
 * then until a majority of the configuration has answered a round of AppendEntries
 * sent after the read arrived (it is still the leader), and is answered from the map
 * (on the leader, applied up to the commit index as soon as it moves).
 *
 * Membership changes one server at a time (dissertation §4.1-4.2): add_node and
 * remove_node become a configuration entry in the log (the members after the change),
 * which every node uses as soon as it is in its log, committed or not; commits, votes
 * and read confirmations count a majority of that configuration. The leader accepts a
 * change only once an entry of its term is committed and no other change is
 * uncommitted (so two configurations in effect always share a majority), and answers
 * once the entry is committed. A leader that removes itself steps down once the entry
 * is committed (§4.2.2); a node outside its own configuration never stands for
 * election. The snapshot records the configuration as of its last entry.
 *
 * The term, the vote and the log are written to a file (and fsynced) before the node
 * answers or sends anything that depends on them, and read back when it starts, so a
 * node killed and restarted keeps its promises (Figure 2's persistent state).
 *
 * Log compaction (§7): once more than COMPACT_AFTER entries are applied past the last
 * snapshot, the key-value map as of the last applied entry becomes the snapshot (with
 * that entry's index and term) and the entries up to it are dropped, in memory and in
 * the file. A follower that needs entries the leader no longer has gets the snapshot
 * instead (InstallSnapshot), and keeps whatever of its log follows it.
 *
 * Fixtures subclass Raft to break one rule each. Raft starts on the first lin-kv request or Raft message, so the other workloads never
 * see its traffic.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { Body, Handler, Message, Node } from "./node.ts";

/** Where a node keeps its term, vote and log (§5.1: persistent state), in its working directory. */
export const STATE_FILE = "raft-state.json";

export interface Entry {
  term: number;
  /** The client request (write or cas body), a configuration ({type: "config", members, change}) or a leader's no-op ({type: "noop"}). */
  op: Body;
  /** Which node proposed it and its proposal id: the node answers the client once it is applied. */
  by: string;
  id: number;
}

const HEARTBEAT_MS = 50;
const ELECTION_MS: [number, number] = [150, 300];
const FORWARD_MS = 1000;
/** How many applied entries past the snapshot trigger a new one (§7). */
export const COMPACT_AFTER = 16;

export type KvResult = Body;

const unavailable = (text: string): KvResult => ({ type: "error", code: 11, text });

/** The key-value state machine: the same answers as Maelstrom's lin-kv service. */
export class KvMachine {
  readonly values = new Map<string, unknown>();
  apply(op: Body): KvResult {
    const k = JSON.stringify(op.key);
    const has = this.values.has(k);
    switch (op.type) {
      case "read":
        return has ? { type: "read_ok", value: this.values.get(k) } : { type: "error", code: 20, text: "key does not exist" };
      case "write":
        this.values.set(k, op.value);
        return { type: "write_ok" };
      case "cas":
        if (!has) return { type: "error", code: 20, text: "key does not exist" };
        if (JSON.stringify(this.values.get(k)) !== JSON.stringify(op.from)) return { type: "error", code: 22, text: `value is ${JSON.stringify(this.values.get(k))}, not ${JSON.stringify(op.from)}` };
        this.values.set(k, op.to);
        return { type: "cas_ok" };
      default:
        return { type: "error", code: 10, text: `not a lin-kv request: ${op.type}` };
    }
  }
}

export class Raft {
  term = 0;
  votedFor: string | null = null;
  /** The entries after the snapshot: log[0] has index snapshotIndex + 1. */
  log: Entry[] = [];
  /** The index and term of the last entry the snapshot includes (0, 0: none). */
  snapshotIndex = 0;
  snapshotTerm = 0;
  /** The key-value map as of snapshotIndex: [JSON key, value] pairs. */
  snapshot: [string, unknown][] = [];
  /** The configuration as of snapshotIndex (null: the initial one). */
  snapshotMembers: string[] | null = null;
  /** The configuration before any configuration entry: init's node_ids, the first time this node was started. */
  initialMembers: string[] = [];
  commitIndex = 0;
  lastApplied = 0;
  role: "follower" | "candidate" | "leader" = "follower";
  leader: string | null = null;
  readonly machine = new KvMachine();
  private nextIndex = new Map<string, number>();
  private matchIndex = new Map<string, number>();
  private electionTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private started = false;
  private nextId = 0;
  private readonly waiting = new Map<string, (result: KvResult) => void>();
  /** The index of the no-op this leader appended when elected: reads and changes wait until it is committed. */
  protected noopIndex = Infinity;
  /** Rounds of AppendEntries: the round each peer last answered in this term, for ReadIndex. */
  private round = 0;
  private readonly acked = new Map<string, number>();
  /** Reads waiting for the leader's confirmation round (and its no-op). */
  private reads: { round: number; op: Body; resolve: (r: KvResult) => void }[] = [];
  private roundQueued = false;

  constructor(protected readonly node: Node) {}

  /** Reads back the term, vote and log a previous run of this node saved. */
  protected load(): void {
    if (!existsSync(STATE_FILE)) return;
    const saved = JSON.parse(readFileSync(STATE_FILE, "utf8")) as { term: number; voted_for: string | null; log: Entry[]; snapshot_index: number; snapshot_term: number; snapshot: [string, unknown][]; snapshot_members?: string[] | null; initial_members?: string[] };
    this.term = saved.term;
    this.votedFor = saved.voted_for;
    this.log = saved.log;
    if (saved.initial_members) this.initialMembers = saved.initial_members;
    this.restore(saved.snapshot_index, saved.snapshot_term, saved.snapshot, saved.snapshot_members ?? null);
    console.error(`${this.node.id} restarted: term ${this.term}, a snapshot up to ${this.snapshotIndex}, ${this.log.length} log entries after it`);
  }

  /** Writes the term, vote and log to disk, durably (a new file fsynced, then renamed over the old one). */
  protected persist(): void {
    const tmp = `${STATE_FILE}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, JSON.stringify({ term: this.term, voted_for: this.votedFor, initial_members: this.initialMembers, snapshot_index: this.snapshotIndex, snapshot_term: this.snapshotTerm, snapshot: this.snapshot, snapshot_members: this.snapshotMembers, log: this.log }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, STATE_FILE);
  }

  /** The configuration in effect: the last one in the log, committed or not (dissertation §4.1). */
  members(): string[] {
    return this.configAt(this.lastIndex());
  }

  /** The configuration as of entry `index`: the last configuration entry up to it, else the snapshot's, else the initial one. */
  protected configAt(index: number): string[] {
    for (let i = Math.min(index, this.lastIndex()); i > this.snapshotIndex; i--) {
      const op = this.log[i - this.snapshotIndex - 1]!.op;
      if (op.type === "config") return op.members as string[];
    }
    return this.snapshotMembers ?? this.initialMembers;
  }

  /** The index of the last configuration entry in the log (the snapshot's index if none). */
  protected configIndex(): number {
    for (let i = this.lastIndex(); i > this.snapshotIndex; i--) if (this.log[i - this.snapshotIndex - 1]!.op.type === "config") return i;
    return this.snapshotIndex;
  }

  /** Whether the nodes for which `has` holds (this node counted as it says) are a majority of `members`. */
  protected isMajority(members: string[], has: (node: string) => boolean): boolean {
    return members.filter(has).length * 2 > members.length;
  }

  /** The snapshot as the state: the map, the configuration and the indexes as of its last entry. */
  protected restore(index: number, term: number, data: [string, unknown][], members: string[] | null): void {
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.snapshot = data;
    this.snapshotMembers = members;
    this.machine.values.clear();
    for (const [k, v] of data) this.machine.values.set(k, v);
    this.commitIndex = this.lastApplied = index;
  }

  /** The index of the last entry (in the snapshot or the log). */
  lastIndex(): number {
    return this.snapshotIndex + this.log.length;
  }

  /** The term of entry `i` (0 for index 0; undefined for an entry compacted away). */
  protected termAt(i: number): number | undefined {
    if (i === this.snapshotIndex) return this.snapshotTerm;
    if (i < this.snapshotIndex) return undefined;
    return this.log[i - this.snapshotIndex - 1]?.term;
  }

  private lastTerm(): number {
    return this.termAt(this.lastIndex())!;
  }

  /** Takes a snapshot at the last applied entry once enough entries are applied past the last one (§7). */
  protected compact(): void {
    if (this.lastApplied - this.snapshotIndex <= COMPACT_AFTER) return;
    const term = this.termAt(this.lastApplied)!;
    this.snapshotMembers = this.configAt(this.lastApplied);
    this.log = this.log.slice(this.lastApplied - this.snapshotIndex);
    this.snapshotIndex = this.lastApplied;
    this.snapshotTerm = term;
    this.snapshot = [...this.machine.values];
    this.persist();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.initialMembers = [...this.node.nodeIds];
    // Read back here rather than in the constructor, so that a subclass's fields (its own machine) exist first.
    this.load();
    const members = this.members();
    if (members.length === 1 && members[0] === this.node.id) this.elect();
    else this.resetElection();
  }

  private resetElection(): void {
    clearTimeout(this.electionTimer);
    const [lo, hi] = ELECTION_MS;
    this.electionTimer = setTimeout(() => this.elect(), lo + Math.random() * (hi - lo));
  }

  /** A higher term seen anywhere: follow it, with no vote cast yet (§5.1). */
  private observe(term: number): void {
    if (term <= this.term) return;
    this.term = term;
    this.votedFor = null;
    this.persist();
    if (this.role === "leader") this.stepDown();
    this.role = "follower";
    this.leader = null;
  }

  /** No longer the leader: reads waiting for confirmation get error 11 (a read that is not answered did nothing). */
  protected stepDown(): void {
    // A former leader has no election timer running: start one, so it stands again if no one else leads.
    clearInterval(this.heartbeatTimer);
    this.resetElection();
    this.role = "follower";
    this.leader = null;
    this.noopIndex = Infinity;
    const reads = this.reads;
    this.reads = [];
    for (const r of reads) r.resolve(unavailable("no longer the leader"));
  }

  /** The election timer fired: stand for the next term (§5.2). */
  protected elect(): void {
    if (this.role === "leader") return;
    // A node outside its own configuration (not yet added, or removed) never stands.
    if (!this.members().includes(this.node.id)) return this.resetElection();
    this.term++;
    this.role = "candidate";
    this.votedFor = this.node.id;
    this.persist();
    this.leader = null;
    const term = this.term;
    const members = this.members();
    const granted = new Set([this.node.id]);
    const won = () => this.isMajority(members, (n) => granted.has(n));
    this.resetElection();
    if (won()) return this.lead();
    for (const peer of this.peers()) {
      void this.node.rpc(peer, { type: "request_vote", term, candidate: this.node.id, last_log_index: this.lastIndex(), last_log_term: this.lastTerm() }, ELECTION_MS[0]).then((r) => {
        if (!r) return;
        this.observe(Number(r.term));
        if (this.role !== "candidate" || this.term !== term || r.vote_granted !== true) return;
        granted.add(peer);
        if (won()) this.lead();
      });
    }
  }

  /** The other members of the configuration in effect: whom a leader replicates to and a candidate asks. */
  protected peers(): string[] {
    return this.members().filter((n) => n !== this.node.id);
  }

  private lead(): void {
    this.role = "leader";
    this.leader = this.node.id;
    clearTimeout(this.electionTimer);
    this.nextIndex.clear();
    this.matchIndex.clear();
    this.acked.clear();
    for (const p of this.peers()) this.nextIndex.set(p, this.lastIndex() + 1);
    console.error(`${this.node.id} leads term ${this.term}`);
    this.noopIndex = this.appendNoop();
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.replicate(), HEARTBEAT_MS);
    this.replicate();
  }

  /** A no-op of this term, appended when elected (dissertation §6.4): once it commits, so has everything before it. Returns its index. */
  protected appendNoop(): number {
    return this.append({ type: "noop" });
  }

  /** Sends each follower the entries it lacks (none: a heartbeat), or the snapshot if they were compacted away. */
  protected replicate(): void {
    if (this.role !== "leader") return;
    const term = this.term;
    const round = ++this.round;
    for (const peer of this.peers()) {
      const next = this.nextIndex.get(peer) ?? 1;
      if (next <= this.snapshotIndex) {
        this.sendSnapshot(peer);
        continue;
      }
      const entries = this.log.slice(next - 1 - this.snapshotIndex);
      const prev = next - 1;
      void this.node
        .rpc(peer, { type: "append_entries", term, leader: this.node.id, prev_log_index: prev, prev_log_term: this.termAt(prev), entries, leader_commit: this.commitIndex }, HEARTBEAT_MS * 2)
        .then((r) => {
          if (!r) return;
          this.observe(Number(r.term));
          if (this.role !== "leader" || this.term !== term) return;
          this.confirmed(peer, round);
          if (r.success === true) {
            const match = prev + entries.length;
            if (match > (this.matchIndex.get(peer) ?? 0)) this.matchIndex.set(peer, match);
            this.nextIndex.set(peer, Math.max(this.nextIndex.get(peer) ?? 1, match + 1));
            this.advanceCommit();
          } else {
            this.nextIndex.set(peer, Math.max(1, Math.min(next - 1, Number(r.log_length) + 1)));
          }
        });
    }
  }

  /** InstallSnapshot (§7): the snapshot in one message; the follower then continues from the entry after it. */
  protected sendSnapshot(peer: string): void {
    const term = this.term;
    const index = this.snapshotIndex;
    const round = this.round;
    void this.node
      .rpc(peer, { type: "install_snapshot", term, leader: this.node.id, last_included_index: index, last_included_term: this.snapshotTerm, data: this.snapshot, members: this.snapshotMembers ?? this.initialMembers }, HEARTBEAT_MS * 4)
      .then((r) => {
        if (!r) return;
        this.observe(Number(r.term));
        if (this.role !== "leader" || this.term !== term) return;
        this.confirmed(peer, round);
        if (index > (this.matchIndex.get(peer) ?? 0)) this.matchIndex.set(peer, index);
        this.nextIndex.set(peer, Math.max(this.nextIndex.get(peer) ?? 1, index + 1));
      });
  }

  onInstallSnapshot(m: Message): void {
    this.start();
    const b = m.body;
    this.observe(Number(b.term));
    if (Number(b.term) < this.term) return this.node.reply(m, { type: "install_snapshot_ok", term: this.term });
    this.role = "follower";
    this.leader = String(b.leader);
    this.resetElection();
    const index = Number(b.last_included_index);
    const term = Number(b.last_included_term);
    if (index > this.commitIndex) {
      // Keep the entries after the snapshot if this log agrees with it there; otherwise the log is replaced by the snapshot.
      this.log = this.termAt(index) === term ? this.log.slice(index - this.snapshotIndex) : [];
      this.restore(index, term, b.data as [string, unknown][], (b.members as string[] | undefined) ?? null);
      this.persist();
    }
    this.node.reply(m, { type: "install_snapshot_ok", term: this.term });
  }

  /** The highest index a majority of the configuration holds, if of this term, is committed (§5.3, §5.4.2). */
  protected advanceCommit(): void {
    const members = this.members();
    for (let n = this.lastIndex(); n > this.commitIndex; n--) {
      if (this.termAt(n) !== this.term) break;
      if (this.isMajority(members, (p) => p === this.node.id || (this.matchIndex.get(p) ?? 0) >= n)) {
        this.commitIndex = n;
        this.applyCommitted();
        this.serveReads();
        return;
      }
    }
  }

  /** `peer` answered an AppendEntries (or InstallSnapshot) of round `round` in this term: it still follows this leader. */
  protected confirmed(peer: string, round: number): void {
    if (round > (this.acked.get(peer) ?? 0)) this.acked.set(peer, round);
    this.serveReads();
  }

  /**
   * Answers the reads a majority has confirmed this leader for since they arrived
   * (ReadIndex, dissertation §6.4), once its no-op is committed: the leader has applied
   * every entry up to its commit index, so its map is as recent as any acknowledged write.
   */
  protected serveReads(): void {
    if (this.role !== "leader" || this.commitIndex < this.noopIndex || this.reads.length === 0) return;
    const members = this.members();
    this.reads = this.reads.filter((r) => {
      if (!this.isMajority(members, (p) => p === this.node.id || (this.acked.get(p) ?? 0) >= r.round)) return true;
      r.resolve(this.machine.apply(r.op));
      return false;
    });
  }

  /** A read as the leader: waits for the next round of AppendEntries (sent soon, for every read arrived meanwhile) to be answered by a majority. */
  protected read(op: Body): Promise<KvResult> {
    const applied = new Promise<KvResult>((resolve) => this.reads.push({ round: this.round + 1, op, resolve }));
    if (!this.roundQueued) {
      this.roundQueued = true;
      queueMicrotask(() => {
        this.roundQueued = false;
        this.replicate();
      });
    }
    this.serveReads();
    return applied;
  }

  /**
   * add_node or remove_node as the leader: one server at a time, only once an entry of
   * this term is committed and the last configuration too (dissertation §4.1, and the
   * correction to single-server changes posted on raft-dev in 2015); answered once the new
   * configuration is committed.
   */
  protected change(op: Body): Promise<KvResult> | KvResult {
    const node = op.node;
    if (typeof node !== "string") return { type: "error", code: 12, text: `${op.type} needs "node", a node id` };
    if (this.commitIndex < this.noopIndex) return unavailable("this leader has not yet committed an entry of its term");
    if (this.configIndex() > this.commitIndex) return unavailable("another configuration change is not yet committed");
    const now = this.members();
    const next = op.type === "add_node" ? (now.includes(node) ? now : [...now, node]) : now.filter((n) => n !== node);
    if (next.length === now.length) return { type: `${op.type}_ok` };
    if (next.length === 0) return { type: "error", code: 14, text: "the last member cannot be removed" };
    return this.propose({ type: "config", members: next, change: op.type });
  }

  protected applyCommitted(): void {
    while (this.lastApplied < this.commitIndex) {
      const e = this.log[this.lastApplied++ - this.snapshotIndex]!;
      const result = e.op.type === "config" ? { type: `${e.op.change}_ok` } : e.op.type === "noop" ? { type: "noop" } : this.machine.apply(e.op);
      if (e.by !== this.node.id) continue;
      // term:id names a proposal of this run: an entry this node proposed before a restart has no one waiting.
      const key = `${e.term}:${e.id}`;
      const done = this.waiting.get(key);
      this.waiting.delete(key);
      done?.(result);
    }
    this.leaveIfRemoved();
    this.compact();
  }

  /** A leader whose removal is committed steps down (dissertation §4.2.2), after one more round so the others learn the commit. */
  protected leaveIfRemoved(): void {
    if (this.role !== "leader" || this.members().includes(this.node.id) || this.configIndex() > this.commitIndex) return;
    this.replicate();
    console.error(`${this.node.id} removed from the configuration: steps down`);
    this.stepDown();
  }

  /** The election restriction (§5.4.1): a candidate's log ending in a later term, or as long in the same term. */
  protected upToDate(lastLogTerm: number, lastLogIndex: number): boolean {
    return lastLogTerm > this.lastTerm() || (lastLogTerm === this.lastTerm() && lastLogIndex >= this.lastIndex());
  }

  onRequestVote(m: Message): void {
    this.start();
    const b = m.body;
    this.observe(Number(b.term));
    const grant = Number(b.term) === this.term && (this.votedFor === null || this.votedFor === b.candidate) && this.upToDate(Number(b.last_log_term), Number(b.last_log_index));
    if (grant) {
      this.votedFor = String(b.candidate);
      this.persist();
      this.resetElection();
    }
    this.node.reply(m, { type: "request_vote_ok", term: this.term, vote_granted: grant });
  }

  onAppendEntries(m: Message): void {
    this.start();
    const b = m.body;
    this.observe(Number(b.term));
    if (Number(b.term) < this.term) return this.node.reply(m, { type: "append_entries_ok", term: this.term, success: false, log_length: this.lastIndex() });
    this.role = "follower";
    this.leader = String(b.leader);
    this.resetElection();
    let prev = Number(b.prev_log_index);
    let entries = b.entries as Entry[];
    // Entries the snapshot already holds (committed, so the same everywhere) are skipped.
    if (prev < this.snapshotIndex) {
      entries = entries.slice(this.snapshotIndex - prev);
      prev = this.snapshotIndex;
    } else if (prev > this.lastIndex() || this.termAt(prev) !== Number(b.prev_log_term)) {
      return this.node.reply(m, { type: "append_entries_ok", term: this.term, success: false, log_length: Math.min(this.lastIndex(), prev - 1) });
    }
    const last = Number(b.prev_log_index) + (b.entries as Entry[]).length;
    let changed = false;
    entries.forEach((e, i) => {
      const at = prev + i - this.snapshotIndex;
      if (at < this.log.length && this.log[at]!.term !== e.term) this.log.length = at;
      if (at >= this.log.length) {
        this.log.push(e);
        changed = true;
      }
    });
    if (changed) this.persist();
    const commit = Math.min(Number(b.leader_commit), last);
    if (commit > this.commitIndex) {
      this.commitIndex = commit;
      this.applyCommitted();
    }
    this.node.reply(m, { type: "append_entries_ok", term: this.term, success: true, log_length: this.lastIndex() });
  }

  /** Appends an entry as the leader (saved, sent at once); returns its index. */
  protected append(op: Body, id = this.nextId++): number {
    this.log.push({ term: this.term, op, by: this.node.id, id });
    this.persist();
    this.advanceCommit();
    this.replicate();
    return this.lastIndex();
  }

  /** Appends a request as the leader; resolves with its result once applied (never, if the entry is lost). */
  propose(op: Body): Promise<KvResult> {
    const id = this.nextId++;
    const applied = new Promise<KvResult>((resolve) => this.waiting.set(`${this.term}:${id}`, resolve));
    this.append(op, id);
    return applied;
  }

  /** A client's (or another node's forwarded) request: a read by ReadIndex, a membership change, or a write or cas through the log. */
  async request(op: Body): Promise<KvResult | undefined> {
    this.start();
    if (this.role === "leader") return op.type === "read" ? this.read(op) : op.type === "add_node" || op.type === "remove_node" ? this.change(op) : this.propose(op);
    if (this.leader === null || this.leader === this.node.id) return { type: "error", code: 11, text: "no leader known: an election is under way" };
    return this.node.rpc(this.leader, { type: "kv_forward", op }, FORWARD_MS);
  }
}

/** The handlers: read, write and cas (read only with a key: without one it is another workload's), and Raft's RPCs. */
export function raftHandlers(make: (node: Node) => Raft = (node) => new Raft(node)): { kv: Handler; handlers: Record<string, Handler> } {
  let raft: Raft | undefined;
  const of = (node: Node) => (raft ??= make(node));
  const strip = ({ msg_id: _m, in_reply_to: _r, ...rest }: Body): Body => rest;
  const kv: Handler = async (node, m) => {
    const result = await of(node).request(strip(m.body));
    if (result) node.reply(m, strip(result));
  };
  return {
    kv,
    handlers: {
      write: kv,
      cas: kv,
      add_node: kv,
      remove_node: kv,
      request_vote: (node, m) => of(node).onRequestVote(m),
      append_entries: (node, m) => of(node).onAppendEntries(m),
      install_snapshot: (node, m) => of(node).onInstallSnapshot(m),
      kv_forward: async (node, m) => {
        const result = await of(node).request(m.body.op as Body);
        if (result) node.reply(m, strip(result));
      },
    },
  };
}
