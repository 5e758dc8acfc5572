// Everything shared by all connections of one server: configuration,
// databases, the command table, counters, and the registries that connect
// clients to each other (WATCH, blocked clients, propagation).

import type { ClientState } from "./client.ts";
import { BlockingRegistry } from "./blocking.ts";
import { createCommandTable } from "./commands/index.ts";
import type { BeforeCommandHook, CommandTable } from "./commands/types.ts";
import { Config } from "./config.ts";
import { Keyspace } from "./keyspace.ts";
import { Propagation } from "./propagation.ts";
import { WatchRegistry } from "./watch.ts";

const DEL = Buffer.from("DEL");

export interface ServerStats {
  readonly startedAt: number;
  connectionsReceived: number;
  connectedClients: number;
  commandsProcessed: number;
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
  /** Checks run before each command executes (eviction's OOM refusal). */
  readonly beforeCommand: BeforeCommandHook[];
  /** Called when a client disconnects (pub/sub and replication forget it). */
  readonly clientClosed: ((client: ClientState) => void)[];
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
    },
    dirty: 0,
    watches: new WatchRegistry(),
    blocking: null as unknown as BlockingRegistry,
    propagation: new Propagation(),
    beforeCommand: [],
    clientClosed: [],
  };
  (state as { blocking: BlockingRegistry }).blocking = new BlockingRegistry(state);
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
  return state;
}
