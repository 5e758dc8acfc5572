/**
 * The container process's user and capabilities (config.md "User", "Linux
 * process": capabilities, noNewPrivileges), applied by init just before
 * execve, in the one order that works (capabilities(7), prctl(2)):
 *
 * 1. drop from the bounding set what process.capabilities.bounding leaves out
 *    (PR_CAPBSET_DROP needs CAP_SETPCAP, still there while we are root);
 * 2. PR_SET_KEEPCAPS, so that setuid to a non-zero uid keeps the permitted set;
 * 3. setgroups, setgid, setuid (setgroups and setgid need root, so before setuid);
 * 4. capset the effective, permitted and inheritable sets (setuid cleared the effective one);
 * 5. raise each ambient capability (it must be permitted and inheritable by now);
 * 6. PR_SET_NO_NEW_PRIVS when process.noNewPrivileges asks.
 *
 * All of it is per thread, as the kernel keeps credentials, and done with
 * the raw system calls on the thread that then calls execve (execve ends the
 * others). glibc's setuid/setgid/setgroups would signal every one of Bun's
 * threads to change them too, and the threads kept busy by that can still be
 * counted against a pids limit when the container's program starts.
 */
import { ptr } from "bun:ffi";
import { readFileSync } from "node:fs";
import type { Config } from "./config.ts";
import { check, libc, sys } from "./libc.ts";
import type { Quirks } from "./quirks.ts";

/** capability.h numbers, in order: CAP_CHOWN is 0. */
const NAMES = [
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
  "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
  "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
  "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
  "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
  "CHECKPOINT_RESTORE",
];

const PR = { CAPBSET_DROP: 24, SET_KEEPCAPS: 8, SET_NO_NEW_PRIVS: 38, CAP_AMBIENT: 47, CAP_AMBIENT_RAISE: 2 } as const;
const SYS = { setuid: 105, setgid: 106, setgroups: 116, capset: 126 } as const; // x86_64
/** The raw set*id calls change this thread only (see above). */
const raw = sys;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

function capNumber(name: string): number {
  const n = NAMES.indexOf(name.replace(/^CAP_/, ""));
  if (n < 0) throw new Error(`process.capabilities: unknown capability ${name}`);
  return n;
}

/** A set of capability names as the kernel's bit mask. */
function mask(names: string[]): bigint {
  return names.reduce((m, name) => m | (1n << BigInt(capNumber(name))), 0n);
}

function capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0); // pid 0: this thread
  const data = Buffer.alloc(24); // two __user_cap_data_struct: bits 0-31, then 32-63
  [effective, permitted, inheritable].forEach((set, i) => {
    data.writeUInt32LE(Number(set & 0xffffffffn), i * 4);
    data.writeUInt32LE(Number(set >> 32n), 12 + i * 4);
  });
  check(raw(SYS.capset, ptr(header), ptr(data)), "capset");
}

export function applyCredentials(config: Config, quirks: Quirks): void {
  const { user, capabilities: caps, noNewPrivileges } = config.process;
  const applyCaps = caps !== undefined && !quirks.capsLeftFull;
  if (applyCaps && caps.bounding !== undefined && !quirks.boundingNotDropped && !(quirks.rootKeepsBounding && user.uid === 0)) {
    const keep = mask(caps.bounding);
    const last = Number(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8"));
    for (let n = 0; n <= last; n++) {
      if (!(keep & (1n << BigInt(n)))) check(libc.prctl(PR.CAPBSET_DROP, BigInt(n), 0n, 0n, 0n), `prctl(PR_CAPBSET_DROP, ${NAMES[n] ?? n})`);
    }
  }
  if (!quirks.uidNotSet) {
    check(libc.prctl(PR.SET_KEEPCAPS, 1n, 0n, 0n, 0n), "prctl(PR_SET_KEEPCAPS)");
    const groups = new Uint32Array(quirks.additionalGidsIgnored ? [] : user.additionalGids);
    check(raw(SYS.setgroups, groups.length, groups.length === 0 ? 0 : ptr(groups)), "setgroups");
    check(raw(SYS.setgid, user.gid, 0), `setgid(${user.gid})`);
    check(raw(SYS.setuid, user.uid, 0), `setuid(${user.uid})`);
  }
  if (applyCaps) {
    capset(mask(caps.effective ?? []), mask(caps.permitted ?? []), mask((quirks.inheritableFromPermitted ? caps.permitted : caps.inheritable) ?? []));
    for (const name of quirks.ambientNotRaised ? [] : (caps.ambient ?? [])) {
      check(libc.prctl(PR.CAP_AMBIENT, BigInt(PR.CAP_AMBIENT_RAISE), BigInt(capNumber(name)), 0n, 0n), `prctl(PR_CAP_AMBIENT_RAISE, ${name})`);
    }
  }
  if (noNewPrivileges && !quirks.noNewPrivsIgnored) check(libc.prctl(PR.SET_NO_NEW_PRIVS, 1n, 0n, 0n, 0n), "prctl(PR_SET_NO_NEW_PRIVS)");
}
