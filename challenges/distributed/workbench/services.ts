/**
 * Maelstrom's services (doc/services.md): nodes the workbench itself runs, which a
 * learner's node reaches by sending an RPC to their id.
 *
 * - `lin-kv`: a linearizable key-value store (read, write, cas).
 * - `seq-kv`: the same API, only sequentially consistent: an operation that leaves
 *   the store as it was (a read, a failed cas) may be served from any state the
 *   client has not yet moved past, short of the newest one; an operation that
 *   changes the store applies to the newest state. Each client's states only move
 *   forward. Like Maelstrom's, a client that only reads can keep seeing an old state.
 * - `lww-kv`: five replicas that each answer on their own and merge pairwise, the
 *   newer (Lamport-clock) write winning: eventually consistent.
 * - `lin-tso`: a timestamp oracle: 0, 1, 2, … one per `ts` request.
 *
 * Errors are Maelstrom's: 20 key-does-not-exist (read or cas of a missing key,
 * unless the cas says create_if_not_exists), 22 precondition-failed (cas whose
 * `from` is not the current value), 10 not-supported (any other type).
 * Every random choice comes from the seeded `pick` the workbench passes in.
 */
import type { Body } from "./message.ts";

export const SERVICE_IDS = ["lin-kv", "seq-kv", "lww-kv", "lin-tso"] as const;
export type ServiceId = (typeof SERVICE_IDS)[number];

export const isService = (id: string): id is ServiceId => (SERVICE_IDS as readonly string[]).includes(id);

/** A service's reply body, without in_reply_to (the network adds it). */
export type Reply = { type: string; [field: string]: unknown };

export interface Service {
  /** Handles one request from `client` (a node id). */
  handle(client: string, body: Body): Reply;
}

/** Draws an integer in [lo, hi]: the case's seeded randomness. */
export type Pick = (lo: number, hi: number) => number;

/** JSON values compare as their JSON text (1 and "1" differ, as in Maelstrom). */
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const keyOf = (key: unknown) => JSON.stringify(key ?? null);

const notSupported = (body: Body): Reply => ({ type: "error", code: 10, text: `${JSON.stringify(body.type)} is not supported by this service` });
const missing = (): Reply => ({ type: "error", code: 20, text: "key does not exist" });

/** One state of a key-value store, never changed in place: an update returns a new one. */
export type KvState = ReadonlyMap<string, unknown>;

/** Applies one request to `state`: the reply, and the state after it (the same object when nothing changed). */
export function applyKv(state: KvState, body: Body): { state: KvState; reply: Reply } {
  const k = keyOf(body.key);
  // Writing the value a key already has leaves the state as it was (seq-kv may then serve it from the past).
  const set = (value: unknown, reply: Reply) => ({ state: state.has(k) && same(state.get(k), value) ? state : new Map(state).set(k, value), reply });
  switch (body.type) {
    case "read":
      return { state, reply: state.has(k) ? { type: "read_ok", value: state.get(k) } : missing() };
    case "write":
      return set(body.value, { type: "write_ok" });
    case "cas":
      if (!state.has(k)) return body.create_if_not_exists === true ? set(body.to, { type: "cas_ok" }) : { state, reply: missing() };
      if (!same(state.get(k), body.from)) {
        return { state, reply: { type: "error", code: 22, text: `current value ${JSON.stringify(state.get(k))} is not ${JSON.stringify(body.from)}` } };
      }
      return set(body.to, { type: "cas_ok" });
    default:
      return { state, reply: notSupported(body) };
  }
}

export class LinearizableKv implements Service {
  private state: KvState = new Map();
  handle(_client: string, body: Body): Reply {
    const r = applyKv(this.state, body);
    this.state = r.state;
    return r.reply;
  }
}

/** How many past states seq-kv keeps (Maelstrom keeps 32). */
const HISTORY = 32;

export class SequentialKv implements Service {
  /** states[i] is the state after `base + i` updates. */
  private readonly states: KvState[] = [new Map()];
  private base = 0;
  /** The index of the newest state each client has observed. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly pick: Pick) {}

  private get last(): number {
    return this.base + this.states.length - 1;
  }

  handle(client: string, body: Body): Reply {
    const floor = Math.max(this.seen.get(client) ?? 0, this.base);
    // A state this client has not moved past, short of the newest (unless it is at the newest already).
    const index = floor < this.last ? this.pick(floor, this.last - 1) : this.last;
    const tried = applyKv(this.states[index - this.base]!, body);
    if (tried.state === this.states[index - this.base]) {
      this.seen.set(client, index);
      return tried.reply;
    }
    // It changes the store: it happens on the newest state, after every other update.
    const applied = applyKv(this.states[this.states.length - 1]!, body);
    if (applied.state !== this.states[this.states.length - 1]) {
      this.states.push(applied.state);
      if (this.states.length > HISTORY) {
        this.states.shift();
        this.base++;
      }
    }
    this.seen.set(client, this.last);
    return applied.reply;
  }
}

interface Stamped {
  ts: number;
  value: unknown;
}

class LwwReplica {
  clock = 0;
  values = new Map<string, Stamped>();

  handle(body: Body): Reply {
    const plain: KvState = new Map([...this.values].map(([k, v]) => [k, v.value]));
    const r = applyKv(plain, body);
    if (r.reply.type === "write_ok" || r.reply.type === "cas_ok") {
      const k = keyOf(body.key);
      this.values.set(k, { ts: this.clock++, value: body.type === "write" ? body.value : body.to });
    }
    return r.reply;
  }

  /** Takes in `other`'s values: per key the higher timestamp wins; on a tie, the greater JSON text. */
  merge(other: LwwReplica): void {
    this.clock = Math.max(this.clock, other.clock);
    for (const [k, theirs] of other.values) {
      const mine = this.values.get(k);
      if (!mine || theirs.ts > mine.ts || (theirs.ts === mine.ts && JSON.stringify(theirs.value) > JSON.stringify(mine.value))) this.values.set(k, theirs);
    }
  }
}

export class LastWriteWinsKv implements Service {
  private readonly replicas = Array.from({ length: 5 }, () => new LwwReplica());
  constructor(private readonly pick: Pick) {}

  handle(_client: string, body: Body): Reply {
    const n = this.replicas.length;
    // Before each request, one replica takes in another's values; then a third answers.
    const from = this.replicas[this.pick(0, n - 1)]!;
    const into = this.replicas[this.pick(0, n - 1)]!;
    if (from !== into) into.merge(from);
    return this.replicas[this.pick(0, n - 1)]!.handle(body);
  }
}

export class TimestampOracle implements Service {
  private next = 0;
  handle(_client: string, body: Body): Reply {
    return body.type === "ts" ? { type: "ts_ok", ts: this.next++ } : notSupported(body);
  }
}

export function makeService(id: ServiceId, pick: Pick): Service {
  switch (id) {
    case "lin-kv":
      return new LinearizableKv();
    case "seq-kv":
      return new SequentialKv(pick);
    case "lww-kv":
      return new LastWriteWinsKv(pick);
    case "lin-tso":
      return new TimestampOracle();
  }
}
