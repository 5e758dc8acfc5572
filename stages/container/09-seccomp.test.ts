import { chmodSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CommandResult } from "../../harness/clients/command.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { SYSCALL_NAMES } from "./09-seccomp-syscall-names.ts";
import { Bundle } from "./bundle.ts";

const FILTER = "Compile linux.seccomp into a classic BPF program over struct seccomp_data (check arch, load nr, compare it with each rule's system call numbers, return the rule's action, else defaultAction) and install it with prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) or seccomp(SECCOMP_SET_MODE_FILTER) just before execve (seccomp(2)).";
const ERRNO = "SCMP_ACT_ERRNO returns SECCOMP_RET_ERRNO | errnoRet: the system call is not made and fails with errno = errnoRet; without errnoRet, the errno is EPERM (runc and libseccomp's default), not 0 (which would make the call \"succeed\" without doing anything).";
const DEFAULT = "linux.seccomp.defaultAction is what the filter returns for every system call no rule matches: the last instruction of the program (here SCMP_ACT_ERRNO: SECCOMP_RET_ERRNO | EPERM).";
const KILL = "SCMP_ACT_KILL is SECCOMP_RET_KILL_THREAD (0): the kernel kills the thread as if by SIGSYS, not a failed call; a one-thread process dies of signal 31, so the runtime exits 128 + 31 = 159.";
const ARGS = "A rule's args are conditions on the system call's arguments (struct seccomp_data args[index], 64 bits: compare both 32-bit halves); all must hold for the rule to apply, else the next rule (or defaultAction) decides. SCMP_CMP_EQ: arg == value; SCMP_CMP_MASKED_EQ: (arg & value) == valueTwo.";
const PRIVILEGED = "Without noNewPrivileges, installing a seccomp filter needs CAP_SYS_ADMIN (seccomp(2): EACCES otherwise): install it before you apply process.user and the capabilities (setuid takes them away), as runc does; with noNewPrivileges set, install it last.";

/** errno values whose strerror(3) text (glibc, which busybox-static uses) no other failure here gives. */
const ERRNOS: [number, string][] = [
  [18, "Invalid cross-device link"],
  [26, "Text file busy"],
  [28, "No space left on device"],
  [30, "Read-only file system"],
  [31, "Too many links"],
  [95, "Operation not supported"],
  [122, "Disk quota exceeded"],
];
const pickErrno = (t: CaseContext, not?: number): [number, string] => t.rand.shuffle(ERRNOS.filter(([n]) => n !== not))[0]!;

function expectRan(t: CaseContext, r: CommandResult, hint: string): void {
  if (r.code !== 0) t.fail({ message: `Your runtime exited with status ${r.code}; the container's shell script ends with exit 0.`, expected: "exit status 0", received: `exit status ${r.code}`, hint, detail: r.output });
}

/** The line "<label> <status>" the script printed after a command. */
function statusOf(r: CommandResult, label: string): string {
  return new RegExp(`^${label} (\\d+)$`, "m").exec(r.stdout)?.[1] ?? "(no such line)";
}

const mkdirRule = (errnoRet?: number) => ({ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", ...(errnoRet === undefined ? {} : { errnoRet }) });

function expectMkdirRefused(t: CaseContext, b: Bundle, r: CommandResult, why: string, message: string, hint: string): void {
  t.expectEqual(statusOf(r, "mkdir"), "1", { message: `mkdir /tmp/denied in the container should fail: ${why}.`, hint, detail: r.output });
  if (existsSync(join(b.rootfs, "tmp/denied"))) t.fail({ message: `mkdir /tmp/denied failed, yet the directory was made (seen from the host in the rootfs): ${why}.`, hint });
  const said = `mkdir: can't create directory '/tmp/denied': ${message}`;
  if (!r.output.includes(said)) t.fail({ message: `mkdir /tmp/denied failed with another error than the one linux.seccomp gives: ${why}.`, expected: said, received: r.output, hint });
}

export default stage(import.meta, [
  {
    name: "SCMP_ACT_ERRNO: a named system call fails with errnoRet (EPERM without one); others run; the process is under a filter (Seccomp: 2)",
    async run(t) {
      const [errno, message] = pickErrno(t);
      const b = new Bundle(t, []);
      b.config.linux.seccomp = {
        defaultAction: "SCMP_ACT_ALLOW",
        architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        syscalls: [mkdirRule(errno), { names: ["chmod", "fchmodat"], action: "SCMP_ACT_ERRNO" }],
      };
      b.file("/tmp/file", t.rand.word());
      b.config.process.args = ["/bin/sh", "-c", 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/denied; echo "mkdir $?"; chmod 600 /tmp/file; echo "chmod $?"; touch /tmp/made; echo "touch $?"'];
      const r = await b.run();
      expectRan(t, r, FILTER);
      const seccomp = /^Seccomp:\s*(\d+)/m.exec(r.stdout)?.[1] ?? "(no such line)";
      t.expectEqual(seccomp, "2", { message: "Seccomp in the container's /proc/self/status should be 2 (SECCOMP_MODE_FILTER): config.json has linux.seccomp, yet the process runs without a filter", hint: FILTER });
      expectMkdirRefused(t, b, r, `linux.seccomp denies mkdir with SCMP_ACT_ERRNO and errnoRet ${errno}`, message, ERRNO);
      t.expectEqual(statusOf(r, "chmod"), "1", { message: "chmod 600 /tmp/file should fail: linux.seccomp denies chmod with SCMP_ACT_ERRNO and no errnoRet", hint: ERRNO, detail: r.output });
      if (!r.output.includes("chmod: /tmp/file: Operation not permitted")) t.fail({ message: "chmod failed with another error than EPERM, the errno of SCMP_ACT_ERRNO without errnoRet.", expected: "chmod: /tmp/file: Operation not permitted", received: r.output, hint: ERRNO });
      if ((statSync(join(b.rootfs, "tmp/file")).mode & 0o777) !== 0o644) t.fail({ message: "chmod 600 /tmp/file changed the file's mode, though linux.seccomp denies chmod.", hint: ERRNO });
      t.expectEqual(statusOf(r, "touch"), "0", { message: "touch /tmp/made should succeed: defaultAction is SCMP_ACT_ALLOW and no rule names what it calls", hint: DEFAULT, detail: r.output });
    },
  },
  {
    name: "defaultAction: every system call no rule names gets it (SCMP_ACT_ERRNO: EPERM), the rules' SCMP_ACT_ALLOW let the others through",
    async run(t) {
      const b = new Bundle(t, []);
      b.config.linux.seccomp = {
        defaultAction: "SCMP_ACT_ERRNO",
        architectures: ["SCMP_ARCH_X86_64"],
        syscalls: [{ names: SYSCALL_NAMES.filter((n) => n !== "mkdir" && n !== "mkdirat"), action: "SCMP_ACT_ALLOW" }],
      };
      b.config.process.args = ["/bin/sh", "-c", 'mkdir /tmp/denied; echo "mkdir $?"'];
      const r = await b.run();
      expectRan(t, r, DEFAULT);
      expectMkdirRefused(t, b, r, "linux.seccomp's defaultAction is SCMP_ACT_ERRNO and its only rule allows every system call but mkdir and mkdirat", "Operation not permitted", DEFAULT);
    },
  },
  {
    name: "SCMP_ACT_KILL: the process dies of SIGSYS at the system call (the runtime exits 159)",
    async run(t) {
      const b = new Bundle(t, ["/bin/uname", "-n"]);
      b.config.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"], syscalls: [{ names: ["uname"], action: "SCMP_ACT_KILL" }] };
      const r = await b.run();
      if (r.code !== 159) t.fail({ message: "The container runs /bin/uname under a rule that kills at uname(2): it should die of SIGSYS (31), and the runtime exit 128 + 31.", expected: "exit status 159", received: `exit status ${r.code}`, hint: KILL, detail: r.output });
    },
  },
  {
    name: "args: SCMP_CMP_EQ on kill's signal (two rules, two signals) and SCMP_CMP_MASKED_EQ on chmod's mode deny only the calls whose arguments match",
    async run(t) {
      // Signals that do nothing to the container's shell (PID 1 ignores what it has no handler for).
      const [denied, denied2, allowed] = t.rand.shuffle([["WINCH", 28], ["URG", 23], ["CHLD", 17]] as [string, number][]) as [[string, number], [string, number], [string, number]];
      const bit = t.rand.shuffle([0o001, 0o002, 0o010, 0o020])[0]!;
      const [killErrno, killMessage] = pickErrno(t);
      const [chmodErrno, chmodMessage] = pickErrno(t, killErrno);
      const [kill2Errno, kill2Message] = t.rand.shuffle(ERRNOS.filter(([n]) => n !== killErrno && n !== chmodErrno))[0]!;
      const deniedMode = (0o640 | bit).toString(8);
      const b = new Bundle(t, []);
      b.config.linux.seccomp = {
        defaultAction: "SCMP_ACT_ALLOW",
        architectures: ["SCMP_ARCH_X86_64"],
        syscalls: [
          { names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: killErrno, args: [{ index: 1, value: denied[1], op: "SCMP_CMP_EQ" }] },
          { names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: kill2Errno, args: [{ index: 1, value: denied2[1], op: "SCMP_CMP_EQ" }] },
          { names: ["chmod", "fchmodat"], action: "SCMP_ACT_ERRNO", errnoRet: chmodErrno, args: [{ index: 1, value: bit, valueTwo: bit, op: "SCMP_CMP_MASKED_EQ" }] },
        ],
      };
      b.file("/tmp/file", t.rand.word());
      b.config.process.args = ["/bin/sh", "-c", `kill -${denied[0]} $$; echo "denied $?"; kill -${denied2[0]} $$; echo "denied2 $?"; kill -${allowed[0]} $$; echo "allowed $?"; chmod ${deniedMode} /tmp/file; echo "chmod1 $?"; chmod 640 /tmp/file; echo "chmod2 $?"`];
      const r = await b.run();
      expectRan(t, r, ARGS);
      const rule = (what: string) => `${what} (the profile: ${JSON.stringify(b.config.linux.seccomp.syscalls)})`;
      t.expectEqual(statusOf(r, "denied"), "1", { message: rule(`kill -${denied[0]} (signal ${denied[1]}) should fail: a rule denies kill when argument 1 == ${denied[1]}`), hint: ARGS, detail: r.output });
      if (!r.output.includes(killMessage)) t.fail({ message: `kill -${denied[0]} failed with another error than the rule's errnoRet ${killErrno}.`, expected: killMessage, received: r.output, hint: ERRNO });
      t.expectEqual(statusOf(r, "allowed"), "0", { message: rule(`kill -${allowed[0]} (signal ${allowed[1]}) should succeed: the rules on kill apply only when argument 1 == ${denied[1]} or ${denied2[1]}`), hint: ARGS, detail: r.output });
      t.expectEqual(statusOf(r, "denied2"), "1", { message: rule(`kill -${denied2[0]} (signal ${denied2[1]}) should fail: a second rule on kill denies it when argument 1 == ${denied2[1]} (the first rule's condition does not hold: the next rule decides)`), hint: ARGS, detail: r.output });
      if (!r.output.includes(kill2Message)) t.fail({ message: `kill -${denied2[0]} failed with another error than the second rule's errnoRet ${kill2Errno}.`, expected: kill2Message, received: r.output, hint: ERRNO });
      t.expectEqual(statusOf(r, "chmod1"), "1", { message: rule(`chmod ${deniedMode} should fail: a rule denies chmod when (mode & 0${bit.toString(8)}) == 0${bit.toString(8)}`), hint: ARGS, detail: r.output });
      if (!r.output.includes(chmodMessage)) t.fail({ message: `chmod ${deniedMode} failed with another error than the rule's errnoRet ${chmodErrno}.`, expected: chmodMessage, received: r.output, hint: ERRNO });
      t.expectEqual(statusOf(r, "chmod2"), "0", { message: rule(`chmod 640 should succeed: (0640 & 0${bit.toString(8)}) is 0, so the rule on chmod does not apply`), hint: ARGS, detail: r.output });
      t.expectEqual((statSync(join(b.rootfs, "tmp/file")).mode & 0o777).toString(8), "640", { message: "The file's mode seen from the host after both chmods", hint: ARGS });
    },
  },
  {
    name: "a non-root process.user without noNewPrivileges is still under the filter",
    async run(t) {
      const [errno, message] = pickErrno(t);
      const b = new Bundle(t, []);
      chmodSync(join(b.rootfs, "tmp"), 0o1777); // so that only the filter stops mkdir
      b.config.process.user = { uid: t.rand.int(1000, 60000), gid: t.rand.int(1000, 60000) };
      b.config.process.noNewPrivileges = false;
      b.config.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"], syscalls: [mkdirRule(errno)] };
      b.config.process.args = ["/bin/sh", "-c", 'mkdir /tmp/denied; echo "mkdir $?"'];
      const r = await b.run();
      expectRan(t, r, PRIVILEGED);
      expectMkdirRefused(t, b, r, `linux.seccomp denies mkdir with errnoRet ${errno} (process.user is uid ${b.config.process.user.uid}, noNewPrivileges false)`, message, PRIVILEGED);
    },
  },
]);
