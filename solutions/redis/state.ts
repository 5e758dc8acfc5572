// Everything shared by all connections of one server: configuration,
// databases, the command table, counters, and the registries that connect
// clients to each other (WATCH, blocked clients, propagation).

import type { ClientState } from "./client.ts";
import { BlockingRegistry } from "./blocking.ts";
import { createCommandTable } from "./commands/index.ts";
import type { BeforeCommandHook, CommandTable } from "./commands/types.ts";
import { Config, DEFAULT_DATABASES } from "./config.ts";
import { installEviction } from "./eviction/index.ts";
import { Keyspace } from "./keyspace.ts";
import { notificationMistakes, notifyKeyspaceEvent } from "./notifications.ts";
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
  /** The databases 0 … N-1 (`databases` setting, 16 by default); SWAPDB swaps two entries. */
  readonly databases: Keyspace[];
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
  /** Called after CONFIG SET stored new values (eviction acts on a lowered maxmemory at once). */
  readonly configApplied: ((names: readonly string[]) => void)[];
  /** Called when a client disconnects (pub/sub and replication forget it). */
  readonly clientClosed: ((client: ClientState) => void)[];
  /** Last save, background save/rewrite in progress, the open AOF. */
  readonly persistence: PersistenceStatus;
  /** Keys (database, key) changed by the command running now, for its keyspace notifications; null outside commands. */
  changedKeys: [number, string][] | null;
}

export interface ServerStateOptions {
  config?: Config;
  commands?: CommandTable;
  /** Database 0. */
  keyspace?: Keyspace;
}

/** Database 0 (`options.keyspace` if given), then the others on the same clock, up to the `databases` setting. */
function createDatabases(options: ServerStateOptions): Keyspace[] {
  const first = options.keyspace ?? new Keyspace();
  const count = Math.max(1, Number(options.config?.get("databases") ?? DEFAULT_DATABASES) || 1);
  const databases = [first];
  for (let index = 1; index < count; index++) databases.push(new Keyspace({ index, clock: first.now }));
  return databases;
}

export function createServerState(options: ServerStateOptions = {}): ServerState {
  const state: ServerState = {
    config: options.config ?? new Config(),
    commands: options.commands ?? createCommandTable(),
    databases: createDatabases(options),
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
    configApplied: [],
    persistence: new PersistenceStatus(),
    replication: new ReplicationState(),
    changedKeys: null,
  };
  (state as { blocking: BlockingRegistry }).blocking = new BlockingRegistry(state);
  state.clientClosed.push((client) => state.pubsub.removeClient(client));
  for (const db of state.databases) {
    db.events = {
      modified(db, key) {
        state.dirty++;
        state.changedKeys?.push([db.index, key]);
        state.watches.touched(db.index, key);
        state.blocking.keyModified(db.index, key);
      },
      expired(db, key) {
        notifyKeyspaceEvent(state, db.index, "expired", "expired", key);
        state.watches.touched(db.index, key);
        state.propagation.add(db.index, [DEL, Buffer.from(key, "latin1")]);
      },
      added(db, key) {
        notifyKeyspaceEvent(state, db.index, "new", "new", key);
      },
      overwritten(db, key) {
        if (notificationMistakes.newOnEveryWrite) notifyKeyspaceEvent(state, db.index, "new", "new", key);
      },
      flushed(db, had) {
        state.dirty++;
        state.watches.flushed(db.index, had);
        state.blocking.databaseFlushed(db.index);
      },
    };
  }
  attachReplication(state);
  installEviction(state);
  return state;
}
