/**
 * linux.seccomp (config-linux.md "Seccomp"): the profile read from
 * config.json, compiled by bpf.ts into a classic BPF program over struct
 * seccomp_data, and installed with prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)
 * (seccomp(2)). No libseccomp: this is what it would do for us.
 *
 * The program, for x86_64:
 *   load arch; not AUDIT_ARCH_X86_64 -> kill        (another ABI: its numbers differ)
 *   load nr; x32 (nr has bit 30) -> kill
 *   kill: return SECCOMP_RET_KILL_THREAD
 *   for each rule in config order, each of its names:
 *     nr == <number>? each argument condition (both 32-bit halves)? -> return the rule's action
 *   return defaultAction
 * The first rule that matches decides. Names this kernel's table does not
 * know are skipped, as runc does.
 */
import { ptr } from "bun:ffi";
import { Assembler } from "./bpf.ts";
import { check, libc } from "./libc.ts";
import { X86_64_SYSCALLS } from "./seccomp-syscalls.ts";

declare module "./quirks.ts" {
  interface Quirks {
    /** Ignore linux.seccomp: no filter at all. */
    seccompIgnored?: boolean;
    /** SCMP_ACT_ERRNO always returns EPERM, whatever errnoRet says. */
    seccompErrnoRetIgnored?: boolean;
    /** SCMP_ACT_ERRNO without errnoRet returns errno 0 (the call "succeeds" without doing anything) instead of EPERM. */
    seccompErrnoDefaultZero?: boolean;
    /** Treat linux.seccomp.defaultAction as SCMP_ACT_ALLOW. */
    seccompDefaultActionIgnored?: boolean;
    /** SCMP_ACT_KILL refuses the call with EPERM instead of killing. */
    seccompKillAsErrno?: boolean;
    /** A rule with argument conditions applies to every call of its system calls. */
    seccompArgsIgnored?: boolean;
    /** SCMP_CMP_MASKED_EQ compared as SCMP_CMP_EQ with `value`. */
    seccompMaskedEqAsEq?: boolean;
    /** When a rule's argument conditions do not hold, return defaultAction instead of trying the next rules. */
    seccompConditionFailsToDefault?: boolean;
    /** Install the filter last, after process.user is applied, even without noNewPrivileges. */
    seccompAfterCredentials?: boolean;
  }
}
import type { Quirks } from "./quirks.ts";

/** Return values of a filter (linux/seccomp.h). */
const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;
const EPERM = 1;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
/** struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; (little-endian halves). */
const DATA = { nr: 0, arch: 4, argLow: (i: number) => 16 + 8 * i, argHigh: (i: number) => 20 + 8 * i } as const;

const OPS = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"] as const;
type Op = (typeof OPS)[number];

/** value and valueTwo as JSON numbers (the plan init gets is JSON), made 64-bit when compiled. */
export interface Condition {
  index: number;
  value: number;
  valueTwo: number;
  op: Op;
}

/** An action as written in config.json, and the errnoRet that goes with it (undefined when absent). */
export interface Action {
  name: string;
  errnoRet?: number;
}

export interface SeccompRule {
  names: string[];
  action: Action;
  args: Condition[];
}

export interface Seccomp {
  defaultAction: Action;
  architectures: string[];
  rules: SeccompRule[];
}

const ACTIONS = ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"];

type Json = Record<string, unknown>;

function action(name: unknown, errnoRet: unknown, where: string): Action {
  if (typeof name !== "string" || !ACTIONS.includes(name)) throw new Error(`${where}: "${String(name)}" is not a seccomp action this runtime knows (${ACTIONS.join(", ")})`);
  if (errnoRet !== undefined && (typeof errnoRet !== "number" || !Number.isInteger(errnoRet) || errnoRet < 0 || errnoRet > 0xffff)) throw new Error(`${where}: errnoRet must be an errno number`);
  return { name, errnoRet: errnoRet as number | undefined };
}

function u64(v: unknown, where: string): number {
  if (v === undefined) return 0;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new Error(`${where} must be a non-negative integer`);
  return v;
}

/** Reads linux.seccomp; throws with the field that is wrong. */
export function parseSeccomp(raw: unknown): Seccomp {
  if (typeof raw !== "object" || raw === null) throw new Error("linux.seccomp must be an object");
  const s = raw as Json;
  const rules = (Array.isArray(s.syscalls) ? s.syscalls : []).map((r: Json, i): SeccompRule => {
    const where = `linux.seccomp.syscalls[${i}]`;
    if (!Array.isArray(r.names) || r.names.some((n) => typeof n !== "string")) throw new Error(`${where}.names must be an array of system call names`);
    const args = (Array.isArray(r.args) ? r.args : []).map((a: Json, j): Condition => {
      const at = `${where}.args[${j}]`;
      if (typeof a.index !== "number" || !Number.isInteger(a.index) || a.index < 0 || a.index > 5) throw new Error(`${at}.index must be 0 to 5`);
      if (!OPS.includes(a.op as Op)) throw new Error(`${at}.op "${String(a.op)}" is not one of ${OPS.join(", ")}`);
      return { index: a.index, value: u64(a.value, `${at}.value`), valueTwo: u64(a.valueTwo, `${at}.valueTwo`), op: a.op as Op };
    });
    return { names: r.names as string[], action: action(r.action, r.errnoRet, `${where}.action`), args };
  });
  return {
    defaultAction: action(s.defaultAction, s.defaultErrnoRet, "linux.seccomp.defaultAction"),
    architectures: Array.isArray(s.architectures) ? (s.architectures as string[]) : [],
    rules,
  };
}

function retValue(a: Action, quirks: Quirks): number {
  switch (a.name) {
    case "SCMP_ACT_ALLOW":
      return RET.ALLOW;
    case "SCMP_ACT_KILL":
    case "SCMP_ACT_KILL_THREAD":
      return quirks.seccompKillAsErrno ? RET.ERRNO | EPERM : RET.KILL_THREAD;
    case "SCMP_ACT_KILL_PROCESS":
      return RET.KILL_PROCESS;
    case "SCMP_ACT_TRAP":
      return RET.TRAP;
    case "SCMP_ACT_LOG":
      return RET.LOG;
    case "SCMP_ACT_TRACE":
      return RET.TRACE | (a.errnoRet ?? EPERM);
    default: {
      // SCMP_ACT_ERRNO: the call fails with errnoRet, EPERM when none is given.
      const errno = quirks.seccompErrnoRetIgnored ? EPERM : (a.errnoRet ?? (quirks.seccompErrnoDefaultZero ? 0 : EPERM));
      return RET.ERRNO | (errno & 0xffff);
    }
  }
}

const lo = (v: number): number => Number(BigInt(v) & 0xffffffffn);
const hi = (v: number): number => Number(BigInt(v) >> 32n);

/**
 * Code that goes on when argument `c.index` satisfies the condition, and to
 * `fail` otherwise: the high 32-bit halves first, then the low ones (unsigned).
 */
function condition(asm: Assembler, c: Condition, fail: string, quirks: Quirks): void {
  const ok = asm.label("ok");
  const op = quirks.seccompMaskedEqAsEq && c.op === "SCMP_CMP_MASKED_EQ" ? "SCMP_CMP_EQ" : c.op;
  const high = () => asm.loadWord(DATA.argHigh(c.index));
  const low = () => asm.loadWord(DATA.argLow(c.index));
  switch (op) {
    case "SCMP_CMP_EQ":
      high(), asm.jump("JEQ", hi(c.value), "next", fail);
      low(), asm.jump("JEQ", lo(c.value), ok, fail);
      break;
    case "SCMP_CMP_NE":
      high(), asm.jump("JEQ", hi(c.value), "next", ok);
      low(), asm.jump("JEQ", lo(c.value), fail, ok);
      break;
    case "SCMP_CMP_MASKED_EQ": // (arg & value) == valueTwo
      high(), asm.and(hi(c.value)), asm.jump("JEQ", hi(c.valueTwo), "next", fail);
      low(), asm.and(lo(c.value)), asm.jump("JEQ", lo(c.valueTwo), ok, fail);
      break;
    case "SCMP_CMP_GT":
    case "SCMP_CMP_GE":
      high(), asm.jump("JGT", hi(c.value), ok, "next"), asm.jump("JEQ", hi(c.value), "next", fail);
      low(), asm.jump(op === "SCMP_CMP_GT" ? "JGT" : "JGE", lo(c.value), ok, fail);
      break;
    case "SCMP_CMP_LT":
    case "SCMP_CMP_LE":
      high(), asm.jump("JGE", hi(c.value), "next", ok), asm.jump("JEQ", hi(c.value), "next", fail);
      low(), asm.jump(op === "SCMP_CMP_LT" ? "JGE" : "JGT", lo(c.value), fail, ok);
      break;
  }
  asm.place(ok);
}

/** The filter program (struct sock_filter[]) for a profile. */
export function compileSeccomp(profile: Seccomp, quirks: Quirks = {}): Buffer {
  const asm = new Assembler();
  const kill = asm.label("badarch");
  asm.loadWord(DATA.arch);
  asm.jump("JEQ", AUDIT_ARCH_X86_64, "next", kill);
  asm.loadWord(DATA.nr);
  const rules = asm.label("rules");
  asm.jump("JGE", X32_SYSCALL_BIT, kill, rules);
  // Here, close to the jumps to it (classic BPF jumps at most 255 instructions).
  asm.place(kill);
  asm.ret(RET.KILL_THREAD);
  asm.place(rules);
  let holdsNr = true; // whether A still holds the system call number
  const fallback = asm.label("default");
  for (const rule of profile.rules) {
    const args = quirks.seccompArgsIgnored ? [] : rule.args;
    const ret = retValue(rule.action, quirks);
    for (const name of rule.names) {
      const nr = X86_64_SYSCALLS[name];
      if (nr === undefined) continue;
      const skip = asm.label("skip");
      if (!holdsNr) asm.loadWord(DATA.nr);
      asm.jump("JEQ", nr, "next", skip);
      for (const c of args) condition(asm, c, quirks.seccompConditionFailsToDefault ? fallback : skip, quirks);
      asm.ret(ret);
      asm.place(skip);
      holdsNr = args.length === 0;
    }
  }
  asm.place(fallback);
  asm.ret(quirks.seccompDefaultActionIgnored ? RET.ALLOW : retValue(profile.defaultAction, quirks));
  if (asm.length > 4096) throw new Error(`linux.seccomp: the filter has ${asm.length} instructions, more than the kernel's 4096`);
  return asm.assemble();
}

const PR_SET_SECCOMP = 22;
const SECCOMP_MODE_FILTER = 2;

/**
 * Installs the filter on the calling thread (the one that then calls execve;
 * execve ends the others). Without no_new_privs this needs CAP_SYS_ADMIN.
 */
export function installSeccomp(program: Buffer): void {
  const fprog = Buffer.alloc(16); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
  fprog.writeUInt16LE(program.length / 8, 0);
  fprog.writeBigUInt64LE(BigInt(ptr(program)), 8);
  check(libc.prctl(PR_SET_SECCOMP, BigInt(SECCOMP_MODE_FILTER), BigInt(ptr(fprog)), 0n, 0n), "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)");
}
