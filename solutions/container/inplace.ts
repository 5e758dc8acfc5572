/**
 * The short way to start a container, for `run` when nothing has to happen in
 * the container's first process but execve (no user, groups, capabilities,
 * no_new_privs or seccomp filter to apply, no create waiting for start, no
 * hooks or network to wire, no user namespace): no init.ts, so no second Bun
 * process to start and load (most of a container's start-up time, see the
 * README's Benchmark).
 *
 * 1. userns.c's clone_wait_exec clones the container's first process into new
 *    PID, mount, UTS, IPC and network namespaces; it only waits on a pipe.
 * 2. The runtime's own thread joins its namespaces (setns(2) on
 *    /proc/<pid>/ns/*, after unshare(CLONE_FS): a thread that shares its
 *    fs_struct cannot change mount namespace) and builds the container there
 *    (init.ts's buildContainer: mounts, pivot_root — which moves the waiting
 *    process's root too —, hostname, lo). /proc is mounted with
 *    pidns=/proc/<pid>/ns/pid: a proc mount shows the PID namespace of the
 *    process that mounts it, unless told another (Linux 6.15 and later).
 * 3. It finds the program in the container's PATH, comes back to its own
 *    namespaces and sends the waiting process "<cwd>\0<path>\0": it starts
 *    a session of its own, changes to cwd and execve()s the program, as PID 1
 *    of its PID namespace. (It joined the container's cgroups as soon as it
 *    was cloned, through cgroup.procs files the runtime opened for it: the
 *    move, which can wait for an RCU grace period, overlaps step 2.)
 */
import { statSync } from "node:fs";
import type { Config, NamespaceType } from "./config.ts";
import { buildContainer, ownNamespaces, programArgs, resolveProgram } from "./init.ts";
import { check, CLONE, cstr, cstrArray, errno, libc, O, sys } from "./libc.ts";
import type { Quirks } from "./quirks.ts";
import { cloneWaiting, compiled, type InitProcess } from "./userns.ts";

const CLONE_FS = 0x200;
/** The /proc/<pid>/ns/ link of each namespace type. */
const NS_FILE: Partial<Record<NamespaceType, string>> = { ipc: "ipc", uts: "uts", network: "net", cgroup: "cgroup", mount: "mnt" };

const SYS = { fsopen: 430, fsconfig: 431 } as const; // x86_64
let pidnsOption: boolean | undefined;

/** Whether procfs takes pidns= (asked of an fs context that is never mounted: fsopen(2), fsconfig(2)). */
function procTakesPidns(): boolean {
  if (pidnsOption !== undefined) return pidnsOption;
  const fd = Number(sys(SYS.fsopen, cstr("proc"), 1 /* FSOPEN_CLOEXEC */));
  if (fd < 0) return (pidnsOption = false);
  pidnsOption = Number(sys(SYS.fsconfig, fd, 1 /* FSCONFIG_SET_STRING */, cstr("pidns"), cstr("/proc/self/ns/pid"), 0)) === 0;
  libc.close(fd);
  return pidnsOption;
}

/**
 * setns(2) for this thread. A mount namespace takes a thread whose fs_struct (root, working directory) no other
 * thread shares: unshare(CLONE_FS) first, and again if a thread was started from this one meanwhile (Bun starts
 * helper threads when it needs them, and a new thread shares the fs_struct of the thread that starts it: EINVAL).
 */
function enter(fd: number, flag: number, what: string): void {
  for (let attempt = 0; ; attempt++) {
    if (flag === CLONE.mount) check(libc.unshare(CLONE_FS), "unshare(CLONE_FS)");
    if (libc.setns(fd, flag) === 0) return;
    if (attempt === 20 || errno() !== 22 /* EINVAL */ || flag !== CLONE.mount) check(-1, `setns into ${what} namespaces (${flag.toString(16)})`);
  }
}

/** Whether `run` can start this container in place (see above). */
export function inPlace(config: Config, quirks: Quirks): boolean {
  const { user, capabilities, noNewPrivileges } = config.process;
  const credentials = user.uid === 0 && user.gid === 0 && user.additionalGids.length === 0 && capabilities === undefined && !noNewPrivileges;
  // initNotExec and chroot are mistakes of a process of the container's own (init.ts): a chroot would be this thread's.
  return credentials && config.seccomp === undefined && !config.namespaces.includes("user") && !quirks.initNotExec && !quirks.chroot && procTakesPidns();
}

/** Starts the container (see above): `newPid`, in a new PID namespace; joining the cgroups whose cgroup.procs files are given. */
export function spawnInPlace(bundle: string, config: Config, procs: string[], newPid: boolean, quirks: Quirks): InitProcess {
  const wanted = ownNamespaces(config, quirks);
  const flags = wanted.reduce((f, n) => f | CLONE[n], newPid ? CLONE.pid : 0);
  const args = programArgs(config, quirks);
  const argv = cstrArray(args);
  const envp = cstrArray(config.process.env);
  // The child joins the cgroups itself, at once (see userns.c): through these, closed here once it is cloned.
  const cgroupFds = new Int32Array(procs.map((p) => check(libc.open(cstr(p), O.WRONLY | O.CLOEXEC, 0), `open ${p}`)));
  const clone = (r: number, w: number) => {
    try {
      return compiled().clone_wait_exec(BigInt(flags), r, w, argv.array, envp.array, cgroupFds, cgroupFds.length);
    } finally {
      for (const fd of cgroupFds) libc.close(fd);
    }
  };
  return cloneWaiting(clone, "clone", [], (pid) => {
    const joined = wanted.filter((n) => NS_FILE[n] !== undefined).sort((a, b) => Number(a === "mount") - Number(b === "mount"));
    const own = joined.map((n) => [check(libc.open(cstr(`/proc/thread-self/ns/${NS_FILE[n]}`), O.CLOEXEC, 0), `open /proc/thread-self/ns/${NS_FILE[n]}`), CLONE[n]] as const);
    const theirs = joined.map((n) => [check(libc.open(cstr(`/proc/${pid}/ns/${NS_FILE[n]}`), O.CLOEXEC, 0), `open /proc/${pid}/ns/${NS_FILE[n]}`), CLONE[n]] as const);
    const cwd = quirks.ignoreCwd ? "/" : config.process.cwd;
    try {
      for (const [fd, flag] of theirs) enter(fd, flag, "the container's");
      buildContainer(bundle, config, quirks, wanted, newPid ? `/proc/${pid}/ns/pid` : undefined);
      const path = resolveProgram(args[0]!, config.process.env, quirks);
      if (!statSync(cwd).isDirectory()) throw new Error(`process.cwd ${cwd} is not a directory`);
      // What the waiting process reads: it changes to cwd, then execve's path.
      return `${cwd}\0${path}\0`;
    } finally {
      // The mount namespace first: the cgroup file systems are not mounted in the container's.
      for (const [fd, flag] of [...own].reverse()) enter(fd, flag, "the runtime's own"), libc.close(fd);
      for (const [fd] of theirs) libc.close(fd);
    }
  });
}
