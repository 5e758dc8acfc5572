// SAVE / BGSAVE / save points: writing the dataset as an RDB file to
// <dir>/<dbfilename>, and loading it at start-up.
// https://redis.io/docs/latest/commands/save/ and /bgsave/
//
// A save writes a temporary file in the same directory, fsyncs it and
// renames it over the old one, so a crash mid-save never leaves a partial
// dump. BGSAVE takes its snapshot at once (the data as it is when the
// command runs, like Redis's fork) and writes the file asynchronously, so
// the server keeps serving commands meanwhile.

import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { ServerState } from "../state.ts";

/** Where `name` lives: relative to `dir` (Redis chdirs into dir). */
export function inDir(state: ServerState, name: string): string {
  return isAbsolute(name) ? name : join(state.config.dir, name);
}

export function rdbPath(state: ServerState): string {
  return inDir(state, state.config.dbfilename);
}

/** Writes `bytes` to `path` atomically (temp file, fsync, rename). */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function saved(state: ServerState, dirtyBefore: number): void {
  const p = state.persistence;
  state.dirty -= dirtyBefore;
  p.lastSaveMs = Date.now();
  p.lastSave = Math.floor(p.lastSaveMs / 1000);
  p.saves++;
}

/** SAVE: writes the dump now. Throws on I/O errors. */
export function saveRdb(state: ServerState): void {
  const dirty = state.dirty;
  writeFileAtomic(rdbPath(state), state.persistence.hooks.encodeRdb(state));
  saved(state, dirty);
}

/** BGSAVE: snapshots now, writes in the background. False if a save is already running. */
export function startBgsave(state: ServerState, onDone?: (ok: boolean) => void): boolean {
  const p = state.persistence;
  if (p.bgsaveInProgress) return false;
  p.bgsaveInProgress = true;
  const dirty = state.dirty;
  const bytes = state.persistence.hooks.encodeRdb(state);
  const path = rdbPath(state);
  const tmp = `${path}.tmp-bg-${process.pid}`;
  void (async () => {
    let ok = true;
    try {
      const file = await open(tmp, "w");
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, path);
      saved(state, dirty);
    } catch (err) {
      ok = false;
      console.error(`Background saving error: ${(err as Error).message}`);
      await unlink(tmp).catch(() => {});
    }
    p.bgsaveInProgress = false;
    p.lastBgsaveOk = ok;
    if (ok) console.log("Background saving terminated with success");
    onDone?.(ok);
  })();
  return true;
}

/** Parses `save` ("900 1 300 10"): [seconds, changes] pairs. */
export function savePoints(state: ServerState): Array<[number, number]> {
  const words = (state.config.get("save") ?? "").trim().split(/\s+/).filter(Boolean);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < words.length; i += 2) {
    const seconds = Number(words[i]);
    const changes = Number(words[i + 1]);
    if (Number.isFinite(seconds) && Number.isFinite(changes)) out.push([seconds, changes]);
  }
  return out;
}

/** Checks the save points ten times a second and BGSAVEs when one is reached. */
export function startSavePoints(state: ServerState): void {
  const timer = setInterval(() => {
    const p = state.persistence;
    if (p.bgsaveInProgress || state.dirty === 0) return;
    const elapsed = (Date.now() - p.lastSaveMs) / 1000;
    for (const [seconds, changes] of savePoints(state)) {
      if (state.dirty >= changes && elapsed >= seconds) {
        console.log(`${changes} changes in ${seconds} seconds. Saving...`);
        startBgsave(state);
        return;
      }
    }
  }, 100);
  timer.unref?.();
}
