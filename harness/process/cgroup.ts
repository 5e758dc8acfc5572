import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ownerDead, processStartTime } from "./proc.ts";

/**
 * Containment of a program in a cgroup of its own, when the harness can make
 * one: every process the program starts — even one that called setsid or
 * double-forked out of its process group — stays in the cgroup, so the case
 * end finds and kills them all; a memory cap turns a runaway into a clear
 * failure.
 *
 * cgroups v1 (memory and pids controllers, /sys/fs/cgroup/<controller>/…) or
 * v2 (one unified tree at /sys/fs/cgroup). Each cgroup is created inside the
 * cgroup this test process already runs in (never moving a program out of
 * the limits the machine put on the test run), named
 * `syscraft-<owner pid>-<owner start time>-<n>`; a run removes the ones whose
 * owner is dead (left by a killed earlier run) with whatever still runs in them.
 * Without cgroups (no permission, not mounted) programs are contained by their
 * process group only, and the run says so once.
 */

export const CGROUP_PREFIX = "syscraft-";
const V1_CONTROLLERS = ["memory", "pids"] as const;
const ROOT = "/sys/fs/cgroup";

/** Where this process's cgroups go: one parent directory per hierarchy. */
interface Layout {
  version: 1 | 2;
  /** v1: one per controller (memory first); v2: the one unified parent. */
  parents: string[];
}

let layout: Layout | null | undefined;
let fallbackReason: string | undefined;
let counter = 0;

function ownCgroupPaths(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === "") out.set("", m[2]!);
    for (const c of m[1]!.split(",")) out.set(c, m[2]!);
  }
  return out;
}

function detect(): Layout | null {
  if (process.env.SYSCRAFT_NO_CGROUP === "1") {
    fallbackReason = "SYSCRAFT_NO_CGROUP=1";
    return null;
  }
  let own: Map<string, string>;
  try {
    own = ownCgroupPaths();
  } catch {
    fallbackReason = "/proc/self/cgroup is not readable";
    return null;
  }
  let candidate: Layout | null = null;
  if (V1_CONTROLLERS.every((c) => existsSync(join(ROOT, c, "cgroup.procs")) && own.has(c))) {
    candidate = { version: 1, parents: V1_CONTROLLERS.map((c) => join(ROOT, c, own.get(c)!)) };
  } else if (existsSync(join(ROOT, "cgroup.controllers")) && own.has("")) {
    candidate = { version: 2, parents: [join(ROOT, own.get("")!)] };
  }
  if (!candidate) {
    fallbackReason = "no cgroup v1 memory and pids hierarchies nor a cgroup v2 tree is mounted at /sys/fs/cgroup";
    return null;
  }
  // Can we make one here? (Needs root or a delegated subtree.)
  const probe = candidate.parents.map((p) => join(p, `${ownerTag()}-probe`));
  try {
    for (const dir of probe) mkdirSync(dir);
  } catch (e) {
    fallbackReason = `cannot create a cgroup in ${candidate.parents[0]} (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
    candidate = null;
  } finally {
    for (const dir of probe) tryRmdir(dir);
  }
  if (candidate?.version === 2) enableV2Controllers(candidate.parents[0]!);
  return candidate;
}

/** v2: the memory and pids controllers must be enabled in the parent's subtree_control (may fail: then containment only). */
function enableV2Controllers(parent: string): void {
  for (const c of ["memory", "pids"]) {
    try {
      writeFileSync(join(parent, "cgroup.subtree_control"), `+${c}`);
    } catch {
      // not delegated to us: the cgroup still contains, without that controller's limit
    }
  }
}

function currentLayout(): Layout | null {
  if (layout === undefined) {
    layout = detect();
    if (layout) sweepCgroups();
  }
  return layout;
}

/** The directories this process's cgroups are made in (none without cgroups). */
export function cgroupParents(): string[] {
  return currentLayout()?.parents ?? [];
}

/** Why programs are contained by process groups only, or undefined when cgroups are in use. */
export function cgroupFallbackReason(): string | undefined {
  currentLayout();
  return fallbackReason;
}

/** `syscraft-<pid>-<start time>`: identifies this test process even after its pid is reused. */
function ownerTag(pid = process.pid): string {
  return `${CGROUP_PREFIX}${pid}-${processStartTime(pid) ?? 0}`;
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT";
  }
}

function readPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, "cgroup.procs"), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map(Number);
  } catch {
    return [];
  }
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

function killUntilEmpty(dirs: string[], boundMs: number): boolean {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const pids = [...new Set(dirs.flatMap(readPids))];
    if (pids.length === 0) return true;
    if (Date.now() >= deadline) return false;
    signalAll(pids, "SIGKILL");
    Bun.sleepSync(5);
  }
}

/** Parses `2G`, `512M`, `64m`, `1048576`: bytes. `0`/`off`/`none` = no cap (null). Throws on anything else. */
export function parseMemoryLimit(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === "0" || t === "off" || t === "none") return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/.exec(t);
  if (!m) throw new Error(`memory limit: "${text}" is not a size (write it as 2G, 512M or a number of bytes; 0 or off for none)`);
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2] as "" | "k" | "m" | "g"];
  return Math.round(Number(m[1]) * unit);
}

/** `2 GiB`, `64 MiB`: a byte count as people read it. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

export interface CgroupOptions {
  /** Memory cap in bytes (null: none). */
  memoryLimit?: number | null;
  /** Cap on the number of tasks (processes and threads): stops a fork bomb. */
  pidsLimit?: number;
}

/** One program's cgroup. */
export class Cgroup {
  private removed = false;

  private constructor(
    readonly version: 1 | 2,
    /** One directory per hierarchy (v1: memory, pids; v2: one). */
    readonly dirs: string[],
    readonly memoryLimit: number | null,
  ) {}

  /** A new cgroup for one program, or null when cgroups cannot be used here (see cgroupFallbackReason). */
  static create(opts: CgroupOptions = {}): Cgroup | null {
    const l = currentLayout();
    if (!l) return null;
    const name = `${ownerTag()}-${++counter}`;
    const dirs = l.parents.map((p) => join(p, name));
    try {
      for (const d of dirs) mkdirSync(d);
    } catch {
      for (const d of dirs) tryRmdir(d);
      return null;
    }
    const cg = new Cgroup(l.version, dirs, opts.memoryLimit ?? null);
    try {
      if (opts.memoryLimit && !cg.write(l.version === 1 ? ["memory.limit_in_bytes"] : ["memory.max"], String(opts.memoryLimit), l.version === 2 ? [["memory.swap.max", "0"]] : [])) noteOnce("programs run in cgroups, but without the memory controller there: no memory limit applies.");
      if (opts.pidsLimit) cg.write(["pids.max"], String(opts.pidsLimit));
    } catch (e) {
      cg.removeNow();
      throw e;
    }
    return cg;
  }

  /** Writes `value` to each of `files` in the hierarchy that has it; false if none had any. */
  private write(files: string[], value: string, extra: [string, string][] = []): boolean {
    let wrote = false;
    for (const f of files) {
      const dir = this.dirs.find((d) => existsSync(join(d, f)));
      if (dir) {
        writeFileSync(join(dir, f), value);
        wrote = true;
      }
    }
    for (const [f, v] of extra) {
      const dir = this.dirs.find((d) => existsSync(join(d, f)));
      if (dir) {
        try {
          writeFileSync(join(dir, f), v);
        } catch {
          // optional
        }
      }
    }
    return wrote;
  }

  /**
   * A shell snippet that moves the shell running it (`$$`) into this cgroup;
   * run before `exec`, so the program and everything it starts are inside
   * from their first instruction.
   */
  joinScript(): string {
    return this.dirs.map((d) => `echo $$ > '${join(d, "cgroup.procs")}'`).join(" && ");
  }

  /** Pids of every process in the cgroup (zombies are not listed). */
  pids(): number[] {
    return [...new Set(this.dirs.flatMap(readPids))];
  }

  /** Whether the kernel killed something in it for going over the memory cap. */
  oomKilled(): boolean {
    for (const d of this.dirs) {
      for (const [file, key] of [["memory.oom_control", "oom_kill"], ["memory.events", "oom_kill"]] as const) {
        try {
          const m = new RegExp(`^${key} (\\d+)$`, "m").exec(readFileSync(join(d, file), "utf8"));
          if (m && Number(m[1]) > 0) return true;
        } catch {
          // not this hierarchy
        }
      }
    }
    return false;
  }

  /** SIGTERM to every process in it. */
  terminate(): void {
    signalAll(this.pids(), "SIGTERM");
  }

  /**
   * SIGKILL to every process in it until it is empty (a process forking as it
   * dies puts its child in the cgroup too: the loop catches it), bounded.
   * Blocks for the few milliseconds killed processes take to exit.
   */
  killSync(boundMs = 2000): boolean {
    return killUntilEmpty(this.dirs, boundMs);
  }

  /** Kills what is left and removes the cgroup. Safe to call twice. */
  removeNow(): void {
    if (this.removed) return;
    this.killSync();
    if (this.dirs.every(tryRmdir)) this.removed = true;
  }

  get gone(): boolean {
    return this.removed;
  }
}

/** The owner pid and start time a cgroup name carries, or null for a name that is not ours. */
function parseName(name: string): { pid: number; start: number } | null {
  const m = /^syscraft-(\d+)-(\d+)-/.exec(name);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : null;
}

/** Every `syscraft-…` cgroup directory under `dir` (bounded depth). */
function findOurs(dir: string, depth: number, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name.startsWith(CGROUP_PREFIX)) out.push(join(dir, name));
    else if (depth > 0) findOurs(join(dir, name), depth - 1, out);
  }
}

/**
 * Every syscraft cgroup on this machine: v2's one tree, or every v1 hierarchy
 * (not only the harness's memory and pids: a container runtime under test
 * makes its cgroup at the path the test names in each hierarchy).
 */
export function listCgroups(): string[] {
  const out: string[] = [];
  let v1: string[] = [];
  try {
    v1 = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(ROOT, d.name));
  } catch {
    // no cgroup file system
  }
  const roots = existsSync(join(ROOT, "cgroup.controllers")) ? [ROOT] : v1;
  for (const root of roots) findOurs(root, 3, out);
  return out;
}

/**
 * Removes the cgroups whose owner is dead (a test process killed outright):
 * SIGKILL to whatever still runs in them, then rmdir. Returns what it removed.
 */
export function sweepCgroups(): string[] {
  const removed: string[] = [];
  for (const dir of listCgroups()) {
    const owner = parseName(dir.slice(dir.lastIndexOf("/") + 1));
    if (!owner || !ownerDead(owner.pid, owner.start)) continue;
    killUntilEmpty([dir], 2000);
    if (tryRmdir(dir)) removed.push(dir);
  }
  return removed;
}

const noted = new Set<string>();

function noteOnce(text: string): void {
  if (noted.has(text)) return;
  noted.add(text);
  process.stderr.write(`syscraft: ${text}\n`);
}

/** Says once, on stderr, that programs are contained by process groups only. */
export function noteFallbackOnce(): void {
  const why = cgroupFallbackReason();
  if (why !== undefined) noteOnce(`programs run without a cgroup (${why}): they are contained by their process group only, and no memory limit applies.`);
}
