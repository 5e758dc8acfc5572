import { constants, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cgroupParents, type Cgroup } from "./cgroup.ts";
import { processStartTime, statFields } from "./proc.ts";

/**
 * Every process group (and cgroup) the harness starts is registered here until
 * it is gone, so that nothing outlives the run: each case stops its own
 * processes, and if the test process itself is interrupted (Ctrl-C, SIGTERM,
 * SIGHUP) or exits, every group and cgroup still registered gets SIGKILL, and
 * the clean-ups registered with onEmergency (temp dirs, port locks) run. The
 * program itself is exec'd under `setpriv --pdeathsig SIGKILL` (see spawn.ts)
 * so it dies even if the test process is killed outright; what it started,
 * its cgroups, temp dirs and port locks are then removed by the watchdog
 * (watchdog.sh), or failing that by the next run's sweeps (cgroup.ts,
 * tempdir.ts). (bun test runs no process "exit" handlers: there, each stage's
 * afterAll kills what is left — see stage/register.ts.)
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
  for (const pgid of live) {
    killGroup(pgid, "SIGKILL");
    untrack(pgid);
  }
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
/** How long a child test process (bun test under bun run grade) gets to stop its own programs once signalled. */
const CHILD_GRACE_MS = 2500;

/** A child process that cleans up after itself when signalled (a `bun test` started by grade): it is given the signal and awaited. */
export interface SelfCleaningChild {
  kill(signal?: NodeJS.Signals | number): void;
  readonly exited: Promise<number>;
}

const children = new Set<SelfCleaningChild>();
let exiting: Promise<never> | undefined;

export function trackChild(child: SelfCleaningChild): void {
  install();
  startWatchdog();
  children.add(child);
}

export function untrackChild(child: SelfCleaningChild): void {
  children.delete(child);
}

/** Set once a signal is ending this process: code that would carry on (print a summary) awaits it instead. */
export function exitInProgress(): Promise<never> | undefined {
  return exiting;
}

function exitedWithin(child: SelfCleaningChild, ms: number): Promise<boolean> {
  return Promise.race([child.exited.then(() => true), Bun.sleep(Math.max(ms, 0)).then(() => false)]);
}

/**
 * On SIGINT, SIGTERM or SIGHUP: the signal goes on to each child test process,
 * every group and cgroup gets SIGKILL at once, the children are awaited (SIGKILL
 * after 2.5 s), then temp dirs and port locks are removed and this process
 * exits 128+n — within 3 s.
 */
async function stopOnSignal(signal: NodeJS.Signals, code: number): Promise<never> {
  for (const c of children) c.kill(signal);
  killAllNow();
  const deadline = Date.now() + CHILD_GRACE_MS;
  for (const c of children) {
    if (await exitedWithin(c, deadline - Date.now())) continue;
    c.kill("SIGKILL");
    await exitedWithin(c, 300);
  }
  cleanUpEverything();
  process.exit(code);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", cleanUpEverything);
  for (const [signal, code] of SIGNAL_EXIT) {
    process.on(signal, () => {
      exiting ??= stopOnSignal(signal, code);
    });
  }
}

let watchdog: number | undefined;

/**
 * Starts this process's watchdog (watchdog.sh) once: a shell, forked away
 * from this process (`setsid -f`: bun test --no-orphans kills its descendants
 * as it exits), that reads a FIFO only this process holds open for writing.
 * The FIFO closes when this process ends — even by SIGKILL — and the
 * watchdog then removes what it left.
 */
function startWatchdog(): void {
  if (watchdog !== undefined) return;
  watchdog = -1;
  const start = processStartTime(process.pid) ?? 0;
  const fifo = join(tmpdir(), `syscraft-watchdog-${process.pid}.${start}`);
  try {
    if (Bun.spawnSync(["mkfifo", "-m", "600", fifo]).exitCode !== 0) return;
    Bun.spawn(["setsid", "-f", "/bin/sh", join(import.meta.dir, "watchdog.sh"), fifo, String(process.pid), String(start), tmpdir(), ...cgroupParents()], {
      cwd: "/",
      stdio: ["ignore", "ignore", "ignore"],
    }).unref();
    // Opening for writing succeeds once the watchdog has opened it for reading (bounded wait).
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      try {
        watchdog = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        return;
      } catch {
        Bun.sleepSync(5);
      }
    }
  } catch {
    // no watchdog: the next run's sweeps remain
  } finally {
    rmSync(fifo, { force: true });
  }
}

/** Groups without a cgroup that the watchdog has been told of ("+pgid"), until told they are gone ("-pgid"). */
const toldWatchdog = new Set<number>();

function tellWatchdog(line: string): void {
  if (watchdog === undefined || watchdog < 0) return;
  try {
    writeSync(watchdog, `${line}\n`);
  } catch {
    // a full pipe (the watchdog is not reading): it still cleans up cgroups, temp dirs and port locks
  }
}

export function track(pgid: number, cgroup?: Cgroup): void {
  install();
  startWatchdog();
  live.add(pgid);
  if (cgroup) liveCgroups.add(cgroup);
  else {
    // A cgroup holds what its program starts; a bare process group is the watchdog's to kill.
    toldWatchdog.add(pgid);
    tellWatchdog(`+${pgid}`);
  }
}

export function untrack(pgid: number, cgroup?: Cgroup): void {
  live.delete(pgid);
  if (cgroup) liveCgroups.delete(cgroup);
  if (toldWatchdog.delete(pgid)) tellWatchdog(`-${pgid}`);
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
