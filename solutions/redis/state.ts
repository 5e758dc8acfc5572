// Everything shared by all connections of one server: configuration,
// databases, the command table and counters.

import { createCommandTable } from "./commands/index.ts";
import type { CommandTable } from "./commands/types.ts";
import { Config } from "./config.ts";
import { Keyspace } from "./keyspace.ts";

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
}

export interface ServerStateOptions {
  config?: Config;
  commands?: CommandTable;
  /** Database 0. */
  keyspace?: Keyspace;
}

export function createServerState(options: ServerStateOptions = {}): ServerState {
  return {
    config: options.config ?? new Config(),
    commands: options.commands ?? createCommandTable(),
    databases: [options.keyspace ?? new Keyspace()],
    stats: {
      startedAt: Date.now(),
      connectionsReceived: 0,
      connectedClients: 0,
      commandsProcessed: 0,
    },
  };
}
