/**
 * A container in a user namespace of its own (config-linux.md "User
 * namespace mappings"; user_namespaces(7)): the runtime clones the init
 * process with CLONE_NEWUSER (and CLONE_NEWPID, so that the new PID
 * namespace belongs to the new user namespace and its root may mount /proc),
 * writes /proc/<pid>/uid_map and gid_map from linux.uidMappings and
 * gidMappings, moves it into the container's cgroups (the cgroup files
 * belong to the host's root, which the container's root is not), then lets
 * it run: it becomes uid 0 of the namespace and execs init.ts, which makes
 * the other namespaces itself, as without a user namespace.
 *
 * The clone is done by userns.c (see there for why in C); the child is not
 * a Bun subprocess, so its end is watched with waitpid(WNOHANG).
 */
import { CFunction, cc, type Pointer, ptr, toArrayBuffer } from "bun:ffi";
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { constants, homedir } from "node:os";
import { join } from "node:path";
import type { IdMapping } from "./config.ts";
import { check, CLONE, cstrArray, libc } from "./libc.ts";
import type { Quirks } from "./quirks.ts";

declare module "./quirks.ts" {
  interface Quirks {
    /** Leave out the user namespace even when config.json asks for one. */
    usernsIgnored?: boolean;
    /** Write gid_map from linux.uidMappings. */
    usernsGidMapFromUid?: boolean;
    /** Let init go on with the ids it has after the clone instead of becoming uid and gid 0 of the namespace. */
    usernsNotRoot?: boolean;
    /** Write each mapping to uid_map and gid_map with a write of its own (the kernel takes one write). */
    usernsMapsLineByLine?: boolean;
    /** Only mknod the default devices, with no bind mount of the host's when mknod is refused. */
    devicesNoBind?: boolean;
  }
}

/** What run.ts needs of the container's first process (a Bun subprocess has the same shape). */
export interface InitProcess {
  readonly pid: number;
  readonly exited: Promise<number>;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | number | null;
  kill(signal?: NodeJS.Signals | number): void;
  unref(): void;
}

const sys = libc;
const WNOHANG = 1;
const O_CLOEXEC = 0o2000000;

interface Trampolines {
  clone_and_exec: (flags: bigint, syncFd: number, parentEnd: number, becomeRoot: number, argv: BigUint64Array, envp: BigUint64Array) => number;
  clone_wait_exec: (flags: bigint, syncFd: number, parentEnd: number, argv: BigUint64Array, envp: BigUint64Array, cgroupFds: Int32Array, cgroups: number) => number;
}
const SIGNATURES = {
  clone_and_exec: { args: ["i64", "i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
  clone_wait_exec: { args: ["i64", "i32", "i32", "ptr", "ptr", "ptr", "i32"], returns: "i32" },
} as const;
const NAMES = ["clone_and_exec", "clone_wait_exec"] as const;
let trampolines: Trampolines | undefined;

/**
 * The cache of userns.c's machine code: a directory of this user's own (nobody else may write code that root runs),
 * one file per compile of a given source by a given Bun (whose TinyCC makes the code): a header of four u32 (the
 * code's length, each function's offset in it, a check of its bytes), then the code. userns.c's code is
 * self-contained (see there), so it runs from wherever it is mapped.
 */
function cacheFile(source: Buffer): string | undefined {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "syscraft-container");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (st.uid !== process.geteuid!() || (st.mode & 0o022) !== 0) return undefined;
  } catch {
    return undefined;
  }
  const key = Bun.hash(Buffer.concat([source, Buffer.from(`${Bun.version} ${Bun.revision} ${process.arch}`)])).toString(16);
  return join(dir, `userns-${key}.bin`);
}

const HEADER = 16;
const PROT_READ = 1;
const PROT_EXEC = 4;
const MAP_PRIVATE = 2;

/** The cached code mapped executable, as callable functions; undefined when there is none (or it is not trustworthy). */
function fromCache(file: string): Trampolines | undefined {
  let fd = -1;
  try {
    fd = openSync(file, "r");
    const st = fstatSync(fd);
    if (st.uid !== process.geteuid!() || (st.mode & 0o022) !== 0 || st.size < HEADER) return undefined;
    const bytes = readFileSync(fd);
    const [length, ...rest] = [0, 4, 8, 12].map((o) => bytes.readUInt32LE(o)) as [number, number, number, number];
    const [offA, offB, sum] = rest;
    const code = bytes.subarray(HEADER);
    if (code.length !== length || offA >= length || offB >= length || (Number(Bun.hash(code) & 0xffffffffn) >>> 0) !== sum) return undefined;
    const map = libc.mmap(null, bytes.length, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (map === null || Number(map) === -1) return undefined;
    const at = (off: number, name: (typeof NAMES)[number]) => CFunction({ ptr: (Number(map) + HEADER + off) as Pointer, ...SIGNATURES[name] });
    return { clone_and_exec: at(offA, "clone_and_exec"), clone_wait_exec: at(offB, "clone_wait_exec") } as unknown as Trampolines;
  } catch {
    return undefined;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * userns.c's functions. The first time (for this source and this Bun), compiled by TinyCC in memory, and the code
 * between code_start and code_end kept in the cache (written to a temporary file, then renamed: never half a file);
 * after that, mapped from the cache: no compiler at run time (it cost each container 3 to 30 ms, more under load).
 */
export function compiled(): Trampolines {
  if (trampolines) return trampolines;
  const sourcePath = join(import.meta.dir, "userns.c");
  const source = readFileSync(sourcePath);
  const file = cacheFile(source);
  const cached = file === undefined ? undefined : fromCache(file);
  if (cached) return (trampolines = cached);
  const lib = cc({
    source: sourcePath,
    symbols: { ...SIGNATURES, code_start: { args: [], returns: "void" }, code_end: { args: [], returns: "void" } },
  });
  trampolines = lib.symbols as unknown as Trampolines;
  if (file !== undefined) {
    const address = (name: string) => Number((lib.symbols as unknown as Record<string, { ptr: Pointer }>)[name]!.ptr);
    const start = address("code_start");
    const length = address("code_end") - start;
    const offsets = NAMES.map((n) => address(n) - start);
    if (length > 0 && length < 65536 && offsets.every((o) => o > 0 && o < length)) {
      const code = Buffer.from(toArrayBuffer(start as Pointer, 0, length));
      const header = Buffer.alloc(HEADER);
      [length, ...offsets, Number(Bun.hash(code) & 0xffffffffn) >>> 0].forEach((v, i) => header.writeUInt32LE(v, i * 4));
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, Buffer.concat([header, code]), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        rmSync(tmp, { force: true });
      }
    }
  }
  return trampolines;
}

/**
 * Clones a child with one of userns.c's trampolines, `clone(read end, write end)`, over a new pipe (closed on
 * execve; the child closes its write end itself). While it waits, `prepare(pid)` readies what it needs from outside;
 * then it is moved into the cgroups and sent the message `prepare` returned, which lets it go on. Killed if any of
 * that fails.
 */
export function cloneWaiting(clone: (readEnd: number, writeEnd: number) => number, what: string, cgroupProcs: string[], prepare: (pid: number) => string): InitProcess {
  const fds = new Int32Array(2);
  check(sys.pipe2(ptr(fds), O_CLOEXEC), "pipe2");
  const [readEnd, writeEnd] = [fds[0]!, fds[1]!];
  let pid: number;
  try {
    // userns.c's raw system call returns -errno.
    pid = clone(readEnd, writeEnd);
    if (pid < 0) throw new Error(`${what}: ${libc.strerror(-pid)} (errno ${-pid})`);
  } catch (e) {
    libc.close(writeEnd);
    throw e;
  } finally {
    libc.close(readEnd);
  }
  try {
    const message = prepare(pid);
    for (const procs of cgroupProcs) writeFileSync(procs, String(pid));
    check(libc.write(writeEnd, Buffer.from(message), Buffer.byteLength(message)), "release the container's first process");
  } catch (e) {
    killUnstarted(pid);
    throw e;
  } finally {
    libc.close(writeEnd);
  }
  return watch(pid);
}

/** Kills a child that never got to run, and reaps it. */
function killUnstarted(pid: number): void {
  process.kill(pid, "SIGKILL");
  sys.waitpid(pid, null, 0);
}

/** "containerID hostID size" lines, as /proc/<pid>/uid_map takes them (one write). */
export function mapText(mappings: IdMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join("");
}

const signalName = (n: number): NodeJS.Signals | null => (Object.entries(constants.signals).find(([, v]) => v === n)?.[0] as NodeJS.Signals | undefined) ?? null;

/**
 * Starts `argv` (init) in a new user namespace (and a new PID namespace when `newPid`), mapped as
 * config.json says, in the cgroups whose cgroup.procs files are given, and returns it once it runs.
 */
export function spawnInUserNamespace(argv: string[], maps: { uid: IdMapping[]; gid: IdMapping[] }, newPid: boolean, cgroupProcs: string[], quirks: Quirks): InitProcess {
  if (maps.uid.length === 0 || maps.gid.length === 0) throw new Error("linux.namespaces has a user namespace but linux.uidMappings or linux.gidMappings is empty");
  const args = cstrArray(argv);
  const env = cstrArray([]);
  const flags = BigInt(CLONE.user | (newPid ? CLONE.pid : 0));
  return cloneWaiting((r, w) => compiled().clone_and_exec(flags, r, w, quirks.usernsNotRoot ? 0 : 1, args.array, env.array), "clone(CLONE_NEWUSER)", cgroupProcs, (pid) => {
    // gid_map can be written by a parent with CAP_SETGID in the parent namespace without setgroups "deny" first.
    // Each file takes one write, with every line (user_namespaces(7)).
    const write = (file: string, m: IdMapping[]) => (quirks.usernsMapsLineByLine ? m.map((one) => [one]) : [m]).forEach((part) => writeFileSync(file, mapText(part)));
    write(`/proc/${pid}/uid_map`, maps.uid);
    write(`/proc/${pid}/gid_map`, quirks.usernsGidMapFromUid ? maps.uid : maps.gid);
    return "1";
  });
}

/** The process's end, seen with waitpid(WNOHANG): every millisecond for its first 100 ms (a short container's exit is seen at once), then every 10 ms. */
function watch(pid: number): InitProcess {
  const status = new Int32Array(1);
  const child = {
    pid,
    exitCode: null as number | null,
    signalCode: null as NodeJS.Signals | null,
    exited: undefined as unknown as Promise<number>,
    kill(signal: NodeJS.Signals | number = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
    },
    unref() {
      clearTimeout(timer);
    },
  };
  let timer: ReturnType<typeof setTimeout>;
  const started = Date.now();
  child.exited = new Promise<number>((resolve) => {
    const look = () => {
      if (sys.waitpid(pid, ptr(status), WNOHANG) !== pid) {
        timer = setTimeout(look, Date.now() - started < 100 ? 1 : 10);
        return;
      }
      const s = status[0]!;
      if ((s & 0x7f) === 0) child.exitCode = (s >> 8) & 0xff;
      else child.signalCode = signalName(s & 0x7f);
      resolve(child.exitCode ?? 128 + (s & 0x7f));
    };
    timer = setTimeout(look, 1);
  });
  return child;
}
