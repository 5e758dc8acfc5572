import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandResult } from "../../harness/clients/command.ts";
import { StageFailure } from "../../harness/report/failure.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import type { Program } from "../../harness/stage/program.ts";
import { Bundle, cgroupDirs, findProcess } from "./bundle.ts";

const CREATE = "create sets the container up (namespaces, cgroup, root, mounts) and returns, with the container's first process waiting; only start lets it execve the program. runc's way: the first process blocks opening or reading a FIFO in the state directory (opened before the root changes); start writes one byte into it.";
const STATE = "state <id> prints the container's state as JSON (runtime.md \"State\"): ociVersion, id, status (\"created\" after create, \"running\" once started, \"stopped\" once its process has exited), pid (the host pid of the container's process: the one that becomes the program) and bundle (the bundle's absolute path). Work the status out each time from the process itself (alive? still waiting for start?), not from what was last written down.";
const KILL = "kill <id> [<signal>] sends the signal (a name such as TERM or USR1, or a number such as 10; SIGTERM when none is given) to the container's process: kill(2) with the pid recorded at create. The container's PID 1 gets a signal from outside its namespace only if it handles it, as the shell's trap does.";
const DELETE = "delete <id> removes a stopped container: its cgroup (rmdir in every hierarchy) and its state under --root, so that state <id> then fails (and the id can be used again).";

const HOOKS = "config.json's hooks are host programs the runtime runs (path, args with args[0] as argv[0], env as their whole environment, the container's state as JSON on standard input: runtime.md \"State\"): prestart, then createRuntime, in create once the container's process exists and before the program runs (status \"creating\", pid the container's process); poststart after start has let the program run; poststop once the container is deleted (status \"stopped\"). Each kind in the order listed.";
const HOOK_FAILS = "A prestart (or createRuntime) hook that exits non-zero is an error (runtime.md \"Lifecycle\"): stop there — the hooks after it do not run, the container's program never runs — tear the container down (its process, cgroup and state), run the poststop hooks, and exit non-zero with a message on stderr.";
const RUNTIME_HOOKS = "prestart and createRuntime hooks run in the runtime's namespaces (config.md \"POSIX-platform Hooks\": their path resolves, and they are executed, in the runtime namespace): started by your runtime's own process, outside the container, while the container's first process waits.";
const CONTAINER_HOOKS = "createContainer and startContainer hooks (config.md \"POSIX-platform Hooks\") run in the container's namespaces (its mount, UTS, IPC and PID namespaces: run them from the container's first process). createContainer: in create, after the createRuntime hooks, once the container's mounts are made and before pivot_root, so its path is the host's (runc runs it between its mounts and pivot_root). startContainer: in start, before the program runs, after pivot_root, so its path is the container's. Each gets the state on its standard input.";
const HOOK_TIMEOUT = "A hook's timeout is in seconds (config.md \"POSIX-platform Hooks\"): a hook still running after it has failed: kill it (SIGKILL, or SIGTERM) and treat it as a hook that exited non-zero; for prestart, stop there, tear the container down and exit non-zero (runtime.md \"Lifecycle\").";
const CONTAINER_HOOK_FAILS = "A createContainer or startContainer hook that exits non-zero is an error too (runtime.md \"Lifecycle\", steps 5 and 7): the hooks after it do not run, the container's program never runs, the container is torn down, the poststop hooks run, and run exits non-zero.";
const SETUP_FAILS = "When the container cannot be set up (here: root.path does not exist), exit non-zero with a message on stderr saying why, and leave nothing behind: no cgroup at linux.cgroupsPath, no state (state <id> fails).";

/**
 * Hooks that record themselves: each appends "<name> <$HOOK_TOKEN>" to <dir>/order, saves its standard input
 * as <dir>/<name>.json and its namespaces as <dir>/<name>.ns (see recordNamespaces). `name` is passed as the hook's $0 (its args), the token in its env.
 */
function recordingHooks(t: CaseContext, names: Record<string, string[]>, failing?: { name: string; code: number }): { dir: string; hooks: Record<string, unknown[]>; tokens: Record<string, string> } {
  const dir = join(t.dir, `hooks-${t.rand.int(1000, 9999)}`);
  mkdirSync(dir, { recursive: true });
  const tokens: Record<string, string> = {};
  const hooks: Record<string, unknown[]> = {};
  for (const [kind, list] of Object.entries(names)) {
    hooks[kind] = list.map((name) => {
      tokens[name] = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const fail = failing?.name === name ? `; echo "hook ${name} refuses" >&2; exit ${failing.code}` : "";
      return { path: "/bin/sh", args: ["sh", "-c", `cat > '${dir}'/"$0".json; echo "$0 $HOOK_TOKEN" >> '${dir}'/order; ${recordNamespaces(`'${dir}'/"$0".ns`)}${fail}`, name], env: [`HOOK_TOKEN=${tokens[name]}`, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"] };
    });
  }
  return { dir, hooks, tokens };
}

/** The lines of <dir>/order ("<name> <token>"), joined with ", ". */
function hookOrder(dir: string): string {
  return existsSync(join(dir, "order")) ? readFileSync(join(dir, "order"), "utf8").trim().split("\n").join(", ") : "";
}

/** What a hook got on standard input, parsed (fails the case when it is not a JSON object). */
function hookState(t: CaseContext, dir: string, name: string): Record<string, unknown> {
  const text = existsSync(join(dir, `${name}.json`)) ? readFileSync(join(dir, `${name}.json`), "utf8") : "(the hook did not run)";
  try {
    const s = JSON.parse(text) as unknown;
    if (typeof s === "object" && s !== null && !Array.isArray(s)) return s as Record<string, unknown>;
  } catch {
    // reported below
  }
  t.fail({ message: `The ${name} hook should get the container's state, a JSON object, on its standard input.`, received: text === "" ? "(nothing)" : text, hint: HOOKS });
}

/** The namespaces the container hooks report, as `readlink /proc/self/ns/<name>` prints them. */
const HOOK_NAMESPACES = ["mnt", "uts", "ipc", "pid"];

/** readlink /proc/<pid>/ns/<name> for each of HOOK_NAMESPACES, seen from the host. */
function namespacesOf(pid: number): string {
  return HOOK_NAMESPACES.map((n) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/${n}`);
    } catch {
      return `${n}:(gone)`;
    }
  }).join(" ");
}

/** A shell script that records its namespaces into <dir>/<name>.ns ("$d": a directory it computes), one line. */
const recordNamespaces = (file: string) => `for n in ${HOOK_NAMESPACES.join(" ")}; do readlink /proc/self/ns/$n; done | tr '\\n' ' ' | sed 's/ $//' > ${file}`;

/** The contents of a file, or "(none)". */
const contents = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").trim() : "(none)");

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
  {
    name: "hooks: prestart then createRuntime during create, poststart after start, poststop at delete, each with its args, env and the state on stdin",
    // create, state, start, state until stopped, delete: five runs of the runtime, each a process start that load slows.
    timeout: 30,
    async run(t) {
      const [pre1, pre2, runtime, post, stop] = ["prestart", "prestart", "createRuntime", "poststart", "poststop"].map((k, i) => `${k}-${i}${t.rand.int(10, 99)}`) as [string, string, string, string, string];
      const { dir, hooks, tokens } = recordingHooks(t, { prestart: [pre1, pre2], createRuntime: [runtime], poststart: [post], poststop: [stop] });
      const b = new Bundle(t, ["/bin/sleep", `0.${t.rand.int(300, 600)}`]);
      b.config.hooks = hooks;
      const line = (name: string) => `${name} ${tokens[name]}`;
      await created(t, b);
      // runc 1.1.5 runs the poststart hooks at the end of create (the spec: once start has run the program); both pass.
      const afterCreate = hookOrder(dir);
      const want = [pre1, pre2, runtime].map(line).join(", ");
      if (afterCreate !== want && afterCreate !== `${want}, ${line(post)}`) t.expectEqual(afterCreate, want, { message: "After create: the prestart hooks, in order, then the createRuntime hook should have run (each line: the hook's $0, from its args, and $HOOK_TOKEN, from its env); no other.", hint: HOOKS });
      const { pid } = await stateOf(t, b);
      for (const name of [pre1, pre2, runtime]) {
        const s = hookState(t, dir, name);
        const got = { id: s.id, bundle: s.bundle, status: s.status, pid: s.pid };
        t.expectEqual(JSON.stringify(got), JSON.stringify({ id: b.id, bundle: b.dir, status: "creating", pid }), { message: `The state the ${name} hook got on stdin: id, bundle, status "creating" and pid, the container's process (as state gives it).`, hint: HOOKS });
      }
      await started(t, b);
      // The poststart hooks run before start returns (runtime.md "Lifecycle"): no waiting.
      t.expectEqual(hookOrder(dir), [pre1, pre2, runtime, post].map(line).join(", "), { message: "Once start has returned: the poststart hook should have run, after the others.", hint: HOOKS });
      const ps = hookState(t, dir, post);
      if (ps.id !== b.id || ps.pid !== pid || !["created", "running"].includes(String(ps.status))) t.fail({ message: `The state the poststart hook got on stdin: id, and pid the container's process (status "running", or "created" as runc gives it).`, expected: JSON.stringify({ id: b.id, status: "running", pid }), received: JSON.stringify(ps), hint: HOOKS });
      await waitStatus(t, b, "stopped", 5000);
      const r = await b.command("delete", b.id);
      if (r.code !== 0) t.fail({ message: `delete ${b.id}, once its process had exited, exited with status ${r.code}.`, expected: "exit status 0", received: `exit status ${r.code}`, hint: DELETE, detail: r.output });
      t.expectEqual(hookOrder(dir), [pre1, pre2, runtime, post, stop].map(line).join(", "), { message: "Once delete has returned: the poststop hook should have run, last.", hint: HOOKS });
      const ss = hookState(t, dir, stop);
      t.expectEqual(JSON.stringify({ id: ss.id, bundle: ss.bundle, status: ss.status }), JSON.stringify({ id: b.id, bundle: b.dir, status: "stopped" }), { message: "The state the poststop hook got on stdin: id, bundle, status \"stopped\".", hint: HOOKS });
    },
  },
  {
    name: "a prestart hook that fails stops the container before its program runs: non-zero exit, later hooks skipped, poststop run, nothing left",
    async run(t) {
      const [ok, bad, runtime, stop] = ["prestart", "prestart", "createRuntime", "poststop"].map((k, i) => `${k}-${i}${t.rand.int(10, 99)}`) as [string, string, string, string];
      const code = t.rand.int(1, 9);
      const { dir, hooks, tokens } = recordingHooks(t, { prestart: [ok, bad], createRuntime: [runtime], poststop: [stop] }, { name: bad, code });
      const b = new Bundle(t, ["/bin/sh", "-c", "echo ran > /ran"]);
      b.config.hooks = hooks;
      b.config.linux.resources = { pids: { limit: t.rand.int(32, 64) } };
      t.log.note(`the second prestart hook (${bad}) exits ${code}`);
      const r = await b.run();
      if (r.code === 0) t.fail({ message: `The prestart hook ${bad} exited ${code}: your runtime should fail (exit non-zero).`, expected: "a non-zero exit status", received: "exit status 0", hint: HOOK_FAILS, detail: r.output.slice(-1000) });
      if (existsSync(join(b.rootfs, "ran"))) t.fail({ message: `The prestart hook ${bad} failed, yet the container's program ran (it wrote /ran).`, hint: HOOK_FAILS });
      const line = (name: string) => `${name} ${tokens[name]}`;
      t.expectEqual(hookOrder(dir), [ok, bad, stop].map(line).join(", "), { message: `The hooks that ran: the prestart hooks up to the failing one (${bad}), then no createRuntime hook, then the poststop hook.`, hint: HOOK_FAILS });
      const left = cgroupDirs(b.cgroupsPath).filter((d) => existsSync(d));
      if (left.length > 0) t.fail({ message: "After the failed prestart hook, the container's cgroup is still there.", received: left.join("\n"), hint: HOOK_FAILS });
      const s = await b.command("state", b.id);
      if (s.code === 0) t.fail({ message: `After the failed prestart hook, state ${b.id} should fail (there is no container); it exited 0.`, received: s.output, hint: HOOK_FAILS });
    },
  },
  {
    name: "createContainer hooks run in create, after createRuntime, in the container's namespaces before pivot_root; startContainer hooks in start, in the container, before the program",
    // create, state, start: each a start of the runtime, which load slows.
    timeout: 30,
    async run(t) {
      const [pre, runtime, cc, sc] = ["prestart", "createRuntime", "createContainer", "startContainer"].map((k, i) => `${k}-${i}${t.rand.int(10, 99)}`) as [string, string, string, string];
      const { dir, hooks, tokens } = recordingHooks(t, { prestart: [pre], createRuntime: [runtime] });
      const tmp = `/hook-tmp-${t.rand.int(100, 999)}`;
      const sleep = marker(t);
      const b = new Bundle(t, ["/bin/sh", "-c", `echo "cc=$(cat ${tmp}/cc-token) sc=$(cat /${sc}.order)"; exec ${sleep.join(" ")}`]);
      b.config.linux.namespaces = [{ type: "pid" }, { type: "mount" }, { type: "uts" }, { type: "ipc" }];
      b.config.mounts.push({ destination: tmp, type: "tmpfs", source: "tmpfs" });
      mkdirSync(join(b.rootfs, tmp), { recursive: true });
      // createContainer: a script of the host, outside the root file system (its path resolves in the runtime's
      // namespace). It leaves its token in the container's tmpfs, where only the container's mount namespace,
      // once its mounts are made, has it.
      tokens[cc] = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      const ccScript = join(dir, `${cc}.sh`);
      writeFileSync(ccScript, `#!/bin/sh\ncat > '${dir}/${cc}.json'\necho "${cc} $HOOK_TOKEN" >> '${dir}/order'\n${recordNamespaces(`'${dir}/${cc}.ns'`)}\necho "$HOOK_TOKEN" > '${b.rootfs}${tmp}/cc-token'\n`, { mode: 0o755 });
      // startContainer: a script of the container (its path resolves there), writing beside itself.
      tokens[sc] = `${t.rand.word()}-${t.rand.int(1000, 9999)}`;
      b.file(`${sc}.sh`, `#!/bin/sh\nd=$(dirname "$0")\ncat > "$d/${sc}.json"\necho "${sc} $HOOK_TOKEN" >> "$d/${sc}.order"\n${recordNamespaces(`"$d/${sc}.ns"`)}\n`, 0o755);
      const env = (name: string) => [`HOOK_TOKEN=${tokens[name]}`, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"];
      b.config.hooks = { ...hooks, createContainer: [{ path: ccScript, args: [ccScript], env: env(cc) }], startContainer: [{ path: `/${sc}.sh`, args: [`/${sc}.sh`], env: env(sc) }] };
      const line = (name: string) => `${name} ${tokens[name]}`;
      const { program, code } = await b.create();
      if (code !== 0) t.fail({ message: code === null ? "create did not return within 10 s." : `create exited with status ${code}, with a createContainer hook at ${ccScript} (a file of the host, not in the root file system) and a startContainer hook at /${sc}.sh (in the root file system).`, expected: "exit status 0", received: code === null ? "still running" : `exit status ${code}`, hint: CONTAINER_HOOKS, detail: program.process.output.tail(10) });
      t.expectEqual(hookOrder(dir), [pre, runtime, cc].map(line).join(", "), { message: "After create: the prestart hook, then createRuntime, then the createContainer hook should have run (each line: the hook's name and $HOOK_TOKEN, from its env).", hint: CONTAINER_HOOKS });
      const reported = (await stateOf(t, b)).pid;
      const pid = typeof reported === "number" ? reported : 0;
      if (pid <= 0) t.fail({ message: "state after create: pid should be the host pid of the container's process.", received: JSON.stringify(reported), hint: STATE });
      const inside = namespacesOf(pid);
      // prestart and createRuntime: the runtime's namespaces (the host's UTS, IPC and PID ones; its mount namespace is
      // the sandbox's the test starts it in, not the container's).
      const host = namespacesOf(process.pid).split(" ");
      for (const name of [pre, runtime]) {
        const got = contents(join(dir, `${name}.ns`)).split(" ");
        const want = host.map((h, i) => (HOOK_NAMESPACES[i] === "mnt" ? (got[i] === inside.split(" ")[i] ? "mnt: the runtime's, not the container's" : got[i]!) : h));
        t.expectEqual(got.join(" "), want.join(" "), { message: `The ${name.replace(/-.*/, "")} hook's namespaces (readlink /proc/self/ns/{${HOOK_NAMESPACES.join(",")}}) should be the runtime's: the host's UTS, IPC and PID namespaces, and a mount namespace other than the container's (pid ${pid}).`, hint: RUNTIME_HOOKS });
      }
      t.expectEqual(contents(join(dir, `${cc}.ns`)), inside, { message: `The createContainer hook's namespaces (readlink /proc/self/ns/{${HOOK_NAMESPACES.join(",")}}) should be the container's (those of its process, pid ${pid}).`, hint: CONTAINER_HOOKS });
      const ccState = hookState(t, dir, cc);
      t.expectEqual(JSON.stringify({ id: ccState.id, status: ccState.status }), JSON.stringify({ id: b.id, status: "creating" }), { message: "The state the createContainer hook got on stdin: id, and status \"creating\".", hint: CONTAINER_HOOKS });
      if (existsSync(join(b.rootfs, `${sc}.order`))) t.fail({ message: "After create, the startContainer hook already ran: it runs in start, before the program.", received: contents(join(b.rootfs, `${sc}.order`)), hint: CONTAINER_HOOKS });
      await started(t, b);
      const deadline = Date.now() + 5000;
      while (!program.process.output.text().includes("cc=") && Date.now() < deadline) await Bun.sleep(20);
      const said = program.process.output.text().split("\n").find((l) => l.startsWith("cc=")) ?? "(nothing)";
      t.expectEqual(said, `cc=${tokens[cc]} sc=${line(sc)}`, { message: `What the container's program found: the createContainer hook's token in ${tmp} (a tmpfs of the container: written there only from its mount namespace once its mounts are made), and /${sc}.order, which the startContainer hook writes before the program runs.`, hint: CONTAINER_HOOKS });
      t.expectEqual(contents(join(b.rootfs, `${sc}.ns`)), inside, { message: `The startContainer hook's namespaces (readlink /proc/self/ns/{${HOOK_NAMESPACES.join(",")}}) should be the container's (those of its process, pid ${pid}).`, hint: CONTAINER_HOOKS });
      const scState = hookState(t, b.rootfs, sc);
      t.expectEqual(String(scState.id), b.id, { message: "The state the startContainer hook got on stdin: id, the container's.", hint: CONTAINER_HOOKS });
    },
  },
  {
    name: "a prestart hook that outlives its timeout is an error: the runtime gives up on it, fails, and the program never runs",
    // A runtime that ignores the timeout is waited for 12 s before the case says so.
    timeout: 25,
    async run(t) {
      const slow = `prestart-${t.rand.int(100, 999)}`;
      const timeout = t.rand.int(1, 2);
      const b = new Bundle(t, ["/bin/sh", "-c", "echo ran > /ran"]);
      b.config.linux.resources = { pids: { limit: t.rand.int(32, 64) } };
      // The hook sleeps far past its timeout: a runtime that waits for it is still waiting when the case gives up.
      b.config.hooks = { prestart: [{ path: "/bin/sleep", args: [slow, "30"], env: [], timeout }] };
      t.log.note(`the prestart hook sleeps 30 s; its timeout is ${timeout} s`);
      const started = Date.now();
      let r: CommandResult;
      try {
        r = await b.run({ timeoutMs: 12000 });
      } catch (e) {
        // A runtime that waits for the hook is still waiting when run's time limit (12 s) ends it.
        if (e instanceof StageFailure && e.message.startsWith("This command did not finish")) throw new StageFailure({ ...e.details, message: `The prestart hook sleeps 30 s with a timeout of ${timeout} s: your runtime should give up on it after ${timeout} s and fail, but it had not ended after 12 s. ${e.message}`, hint: HOOK_TIMEOUT });
        throw e;
      }
      const took = ((Date.now() - started) / 1000).toFixed(1);
      if (r.code === 0) t.fail({ message: `The prestart hook outlived its timeout of ${timeout} s: your runtime should fail (exit non-zero); it exited 0 after ${took} s.`, expected: "a non-zero exit status", received: "exit status 0", hint: HOOK_TIMEOUT, detail: r.output.slice(-1000) });
      if (existsSync(join(b.rootfs, "ran"))) t.fail({ message: `The prestart hook outlived its timeout, yet the container's program ran (it wrote /ran).`, hint: HOOK_TIMEOUT });
      const left = cgroupDirs(b.cgroupsPath).filter((d) => existsSync(d));
      if (left.length > 0) t.fail({ message: "After the prestart hook's timeout, the container's cgroup is still there.", received: left.join("\n"), hint: HOOK_TIMEOUT });
    },
  },
  {
    name: "a createContainer or a startContainer hook that fails stops the container: non-zero exit, later hooks skipped, the program never run, poststop run",
    timeout: 30,
    async run(t) {
      for (const kind of ["createContainer", "startContainer"] as const) {
        const [bad, after, stop] = [kind, kind, "poststop"].map((k, i) => `${k}-${i}${t.rand.int(10, 99)}`) as [string, string, string];
        const code = t.rand.int(1, 9);
        const { dir, hooks, tokens } = recordingHooks(t, { poststop: [stop] });
        const b = new Bundle(t, ["/bin/sh", "-c", "echo ran > /ran"]);
        b.config.linux.resources = { pids: { limit: t.rand.int(32, 64) } };
        // createContainer runs before pivot_root (the host's paths), startContainer after it (the container's): each
        // appends its name to an order file it can reach.
        const order = kind === "createContainer" ? `'${dir}/order'` : "/hook-order";
        const hook = (name: string, exit: string) => ({ path: "/bin/sh", args: ["sh", "-c", `echo "${name}" >> ${order}${exit}`], env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] });
        b.config.hooks = { ...hooks, [kind]: [hook(bad, `; echo "hook ${bad} refuses" >&2; exit ${code}`), hook(after, "")] };
        t.log.note(`the first ${kind} hook (${bad}) exits ${code}`);
        const r = await b.run();
        if (r.code === 0) t.fail({ message: `The ${kind} hook ${bad} exited ${code}: your runtime should fail (exit non-zero).`, expected: "a non-zero exit status", received: "exit status 0", hint: CONTAINER_HOOK_FAILS, detail: r.output.slice(-1000) });
        if (existsSync(join(b.rootfs, "ran"))) t.fail({ message: `The ${kind} hook ${bad} failed, yet the container's program ran (it wrote /ran).`, hint: CONTAINER_HOOK_FAILS });
        const ran = kind === "createContainer" ? hookOrder(dir).split(", ").filter((l) => l !== `${stop} ${tokens[stop]}`).join(", ") : contents(join(b.rootfs, "hook-order")).split("\n").join(", ");
        t.expectEqual(ran, bad, { message: `The ${kind} hooks that ran: the failing one (${bad}), not the one after it.`, hint: CONTAINER_HOOK_FAILS });
        if (!hookOrder(dir).endsWith(`${stop} ${tokens[stop]}`)) t.fail({ message: `After the failed ${kind} hook, the poststop hook should have run.`, received: hookOrder(dir) || "(no hook recorded)", hint: CONTAINER_HOOK_FAILS });
        const left = cgroupDirs(b.cgroupsPath).filter((d) => existsSync(d));
        if (left.length > 0) t.fail({ message: `After the failed ${kind} hook, the container's cgroup is still there.`, received: left.join("\n"), hint: CONTAINER_HOOK_FAILS });
      }
    },
  },
  {
    name: "a container that cannot be set up (no root file system): non-zero exit, a message on stderr, nothing left behind",
    async run(t) {
      const b = new Bundle(t, ["/bin/true"]);
      const missing = `${t.rand.word()}-${t.rand.int(100, 999)}`;
      b.config.root.path = missing;
      b.config.linux.resources = { pids: { limit: t.rand.int(32, 64) } };
      t.log.note(`root.path is "${missing}", which the bundle does not have`);
      const r = await b.run();
      if (r.code === 0) t.fail({ message: `root.path "${missing}" does not exist: your runtime should fail (exit non-zero).`, expected: "a non-zero exit status", received: "exit status 0", hint: SETUP_FAILS, detail: r.output.slice(-1000) });
      const errors = r.output.trim();
      if (errors === "") t.fail({ message: "Your runtime failed without a word: it should say on stderr why the container could not be set up.", received: "(no output)", hint: SETUP_FAILS });
      const left = cgroupDirs(b.cgroupsPath).filter((d) => existsSync(d));
      if (left.length > 0) t.fail({ message: "After the failed set-up, the container's cgroup is still there.", received: left.join("\n"), hint: SETUP_FAILS });
      const s = await b.command("state", b.id);
      const states = existsSync(b.stateRoot) ? readdirSync(b.stateRoot) : [];
      if (s.code === 0 || states.length > 0) t.fail({ message: `After the failed set-up, state ${b.id} should fail and --root (${b.stateRoot}) hold nothing of the container.`, received: `state exited ${s.code}; --root holds: ${states.join(" ") || "(nothing)"}`, hint: SETUP_FAILS });
    },
  },
]);
