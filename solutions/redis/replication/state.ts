// Replication state (https://redis.io/docs/latest/operate/oss_and_stack/management/replication/).
//
// Every server is a master until REPLICAOF (or --replicaof) makes it a
// replica. A master has a replication ID and an offset: the number of bytes
// of the replication stream it has produced. Replicas acknowledge the
// offset they processed (REPLCONF ACK), which WAIT counts.

import { randomBytes } from "node:crypto";
import type { ClientState } from "../client.ts";

/** A replica connected to us, as the master sees it. */
export interface ReplicaLink {
  readonly client: ClientState;
  /** The port it listens on (REPLCONF listening-port), for INFO. */
  listeningPort: number;
  /** The offset it last acknowledged. */
  ackOffset: number;
  ackAt: number;
  /** False until its full sync has been sent. */
  online: boolean;
}

/** Our link to a master, when we are a replica. */
export interface MasterInfo {
  readonly host: string;
  readonly port: number;
  /** "connect" → "handshake" → "sync" → "connected"; "down" between attempts. */
  state: "down" | "connect" | "handshake" | "sync" | "connected";
  /** Offset of the stream we processed (slave_repl_offset). */
  offset: number;
  lastIoAt: number;
  /** Stops the link (REPLICAOF NO ONE or another master). */
  close(): void;
}

export function newReplicationId(): string {
  return randomBytes(20).toString("hex");
}

export class ReplicationState {
  replid = newReplicationId();
  /** Bytes of replication stream produced (master) or processed (replica). */
  offset = 0;
  /** Replicas that completed PSYNC, by their client. */
  readonly replicas = new Map<ClientState, ReplicaLink>();
  /** Replicas in their handshake (REPLCONF seen, no PSYNC yet). */
  readonly pendingLinks = new Map<ClientState, ReplicaLink>();
  /** True once a replica attached: from then on the offset advances with every write. */
  streaming = false;
  master: MasterInfo | null = null;
  /** The database the stream last selected (SELECT is sent when it changes). */
  streamDb = -1;

  get role(): "master" | "slave" {
    return this.master === null ? "master" : "slave";
  }
}
