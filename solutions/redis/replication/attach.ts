// Connects replication to the rest of the server: writes feed the replicas
// (the feed is added when the first replica attaches, see master.ts),
// a replica refuses writes from its own clients, disconnected replicas are
// forgotten, and --replicaof "<host> <port>" starts the link at start-up.

import { error } from "../reply.ts";
import type { ServerState } from "../state.ts";
import { replicaOf } from "./replica.ts";

const READONLY = error("READONLY You can't write against a read only replica.");

export function attachReplication(state: ServerState): void {
  state.beforeCommand.push((ctx) => {
    if (ctx.server.replication.role === "slave" && !ctx.client.isMaster && ctx.command.flags.includes("write")) return READONLY;
    return undefined;
  });
  state.clientClosed.push((client) => {
    state.replication.replicas.delete(client);
    state.replication.pendingLinks.delete(client);
  });
}

/** Starts replicating if the configuration names a master ("<host> <port>"). Returns an error text if malformed. */
export function startConfiguredReplication(state: ServerState): string | null {
  const value = state.config.get("replicaof") ?? state.config.get("slaveof");
  if (value === undefined || value === "") return null;
  const m = /^(\S+)\s+(\d{1,5})$/.exec(value.trim());
  if (!m || Number(m[2]) > 65535) return `invalid replicaof '${value}' (expected "<host> <port>")`;
  replicaOf(state, m[1]!, Number(m[2]));
  return null;
}
