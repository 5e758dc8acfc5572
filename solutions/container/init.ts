/**
 * The container's first process, started by run.ts (already inside the new PID
 * namespace, if any): it enters the other namespaces, builds the root file
 * system, then replaces itself with the container's program (execve), which
 * thereby keeps this process's PID — 1 in a new PID namespace.
 *
 *   bun init.ts '<plan as JSON>'
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Config, NamespaceType } from "./config.ts";
import { check, CLONE, cstr, cstrArray, errno, libc, O } from "./libc.ts";
import { mountImageRoot } from "./image-root.ts";
import { enterRootfs, type HookPoint } from "./mounts.ts";
import { type HookState, readHooks, runHooks } from "./hooks.ts";
import type { Quirks } from "./quirks.ts";

export interface Plan {
  bundle: string;
  config: Config;
  quirks: Quirks;
  /** cgroup.procs files to join (opened first, written just before execve: the container's program starts in the cgroup). */
  cgroupProcs: string[];
  /** create: a byte into this fifo (opened before the root changes) says the container is set up… */
  readyFifo?: string;
  /** …and init then waits for start's byte on this one before execve. */
  execFifo?: string;
  /**
   * create: before pivot_root, init writes "h" into readyFifo and waits on this fifo while the runtime runs the
   * prestart and createRuntime hooks; the runtime then writes init's host pid into it (the state the hooks get).
   */
  hookFifo?: string;
  /** create: the container's id (the state the createContainer and startContainer hooks get). */
  id?: string;
}

/** Namespaces this process unshares itself (the PID namespace was made by the runtime, for its child). */
const OWN: NamespaceType[] = ["mount", "uts", "ipc", "network", "cgroup"];

function die(message: string): never {
  process.stderr.write(`container: ${message}\n`);
  process.exit(127);
}

/** ifreq flags of "lo" with IFF_UP set (netdevice(7): SIOCGIFFLAGS, SIOCSIFFLAGS). */
function loopbackUp(): void {
  const fd = check(libc.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0), "socket");
  const ifr = Buffer.alloc(40);
  ifr.write("lo", 0);
  check(libc.ioctl(fd, 0x8913, ifr), "SIOCGIFFLAGS lo");
  ifr.writeUInt16LE(ifr.readUInt16LE(16) | 1 /* IFF_UP */, 16);
  check(libc.ioctl(fd, 0x8914, ifr), "SIOCSIFFLAGS lo");
  libc.close(fd);
}

/** args[0] as execve needs it: a path, or looked up in the container's PATH like execvp(3) (in the container's root). */
export function resolveProgram(program: string, env: string[], quirks: Quirks): string {
  if (program.includes("/")) return program;
  const fallback = "/usr/local/bin:/usr/bin:/bin";
  const path = quirks.pathIgnored ? fallback : (env.find((e) => e.startsWith("PATH="))?.slice(5) ?? fallback);
  for (const dir of path.split(":")) {
    const candidate = join(dir || ".", program);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${program}: not found in PATH (${path})`);
}

/** process.args as the program gets them (join-args: one shell command line). */
export const programArgs = (config: Config, quirks: Quirks): string[] => (quirks.joinArgs ? ["/bin/sh", "-c", config.process.args.join(" ")] : config.process.args);

/**
 * The container around this thread: the namespaces it unshares itself (the PID namespace was made by the runtime,
 * for its child), the root (pivot_root), hostname and domain name, lo up, and process.cwd. Run by init (below), or
 * by the runtime's own thread when it starts the program itself (inplace.ts).
 */
export function enterContainer(bundle: string, config: Config, quirks: Quirks, hookPoint?: (at: HookPoint) => void): void {
  const wanted = ownNamespaces(config, quirks);
  check(libc.unshare(wanted.reduce((f, n) => f | CLONE[n], 0)), `unshare(${wanted.join(", ")})`);
  buildContainer(bundle, config, quirks, wanted, undefined, hookPoint);
  const cwd = quirks.ignoreCwd ? "/" : config.process.cwd;
  check(libc.chdir(cstr(cwd)), `chdir ${cwd}`);
}

/** The namespaces of config.json that the container's first process makes (not the PID nor the user namespace). */
export function ownNamespaces(config: Config, quirks: Quirks): NamespaceType[] {
  const wanted = config.namespaces.filter((n) => OWN.includes(n) && !(quirks.noIpcNamespace && n === "ipc") && !(quirks.noNetworkNamespace && n === "network"));
  if (!wanted.includes("mount")) throw new Error("config.json must ask for a mount namespace (linux.namespaces: mount) to change the root");
  return wanted;
}

/** In the container's namespaces (`wanted`): the root, hostname and domain name, lo up. `procPidns`: see enterRootfs. */
export function buildContainer(bundle: string, config: Config, quirks: Quirks, wanted: NamespaceType[], procPidns?: string, hookPoint?: (at: HookPoint) => void): void {
  mountImageRoot(bundle, config.rootfs, quirks);
  enterRootfs(config, bundle, quirks, procPidns, hookPoint);
  if (wanted.includes("uts") && !quirks.ignoreHostname) {
    if (config.hostname !== undefined) check(libc.sethostname(cstr(config.hostname), Buffer.byteLength(config.hostname)), "sethostname");
    if (config.domainname !== undefined) check(libc.setdomainname(cstr(config.domainname), Buffer.byteLength(config.domainname)), "setdomainname");
  }
  if (wanted.includes("network") && !quirks.loopbackDown) loopbackUp();
}

export function init(plan: Plan): never {
  const { config, quirks } = plan;
  // Loaded only when needed (every module costs start-up time; the benchmark's /bin/true has no filter), and now:
  // once the root has changed, this file's directory is out of reach.
  const seccomp = config.seccomp === undefined || quirks.seccompIgnored ? undefined : (require("./seccomp.ts") as typeof import("./seccomp.ts"));
  const { applyCredentials } = require("./credentials.ts") as typeof import("./credentials.ts");
  let cgroupFds: number[] = [];
  try {
    // cgroup.procs is out of reach once the root has changed: opened now, joined just before execve (see there).
    cgroupFds = plan.cgroupProcs.map((procs) => check(libc.open(cstr(procs), O.WRONLY | O.CLOEXEC, 0), `open ${procs}`));
    // A session of its own, as runc gives it: the container outlives the runtime's process group (create returns).
    check(libc.setsid(), "setsid");
    // Both fifos are in the runtime's state directory, out of reach once the root has changed: open them now (closed on execve).
    const ready = plan.readyFifo === undefined ? -1 : check(libc.open(cstr(plan.readyFifo), O.WRONLY | O.CLOEXEC, 0), "open ready.fifo");
    const exec = plan.execFifo === undefined ? -1 : check(libc.open(cstr(plan.execFifo), O.RDWR | O.CLOEXEC, 0), "open exec.fifo");
    const hookFifo = plan.hookFifo === undefined ? -1 : check(libc.open(cstr(plan.hookFifo), O.RDWR | O.CLOEXEC, 0), "open hook.fifo");
    // The hooks are read now: the bundle is out of reach once the root has changed.
    const hooks = plan.id === undefined ? undefined : readHooks(plan.bundle);
    let hostPid: number | undefined;
    const hookState = (status: HookState["status"]): HookState => ({ id: plan.id!, status, pid: hostPid, bundle: plan.bundle });
    // The runtime runs the prestart and createRuntime hooks while this process waits, its mounts made (runc's way).
    const runtimeHooks = () => {
      if (ready < 0 || hookFifo < 0) return;
      check(libc.write(ready, Buffer.from("h"), 1), "write ready.fifo");
      const buf = Buffer.alloc(16);
      const n = check(libc.read(hookFifo, buf, buf.length), "wait for the runtime's hooks on hook.fifo");
      hostPid = Number(buf.subarray(0, n).toString()) || undefined;
      // runtime-hooks-in-container: init runs them itself, in the container's namespaces (the runtime does not).
      if (hooks && quirks.runtimeHooksInContainer) runHooks(hooks, "prestart", hookState("creating"), quirks), runHooks(hooks, "createRuntime", hookState("creating"), quirks);
    };
    const createContainerAt: HookPoint = quirks.createContainerBeforeMounts ? "before-mounts" : quirks.createContainerAfterPivotRoot ? "after-pivot" : "before-pivot";
    // create-container-before-mounts: the runtime's hooks come before the mounts too (still before createContainer).
    const runtimeHooksAt: HookPoint = quirks.createContainerBeforeMounts ? "before-mounts" : "before-pivot";
    enterContainer(plan.bundle, config, quirks, (at) => {
      if (at === runtimeHooksAt && !quirks.createContainerFirst) runtimeHooks();
      // createContainer: in the container's namespaces, after createRuntime, before pivot_root (its path the runtime's).
      if (hooks && at === createContainerAt && !quirks.createContainerInRuntime) runHooks(hooks, "createContainer", hookState("creating"), quirks);
      if (at === runtimeHooksAt && quirks.createContainerFirst) runtimeHooks();
      if (hooks && at === "after-pivot" && quirks.startContainerInCreate) runHooks(hooks, "startContainer", hookState("created"), quirks);
    });
    if (ready >= 0) check(libc.write(ready, Buffer.from("1"), 1), "write ready.fifo");
    // Blocks until start writes its byte (with create-runs-program, not at all).
    if (exec >= 0 && !quirks.createRunsProgram) check(libc.read(exec, Buffer.alloc(1), 1), "wait for start on exec.fifo");
    // startContainer: in the container (after pivot_root: its path the container's), once started, before the program.
    if (hooks && !quirks.startContainerInCreate && !quirks.startContainerInRuntime) runHooks(hooks, "startContainer", hookState("created"), quirks);
  } catch (e) {
    die((e as Error).message);
  }
  try {
    // Joined last: in a cgroup with a pids limit, Bun could not start another thread (it aborts when it cannot),
    // and the threads it has are gone with execve. "0": the writing process.
    for (const fd of cgroupFds) check(libc.write(fd, Buffer.from("0"), 1), "write cgroup.procs");
  } catch (e) {
    die((e as Error).message);
  }
  const env = config.process.env;
  const args = programArgs(config, quirks);
  let path = "";
  try {
    path = resolveProgram(args[0]!, env, quirks);
  } catch (e) {
    die((e as Error).message);
  }
  if (quirks.initNotExec) {
    const child = Bun.spawnSync([path, ...args.slice(1)], { env: Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])), stdio: ["inherit", "inherit", "inherit"] });
    process.exit(child.exitCode ?? 128 + (child.signalCode ? 9 : 0));
  }
  const argv = cstrArray(args);
  const envp = cstrArray(env);
  try {
    // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: before process.user and the capabilities take it
    // away; with it, as late as possible (seccomp(2)). The filter is compiled first: as few system calls as possible after.
    const filter = seccomp?.compileSeccomp(config.seccomp!, quirks);
    const late = config.process.noNewPrivileges || quirks.seccompAfterCredentials;
    if (filter && !late) seccomp!.installSeccomp(filter);
    applyCredentials(config, quirks);
    if (filter && late) seccomp!.installSeccomp(filter);
  } catch (e) {
    die((e as Error).message);
  }
  libc.execve(cstr(path), argv.array, envp.array);
  die(`exec ${path}: errno ${errno()}`);
}

if (import.meta.main) init(JSON.parse(Bun.argv[2]!) as Plan);
