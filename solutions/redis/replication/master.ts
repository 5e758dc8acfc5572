// The master side of replication
// (https://redis.io/docs/latest/operate/oss_and_stack/management/replication/#how-redis-replication-works):
//   - a replica's PSYNC is answered with +FULLRESYNC <replid> <offset> and
//     an RDB snapshot sent as "$<length>\r\n<bytes>" (no trailing CRLF);
//   - from then on every write is sent to it as a RESP command (the
//     replication stream), preceded by SELECT when the database changes;
//     the offset counts the bytes of that stream;
//   - replicas acknowledge with REPLCONF ACK <offset>; WAIT counts the
//     replicas whose acknowledged offset reached the client's writes, and
//     asks for fresh acknowledgements with REPLCONF GETACK *.
// Only full resynchronisation is offered (no backlog for partial resync).

import { absoluteExpiry } from "../absolute-expiry.ts";
import type { ClientState } from "../client.ts";
import { encodeRdb } from "../persistence/rdb.ts";
import { many, raw, simple, type Reply } from "../reply.ts";
import { encodeArray, encodeBulk } from "../resp.ts";
import type { ServerState } from "../state.ts";
import type { ReplicaLink } from "./state.ts";

/** A command as replication-stream bytes (a RESP array of bulk strings). */
export function encodeStreamCommand(argv: readonly (Uint8Array | string)[]): Buffer {
  return encodeArray(argv.map((a) => encodeBulk(typeof a === "string" ? Buffer.from(a) : a)));
}

/** Sends bytes to every online replica and advances the master offset. */
function feedReplicas(state: ServerState, bytes: Buffer): void {
  const repl = state.replication;
  repl.offset += bytes.length;
  for (const link of repl.replicas.values()) if (link.online) link.client.deliver(raw(bytes));
}

/** Propagation feed: every write goes to the replicas (SELECT first when the database changes). */
export function feedWrite(state: ServerState, db: number, argv: readonly Buffer[]): void {
  const repl = state.replication;
  if (repl.replicas.size === 0 && !repl.streaming) return;
  const parts: Buffer[] = [];
  if (db !== repl.streamDb) {
    parts.push(encodeStreamCommand(["SELECT", String(db)]));
    repl.streamDb = db;
  }
  // Relative expiry times go out as absolute deadlines, as Redis 7 sends them.
  parts.push(encodeStreamCommand(absoluteExpiry(state, db, argv)));
  feedReplicas(state, Buffer.concat(parts));
}

/** REPLCONF GETACK *: asks every replica for its offset (sent in the stream, so it counts). */
export function requestAcks(state: ServerState): void {
  if (state.replication.replicas.size === 0) return;
  feedReplicas(state, encodeStreamCommand(["REPLCONF", "GETACK", "*"]));
}

/** The link for `client`, created on its first REPLCONF. */
export function replicaLink(state: ServerState, client: ClientState): ReplicaLink {
  let link = state.replication.replicas.get(client);
  if (link === undefined) {
    link = { client, listeningPort: 0, ackOffset: 0, ackAt: Date.now(), online: false };
    state.replication.pendingLinks.set(client, link);
  }
  return link;
}

/** PSYNC: full resynchronisation. Returns the reply that carries the snapshot (SYNC, the old form: without the +FULLRESYNC line). */
export function fullResync(state: ServerState, client: ClientState, announce = true): Reply {
  const repl = state.replication;
  const link = repl.pendingLinks.get(client) ?? { client, listeningPort: 0, ackOffset: 0, ackAt: Date.now(), online: false };
  repl.pendingLinks.delete(client);
  const rdb = encodeRdb(state);
  link.online = true;
  link.ackOffset = repl.offset;
  repl.replicas.set(client, link);
  if (!repl.streaming) state.propagation.feeds.add((db, argv) => feedWrite(state, db, argv));
  repl.streaming = true;
  // The replica starts with no database selected: the next command brings a SELECT.
  repl.streamDb = -1;
  const snapshot = raw(Buffer.concat([Buffer.from(`$${rdb.length}\r\n`), rdb]));
  return announce ? many([simple(`FULLRESYNC ${repl.replid} ${repl.offset}`), snapshot]) : snapshot;
}

/** REPLCONF ACK <offset> from a replica: no reply; may complete a WAIT. */
export function acknowledge(state: ServerState, client: ClientState, offset: number): void {
  const link = state.replication.replicas.get(client);
  if (link === undefined) return;
  link.ackOffset = Math.max(link.ackOffset, offset);
  link.ackAt = Date.now();
  state.blocking.retryKeyless();
}

/** Replicas whose acknowledged offset is at least `offset`. */
export function replicasAt(state: ServerState, offset: number): number {
  let n = 0;
  for (const link of state.replication.replicas.values()) if (link.online && link.ackOffset >= offset) n++;
  return n;
}

/** INFO replication fields of a master. */
export function masterInfoFields(state: ServerState): Array<[string, string]> {
  const repl = state.replication;
  const fields: Array<[string, string]> = [["connected_slaves", String(repl.replicas.size)]];
  let i = 0;
  const now = Date.now();
  for (const link of repl.replicas.values()) {
    const ip = link.client.peer.slice(0, link.client.peer.lastIndexOf(":"));
    fields.push([`slave${i++}`, `ip=${ip},port=${link.listeningPort},state=${link.online ? "online" : "wait_bgsave"},offset=${link.ackOffset},lag=${Math.floor((now - link.ackAt) / 1000)}`]);
  }
  return fields;
}
