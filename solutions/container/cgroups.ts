/**
 * The container's cgroup (config-linux.md "Control groups"): made at
 * linux.cgroupsPath with the limits of linux.resources, joined by the
 * container's first process before it runs anything, removed after.
 * cgroup v2 (one unified tree) when the machine has it, else v1 (a tree per controller).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import type { Quirks } from "./quirks.ts";

const ROOT = "/sys/fs/cgroup";

export interface Cgroup {
  /** The cgroup.procs files the container's first process writes itself into. */
  procs: string[];
  /** Kills what is left in it and removes it. */
  remove(): void;
}

const isV2 = () => existsSync(join(ROOT, "cgroup.controllers"));

function write(dir: string, file: string, value: string | number): void {
  writeFileSync(join(dir, file), String(value));
}

export function createCgroup(config: Config, quirks: Quirks = {}): Cgroup | undefined {
  if (config.cgroupsPath === undefined) return undefined;
  const r = { ...config.resources };
  if (quirks.memoryLimitIgnored) r.memoryLimit = undefined;
  if (quirks.pidsLimitIgnored) r.pidsLimit = undefined;
  if (quirks.cpuQuotaIgnored) r.cpuQuota = undefined;
  if (quirks.cpuPeriodIgnored) r.cpuPeriod = undefined;
  const dirs = dirsOf(config.cgroupsPath);
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  if (isV2()) {
    const [dir] = dirs as [string];
    if (r.memoryLimit !== undefined) write(dir, "memory.max", r.memoryLimit), existsSync(join(dir, "memory.swap.max")) && write(dir, "memory.swap.max", 0);
    if (r.pidsLimit !== undefined) write(dir, "pids.max", r.pidsLimit > 0 ? r.pidsLimit : "max");
    if (r.cpuQuota !== undefined) write(dir, "cpu.max", `${r.cpuQuota > 0 ? r.cpuQuota : "max"} ${r.cpuPeriod ?? 100000}`);
  } else {
    const [memory, pids, cpu] = dirs as [string, string, string];
    if (r.memoryLimit !== undefined) {
      write(memory, "memory.limit_in_bytes", r.memoryLimit);
      // No swap beyond the limit, so going over it means the OOM killer.
      if (existsSync(join(memory, "memory.memsw.limit_in_bytes"))) write(memory, "memory.memsw.limit_in_bytes", r.memoryLimit);
    }
    if (r.pidsLimit !== undefined) write(pids, "pids.max", r.pidsLimit > 0 ? r.pidsLimit : "max");
    if (r.cpuPeriod !== undefined) write(cpu, "cpu.cfs_period_us", r.cpuPeriod);
    if (r.cpuQuota !== undefined) write(cpu, "cpu.cfs_quota_us", r.cpuQuota);
  }
  return {
    procs: quirks.cgroupNotJoined ? [] : dirs.map((d) => join(d, "cgroup.procs")),
    remove() {
      if (!quirks.cgroupLeftBehind) removeDirs(dirs);
    },
  };
}

/** The cgroup's directories: v2, one; v1, one in the memory, pids and cpu hierarchies (in that order). */
function dirsOf(cgroupsPath: string): string[] {
  const rel = cgroupsPath.replace(/^\/+/, "");
  return isV2() ? [join(ROOT, rel)] : ["memory", "pids", "cpu"].map((c) => join(ROOT, c, rel));
}

/** Removes the container's cgroup made earlier (by `create`), for `delete`. */
export function removeCgroupAt(cgroupsPath: string): void {
  removeDirs(dirsOf(cgroupsPath));
}

/** Kills what is left in each cgroup and removes it (an empty cgroup goes with rmdir). */
function removeDirs(dirs: string[]): void {
  for (const dir of [...dirs].reverse()) {
    for (let attempt = 0; attempt < 50 && existsSync(dir); attempt++) {
      for (const pid of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
      try {
        rmdirSync(dir);
      } catch {
        Bun.sleepSync(10);
      }
    }
  }
}

/**
 * Moves this process (every thread: cgroup.procs) into the cgroups of process `pid`, in every hierarchy where it is
 * elsewhere (/proc/<pid>/cgroup: v2 "0::<path>", v1 "<id>:<controllers>:<path>", mounted at /sys/fs/cgroup/<controllers>
 * or, for a named hierarchy "name=<n>", /sys/fs/cgroup/<n>). Its children then start there: cli exec's command joins
 * the container's cgroup, as `runc exec` does.
 */
export function joinCgroupsOf(pid: number): void {
  const own = new Set(readFileSync("/proc/self/cgroup", "utf8").split("\n"));
  for (const line of readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
    if (line === "" || own.has(line)) continue;
    const [, controllers = "", path = "/"] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    const hierarchy = controllers === "" ? ROOT : join(ROOT, controllers.startsWith("name=") ? controllers.slice(5) : controllers);
    const procs = join(hierarchy, path, "cgroup.procs");
    // A hierarchy not mounted where we look (or a cgroup gone meanwhile): nothing to join there.
    if (existsSync(procs)) writeFileSync(procs, "0");
  }
}
