/** The few libc calls a container runtime needs, through bun:ffi. */
import { dlopen, ptr, read } from "bun:ffi";

const lib = dlopen("libc.so.6", {
  __errno_location: { args: [], returns: "ptr" },
  strerror: { args: ["i32"], returns: "cstring" },
  unshare: { args: ["i32"], returns: "i32" },
  setns: { args: ["i32", "i32"], returns: "i32" },
  mount: { args: ["ptr", "ptr", "ptr", "u64", "ptr"], returns: "i32" },
  umount2: { args: ["ptr", "i32"], returns: "i32" },
  // syscall(2) with up to five arguments (a number or a buffer each: a "ptr" takes both): see sys() below.
  syscall: { args: ["i64", "ptr", "ptr", "ptr", "ptr", "ptr"], returns: "i64" },
  pipe2: { args: ["ptr", "i32"], returns: "i32" },
  waitpid: { args: ["i32", "ptr", "i32"], returns: "i32" },
  setxattr: { args: ["ptr", "ptr", "ptr", "u64", "i32"], returns: "i32" },
  chdir: { args: ["ptr"], returns: "i32" },
  chroot: { args: ["ptr"], returns: "i32" },
  sethostname: { args: ["ptr", "u64"], returns: "i32" },
  setdomainname: { args: ["ptr", "u64"], returns: "i32" },
  execve: { args: ["ptr", "ptr", "ptr"], returns: "i32" },
  mknod: { args: ["ptr", "u32", "u64"], returns: "i32" },
  chmod: { args: ["ptr", "u32"], returns: "i32" },
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  ioctl: { args: ["i32", "u64", "ptr"], returns: "i32" },
  close: { args: ["i32"], returns: "i32" },
  open: { args: ["ptr", "i32", "u32"], returns: "i32" },
  read: { args: ["i32", "ptr", "u64"], returns: "i64" },
  write: { args: ["i32", "ptr", "u64"], returns: "i64" },
  mkfifo: { args: ["ptr", "u32"], returns: "i32" },
  kill: { args: ["i32", "i32"], returns: "i32" },
  setsid: { args: [], returns: "i32" },
  prctl: { args: ["i32", "u64", "u64", "u64", "u64"], returns: "i32" },
  mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: "ptr" },
});
export const libc = lib.symbols;

type SysArg = number | NodeJS.TypedArray | null;

/**
 * A raw system call (syscall(2)), for the calls that glibc wraps in ways a runtime must avoid (setuid and friends,
 * which glibc applies to every thread) or does not wrap everywhere (pivot_root, fsopen, fsconfig). One libc
 * binding for all of them: each dlopen costs start-up time.
 */
export function sys(number: number, ...args: SysArg[]): bigint | number {
  const a = [...args, null, null, null, null, null];
  return libc.syscall(number, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!);
}

export const CLONE = {
  mount: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
} as const;

export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  SYNCHRONOUS: 16,
  REMOUNT: 32,
  MANDLOCK: 64,
  DIRSYNC: 128,
  NOATIME: 1024,
  NODIRATIME: 2048,
  BIND: 4096,
  REC: 16384,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
  RELATIME: 1 << 21,
  STRICTATIME: 1 << 24,
} as const;

export const O = { WRONLY: 0o1, RDWR: 0o2, NONBLOCK: 0o4000, CLOEXEC: 0o2000000 } as const;

export const MNT_DETACH = 2;
export const SYS_PIVOT_ROOT = 155;

export function errno(): number {
  return read.i32(libc.__errno_location()!, 0);
}

/** A NUL-terminated C string. */
export function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`);
}

/** Throws "<what>: <strerror>" when a libc call returned -1. */
export function check(result: number | bigint, what: string): number {
  const n = Number(result);
  if (n < 0) {
    const e = errno();
    throw new Error(`${what}: ${libc.strerror(e)} (errno ${e})`);
  }
  return n;
}

/** A NULL-terminated array of C strings (argv, envp), kept alive with its strings. */
export function cstrArray(items: string[]): { array: BigUint64Array; keep: Buffer[] } {
  const keep = items.map(cstr);
  const array = new BigUint64Array(keep.length + 1);
  keep.forEach((b, i) => (array[i] = BigInt(ptr(b))));
  return { array, keep };
}
