import { readlinkSync } from "node:fs";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import type { Program } from "../../harness/stage/program.ts";
import { Bundle, findProcess } from "./bundle.ts";

const PIDNS = "Create a PID namespace when linux.namespaces lists \"pid\": unshare(CLONE_NEWPID) in the runtime makes its next child PID 1 of a new namespace; that child must execve(2) the container's program (not start it as a child of its own), so the program itself is PID 1. Mount /proc (config.mounts) inside the container's mount namespace, after the PID namespace exists, so it shows that namespace's processes.";
const FORWARD = "runc run passes every signal it receives (SIGHUP, SIGINT, SIGTERM, SIGUSR1…) on to the container's process: install a handler for each in the runtime and kill(2) the container's process with the same signal.";

/** A sleep the host can find by its unique argument. */
function marker(t: CaseContext): string[] {
  return ["sleep", `${t.rand.int(40, 90)}.${t.rand.int(100000, 999999)}`];
}

/** Waits (bounded) until the program's output contains `text`. */
async function waitOutput(t: CaseContext, program: Program, text: string, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!program.process.output.text().includes(text)) {
    if (program.process.exitCode !== null) t.fail({ message: `Your runtime exited (status ${program.process.exitCode}) while waiting for ${what}.`, hint: FORWARD, detail: program.process.output.tail(10) });
    if (Date.now() > deadline) t.fail({ message: `No "${text.trim()}" from the container within 5 s: ${what}.`, hint: FORWARD, detail: program.process.output.tail(10) });
    await Bun.sleep(20);
  }
}

export default stage(import.meta, [
  {
    name: "the container's process is PID 1 of a PID namespace of its own",
    async run(t) {
      const b = new Bundle(t, ["/bin/sh", "-c", "echo $$; exec " + marker(t).join(" ")]);
      const argv = ["sleep", b.config.process.args[2].split(" ").pop()];
      const program = await b.start();
      await waitOutput(t, program, "\n", "its PID ($$)");
      const first = program.process.stdout.text().split("\n")[0];
      t.expectEqual(first ?? "", "1", { message: "The container's shell printed its PID ($$): it should be 1.", hint: PIDNS });
      const pid = await findProcess(argv);
      if (pid === undefined) t.fail({ message: "The container's process did not appear on the host.", hint: PIDNS, detail: program.process.output.tail(10) });
      if (readlinkSync(`/proc/${pid}/ns/pid`) === readlinkSync("/proc/self/ns/pid")) t.fail({ message: `The container's process (host pid ${pid}) is in the host's PID namespace.`, hint: PIDNS });
    },
  },
  {
    name: "/proc inside shows only the container's processes: nothing of the host's",
    async run(t) {
      // A process on the host the container must not see.
      const hostMarker = marker(t);
      const host = Bun.spawn(hostMarker, { stdio: ["ignore", "ignore", "ignore"] });
      t.defer(() => host.kill("SIGKILL"));
      const inner = marker(t);
      const script = `${inner.join(" ")} & for p in /proc/[0-9]*; do printf '%s %s\\n' "\${p#/proc/}" "$(tr '\\0' ' ' < $p/cmdline)"; done`;
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      const r = await b.run();
      const rows = r.stdout.split("\n").filter(Boolean).map((l) => ({ pid: Number(l.split(" ")[0]), cmd: l.slice(l.indexOf(" ") + 1).trim() }));
      const shown = rows.map((x) => `${x.pid} ${x.cmd}`).join("\n");
      if (rows.some((x) => x.cmd.includes(hostMarker[1]!))) t.fail({ message: `The container sees a process of the host (${hostMarker.join(" ")}).`, received: shown, hint: PIDNS });
      const strangers = rows.filter((x) => !x.cmd.startsWith("/bin/sh -c") && x.cmd !== inner.join(" ") && !x.cmd.startsWith("tr "));
      if (strangers.length > 0 || !rows.some((x) => x.pid === 1)) {
        t.fail({ message: "/proc inside the container lists processes that are not the container's (its shell, PID 1, and the sleep it started).", received: shown, hint: PIDNS });
      }
    },
  },
  {
    name: "when PID 1 exits, the container's other processes end with it",
    async run(t) {
      const left = marker(t);
      const b = new Bundle(t, ["/bin/sh", "-c", `${left.join(" ")} & exit 0`]);
      // In the background, so that nothing but the kernel ends the sleep before the test looks for it.
      const program = await b.start();
      const code = await program.process.waitExit(5000);
      if (code !== 0) t.fail({ message: `Your runtime exited with status ${code}; the container's shell exited 0.`, hint: PIDNS, detail: program.process.output.tail(10) });
      const pid = await findProcess(left, 300);
      if (pid !== undefined) t.fail({ message: `After the container's PID 1 exited, the process it left in the background (${left.join(" ")}, host pid ${pid}) still runs.`, hint: `${PIDNS} When the first process of a PID namespace exits, the kernel kills every other process in it: a runtime without one leaves them behind.` });
    },
  },
  {
    name: "SIGHUP, SIGINT and SIGTERM sent to the runtime reach the container's process",
    async run(t) {
      const code = t.rand.int(3, 60);
      const script = `trap 'echo got HUP' HUP; trap 'echo got INT' INT; trap 'echo got TERM; exit ${code}' TERM; echo ready; while :; do sleep 0.05; done`;
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      const program = await b.start();
      await waitOutput(t, program, "ready\n", "the container's shell to start");
      for (const sig of ["HUP", "INT"] as const) {
        t.log.note(`kill -${sig} ${program.process.pid}  (your runtime)`);
        process.kill(program.process.pid, `SIG${sig}`);
        await waitOutput(t, program, `got ${sig}\n`, `SIG${sig} was sent to your runtime; the container's shell traps it and prints "got ${sig}"`);
      }
      t.log.note(`kill -TERM ${program.process.pid}  (your runtime)`);
      process.kill(program.process.pid, "SIGTERM");
      await waitOutput(t, program, "got TERM\n", `SIGTERM was sent to your runtime; the container's shell traps it, prints "got TERM" and exits ${code}`);
      const exit = await program.process.waitExit(5000);
      if (exit !== code) t.fail({ message: `After SIGTERM the container's shell exited ${code}; your runtime should too.`, expected: `exit status ${code}`, received: `exit status ${exit}`, hint: FORWARD });
    },
  },
]);
