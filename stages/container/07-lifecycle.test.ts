import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import type { Program } from "../../harness/stage/program.ts";
import { Bundle, cgroupDirs, findProcess } from "./bundle.ts";

const CREATE = "create sets the container up (namespaces, cgroup, root, mounts) and returns, with the container's first process waiting; only start lets it execve the program. runc's way: the first process blocks opening or reading a FIFO in the state directory (opened before the root changes); start writes one byte into it.";
const STATE = "state <id> prints the container's state as JSON (runtime.md \"State\"): ociVersion, id, status (\"created\" after create, \"running\" once started, \"stopped\" once its process has exited), pid (the host pid of the container's process: the one that becomes the program) and bundle (the bundle's absolute path). Work the status out each time from the process itself (alive? still waiting for start?), not from what was last written down.";
const KILL = "kill <id> [<signal>] sends the signal (a name such as TERM or USR1, or a number such as 10; SIGTERM when none is given) to the container's process: kill(2) with the pid recorded at create. The container's PID 1 gets a signal from outside its namespace only if it handles it, as the shell's trap does.";
const DELETE = "delete <id> removes a stopped container: its cgroup (rmdir in every hierarchy) and its state under --root, so that state <id> then fails (and the id can be used again).";

/** A unique `sleep` the host can find by its command line. */
function marker(t: CaseContext): string[] {
  return ["/bin/sleep", `${t.rand.int(40, 90)}.${t.rand.int(100000, 999999)}`];
}

async function created(t: CaseContext, b: Bundle): Promise<Program> {
  const { program, code } = await b.create();
  if (code !== 0) t.fail({ message: code === null ? "create did not return within 10 s: it should return once the container is created, leaving it waiting for start." : `create exited with status ${code}.`, expected: "exit status 0", received: code === null ? "still running" : `exit status ${code}`, hint: CREATE, detail: program.process.output.tail(10) });
  return program;
}

async function started(t: CaseContext, b: Bundle): Promise<void> {
  const r = await b.command("start", b.id);
  if (r.code !== 0) t.fail({ message: `start ${b.id} exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: CREATE, detail: r.output });
}

/** `state <id>`, parsed; fails the case when it does not print a JSON object. */
async function stateOf(t: CaseContext, b: Bundle): Promise<Record<string, unknown>> {
  const r = await b.command("state", b.id);
  if (r.code !== 0) t.fail({ message: `state ${b.id} exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: STATE, detail: r.output });
  try {
    const s = JSON.parse(r.stdout) as unknown;
    if (typeof s === "object" && s !== null && !Array.isArray(s)) return s as Record<string, unknown>;
  } catch {
    // reported below
  }
  t.fail({ message: `state ${b.id} should print a JSON object.`, received: r.stdout, hint: STATE });
}

/** Polls `state` until its status is `want` (bounded); returns the last state. */
async function waitStatus(t: CaseContext, b: Bundle, want: string, ms: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await stateOf(t, b);
    if (s.status === want || Date.now() > deadline) return s;
    await Bun.sleep(50);
  }
}

async function waitOutput(t: CaseContext, program: Program, text: string, what: string, hint: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!program.process.output.text().includes(text)) {
    if (Date.now() > deadline) t.fail({ message: `No "${text.trim()}" from the container within 5 s: ${what}.`, hint, detail: program.process.output.tail(10) });
    await Bun.sleep(20);
  }
}

export default stage(import.meta, [
  {
    name: "create sets the container up without running its program; start runs it",
    async run(t) {
      const token = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const sleep = marker(t);
      const b = new Bundle(t, ["/bin/sh", "-c", `echo ${token} > /started; exec ${sleep.join(" ")}`]);
      const file = join(b.rootfs, "started");
      await created(t, b);
      // Whatever the program would have done, it has had a second to do it.
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline) {
        if (existsSync(file)) t.fail({ message: "After create, the container's program already ran (it wrote /started): it must wait for start.", hint: CREATE });
        await Bun.sleep(50);
      }
      await started(t, b);
      // Until the shell has written its line (the file exists, empty, a moment before).
      const read = () => (existsSync(file) ? readFileSync(file, "utf8") : "(no /started)");
      const until = Date.now() + 5000;
      while (read() !== `${token}\n` && Date.now() < until) await Bun.sleep(20);
      const written = read();
      t.expectEqual(written, `${token}\n`, { message: "Within 5 s of start, the container's program should have run (it writes /started).", hint: CREATE });
      if ((await findProcess(sleep)) === undefined) t.fail({ message: `After start, the container's program (${sleep.join(" ")}) does not run.`, hint: CREATE });
    },
  },
  {
    name: "state prints the spec's JSON: id, bundle, the container's pid, status created then running",
    async run(t) {
      const sleep = marker(t);
      const b = new Bundle(t, sleep);
      await created(t, b);
      const before = await stateOf(t, b);
      if (typeof before.ociVersion !== "string" || !/^\d+\.\d+\.\d+/.test(before.ociVersion)) t.fail({ message: "state: ociVersion should be the spec's version the state follows (a string like \"1.0.2\").", received: JSON.stringify(before.ociVersion), hint: STATE });
      t.expectEqual(String(before.id), b.id, { message: "state: id should be the container's id.", hint: STATE });
      t.expectEqual(String(before.bundle), b.dir, { message: "state: bundle should be the bundle's absolute path.", hint: STATE });
      t.expectEqual(String(before.status), "created", { message: "state right after create: status should be \"created\".", hint: STATE });
      const pid = before.pid;
      if (typeof pid !== "number" || pid <= 0 || !existsSync(`/proc/${pid}`)) t.fail({ message: "state after create: pid should be the host pid of the container's process, which exists.", received: JSON.stringify(pid), hint: STATE });
      await started(t, b);
      const after = await waitStatus(t, b, "running", 5000);
      t.expectEqual(String(after.status), "running", { message: "state after start: status should be \"running\".", hint: STATE });
      const program = await findProcess(sleep);
      if (after.pid !== pid || program !== pid) t.fail({ message: `state: pid should stay the container's process, which execve'd the program (${sleep.join(" ")}, host pid ${program}).`, expected: `pid ${program} after create and after start`, received: `pid ${pid} after create, ${after.pid} after start`, hint: STATE });
    },
  },
  {
    name: "kill sends the signal it names to the container's process; state then says stopped",
    async run(t) {
      const sig = t.rand.pick(["HUP", "INT", "TERM", "USR1", "USR2"]);
      const code = t.rand.int(3, 60);
      const b = new Bundle(t, ["/bin/sh", "-c", `trap 'echo got ${sig}; exit ${code}' ${sig}; echo ready; while :; do sleep 0.05; done`]);
      const program = await created(t, b);
      await started(t, b);
      await waitOutput(t, program, "ready\n", "the container's shell to start", CREATE);
      const r = await b.command("kill", b.id, sig);
      if (r.code !== 0) t.fail({ message: `kill ${b.id} ${sig} exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: KILL, detail: r.output });
      await waitOutput(t, program, `got ${sig}\n`, `kill ${b.id} ${sig}; the container's shell traps SIG${sig} and prints "got ${sig}"`, KILL);
      const s = await waitStatus(t, b, "stopped", 5000);
      t.expectEqual(String(s.status), "stopped", { message: "state, once the container's process has exited: status should be \"stopped\".", hint: STATE });
    },
  },
  {
    name: "kill takes a signal number, and sends SIGTERM when given none",
    async run(t) {
      const code = t.rand.int(3, 60);
      const b = new Bundle(t, ["/bin/sh", "-c", `trap 'echo got USR1' USR1; trap 'echo got TERM; exit ${code}' TERM; echo ready; while :; do sleep 0.05; done`]);
      const program = await created(t, b);
      await started(t, b);
      await waitOutput(t, program, "ready\n", "the container's shell to start", CREATE);
      const byNumber = await b.command("kill", b.id, "10");
      if (byNumber.code !== 0) t.fail({ message: `kill ${b.id} 10 (SIGUSR1 by number) exited with status ${byNumber.code}.`, expected: "exit status 0", received: `exit status ${byNumber.code}`, hint: KILL, detail: byNumber.output });
      await waitOutput(t, program, "got USR1\n", `kill ${b.id} 10; the container's shell traps SIGUSR1 (10) and prints "got USR1"`, KILL);
      const byDefault = await b.command("kill", b.id);
      if (byDefault.code !== 0) t.fail({ message: `kill ${b.id} (no signal) exited with status ${byDefault.code}.`, expected: "exit status 0", received: `exit status ${byDefault.code}`, hint: KILL, detail: byDefault.output });
      await waitOutput(t, program, "got TERM\n", `kill ${b.id} with no signal should send SIGTERM; the container's shell traps it and prints "got TERM"`, KILL);
    },
  },
  {
    name: "delete removes a stopped container: its cgroup, and its state (state then fails)",
    async run(t) {
      const sleep = ["/bin/sleep", `2.${t.rand.int(100000, 999999)}`];
      const b = new Bundle(t, sleep);
      b.config.linux.resources = { pids: { limit: t.rand.int(32, 64) } };
      await created(t, b);
      await started(t, b);
      const pid = await findProcess(sleep);
      if (pid === undefined) t.fail({ message: `After start, the container's program (${sleep.join(" ")}) does not run.`, hint: CREATE });
      // Until the sleep has ended (gone, or a zombie nobody reaped).
      const deadline = Date.now() + 6000;
      const alive = () => {
        try {
          return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
        } catch {
          return false;
        }
      };
      while (alive() && Date.now() < deadline) await Bun.sleep(50);
      const r = await b.command("delete", b.id);
      if (r.code !== 0) t.fail({ message: `delete ${b.id}, once its process had exited, exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: DELETE, detail: r.output });
      const left = cgroupDirs(b.cgroupsPath).filter((d) => existsSync(d));
      if (left.length > 0) t.fail({ message: "After delete, the container's cgroup is still there.", received: left.join("\n"), hint: DELETE });
      const s = await b.command("state", b.id);
      if (s.code === 0) t.fail({ message: `After delete, state ${b.id} should fail (the container no longer exists); it exited 0.`, received: s.output, hint: DELETE });
    },
  },
]);
