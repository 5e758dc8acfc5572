import { readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { CommandResult } from "../../harness/clients/command.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { BASE_ENV, Bundle, findProcess, mountPointsOf, rootOf } from "./bundle.ts";

const RUN = "Read <bundle>/config.json, run process.args (argv[0] looked up in the container's PATH when it has no /) with exactly process.env, in process.cwd, under root.path; wait for it and exit with its status.";
const PIVOT = "In a new mount namespace (unshare(CLONE_NEWNS)), make / private (mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE)), bind-mount the rootfs onto itself, mount config.mounts under it, chdir into it, pivot_root(\".\", \".\"), then umount2(\".\", MNT_DETACH) to drop the old root, and chdir(\"/\"). chroot(2) is not enough: it changes only the path lookup of one process, and the host's mounts stay in its mount namespace.";

const SHARED = "Here the bundle is on a mount with shared propagation: pivot_root(2) fails with EINVAL (Invalid argument) while the new root's parent mount is shared, and mounts made under it would be copied back to the host. Make / private (mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)) in the new mount namespace before anything else.";

function expectExit(t: CaseContext, r: CommandResult, code: number, what: string, hint = RUN): void {
  if (r.code !== code) t.fail({ message: `${what}: your runtime exited with status ${r.code}.`, expected: `exit status ${code}`, received: `exit status ${r.code}`, hint });
}

/** A unique `sleep` the host can find by its command line. */
function sleeper(t: CaseContext): string[] {
  return ["sleep", `${t.rand.int(40, 90)}.${t.rand.int(100000, 999999)}`];
}

/** Starts a container that sleeps, and returns its process's host pid. */
async function runningContainer(t: CaseContext, b: Bundle) {
  const argv = sleeper(t);
  b.config.process.args = ["/bin/" + argv[0], argv[1]];
  const program = await b.start();
  const pid = await findProcess(["/bin/" + argv[0], argv[1]!], 5000, () => program.process.exitCode !== null);
  if (pid === undefined) {
    const code = program.process.exitCode;
    t.fail({
      message: code !== null ? `Your runtime exited with status ${code} before the container's process (${b.config.process.args.join(" ")}) appeared.` : `The container's process (${b.config.process.args.join(" ")}) did not appear within 5 s of starting your runtime.`,
      hint: `${RUN} ${b.shared ? SHARED : ""}`,
      detail: program.process.output.tail(10),
    });
  }
  return { program, pid };
}

/** Mount points below `dir` (not `dir` itself: the test's own bind mount) in the mount namespace `pid` is in. */
function mountsUnder(pid: number, dir: string): string[] {
  return readFileSync(`/proc/${pid}/mountinfo`, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" ")[4]!)
    .filter((p) => p.startsWith(`${dir}/`));
}

export default stage(import.meta, [
  {
    name: "process.args reach the program exactly: one argument each, spaces and shell characters untouched",
    async run(t) {
      const words = t.rand.shuffle(["two words", "", "*", "$HOME", "tab\there", 'a "quoted" one', "semi;colon", t.rand.word(), `${t.rand.word()}-${t.rand.int(1, 999)}`]);
      const b = new Bundle(t, ["/bin/sh", "-c", 'for a in "$@"; do printf "<%s>\\n" "$a"; done', "sh", ...words]);
      const r = await b.run();
      t.expectEqual(r.stdout, words.map((w) => `<${w}>\n`).join(""), {
        message: "The container's process did not get process.args as given (each line shows one argument between < and >).",
        hint: "Pass process.args to execve(2) as the argv array, one string each: never join them into a shell command line.",
      });
      expectExit(t, r, 0, "The container's process exited 0");
    },
  },
  {
    name: "the environment is exactly process.env: nothing added from the runtime's own",
    async run(t) {
      const name = `SYSCRAFT_${t.rand.word().toUpperCase()}`;
      const env = [...BASE_ENV, `${name}=${t.rand.word()} ${t.rand.int(1, 9999)}`, "EMPTY=", `LANG=C.${t.rand.word()}`];
      const b = new Bundle(t, ["/bin/env"]);
      b.config.process.env = env;
      const r = await b.run();
      expectExit(t, r, 0, "env exited 0");
      const got = r.stdout.split("\n").filter(Boolean).sort();
      t.expectEqual(got.join("\n"), [...env].sort().join("\n"), {
        message: "The container's environment is not process.env (sorted, one variable a line).",
        hint: "Give execve(2) process.env as its envp, and nothing else: the runtime's own variables (its PATH, HOME, anything the harness set) must not leak into the container.",
      });
    },
  },
  {
    name: "a program named without a / is looked up in process.env's PATH, inside the container",
    async run(t) {
      // Found in the first directory of PATH, then in the second; started from another directory than /.
      for (const position of ["first", "second"] as const) {
        const dir = `/opt/${t.rand.word()}-${t.rand.int(10, 99)}/bin`;
        const name = `${t.rand.word()}-tool`;
        const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
        const b = new Bundle(t, [name, "arg"]);
        b.file(`${dir}/${name}`, `#!/bin/sh\necho "found $1 ${token}"\n`, 0o755);
        b.config.process.env = [position === "first" ? `PATH=${dir}:/bin` : `PATH=/usr/local/bin:${dir}:/bin`, "HOME=/root"];
        b.config.process.cwd = "/tmp";
        const r = await b.run();
        t.expectEqual(r.stdout, `found arg ${token}\n`, {
          message: `process.args[0] is "${name}", a name without a /: it should be found in ${dir}, the ${position} directory of the container's PATH.`,
          hint: "When process.args[0] has no /, look it up as execvp(3) does: in each directory of the PATH in process.env (the container's, not the runtime's), inside the new root, the first match that is an executable file.",
        });
        expectExit(t, r, 0, "The program found in PATH exited 0");
      }
    },
  },
  {
    name: "the process starts in process.cwd",
    async run(t) {
      const cwd = `/srv/${t.rand.word()}/${t.rand.word()}-${t.rand.int(1, 99)}`;
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const b = new Bundle(t, ["/bin/sh", "-c", "pwd; cat ./here"]);
      b.file(join(cwd, "here"), `${token}\n`);
      b.config.process.cwd = cwd;
      const r = await b.run();
      t.expectEqual(r.stdout, `${cwd}\n${token}\n`, { message: "The process did not start in process.cwd.", hint: "chdir(2) to process.cwd (a path inside the new root) after pivot_root, before execve." });
      expectExit(t, r, 0, "pwd; cat ./here exited 0");
    },
  },
  {
    name: "the runtime exits with the process's exit status",
    async run(t) {
      const code = t.rand.int(2, 125);
      const b = new Bundle(t, ["/bin/sh", "-c", `echo bye; exit ${code}`]);
      const r = await b.run();
      expectExit(t, r, code, `The container's process ran "exit ${code}"`, "runc run exits with the container process's status: wait for it and exit with the same code.");
      t.expectEqual(r.stdout, "bye\n", { message: "The container's standard output did not reach the runtime's.", hint: "The container's process inherits the runtime's standard input, output and error." });
    },
  },
  {
    name: "a process killed by a signal: the runtime exits with 128 + the signal's number",
    async run(t) {
      const b = new Bundle(t, []);
      const { program, pid } = await runningContainer(t, b);
      t.log.note(`kill -KILL ${pid}  (the container's process, from the host)`);
      process.kill(pid!, "SIGKILL");
      const code = await program.process.waitExit(5000);
      if (code === null) t.fail({ message: "Your runtime did not exit within 5 s of its container's process being killed.", hint: RUN, detail: program.process.output.tail(10) });
      if (code !== 137) t.fail({ message: "The container's process was killed with SIGKILL (9).", expected: "exit status 137 (128 + 9)", received: `exit status ${code}`, hint: "When waitpid(2) says the process was killed by signal N (WIFSIGNALED), exit with 128 + N, as a shell does.", detail: program.process.output.tail(10) });
    },
  },
  {
    name: "the root is root.path: its files are at /, and nothing above it is reachable",
    async run(t) {
      const name = `${t.rand.word()}-${t.rand.int(100, 999)}`;
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const b = new Bundle(t, ["/bin/sh", "-c", `cat /etc/${name}; ls /; cat /../config.json /../../config.json 2>/dev/null; echo end`]);
      b.file(`etc/${name}`, `${token}\n`);
      const r = await b.run();
      expectExit(t, r, 0, "The container's shell exited 0");
      // /dev: the runtime creates the default devices there (or mounts it).
      const top = ["bin", "dev", "etc", "proc", "root", "sys", "tmp"].join("\n");
      t.expectEqual(r.stdout, `${token}\n${top}\nend\n`, {
        message: `Inside the container, /etc/${name} should be the rootfs's file, / should list the rootfs's directories, and the bundle's config.json (one level above the rootfs) must not be reachable through /..`,
        hint: PIVOT,
      });
    },
  },
  {
    name: "pivot_root: seen from the host, the process's root is / of a mount namespace holding only the container's mounts",
    async run(t) {
      const b = new Bundle(t, [], { shared: true });
      const { program, pid } = await runningContainer(t, b);
      const root = rootOf(pid!);
      if (root !== "/") {
        t.fail({ message: `readlink /proc/${pid}/root on the host gives ${root}: the container's process has a chroot-style root inside the host's tree.`, expected: "/", received: String(root), hint: PIVOT });
      }
      if (readlinkSync(`/proc/${pid}/ns/mnt`) === readlinkSync("/proc/self/ns/mnt")) {
        t.fail({ message: "The container's process is in the host's mount namespace.", hint: PIVOT });
      }
      const points = mountPointsOf(pid!);
      const allowed = (p: string) => p === "/" || p === "/proc" || p.startsWith("/proc/") || p === "/dev" || p.startsWith("/dev/");
      const extra = points.filter((p) => !allowed(p));
      const roots = points.filter((p) => p === "/").length;
      if (extra.length > 0 || roots !== 1) {
        t.fail({
          message: `The container's mount namespace (/proc/${pid}/mountinfo) holds mounts it did not ask for: the host's old root is still there.`,
          expected: "one mount at /, then /proc (and /dev, if the runtime mounts it)",
          received: points.join("\n"),
          hint: PIVOT,
        });
      }
      // The runtime was started in a mount namespace of its own (see Bundle.sandbox): that is the "host" its mistakes can reach.
      const leaked = mountsUnder(program.process.pid, b.dir);
      if (leaked.length > 0) {
        t.fail({ message: "Mounts made for the container show up in the mount table of the namespace your runtime was started in (the host's, outside the tests).", received: leaked.join("\n"), hint: "Make / private in the new mount namespace (mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)) before mounting anything: with shared propagation every mount under the rootfs is copied back to the host." });
      }
    },
  },
]);
