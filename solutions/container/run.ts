/**
 * The runtime side of the lifecycle (runtime.md "Operations"). The runtime
 * stays outside the container: it makes the PID namespace (which only its
 * next child enters) and starts init.ts as that child.
 *
 * - run: create, start, wait, and exit with the container's status: the
 *   process's exit code, or 128 + the signal that killed it; signals to the
 *   runtime are passed on; the container is deleted after.
 * - create: the container is set up, its init waits on <state>/exec.fifo;
 *   the runtime records it and returns. start: one byte into the fifo lets
 *   init execve the program. kill, delete, state: on the recorded pid.
 */
import { mkdirSync, rmSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { createCgroup, removeCgroupAt } from "./cgroups.ts";
import { readConfig } from "./config.ts";
import type { Plan } from "./init.ts";
import { check, CLONE, cstr, libc, O } from "./libc.ts";
import type { Quirks } from "./quirks.ts";
import { hasHooks, type Hooks, type HookState, readHooks, runHooks, runHooksWarning } from "./hooks.ts";
import { execFifo, procStat, readState, removeState, stateDir, statusOf, writeState } from "./state.ts";
import type { InitProcess } from "./userns.ts";
import { inPlace, spawnInPlace } from "./inplace.ts";
import type { NetworkPlan, NetworkRecord } from "./network.ts";

const FORWARDED = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;

export interface Target {
  root: string;
  id: string;
  quirks: Quirks;
  /** run --network (network.ts): wire the container to a bridge before its program starts. */
  network?: NetworkPlan;
}

function spawnInit(bundle: string, plan: Omit<Plan, "bundle" | "config" | "quirks" | "cgroupProcs">, t: Target) {
  const config = readConfig(bundle);
  const cgroup = createCgroup(config, t.quirks);
  try {
    const newPid = config.namespaces.includes("pid") && !t.quirks.noPidNamespace;
    // With a user namespace, userns.ts clones init into it (and into the new PID namespace) and moves it into the cgroups.
    const userns = config.namespaces.includes("user") && !t.quirks.usernsIgnored;
    // unshare(CLONE_NEWPID) moves only the next child into the new namespace, and until it is undone this process
    // cannot start a thread (clone(2): EINVAL), which Bun does later on (it aborts): set it back once init is spawned.
    if (t.quirks.hostEnv) config.process.env = [...Object.entries(process.env).map(([k, v]) => `${k}=${v}`), ...config.process.env];
    // run with nothing to do between fork and execve: the runtime starts the program itself, without init.ts (inplace.ts).
    if (plan.execFifo === undefined && !userns && inPlace(config, t.quirks)) {
      return { config, cgroup, child: spawnInPlace(bundle, config, cgroup?.procs ?? [], newPid, t.quirks) };
    }
    const ownPidNs = newPid && !userns ? check(libc.open(cstr("/proc/self/ns/pid"), O.CLOEXEC, 0), "open /proc/self/ns/pid") : -1;
    if (ownPidNs >= 0) check(libc.unshare(CLONE.pid), "unshare(pid)");
    const full: Plan = { ...plan, bundle, config, quirks: t.quirks, cgroupProcs: userns ? [] : (cgroup?.procs ?? []) };
    const argv = [process.execPath, join(import.meta.dir, "init.ts"), JSON.stringify(full)];
    const child: InitProcess = userns
      ? // Loaded only for a user namespace: it compiles its C trampoline when loaded.
        (require("./userns.ts") as typeof import("./userns.ts")).spawnInUserNamespace(argv, { uid: config.uidMappings, gid: config.gidMappings }, newPid, cgroup?.procs ?? [], t.quirks)
      : Bun.spawn(argv, { stdio: ["inherit", "inherit", "inherit"], env: {} });
    if (ownPidNs >= 0) check(libc.setns(ownPidNs, CLONE.pid), "setns back to the runtime's PID namespace"), libc.close(ownPidNs);
    return { config, cgroup, child };
  } catch (e) {
    // setup-failure-left-behind: a runtime that cleans up only after a program that ran (here: the set-up, in place, threw).
    if (!t.quirks.setupFailureLeftBehind) cgroup?.remove();
    throw e;
  }
}

// Loaded only for --network.
const networkModule = () => require("./network.ts") as typeof import("./network.ts");

/** --network: wires the container whose init is `pid` (network.ts); returns what undoes it. */
function attachNetwork(config: ReturnType<typeof readConfig>, pid: number, t: Target): NetworkRecord {
  if (!config.namespaces.includes("network")) throw new Error("--network needs a network namespace (linux.namespaces: network) in config.json");
  return networkModule().attach(t.root, pid, t.id, t.network!, t.quirks);
}

function record(t: Target, bundle: string, pid: number, cgroupsPath: string | undefined, recorded: "created" | "running"): void {
  writeState(t.root, { id: t.id, pid, startTime: procStat(pid)?.startTime ?? 0, bundle, cgroupsPath, created: new Date().toISOString(), recorded });
}

export async function run(bundle: string, t: Target): Promise<number> {
  const hooks = readHooks(bundle);
  // With hooks, run is create (the prestart and createRuntime hooks run while init waits) then start; without, init goes straight on.
  // With --network too: the runtime wires the container's network namespace while init waits.
  const withHooks = hasHooks(hooks) || t.network !== undefined;
  // Installed before the container's process exists, so that a signal that comes early does not end the runtime (its
  // default action) while its program already runs (started in place, it runs before spawnInit returns): kept, and
  // passed on below.
  let target: InitProcess | undefined;
  const early: NodeJS.Signals[] = [];
  if (!t.quirks.noSignalForwarding) {
    for (const sig of t.quirks.forwardTermOnly ? (["SIGTERM"] as const) : FORWARDED) process.on(sig, () => (target ? target.kill(sig) : early.push(sig)));
  }
  const { config, cgroup, child } = withHooks ? await setUp(bundle, t, hooks) : spawnInit(bundle, {}, t);
  let code: number | undefined;
  let detach: (() => void) | undefined;
  try {
    record(t, bundle, child.pid, config.cgroupsPath, "running");
    if (t.network) {
      try {
        const record = attachNetwork(config, child.pid, t);
        detach = () => networkModule().detach(record, t.quirks);
      } catch (e) {
        child.kill("SIGKILL");
        await child.exited;
        throw e;
      }
    }
    if (withHooks) {
      if (t.quirks.startContainerInRuntime) startContainerOnHost(hooks, config.rootfs, { id: t.id, status: "created", pid: child.pid, bundle }, t.quirks);
      release(t);
      runHooksWarning(hooks, "poststart", { id: t.id, status: "running", pid: child.pid, bundle }, t.quirks);
    }
    target = child;
    for (const sig of early.splice(0)) child.kill(sig);
    code = await child.exited;
    if (child.signalCode) return t.quirks.signalExitOne ? 1 : 128 + (constants.signals[child.signalCode as keyof typeof constants.signals] ?? 0);
    return t.quirks.exitZero ? 0 : code;
  } finally {
    detach?.();
    // setup-failure-left-behind: a runtime that cleans up only after a program that ran (init exits 127 when set-up fails).
    if (!(t.quirks.setupFailureLeftBehind && code === 127)) {
      cgroup?.remove();
      removeState(t.root, t.id);
    }
    runHooksWarning(hooks, "poststop", { id: t.id, status: "stopped", bundle }, t.quirks);
  }
}

/**
 * Sets the container up and returns once its init waits for `start` (it has told so through a fifo of its own) and
 * the prestart and createRuntime hooks have run. When that fails, the container is torn down and the poststop hooks run.
 */
async function setUp(bundle: string, t: Target, hooks: Hooks): Promise<ReturnType<typeof spawnInit>> {
  const dir = stateDir(t.root, t.id);
  mkdirSync(dir, { recursive: true });
  const ready = join(dir, "ready.fifo");
  const hookFifo = join(dir, "hook.fifo");
  for (const fifo of [execFifo(t.root, t.id), ready, hookFifo]) check(libc.mkfifo(cstr(fifo), 0o600), `mkfifo ${fifo}`);
  // Held open for reading here, so init's open for writing does not block; read without blocking.
  const readyFd = check(libc.open(cstr(ready), O.RDWR | O.NONBLOCK | O.CLOEXEC, 0), "open ready.fifo");
  const hookFd = check(libc.open(cstr(hookFifo), O.RDWR | O.NONBLOCK | O.CLOEXEC, 0), "open hook.fifo");
  let spawned: ReturnType<typeof spawnInit> | undefined;
  try {
    spawned = spawnInit(bundle, { execFifo: execFifo(t.root, t.id), readyFifo: ready, hookFifo, id: t.id }, t);
    const byte = Buffer.alloc(1);
    const deadline = Date.now() + 30_000;
    // init writes "h" once its mounts are made, before pivot_root (the prestart and createRuntime hooks' moment),
    // then "1" once the container is set up.
    for (;;) {
      if (Number(libc.read(readyFd, byte, 1)) === 1) {
        if (byte.toString() === "1") break;
        const creating = { id: t.id, status: "creating" as const, pid: spawned.child.pid, bundle };
        if (!t.quirks.hooksInStart && !t.quirks.runtimeHooksInContainer) runHooks(hooks, "prestart", creating, t.quirks), runHooks(hooks, "createRuntime", creating, t.quirks);
        // create-container-in-runtime: the createContainer hooks run here, in the runtime's namespaces.
        if (t.quirks.createContainerInRuntime) runHooks(hooks, "createContainer", creating, t.quirks);
        const pid = Buffer.from(String(spawned.child.pid));
        check(libc.write(hookFd, pid, pid.length), "write hook.fifo");
        continue;
      }
      if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) throw new Error(`the container's init exited (status ${spawned.child.exitCode ?? spawned.child.signalCode}) before the container was created`);
      if (Date.now() > deadline) throw new Error("the container's init did not get ready within 30 s");
      await Bun.sleep(5);
    }
    return spawned;
  } catch (e) {
    spawned?.child.kill("SIGKILL");
    spawned?.cgroup?.remove();
    removeState(t.root, t.id);
    runHooksWarning(hooks, "poststop", { id: t.id, status: "stopped", bundle }, t.quirks);
    throw e;
  } finally {
    libc.close(readyFd);
    libc.close(hookFd);
    rmSync(ready, { force: true });
    rmSync(hookFifo, { force: true });
  }
}

export async function create(bundle: string, t: Target): Promise<void> {
  const spawned = await setUp(bundle, t, readHooks(bundle));
  try {
    record(t, bundle, spawned.child.pid, spawned.config.cgroupsPath, "created");
    // --network: wired while init waits for start; delete undoes it (the record is kept in the state).
    if (t.network && !t.quirks.networkCreateIgnored) {
      const network = attachNetwork(spawned.config, spawned.child.pid, t);
      writeState(t.root, { ...readState(t.root, t.id), network });
    }
  } catch (e) {
    spawned.child.kill("SIGKILL");
    spawned.cgroup?.remove();
    removeState(t.root, t.id);
    throw e;
  }
  spawned.child.unref();
}

/** Lets a created container's init run the program, then runs the poststart hooks. */
export function start(t: Target): void {
  const s = readState(t.root, t.id);
  const status = statusOf(t.root, s, t.quirks.stateFromFile);
  if (status !== "created") throw new Error(`cannot start a container that is ${status}`);
  const hooks = readHooks(s.bundle);
  const creating = { id: t.id, status: "creating" as const, pid: s.pid, bundle: s.bundle };
  if (t.quirks.hooksInStart) runHooks(hooks, "prestart", creating, t.quirks), runHooks(hooks, "createRuntime", creating, t.quirks);
  if (t.quirks.startContainerInRuntime) startContainerOnHost(hooks, readConfig(s.bundle).rootfs, { id: t.id, status: "created", pid: s.pid, bundle: s.bundle }, t.quirks);
  release(t);
  writeState(t.root, { ...s, recorded: "running" });
  runHooksWarning(hooks, "poststart", { id: t.id, status: "running", pid: s.pid, bundle: s.bundle }, t.quirks);
}

/** start-container-in-runtime: the startContainer hooks run by the runtime, on the host, their path taken in the root file system. */
function startContainerOnHost(hooks: Hooks, rootfs: string, state: HookState, quirks: Quirks): void {
  runHooks({ ...hooks, startContainer: hooks.startContainer.map((h) => ({ ...h, path: join(rootfs, h.path) })) }, "startContainer", state, quirks);
}

/** One byte into exec.fifo, which the created container's init is blocked reading: it execve's the program. */
function release(t: Target): void {
  const fifo = execFifo(t.root, t.id);
  if (!t.quirks.createRunsProgram) {
    const fd = check(libc.open(cstr(fifo), O.WRONLY | O.NONBLOCK | O.CLOEXEC, 0), "open exec.fifo");
    check(libc.write(fd, Buffer.from("1"), 1), "write exec.fifo");
    libc.close(fd);
  }
  rmSync(fifo, { force: true });
}

/** The state of the container as runtime.md "State" gives it. */
export function state(t: Target): Record<string, unknown> {
  const s = readState(t.root, t.id);
  const seen = statusOf(t.root, s, t.quirks.stateFromFile);
  const status = t.quirks.stateCreatedAsRunning && seen === "created" ? "running" : seen;
  return { ociVersion: "1.0.2", id: s.id, pid: status === "stopped" ? 0 : s.pid, status, bundle: s.bundle, created: s.created };
}

/** A signal by name (KILL, SIGKILL) or number; SIGTERM by default, as with runc. */
export function signalNumber(name: string | undefined, quirks: Quirks = {}): number {
  if (name === undefined) return quirks.killDefaultSigkill ? constants.signals.SIGKILL : constants.signals.SIGTERM;
  if (/^\d+$/.test(name) && !quirks.killNamesOnly) return Number(name);
  if (quirks.killNumbersOnly) throw new Error(`signal "${name}" is not a number`);
  const n = constants.signals[(name.toUpperCase().startsWith("SIG") ? name.toUpperCase() : `SIG${name.toUpperCase()}`) as keyof typeof constants.signals];
  if (n === undefined) throw new Error(`unknown signal "${name}"`);
  return n;
}

export function kill(t: Target, signal: string | undefined): void {
  const s = readState(t.root, t.id);
  const status = statusOf(t.root, s, t.quirks.stateFromFile);
  if (status !== "created" && status !== "running") throw new Error(`container "${t.id}" is not running`);
  process.kill(s.pid, signalNumber(signal, t.quirks));
}

/** Removes a stopped container (a created one is killed first; a running one only with --force). */
export async function remove(t: Target, force: boolean): Promise<void> {
  const s = readState(t.root, t.id);
  const status = statusOf(t.root, s);
  if (status === "running" && !force) throw new Error(`cannot delete container "${t.id}" that is not stopped: ${status}`);
  if (status !== "stopped") {
    process.kill(s.pid, "SIGKILL");
    for (let i = 0; i < 200 && statusOf(t.root, s) !== "stopped"; i++) await Bun.sleep(10);
  }
  if (s.cgroupsPath !== undefined && !t.quirks.cgroupLeftBehind) removeCgroupAt(s.cgroupsPath);
  if (s.network !== undefined && !t.quirks.networkRulesKeptAtDelete) networkModule().detach(s.network, t.quirks);
  if (!t.quirks.deleteKeepsState) removeState(t.root, t.id);
  let hooks: Hooks | undefined;
  try {
    hooks = readHooks(s.bundle);
  } catch {
    // the bundle is gone: no hooks to run
  }
  if (hooks) runHooksWarning(hooks, "poststop", { id: t.id, status: "stopped", bundle: s.bundle }, t.quirks);
}
