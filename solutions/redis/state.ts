// Everything shared by all connections of one server: configuration,
// databases, the command table, counters, and the registries that connect
// clients to each other (WATCH, blocked clients, propagation).

import type { ClientState } from "./client.ts";
import { BlockingRegistry } from "./blocking.ts";
import { createCommandTable } from "./commands/index.ts";
import type { BeforeCommandHook, CommandTable } from "./commands/types.ts";
import { Config } from "./config.ts";
import { installEviction } from "./eviction/index.ts";
import { Keyspace } from "./keyspace.ts";
import { PersistenceStatus } from "./persistence/status.ts";
import { Propagation } from "./propagation.ts";
import { PubSub } from "./pubsub.ts";
import { attachReplication } from "./replication/attach.ts";
import { ReplicationState } from "./replication/state.ts";
import { WatchRegistry } from "./watch.ts";

const DEL = Buffer.from("DEL");

export interface ServerStats {
  readonly startedAt: number;
  connectionsReceived: number;
  connectedClients: number;
  commandsProcessed: number;
  /** Keys evicted because of maxmemory (INFO evicted_keys). */
  evictedKeys: number;
}

export interface ServerState {
  readonly config: Config;
  readonly commands: CommandTable;
  /** Only database 0 exists for now; SELECT of any other index fails. */
  readonly databases: readonly Keyspace[];
  readonly stats: ServerStats;
  /** Changes made since start (Redis's server.dirty): every key modification counts one. */
  dirty: number;
  readonly watches: WatchRegistry;
  readonly blocking: BlockingRegistry;
  readonly propagation: Propagation;
  /** Pub/Sub channel and pattern subscriptions. */
  readonly pubsub: PubSub;
  /** Checks run before each command executes (eviction's OOM refusal). */
  readonly beforeCommand: BeforeCommandHook[];
  readonly replication: ReplicationState;
  /** Called when a client disconnects (pub/sub and replication forget it). */
  readonly clientClosed: ((client: ClientState) => void)[];
  /** Last save, background save/rewrite in progress, the open AOF. */
  readonly persistence: PersistenceStatus;
}

export interface ServerStateOptions {
  config?: Config;
  commands?: CommandTable;
  /** Database 0. */
  keyspace?: Keyspace;
}

export function createServerState(options: ServerStateOptions = {}): ServerState {
  const state: ServerState = {
    config: options.config ?? new Config(),
    commands: options.commands ?? createCommandTable(),
    databases: [options.keyspace ?? new Keyspace()],
    stats: {
      startedAt: Date.now(),
      connectionsReceived: 0,
      connectedClients: 0,
      commandsProcessed: 0,
      evictedKeys: 0,
    },
    dirty: 0,
    watches: new WatchRegistry(),
    blocking: null as unknown as BlockingRegistry,
    propagation: new Propagation(),
    pubsub: new PubSub(),
    beforeCommand: [],
    clientClosed: [],
    persistence: new PersistenceStatus(),
    replication: new ReplicationState(),
  };
  (state as { blocking: BlockingRegistry }).blocking = new BlockingRegistry(state);
  state.clientClosed.push((client) => state.pubsub.removeClient(client));
  for (const db of state.databases) {
    db.events = {
      modified(db, key) {
        state.dirty++;
        state.watches.touched(db.index, key);
        state.blocking.keyModified(db.index, key);
      },
      expired(db, key) {
        state.watches.touched(db.index, key);
        state.propagation.add(db.index, [DEL, Buffer.from(key, "latin1")]);
      },
      flushed(db) {
        state.dirty++;
        state.watches.flushed(db.index);
      },
    };
  }
  attachReplication(state);
  installEviction(state);
  return state;
}
