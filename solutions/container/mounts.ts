/**
 * Building the container's file system view inside its new mount namespace:
 * config.json's mounts under the rootfs, the default devices, masked and
 * read-only paths, then pivot_root(2) into it
 * (runtime-spec config.md "Mounts", config-linux.md "Default Devices",
 * "Masked Paths", "Readonly Paths"; runtime-linux.md "Dev symbolic links").
 */
import { existsSync, lstatSync, mkdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config, Mount } from "./config.ts";
import { check, cstr, errno, libc, MNT_DETACH, MS, SYS_PIVOT_ROOT, sys } from "./libc.ts";

const EPERM = 1;
import type { Quirks } from "./quirks.ts";

const NULL = null as unknown as Buffer;

/** mount(8)-style option words that are flags; anything else goes to the file system as data. */
const FLAGS: Record<string, { set?: number; clear?: number }> = {
  ro: { set: MS.RDONLY },
  rw: { clear: MS.RDONLY },
  nosuid: { set: MS.NOSUID },
  suid: { clear: MS.NOSUID },
  nodev: { set: MS.NODEV },
  dev: { clear: MS.NODEV },
  noexec: { set: MS.NOEXEC },
  exec: { clear: MS.NOEXEC },
  sync: { set: MS.SYNCHRONOUS },
  async: { clear: MS.SYNCHRONOUS },
  dirsync: { set: MS.DIRSYNC },
  mand: { set: MS.MANDLOCK },
  nomand: { clear: MS.MANDLOCK },
  noatime: { set: MS.NOATIME },
  atime: { clear: MS.NOATIME },
  nodiratime: { set: MS.NODIRATIME },
  diratime: { clear: MS.NODIRATIME },
  relatime: { set: MS.RELATIME },
  norelatime: { clear: MS.RELATIME },
  strictatime: { set: MS.STRICTATIME },
  bind: { set: MS.BIND },
  rbind: { set: MS.BIND | MS.REC },
};
const PROPAGATION = new Set(["private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"]);

export function parseOptions(options: string[]): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const o of options) {
    const f = FLAGS[o];
    if (f) flags = (flags | (f.set ?? 0)) & ~(f.clear ?? 0);
    else if (!PROPAGATION.has(o)) data.push(o);
  }
  return { flags, data: data.join(",") };
}

function mount(source: string | null, target: string, type: string | null, flags: number, data: string | null, what: string): void {
  check(libc.mount(source === null ? NULL : cstr(source), cstr(target), type === null ? NULL : cstr(type), flags, data ? cstr(data) : NULL), what);
}

/** Makes sure `path` exists as a directory, or as a file when a file is bound onto it. */
function ensureTarget(path: string, asFile: boolean, quirks: Quirks = {}): void {
  if (existsSync(path)) return;
  if (!quirks.bindParentsNotMade) mkdirSync(dirname(path), { recursive: true });
  if (asFile) writeFileSync(path, "");
  else mkdirSync(path, { recursive: true });
}

/** `procPidns`: for a proc mount made from outside the container's PID namespace (inplace.ts), the namespace's /proc/<pid>/ns/pid. */
function mountOne(rootfs: string, bundle: string, m: Mount, quirks: Quirks, procPidns?: string): void {
  const target = join(rootfs, m.destination);
  const { flags, data } = parseOptions(m.options);
  const isBind = m.type === "bind" || (flags & MS.BIND) !== 0;
  if (isBind) {
    const source = m.source?.startsWith("/") ? m.source : join(quirks.bindSourceFromCwd ? process.cwd() : bundle, m.source ?? "");
    ensureTarget(target, !statSync(source).isDirectory(), quirks);
    // A bind mount takes its other flags (ro, nosuid…) only from a remount.
    const rest = flags & ~(MS.BIND | MS.REC);
    if (quirks.bindReadonlyWithoutRemount) return mount(source, target, null, MS.BIND | (flags & MS.REC) | rest, null, `bind-mount ${source} on ${m.destination}`);
    mount(source, target, null, MS.BIND | (flags & MS.REC), null, `bind-mount ${source} on ${m.destination}`);
    if (rest !== 0) mount(null, target, null, MS.REMOUNT | MS.BIND | rest, null, `remount ${m.destination} with its options`);
    return;
  }
  ensureTarget(target, false);
  if (m.type === "sysfs" && quirks.sysfsFromHost) {
    mount("/sys", target, null, MS.BIND | MS.REC, null, `bind the host's /sys on ${m.destination}`);
    return mount(null, target, null, MS.REMOUNT | MS.BIND | (flags & ~MS.REC), null, `remount ${m.destination} with its options`);
  }
  const own = m.type === "sysfs" && quirks.sysfsReadWrite ? flags & ~MS.RDONLY : flags;
  // proc shows the PID namespace of the process that mounts it, unless told another (procfs's pidns=, Linux 6.15 and later).
  const pidns = m.type === "proc" && procPidns !== undefined ? `pidns=${procPidns}` : "";
  const options = [quirks.mountDataDropped ? "" : data, pidns].filter(Boolean).join(",");
  mount(m.source ?? m.type ?? "none", target, m.type ?? null, quirks.mountFlagsDropped ? 0 : own, options || null, `mount ${m.type} on ${m.destination}`);
}

/** The devices every container has (config-linux.md "Default Devices"). */
const DEFAULT_DEVICES: [string, number, number][] = [
  ["null", 1, 3],
  ["zero", 1, 5],
  ["full", 1, 7],
  ["random", 1, 8],
  ["urandom", 1, 9],
  ["tty", 5, 0],
];

function defaultDevices(rootfs: string, quirks: Quirks): void {
  const dev = join(rootfs, "dev");
  mkdirSync(dev, { recursive: true });
  for (const [name, major, minor] of DEFAULT_DEVICES) {
    const path = join(dev, name);
    if (existsSync(path)) continue;
    const made = Number(libc.mknod(cstr(path), 0o020000 | 0o666, BigInt((major << 8) | minor)));
    if (made < 0 && errno() === EPERM && !quirks.devicesNoBind) {
      // In a user namespace no one may mknod: bind the host's device instead, as runc does (config-linux.md "Devices").
      writeFileSync(path, "");
      mount(`/dev/${name}`, path, null, MS.BIND, null, `bind the host's /dev/${name}`);
      continue;
    }
    check(made, `mknod /dev/${name}`);
    if (!quirks.devicesUmasked) check(libc.chmod(cstr(path), 0o666), `chmod /dev/${name}`); // mknod obeys the umask
  }
  const links: [string, string][] = [
    ["fd", "/proc/self/fd"],
    ["stdin", "/proc/self/fd/0"],
    ["stdout", "/proc/self/fd/1"],
    ["stderr", "/proc/self/fd/2"],
    ["ptmx", "pts/ptmx"],
  ];
  for (const [name, to] of quirks.noDevSymlinks ? [] : links.filter(([name]) => !(quirks.noPtmx && name === "ptmx"))) {
    const path = join(dev, name);
    if (!existsOrLink(path)) symlinkSync(to, path);
  }
}

function existsOrLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Masked paths are hidden (a file: /dev/null bound over it; a directory: an empty read-only tmpfs). */
function maskPaths(paths: string[]): void {
  for (const p of paths) {
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) mount("tmpfs", p, "tmpfs", MS.RDONLY, null, `mask ${p}`);
    else mount("/dev/null", p, null, MS.BIND, null, `mask ${p}`);
  }
}

function readonlyPaths(paths: string[], quirks: Quirks): void {
  for (const p of paths) {
    if (!existsSync(p)) continue;
    if (quirks.readonlyPathsWithoutRemount) {
      mount(p, p, null, MS.BIND | MS.REC | MS.RDONLY, null, `bind ${p}`);
      continue;
    }
    mount(p, p, null, MS.BIND | MS.REC, null, `bind ${p}`);
    mount(null, p, null, MS.REMOUNT | MS.BIND | MS.RDONLY, null, `make ${p} read-only`);
  }
}

/**
 * In a new mount namespace: mounts config.json's mounts under the rootfs,
 * switches the root to it with pivot_root(2) and detaches the old root, so
 * nothing of the host's file system is left reachable.
 */
/** Where, in enterRootfs, init.ts may run what happens before pivot_root (the createRuntime and createContainer hooks). */
export type HookPoint = "before-mounts" | "before-pivot" | "after-pivot";

export function enterRootfs(config: Config, bundle: string, quirks: Quirks, procPidns?: string, hookPoint?: (at: HookPoint) => void): void {
  const rootfs = config.rootfs;
  // Nothing we mount may propagate back to the host's namespace.
  if (!quirks.sharedPropagation) mount(null, "/", null, MS.REC | MS.PRIVATE, null, "make / private");
  hookPoint?.("before-mounts");
  // pivot_root needs the new root to be a mount point.
  const readonlyAtBind = quirks.readonlyRootAtBind && config.readonlyRoot ? MS.RDONLY : 0;
  mount(rootfs, rootfs, null, MS.BIND | MS.REC | readonlyAtBind, null, "bind the rootfs onto itself");
  // In the listed order (config.md "Mounts"): /dev/pts and /dev/shm go on the tmpfs mounted at /dev before them.
  for (const m of quirks.mountsReversed ? [...config.mounts].reverse() : config.mounts) mountOne(rootfs, bundle, m, quirks, procPidns);
  defaultDevices(rootfs, quirks);
  // The container's mounts are made, the old root still in reach: the createContainer hooks' moment (config.md).
  hookPoint?.("before-pivot");
  if (quirks.chroot) {
    check(libc.chroot(cstr(rootfs)), "chroot");
    check(libc.chdir(cstr("/")), "chdir /");
  } else {
    check(libc.chdir(cstr(rootfs)), "chdir to the rootfs");
    // pivot_root(".", "."): the new root goes on top, the old root below it at the same place…
    check(sys(SYS_PIVOT_ROOT, cstr("."), cstr(".")), "pivot_root");
    // …and detaching "." now removes the old root from the container's view.
    if (!quirks.keepOldRoot) check(libc.umount2(cstr("."), MNT_DETACH), "detach the old root");
    check(libc.chdir(cstr("/")), "chdir /");
  }
  if (!quirks.maskedPathsIgnored) maskPaths(config.maskedPaths);
  readonlyPaths(config.readonlyPaths, quirks);
  if (config.readonlyRoot && !quirks.readonlyRootAtBind) mount(null, "/", null, MS.REMOUNT | MS.BIND | MS.RDONLY, null, "make / read-only");
  hookPoint?.("after-pivot");
}
