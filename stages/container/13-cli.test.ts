import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildRootfs } from "../../challenges/container/rootfs.ts";
import { requireBinary } from "../../harness/clients/require.ts";
import type { CommandResult } from "../../harness/clients/command.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { Bundle, findProcess } from "./bundle.ts";
import { Layout, put } from "./oci-layout.ts";

const ATTACHED = "cli run without -d runs the container in the foreground: what its process writes to stdout and stderr appears on your program's stdout or stderr as it comes, and your program exits with the container's status (its exit code, or 128 + N after signal N).";
const COMMAND = "The container's process is the image's Entrypoint followed by the command given after the image (docker run's rule: the command replaces the image's Cmd, never its Entrypoint); with no command, Entrypoint followed by Cmd, as unpack writes it.";
const PS = "cli ps prints one line per running container: \"<name> running\"; cli ps -a also lists the ones that have ended: \"<name> exited <status>\", the status the container's process ended with, kept until cli rm.";
const LOGS = "cli logs <name> prints everything the container's process has written to stdout and stderr so far, while it runs and after it has ended (until cli rm): keep its output in a file of the container's (the detached container's stdout and stderr point at it).";
const DETACH = "cli run -d returns as soon as the container's process runs, printing the container's name on a line of its own, and leaves the container running: start it from a process of its own (Docker's shim: it waits for the container and writes down its exit status), in a session of its own, that outlives your program.";
const HOSTNAME = "The container's hostname is its name (config.json's hostname, in a UTS namespace of its own).";
const EXEC = "cli exec <name> <command…> runs the command inside the running container: open /proc/<pid>/ns/{ipc,uts,net,pid,mnt} of the container's process and setns(2) into each (the mount namespace last; a multi-threaded process first needs unshare(CLONE_FS)), then start the command as your child: it is then in the container's PID namespace, sees its files and root, its hostname and its network. Run it with the container's process.env and process.cwd, pass its output through, and exit with its status.";
const EXEC_CGROUP = "cli exec's command joins the container's cgroups too, as runc exec does, so that the container's limits and accounting hold for it: read /proc/<pid>/cgroup of the container's process (v2: \"0::<path>\"; v1: \"<id>:<controllers>:<path>\" per hierarchy, mounted at /sys/fs/cgroup/<controllers>) and write your process's pid into each cgroup.procs there before starting the command (while the host's /sys/fs/cgroup is still in view: before setns into the mount namespace); the command inherits them.";
const STOP = "cli stop [-t <seconds>] <name> sends SIGTERM to the container's process, waits up to -t seconds (10 by default) for it to end, then sends SIGKILL; it returns once the container has ended. A PID 1 gets SIGTERM from outside its namespace only if it handles it (the shell's trap).";
const RM = "cli rm <name> removes a container that has ended: its record, its log and its bundle with the writes of its process (the upper directory), so that the name is free and a new container of that name starts from the image. A running container is refused (non-zero exit, the container left running) unless -f is given: then it is killed (SIGKILL) and removed.";
const NAMES = "A container's name is its key: cli run with a name in use (by a running or an ended container) must fail, exiting non-zero without touching that container.";

interface Image {
  ref: string;
  /** The image as cli run takes it: <layout>:<ref>. */
  arg: string;
  greeting: string;
  fromEntrypoint: string;
}

/** One image: busybox with /opt, Env (PATH, GREETING), Entrypoint ["/bin/env", "FROM_ENTRYPOINT=<token>"], Cmd printing $GREETING, WorkingDir /opt. */
function buildImage(t: CaseContext): Image {
  requireBinary("tar", "tar");
  requireBinary("gzip", "gzip");
  const base = join(t.dir, "image-base");
  buildRootfs(base);
  put(base, "opt/README", "the working directory\n");
  const layout = new Layout(join(t.dir, "layout"));
  const ref = `${t.rand.word()}:${t.rand.int(1, 99)}.0`;
  const greeting = `hello-${t.rand.word()}-${t.rand.int(1000, 9999)}`;
  const fromEntrypoint = `entry-${t.rand.int(1000, 9999)}`;
  layout.image(ref, [layout.layer(t, base)], {
    Env: ["PATH=/bin:/usr/bin", `GREETING=${greeting}`],
    Entrypoint: ["/bin/env", `FROM_ENTRYPOINT=${fromEntrypoint}`],
    Cmd: ["/bin/sh", "-c", 'echo "greeting $GREETING"'],
    WorkingDir: "/opt",
  });
  return { ref, arg: `${layout.dir}:${ref}`, greeting, fromEntrypoint };
}

/** The case's --root and its sandbox (a mount namespace of its own, as every container stage: see Bundle.sandbox). */
class Cli {
  readonly b: Bundle;
  constructor(private readonly t: CaseContext) {
    this.b = new Bundle(t, []);
  }

  /** `--root <state> cli <args…>`, run to its end. */
  run(args: string[], timeoutMs = 20000): Promise<CommandResult> {
    return this.t.run(["--root", this.b.stateRoot, "cli", ...args], { timeoutMs, cwd: this.t.dir, wrap: this.b.sandbox() });
  }

  /**
   * `cli run -d …` in the background: it should return while the container lives on (stopped when the case ends).
   * bun test's --no-orphans would make a Bun program kill what it started when it exits: off, as for create.
   */
  async detached(args: string[]): Promise<{ code: number | null; stdout: string; output: string }> {
    const program = await this.t.start({ args: ["--root", this.b.stateRoot, "cli", "run", "-d", ...args], ready: "none", env: { BUN_FEATURE_FLAG_NO_ORPHANS: "0" }, wrap: this.b.sandbox(), exitExpected: true });
    const code = await program.process.waitExit(15000);
    return { code, stdout: program.process.stdout.text(), output: program.process.output.tail(10) };
  }

  /** cli ps (or ps -a): its lines, sorted. */
  async ps(all: boolean): Promise<string[]> {
    const r = await this.run(all ? ["ps", "-a"] : ["ps"]);
    if (r.code !== 0) this.t.fail({ message: `cli ps${all ? " -a" : ""} exited with status ${r.code}.`, received: r.output, hint: PS });
    return r.stdout.split("\n").map((l) => l.trim().replace(/\s+/g, " ")).filter(Boolean).sort();
  }

  /** Starts a detached container and fails the case unless run -d returns 0 with its name. */
  async started(name: string, image: Image, command: string[]): Promise<void> {
    const r = await this.detached(["--name", name, image.arg, ...command]);
    if (r.code === null) this.t.fail({ message: `cli run -d --name ${name} did not return within 15 s; its container runs until it is stopped.`, expected: `"${name}" printed and exit status 0 while the container runs`, received: "still running", hint: DETACH });
    if (r.code !== 0) this.t.fail({ message: `cli run -d --name ${name} exited with status ${r.code}.`, expected: "exit status 0", received: r.output, hint: DETACH });
    const last = r.stdout.trim().split("\n").at(-1)?.trim();
    this.t.expectEqual(last ?? "", name, { message: `cli run -d --name ${name}: the last line of its output should be the container's name.`, hint: DETACH });
  }
}

/** The value printed on the line "<label> <value>" (the value may be empty). */
function line(text: string, label: string): string | undefined {
  return new RegExp(`^${label} ?(.*)$`, "m").exec(text)?.[1]?.trim();
}

const name = (t: CaseContext, prefix: string) => `${prefix}-${t.rand.word()}-${t.rand.int(100, 999)}`;

async function waitUntil(f: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await f()) return true;
    if (Date.now() > deadline) return false;
    await Bun.sleep(200);
  }
}

export default stage(import.meta, [
  {
    name: "run in the foreground: the container's output and status, Entrypoint with the command or with Cmd; ps -a lists ended containers, ps only running ones; logs after the end",
    async run(t) {
      const image = buildImage(t);
      const cli = new Cli(t);
      const first = name(t, "fg");
      const second = name(t, "cmd");
      const out = `out-${t.rand.int(1000, 9999)}`;
      const err = `err-${t.rand.int(1000, 9999)}`;
      const status = t.rand.int(3, 120);
      const r = await cli.run(["run", "--name", first, image.arg, "/bin/sh", "-c", `echo "out ${out} $FROM_ENTRYPOINT"; echo "err ${err}" >&2; exit ${status}`]);
      if (!r.output.includes(`out ${out}`) || !r.output.includes(`err ${err}`)) t.fail({ message: `cli run --name ${first} (in the foreground): the container wrote "out ${out} …" to stdout and "err ${err}" to stderr; your program should pass both on.`, received: r.output || "(nothing)", hint: ATTACHED });
      if (r.code !== status) t.fail({ message: `cli run --name ${first} (in the foreground): the container's process exited with status ${status}.`, expected: `exit status ${status}`, received: `exit status ${r.code}`, hint: ATTACHED });
      t.expectEqual(line(r.output, `out ${out}`) ?? "", image.fromEntrypoint, { message: `$FROM_ENTRYPOINT in the container: the image's Entrypoint is ["/bin/env", "FROM_ENTRYPOINT=${image.fromEntrypoint}"], and the command given should come after it`, hint: COMMAND });
      const d = await cli.run(["run", "--name", second, image.arg]);
      t.expectEqual(line(d.stdout, "greeting") ?? "(no line \"greeting …\")", image.greeting, { message: `cli run --name ${second} with no command: the image's Cmd (after its Entrypoint) prints "greeting $GREETING"`, hint: COMMAND });
      const all = await cli.ps(true);
      for (const [n, s] of [
        [first, status],
        [second, 0],
      ] as const) {
        if (!all.includes(`${n} exited ${s}`)) t.fail({ message: `cli ps -a should list the container ${n}, which ended with status ${s}.`, expected: `${n} exited ${s}`, received: all.join("\n") || "(nothing)", hint: PS });
      }
      const running = await cli.ps(false);
      const listed = running.filter((l) => l.startsWith(`${first} `) || l.startsWith(`${second} `));
      if (listed.length > 0) t.fail({ message: "cli ps (without -a) should list running containers only; these have ended.", received: listed.join("\n"), hint: PS });
      const logs = await cli.run(["logs", first]);
      if (logs.code !== 0 || !logs.stdout.includes(`out ${out}`) || !logs.stdout.includes(`err ${err}`)) {
        t.fail({ message: `cli logs ${first}, after the container ended, should print what it wrote to stdout ("out ${out} …") and to stderr ("err ${err}").`, received: `exit status ${logs.code}\n${logs.output}`, hint: LOGS });
      }
    },
  },
  {
    name: "run -d returns while the container runs; ps, logs so far, its hostname; exec inside it (files, PID namespace, hostname, network, env, cwd, status); stop with SIGTERM",
    async run(t) {
      const image = buildImage(t);
      const cli = new Cli(t);
      const n = name(t, "bg");
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const mark = `mark-${t.rand.int(1000, 9999)}`;
      const onTerm = t.rand.int(3, 120);
      await cli.started(n, image, ["/bin/sh", "-c", `echo "started ${token}"; echo "stderr ${token}" >&2; echo "hostname $(hostname)"; echo ${mark} > /tmp/mark; trap 'echo got-term; exit ${onTerm}' TERM; while :; do sleep 0.1; done`]);
      const running = await cli.ps(false);
      if (!running.includes(`${n} running`)) t.fail({ message: `cli ps right after cli run -d --name ${n} should list it as running.`, expected: `${n} running`, received: running.join("\n") || "(nothing)", hint: PS });
      let logs: CommandResult | undefined;
      await waitUntil(async () => {
        logs = await cli.run(["logs", n]);
        return logs.stdout.includes(`started ${token}`) && logs.stdout.includes(`stderr ${token}`) && logs.stdout.includes("hostname ");
      }, 5000);
      if (!logs!.stdout.includes(`started ${token}`) || !logs!.stdout.includes(`stderr ${token}`)) t.fail({ message: `cli logs ${n} while the container runs (tried for 5 s) should print what it wrote so far: "started ${token}" on stdout, "stderr ${token}" on stderr.`, received: logs!.output || "(nothing)", hint: LOGS });
      t.expectEqual(line(logs!.stdout, "hostname") ?? "", n, { message: `hostname in the container (its first lines, in cli logs ${n})`, hint: HOSTNAME });
      // A command of two words, then of one, then a script.
      const cat = await cli.run(["exec", n, "cat", "/tmp/mark"]);
      if (cat.code !== 0 || cat.stdout.trim() !== mark) t.fail({ message: `cli exec ${n} cat /tmp/mark should print ${mark}, which the container wrote to /tmp/mark (a file of its own root, not the host's).`, expected: mark, received: `exit status ${cat.code}\n${cat.output}`, hint: EXEC });
      const host = await cli.run(["exec", n, "hostname"]);
      t.expectEqual(host.stdout.trim(), n, { message: `hostname run by cli exec ${n} hostname`, hint: EXEC });
      const status = t.rand.int(3, 120);
      const inside = await cli.run([
        "exec",
        n,
        "/bin/sh",
        "-c",
        `echo "self $(readlink /proc/self)"; echo "ifaces $(sed -n 's/^ *\\([a-z0-9]*\\):.*/\\1/p' /proc/net/dev | tr '\\n' ' ')"; echo "env $GREETING"; echo "cwd $(pwd)"; echo "cgroup-self $(tr '\n' ' ' < /proc/self/cgroup)"; echo "cgroup-init $(tr '\n' ' ' < /proc/1/cgroup)"; exit ${status}`,
      ]);
      const self = line(inside.stdout, "self") ?? "";
      if (!/^\d+$/.test(self)) t.fail({ message: `cli exec ${n}: readlink /proc/self should give the command's pid in the container's PID namespace (the container's /proc shows only its own processes).`, expected: "a pid", received: inside.output || "(nothing)", hint: EXEC });
      t.expectEqual(line(inside.stdout, "ifaces") ?? "", "lo", { message: `the network interfaces cli exec ${n} sees (/proc/net/dev): the container's network namespace has only lo`, hint: EXEC });
      t.expectEqual(line(inside.stdout, "env") ?? "", image.greeting, { message: `$GREETING in a command run by cli exec ${n} (the image's Env is the container's process.env)`, hint: EXEC });
      t.expectEqual(line(inside.stdout, "cwd") ?? "", "/opt", { message: `pwd in a command run by cli exec ${n} (the image's WorkingDir, /opt, is the container's process.cwd)`, hint: EXEC });
      const cgroupInit = line(inside.stdout, "cgroup-init") ?? "";
      if (cgroupInit === "") t.fail({ message: `cli exec ${n}: /proc/1/cgroup (the container's first process) should list its cgroups.`, received: inside.output || "(nothing)", hint: EXEC_CGROUP });
      t.expectEqual(line(inside.stdout, "cgroup-self") ?? "", cgroupInit, { message: `the cgroups of a command run by cli exec ${n} (its /proc/self/cgroup, one line per hierarchy) should be the container's (/proc/1/cgroup: its first process's), not those cli exec was started in`, hint: EXEC_CGROUP });
      if (inside.code !== status) t.fail({ message: `cli exec ${n} /bin/sh -c '…; exit ${status}' should exit with the command's status.`, expected: `exit status ${status}`, received: `exit status ${inside.code}`, hint: EXEC });
      const stop = await cli.run(["stop", n], 30000);
      if (stop.code !== 0) t.fail({ message: `cli stop ${n} exited with status ${stop.code}.`, expected: "exit status 0", received: stop.output, hint: STOP });
      const all = await cli.ps(true);
      if (!all.includes(`${n} exited ${onTerm}`)) t.fail({ message: `After cli stop ${n}, cli ps -a should show it ended with status ${onTerm}: its trap on SIGTERM echoes got-term and exits ${onTerm}.`, expected: `${n} exited ${onTerm}`, received: all.join("\n") || "(nothing)", hint: STOP });
      const after = await cli.run(["logs", n]);
      if (!after.stdout.includes("got-term")) t.fail({ message: `cli logs ${n} after cli stop should show "got-term", written by the container's trap on SIGTERM.`, received: after.output || "(nothing)", hint: STOP });
    },
  },
  {
    name: "a name in use is refused; stop -t kills a container that ignores SIGTERM; rm refuses a running container, removes an ended one with its files; rm -f",
    async run(t) {
      const image = buildImage(t);
      const cli = new Cli(t);
      const n = name(t, "stubborn");
      const written = `written-${t.rand.int(1000, 9999)}`;
      await cli.started(n, image, ["/bin/sh", "-c", `trap '' TERM; echo ${written} > /tmp/written; while :; do sleep 0.1; done`]);
      const again = await cli.detached(["--name", n, image.arg, "/bin/true"]);
      if (again.code === 0 || again.code === null) t.fail({ message: `A second cli run -d --name ${n}, while a container of that name runs, should fail.`, expected: "a non-zero exit status", received: again.code === null ? "still running after 15 s" : `exit status 0\n${again.output}`, hint: NAMES });
      let ps = await cli.ps(true);
      if (ps.filter((l) => l.startsWith(`${n} `)).join("\n") !== `${n} running`) t.fail({ message: `After the refused second run, cli ps -a should still list one container ${n}, running.`, expected: `${n} running`, received: ps.join("\n") || "(nothing)", hint: NAMES });
      const rmRunning = await cli.run(["rm", n]);
      ps = await cli.ps(false);
      if (rmRunning.code === 0 || !ps.includes(`${n} running`)) t.fail({ message: `cli rm ${n} (without -f) on a running container should fail and leave it running.`, expected: `a non-zero exit status; cli ps: ${n} running`, received: `exit status ${rmRunning.code}; cli ps: ${ps.join(", ") || "(nothing)"}`, hint: RM });
      const t0 = Date.now();
      const stop = await cli.run(["stop", "-t", "1", n], 30000);
      const took = (Date.now() - t0) / 1000;
      if (stop.code !== 0) t.fail({ message: `cli stop -t 1 ${n} exited with status ${stop.code}.`, expected: "exit status 0", received: stop.output, hint: STOP });
      ps = await cli.ps(true);
      if (!ps.includes(`${n} exited 137`)) t.fail({ message: `After cli stop -t 1 ${n} (its process ignores SIGTERM), it should have been killed with SIGKILL: cli ps -a should show status 137.`, expected: `${n} exited 137`, received: ps.join("\n") || "(nothing)", hint: STOP });
      if (took >= 8) t.fail({ message: `cli stop -t 1 ${n} took ${took.toFixed(1)} s: with -t 1 it should send SIGKILL after 1 s.`, expected: "well under 8 s", received: `${took.toFixed(1)} s`, hint: STOP });
      const rm = await cli.run(["rm", n]);
      ps = await cli.ps(true);
      if (rm.code !== 0 || ps.some((l) => l.startsWith(`${n} `))) t.fail({ message: `cli rm ${n} (ended) should remove it: exit 0, and cli ps -a no longer lists it.`, received: `exit status ${rm.code}; cli ps -a: ${ps.join(", ") || "(nothing)"}`, hint: RM });
      const fresh = await cli.run(["run", "--name", n, image.arg, "/bin/sh", "-c", 'echo "file $(cat /tmp/written 2>/dev/null || echo none)"']);
      if (fresh.code !== 0) t.fail({ message: `cli run --name ${n}, after cli rm ${n}, should run: the name is free again.`, expected: "exit status 0", received: `exit status ${fresh.code}\n${fresh.output}`, hint: RM });
      t.expectEqual(line(fresh.stdout, "file") ?? "", "none", { message: `A new container named ${n}, after cli rm ${n}, reads /tmp/written, which the removed container wrote: it should start from the image, without the old container's files`, hint: RM });
      const doomed = name(t, "forced");
      const script = `echo forced-${t.rand.int(1000, 9999)}; while :; do sleep 0.1; done`;
      await cli.started(doomed, image, ["/bin/sh", "-c", script]);
      const pid = await findProcess(["/bin/sh", "-c", script], 5000);
      const force = await cli.run(["rm", "-f", doomed]);
      ps = await cli.ps(true);
      if (force.code !== 0 || ps.some((l) => l.startsWith(`${doomed} `))) t.fail({ message: `cli rm -f ${doomed} (running) should kill and remove it: exit 0, and cli ps -a no longer lists it.`, received: `exit status ${force.code}; cli ps -a: ${ps.join(", ") || "(nothing)"}\n${force.output}`, hint: RM });
      if (pid === undefined) t.fail({ message: `The container ${doomed}'s process (/bin/sh -c '${script}') was not found on the host within 5 s of cli run -d.`, hint: DETACH });
      if (!(await waitUntil(async () => !existsSync(`/proc/${pid}`), 5000))) t.fail({ message: `After cli rm -f ${doomed}, the container's process (host pid ${pid}) still runs.`, hint: RM });
    },
  },
]);
