// The append-only file, in Redis 7's multi-part layout
// (https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/#append-only-file):
//
//   <dir>/<appenddirname>/                    (default appendonlydir)
//     <appendfilename>.manifest               which files make up the AOF, in order
//     <appendfilename>.<seq>.base.rdb         the dataset at the last rewrite (RDB format)
//     <appendfilename>.<seq>.incr.aof         every write since, as RESP commands
//
// The manifest has one line per file: `file <name> seq <n> type <b|h|i>`
// (b base, h history, i incremental). Writes arrive through the
// propagation feed and are appended to the incr file before the reply is
// sent; with appendfsync always they are fsynced at once too, with everysec
// once a second, with no never (the OS decides). BGREWRITEAOF writes a new
// base from the dataset and starts a new incr file, then switches the
// manifest atomically and deletes the old files. The base is RDB without the
// streams: the new incr file starts with the commands that rebuild them, as
// Redis's own rewrite writes streams (aof-streams.ts).
//
// Loading runs every command of the base and incr files through the command
// table. A last incr file that ends in the middle of a command (a crash
// mid-write) is loaded up to its last complete command and truncated there,
// as Redis does with aof-load-truncated yes (the default); anywhere else,
// or with aof-load-truncated no, it is an error.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, truncateSync, writeSync } from "node:fs";
import { join } from "node:path";
import { absoluteExpiry } from "../absolute-expiry.ts";
import { ClientState } from "../client.ts";
import { executeCommand } from "../commands/index.ts";
import type { ServerState } from "../state.ts";
import { encodeRdb } from "./rdb.ts";
import { inDir, writeFileAtomic } from "./snapshot.ts";

export interface ManifestEntry {
  name: string;
  seq: number;
  type: "b" | "h" | "i";
}

export function aofDir(state: ServerState): string {
  return inDir(state, state.config.get("appenddirname") ?? "appendonlydir");
}

function baseName(state: ServerState): string {
  return state.config.get("appendfilename") ?? "appendonly.aof";
}

function manifestPath(state: ServerState): string {
  return join(aofDir(state), `${baseName(state)}.manifest`);
}

export function parseManifest(text: string): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const words = line.trim().split(/\s+/);
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < words.length; i += 2) fields.set(words[i]!, words[i + 1]!);
    const name = fields.get("file");
    const seq = Number(fields.get("seq"));
    const type = fields.get("type");
    if (!name || !Number.isInteger(seq) || (type !== "b" && type !== "h" && type !== "i")) {
      throw new Error(`Invalid AOF manifest line: ${line}`);
    }
    out.push({ name, seq, type });
  }
  return out;
}

export function formatManifest(entries: readonly ManifestEntry[]): string {
  return entries.map((e) => `file ${e.name} seq ${e.seq} type ${e.type}\n`).join("");
}

/** One command as RESP, the way the AOF stores it. */
export function encodeCommand(argv: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) parts.push(Buffer.from(`$${a.length}\r\n`), Buffer.from(a), Buffer.from("\r\n"));
  return Buffer.concat(parts);
}

export type FsyncPolicy = "always" | "everysec" | "no";

/** The open incr file: appends propagated writes and fsyncs per policy. */
export class AofWriter {
  private fd: number;
  private db = -1;
  private unsynced = false;
  private readonly timer: ReturnType<typeof setInterval>;
  size = 0;
  baseSize = 0;

  constructor(
    private path: string,
    readonly policy: FsyncPolicy,
  ) {
    this.fd = openSync(path, "a");
    this.timer = setInterval(() => this.fsyncIfNeeded(), 1000);
    this.timer.unref?.();
  }

  /** What the AOF records for a propagated command (see absoluteExpiry). */
  record(state: ServerState, db: number, argv: readonly Buffer[]): readonly Buffer[] {
    return absoluteExpiry(state, db, argv);
  }

  /** Appends `argv` (after a SELECT when the database changes). */
  append(db: number, argv: readonly Buffer[]): void {
    let bytes = encodeCommand(argv);
    if (db !== this.db) {
      bytes = Buffer.concat([encodeCommand([Buffer.from("SELECT"), Buffer.from(String(db))]), bytes]);
      this.db = db;
    }
    this.write(bytes);
  }

  protected write(bytes: Buffer): void {
    writeSync(this.fd, bytes);
    this.size += bytes.length;
    if (this.policy === "always") fsyncSync(this.fd);
    else this.unsynced = true;
  }

  fsyncIfNeeded(): void {
    if (this.policy === "everysec" && this.unsynced) {
      fsyncSync(this.fd);
      this.unsynced = false;
    }
  }

  /** Switches to a new incr file (after a rewrite). */
  reopen(path: string): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.path = path;
    this.fd = openSync(path, "a");
    this.db = -1;
    this.size = 0;
  }

  close(): void {
    clearInterval(this.timer);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

// ---------------------------------------------------------------- loading

export class AofError extends Error {
  override name = "AofError";
}

/** Parses RESP commands; `complete` is the offset after the last whole command. */
export function parseAofCommands(bytes: Buffer, file: string): { commands: { argv: Buffer[]; end: number }[]; complete: number; truncated: boolean } {
  const commands: { argv: Buffer[]; end: number }[] = [];
  let pos = 0;
  const line = (): string | null => {
    const nl = bytes.indexOf("\r\n", pos);
    if (nl < 0) return null;
    const text = bytes.toString("latin1", pos, nl);
    pos = nl + 2;
    return text;
  };
  while (pos < bytes.length) {
    const start = pos;
    const header = line();
    if (header === null) return { commands, complete: start, truncated: true };
    if (!/^\*\d+$/.test(header)) throw new AofError(`Bad file format reading the append only file ${file} (at offset ${start})`);
    const n = Number(header.slice(1));
    const argv: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const len = line();
      if (len === null) return { commands, complete: start, truncated: true };
      if (!/^\$\d+$/.test(len)) throw new AofError(`Bad file format reading the append only file ${file} (at offset ${start})`);
      const size = Number(len.slice(1));
      if (pos + size + 2 > bytes.length) return { commands, complete: start, truncated: true };
      argv.push(Buffer.from(bytes.subarray(pos, pos + size)));
      pos += size + 2;
    }
    commands.push({ argv, end: pos });
  }
  return { commands, complete: pos, truncated: false };
}

/** Runs the commands of one AOF file; returns the offset to truncate at, or null. */
function replay(state: ServerState, bytes: Buffer, file: string, isLast: boolean): number | null {
  const parsed = parseAofCommands(bytes, file);
  const client = new ClientState("aof");
  let multiStart = -1;
  let prevEnd = 0;
  for (const { argv, end } of parsed.commands) {
    const name = argv[0]!.toString("latin1").toLowerCase();
    if (name === "multi") multiStart = prevEnd;
    const reply = executeCommand(state, client, argv);
    if (reply.kind === "error" && name !== "exec") {
      console.error(`AOF ${file}: command ${name} failed: ${(reply as { message?: string }).message ?? ""}`);
    }
    if (name === "exec" || name === "discard") multiStart = -1;
    prevEnd = end;
  }
  let cut = parsed.truncated ? parsed.complete : null;
  if (multiStart >= 0) {
    console.log(`!!! Warning: Revert incomplete MULTI/EXEC transaction in AOF file ${file} !!!`);
    cut = multiStart;
  }
  if (cut === null) return null;
  const allow = state.config.get("aof-load-truncated") !== "no";
  if (!isLast || !allow) {
    throw new AofError(`Bad file format reading the append only file ${file}: unexpected end of file (make a backup of your AOF file, then use redis-check-aof --fix <filename.manifest>)`);
  }
  console.log(`!!! Warning: short read while loading the AOF file ${file}!!!`);
  console.log(`!!! Truncating the AOF ${file} at offset ${cut} !!!`);
  console.log(`AOF ${file} loaded anyway because aof-load-truncated is enabled`);
  return cut;
}

/** Loads the AOF directory if its manifest exists. Returns false if there is none. */
export function loadAof(state: ServerState): boolean {
  const manifest = manifestPath(state);
  if (!existsSync(manifest)) return false;
  const entries = parseManifest(readFileSync(manifest, "latin1"));
  const files = [...entries.filter((e) => e.type === "b"), ...entries.filter((e) => e.type === "i").sort((a, b) => a.seq - b.seq)];
  const dir = aofDir(state);
  // Replaying is not a new write: nothing loaded is propagated (AOF, replicas).
  const feeds = [...state.propagation.feeds];
  state.propagation.feeds.clear();
  try {
    replayFiles(state, dir, files);
  } finally {
    for (const feed of feeds) state.propagation.feeds.add(feed);
  }
  state.dirty = 0;
  return true;
}

function replayFiles(state: ServerState, dir: string, files: readonly ManifestEntry[]): void {
  files.forEach((entry, i) => {
    const path = join(dir, entry.name);
    if (!existsSync(path)) {
      if (entry.type === "i" && i === files.length - 1) return; // not created yet
      throw new AofError(`The AOF file ${entry.name} doesn't exist`);
    }
    const bytes = readFileSync(path);
    if (bytes.subarray(0, 5).toString("latin1") === "REDIS") {
      state.persistence.hooks.loadRdb(state, bytes);
      return;
    }
    const cut = replay(state, bytes, entry.name, i === files.length - 1);
    if (cut !== null) truncateSync(path, cut);
  });
}

// ---------------------------------------------------------------- writing

function currentManifest(state: ServerState): ManifestEntry[] {
  const path = manifestPath(state);
  return existsSync(path) ? parseManifest(readFileSync(path, "latin1")) : [];
}

/**
 * Writes a new base (the dataset now, RDB format) and a new incr file (empty
 * but for the streams' commands) with the next sequence number, switches the manifest to them and deletes
 * the old files. Used at start-up when no AOF exists, and by BGREWRITEAOF.
 */
export function rewriteAof(state: ServerState): void {
  const dir = aofDir(state);
  mkdirSync(dir, { recursive: true });
  const old = currentManifest(state);
  const seq = Math.max(0, ...old.map((e) => e.seq)) + 1;
  const name = baseName(state);
  const base: ManifestEntry = { name: `${name}.${seq}.base.rdb`, seq, type: "b" };
  const incr: ManifestEntry = { name: `${name}.${seq}.incr.aof`, seq, type: "i" };
  const rdb = encodeRdb(state, { aofBase: true });
  writeFileAtomic(join(dir, base.name), rdb);
  // The RDB base leaves streams out: the new incr file starts with the commands
  // that rebuild them, before any later write (see aof-streams.ts).
  const streams = state.persistence.hooks.rewriteStreams(state);
  writeFileAtomic(join(dir, incr.name), streams);
  const aof = state.persistence.aof;
  aof?.reopen(join(dir, incr.name));
  if (aof) {
    aof.baseSize = rdb.length;
    aof.size = streams.length;
  }
  const tmp = `${manifestPath(state)}.tmp`;
  const fd = openSync(tmp, "w");
  writeSync(fd, formatManifest([base, incr]));
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, manifestPath(state));
  for (const e of old) if (e.name !== base.name && e.name !== incr.name) rmSync(join(dir, e.name), { force: true });
  state.persistence.aofRewrites++;
}

/** Opens the AOF for appending (creating it if needed) and feeds it every write. */
export function startAof(state: ServerState): AofWriter {
  const createWriter = state.persistence.hooks.createAofWriter ?? ((path: string, policy: FsyncPolicy) => new AofWriter(path, policy));
  const fsync = state.config.get("appendfsync") ?? "everysec";
  const policy: FsyncPolicy = fsync === "always" || fsync === "no" ? fsync : "everysec";
  if (currentManifest(state).length === 0) rewriteAof(state);
  const incr = currentManifest(state).filter((e) => e.type === "i").sort((a, b) => a.seq - b.seq).at(-1);
  if (!incr) throw new AofError("the AOF manifest has no incr file");
  const writer = createWriter(join(aofDir(state), incr.name), policy);
  state.persistence.aof = writer;
  state.propagation.feeds.add((db, argv) => writer.append(db, writer.record(state, db, argv)));
  return writer;
}
