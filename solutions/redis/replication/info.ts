// The `# Replication` section of INFO (https://redis.io/docs/latest/commands/info/).

import type { ServerState } from "../state.ts";
import { masterInfoFields } from "./master.ts";

export function replicationInfo(state: ServerState): Array<[string, string | number]> {
  const repl = state.replication;
  const fields: Array<[string, string | number]> = [["role", repl.role]];
  const m = repl.master;
  if (m !== null) {
    fields.push(
      ["master_host", m.host],
      ["master_port", m.port],
      ["master_link_status", m.state === "connected" ? "up" : "down"],
      ["master_last_io_seconds_ago", m.state === "connected" ? Math.floor((Date.now() - m.lastIoAt) / 1000) : -1],
      ["master_sync_in_progress", m.state === "sync" ? 1 : 0],
      ["slave_read_repl_offset", m.offset],
      ["slave_repl_offset", m.offset],
      ["slave_priority", 100],
      ["slave_read_only", 1],
      ["replica_announced", 1],
    );
  }
  fields.push(...masterInfoFields(state));
  fields.push(["master_failover_state", "no-failover"], ["master_replid", repl.replid], ["master_repl_offset", repl.offset]);
  return fields;
}
