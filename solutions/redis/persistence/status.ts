// What the server knows about its persistence (INFO's "# Persistence"
// section, LASTSAVE): the last RDB save, a background save or AOF rewrite
// in progress, and the open AOF (null when appendonly is off).

import type { ServerState } from "../state.ts";
import type { AofWriter, FsyncPolicy } from "./aof.ts";
import { rewriteStreams } from "./aof-streams.ts";
import { encodeRdb, loadRdb, type LoadResult } from "./rdb.ts";

/** How the server reads and writes its files; broken-implementation fixtures replace parts. */
export interface PersistenceHooks {
  encodeRdb: (state: ServerState) => Buffer;
  loadRdb: (state: ServerState, bytes: Uint8Array) => LoadResult;
  /** Builds the AOF writer; undefined: the standard AofWriter. */
  createAofWriter?: (path: string, policy: FsyncPolicy) => AofWriter;
  /** What an AOF rewrite puts at the start of the new incr file: the streams the RDB base leaves out. */
  rewriteStreams: (state: ServerState) => Buffer;
}

export class PersistenceStatus {
  /** Unix time (seconds) of the last successful save, or of start-up (LASTSAVE). */
  lastSave = Math.floor(Date.now() / 1000);
  lastSaveMs = Date.now();
  bgsaveInProgress = false;
  lastBgsaveOk = true;
  saves = 0;
  aof: AofWriter | null = null;
  aofRewriteInProgress = false;
  aofRewrites = 0;
  lastLoadKeys = 0;
  lastLoadExpired = 0;
  hooks: PersistenceHooks = { encodeRdb: (state) => encodeRdb(state), loadRdb: (state, bytes) => loadRdb(state, bytes), rewriteStreams };
}
