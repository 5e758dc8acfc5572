/**
 * Maelstrom's txn-rw-register workload, totally available and read committed (Gossip
 * Glomers 6a–6c): each node runs a transaction alone, at once, on its own copy of the
 * registers (nothing else runs in between: the node handles one message at a time and
 * a transaction never waits), answers, and then sends the transaction's last write to
 * each key to every other node, again and again until each acknowledges (so a
 * partition delays replication, never loses it). Every copy keeps, per key, the write
 * with the highest version (a Lamport clock, then the node id), so copies converge.
 *
 * Read committed follows: a transaction refused is refused before it touches anything
 * (G1a), only last writes leave a transaction (G1b), and a transaction reads only what
 * was installed before it ran, so no dependency points back in time (G1c).
 *
 * Fixtures subclass TxnStore to break one rule each.
 */
import type { Handler, Message, Node } from "./node.ts";

export type Mop = [string, unknown, unknown];
type Version = [number, string];
interface Register {
  value: unknown;
  version: Version;
}
/** A replicated write: key, value, version. */
type Replicated = [unknown, unknown, Version];

/** How long a node waits for a peer's txn_replicate_ok before sending the writes again. */
const RETRY_MS = 300;

const newer = (a: Version, b: Version): boolean => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

export class TxnStore {
  readonly registers = new Map<string, Register>();
  protected clock = 0;

  constructor(protected readonly node: Node) {}

  /** What is wrong with a transaction (each micro-operation ["r", key, null] or ["w", key, value]), or null. */
  protected invalid(txn: unknown): string | null {
    if (!Array.isArray(txn)) return 'the "txn" field is not an array';
    for (const m of txn) {
      if (!Array.isArray(m) || m.length !== 3) return `micro-operation ${JSON.stringify(m)} is not [f, key, value]`;
      if (m[0] !== "r" && m[0] !== "w") return `micro-operation ${JSON.stringify(m)}: f is neither "r" nor "w"`;
    }
    return null;
  }

  read(key: unknown): unknown {
    return this.registers.get(JSON.stringify(key))?.value ?? null;
  }

  /** Installs a write if its version is newer than the key's. */
  install(key: unknown, value: unknown, version: Version): void {
    const k = JSON.stringify(key);
    const had = this.registers.get(k);
    if (!had || newer(version, had.version)) this.registers.set(k, { value, version });
  }

  /** Runs a valid transaction on this node's copy, at once; returns the micro-operations with reads filled in. */
  protected execute(txn: Mop[]): Mop[] {
    return txn.map(([f, k, v]): Mop => {
      if (f === "r") return ["r", k, this.read(k)];
      this.install(k, v, [++this.clock, this.node.id]);
      return ["w", k, v];
    });
  }

  /** The writes that leave a transaction: its last write to each key, with the version it was installed with. */
  protected outgoing(done: Mop[]): Replicated[] {
    const last = new Map<string, Mop>();
    for (const m of done) if (m[0] === "w") last.set(JSON.stringify(m[1]), m);
    return [...last.values()].map(([, k, v]) => [k, v, this.registers.get(JSON.stringify(k))!.version]);
  }

  /** Sends `writes` to every other node, each until it acknowledges. */
  protected replicate(writes: Replicated[]): void {
    for (const peer of this.node.nodeIds) if (peer !== this.node.id) void this.deliver(peer, writes);
  }

  protected async deliver(peer: string, writes: Replicated[]): Promise<void> {
    while (!(await this.node.rpc(peer, { type: "txn_replicate", writes }, RETRY_MS)));
  }

  /** A client's txn: refused whole (error 12) if malformed, else run at once, answered, then replicated. */
  async txn(m: Message): Promise<void> {
    const problem = this.invalid(m.body.txn);
    if (problem) return this.node.reply(m, { type: "error", code: 12, text: `malformed txn: ${problem}` });
    const done = this.execute(m.body.txn as Mop[]);
    this.node.reply(m, { type: "txn_ok", txn: done });
    const writes = this.outgoing(done);
    if (writes.length > 0) this.replicate(writes);
  }

  /** Another node's writes: installed together (newer versions win), then acknowledged. */
  onReplicate(m: Message): void {
    for (const [k, v, version] of m.body.writes as Replicated[]) {
      this.clock = Math.max(this.clock, version[0]);
      this.install(k, v, version);
    }
    this.node.reply(m, { type: "txn_replicate_ok" });
  }
}

/** The handlers: txn from clients, txn_replicate from other nodes. */
export function txnHandlers(make: (node: Node) => TxnStore = (node) => new TxnStore(node)): Record<string, Handler> {
  let store: TxnStore | undefined;
  const of = (node: Node) => (store ??= make(node));
  return {
    txn: (node, m) => of(node).txn(m),
    txn_replicate: (node, m) => of(node).onReplicate(m),
  };
}
