// Propagation of writes to the AOF and to replicas, as Redis's
// propagatePendingCommands does: while a command runs, the commands that
// reproduce its effect are collected; when it finishes they are sent to
// every feed, wrapped in MULTI ... EXEC when they came from a transaction.
// A key deleted because its TTL passed is propagated as DEL.

const MULTI = [Buffer.from("MULTI")];
const EXEC = [Buffer.from("EXEC")];

/** Receives each propagated command with the database it applies to. */
export type PropagationFeed = (db: number, argv: readonly Buffer[]) => void;

export class Propagation {
  readonly feeds = new Set<PropagationFeed>();
  private pending: { db: number; argv: Buffer[] }[] = [];
  /** Depth of command execution; expiry outside commands is sent at once. */
  depth = 0;

  add(db: number, argv: Buffer[]): void {
    if (this.feeds.size === 0) return;
    this.pending.push({ db, argv });
    if (this.depth === 0) this.flush(false);
  }

  /** Sends what was collected; `transaction` wraps several commands in MULTI/EXEC. */
  flush(transaction: boolean): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    if (this.feeds.size === 0) return;
    const wrap = transaction && batch.length > 1;
    const db = batch[0]!.db;
    if (wrap) this.emit(db, MULTI);
    for (const { db, argv } of batch) this.emit(db, argv);
    if (wrap) this.emit(db, EXEC);
  }

  private emit(db: number, argv: Buffer[]): void {
    for (const feed of this.feeds) feed(db, argv);
  }
}
