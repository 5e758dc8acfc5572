import { readdirSync } from "node:fs";
import type { Cgroup } from "./cgroup.ts";
import { statFields } from "./proc.ts";

/**
 * Every process group (and cgroup) the harness starts is registered here until
 * it is gone, so that nothing outlives the run: each case stops its own
 * processes, and if the test process itself is interrupted (Ctrl-C, SIGTERM,
 * SIGHUP) or exits, every group and cgroup still registered gets SIGKILL, and
 * the clean-ups registered with onEmergency (temp dirs, port locks) run. The
 * program itself is exec'd under `setpriv --pdeathsig SIGKILL` (see spawn.ts)
 * so it dies even if the test process is killed outright; what it started is
 * then removed by the next run's cgroup sweep (cgroup.ts). (bun test runs no
 * process "exit" handlers: there, each stage's afterAll kills what is left —
 * see stage/register.ts.)
 */
const live = new Set<number>();
const liveCgroups = new Set<Cgroup>();
const emergency: (() => void)[] = [];
let installed = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGKILL to every registered group and cgroup (cgroups are then removed). Synchronous. */
export function killAllNow(): void {
  for (const pgid of live) killGroup(pgid, "SIGKILL");
  live.clear();
  for (const cg of liveCgroups) cg.removeNow();
  liveCgroups.clear();
}

/** Registers a synchronous clean-up that must run even when the test process is interrupted. */
export function onEmergency(fn: () => void): void {
  install();
  emergency.push(fn);
}

/** Everything at once: kills every group and cgroup, then runs the emergency clean-ups. Never throws. */
export function cleanUpEverything(): void {
  killAllNow();
  for (const fn of emergency) {
    try {
      fn();
    } catch {
      // keep cleaning
    }
  }
}

const SIGNAL_EXIT = [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const;

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", cleanUpEverything);
  for (const [signal, code] of SIGNAL_EXIT) {
    process.on(signal, () => {
      cleanUpEverything();
      process.exit(code);
    });
  }
}

export function track(pgid: number, cgroup?: Cgroup): void {
  install();
  live.add(pgid);
  if (cgroup) liveCgroups.add(cgroup);
}

export function untrack(pgid: number, cgroup?: Cgroup): void {
  live.delete(pgid);
  if (cgroup) liveCgroups.delete(cgroup);
}

/**
 * Pids of the group's processes that are still running. Zombies do not count:
 * an orphan that has exited waits for init to reap it, which in containers can
 * take a second or more, but it holds no port and runs no code.
 */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return kernelSaysAlive(pgid) ? [pgid] : [];
  }
  const members: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(name);
    if (fields && Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") members.push(Number(name));
  }
  return members;
}

function kernelSaysAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True while any process in the group is running. */
export function groupAlive(pgid: number): boolean {
  return kernelSaysAlive(pgid) && groupMembers(pgid).length > 0;
}

/**
 * SIGTERM to the whole group (and to every process in its cgroup, if it has
 * one: a process that left the group with setsid is still there), then
 * SIGKILL after `graceMs` to whatever is left. Resolves once the group and
 * the cgroup are empty (bounded: SIGKILL cannot be ignored), the cgroup removed.
 */
export async function stopGroup(pgid: number, graceMs = 2000, cgroup?: Cgroup): Promise<void> {
  const alive = () => groupAlive(pgid) || (cgroup !== undefined && cgroup.pids().length > 0);
  if (alive()) {
    killGroup(pgid, "SIGTERM");
    cgroup?.terminate();
    const deadline = Date.now() + graceMs;
    while (alive() && Date.now() < deadline) await Bun.sleep(20);
    if (alive()) {
      killGroup(pgid, "SIGKILL");
      cgroup?.killSync();
      const hard = Date.now() + 2000;
      while (groupAlive(pgid) && Date.now() < hard) await Bun.sleep(10);
    }
  }
  cgroup?.removeNow();
  untrack(pgid, cgroup);
}
