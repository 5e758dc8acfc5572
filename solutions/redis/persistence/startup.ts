// Start-up: load the data from disk before listening (the AOF when
// appendonly is yes, else the RDB dump if there is one), then open the AOF
// and start the save points. Like redis-server, a file that cannot be
// loaded stops the start (throws).

import { existsSync, readFileSync } from "node:fs";
import type { ServerState } from "../state.ts";
import { loadAof, startAof } from "./aof.ts";
import { rdbPath, startSavePoints } from "./snapshot.ts";
import type { PersistenceHooks } from "./status.ts";

/** Replacements for parts of persistence (broken-implementation fixtures). */
export type PersistenceOptions = Partial<PersistenceHooks>;

export function startPersistence(state: ServerState, options: PersistenceOptions = {}): void {
  Object.assign(state.persistence.hooks, options);
  const aofOn = state.config.get("appendonly") === "yes";
  if (aofOn) {
    if (loadAof(state)) console.log("DB loaded from append only file");
  } else {
    const path = rdbPath(state);
    if (existsSync(path)) {
      const result = state.persistence.hooks.loadRdb(state, readFileSync(path));
      state.persistence.lastLoadKeys = result.keys;
      state.persistence.lastLoadExpired = result.expiredSkipped;
      console.log(`Done loading RDB, keys loaded: ${result.keys}, keys expired: ${result.expiredSkipped}.`);
    }
  }
  state.dirty = 0;
  if (aofOn) startAof(state);
  startSavePoints(state);
}
