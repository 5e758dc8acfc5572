import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../paths.ts";
import { selfTests } from "../self-test.ts";

/**
 * Signals to the commands a learner types stop everything those started,
 * within 3 s: the program (a listener with a background `sleep <marker>`),
 * its temp dir, its cgroup, and grade's work dir. A test process killed
 * outright takes its program with it (pdeathsig reaches the program itself,
 * not a shell around it), and its watchdog removes what the program left.
 */
const LISTENER = join(ROOT, "harness/fixtures/generic/listener.sh");
const SIGNALS = [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const;

function pidsWhere(pred: (pid: string, argv: string[], cwd: string) => boolean): number[] {
  const out: number[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
      if (state === "Z" || state === "X") continue;
      if (pred(pid, readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0"), readlinkSync(`/proc/${pid}/cwd`))) out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

function sleeper(marker: string): number | undefined {
  return pidsWhere((_, argv) => argv[0] === "sleep" && argv[1] === marker)[0];
}

/** The syscraft cgroup directories a process is in (v1: /sys/fs/cgroup/<controller>/…, v2: /sys/fs/cgroup/…). */
function cgroupsOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cgroup`, "utf8")
    .split("\n")
    .flatMap((line) => {
      const [, controllers, path] = line.split(":");
      if (!path?.includes("syscraft-")) return [];
      return [join("/sys/fs/cgroup", controllers === "" ? "" : controllers!.split(",")[0]!, path)];
    });
}

interface Started {
  proc: ReturnType<typeof Bun.spawn>;
  /** The program's working directory (its temp dir). */
  cwd: string;
  cgroups: string[];
  /** grade's work dir, if any. */
  workDir?: string;
}

async function startUntilProgramRuns(argv: string[], marker: string, env: Record<string, string> = {}): Promise<Started> {
  const proc = Bun.spawn(argv, { cwd: ROOT, env: { ...process.env, ...env }, stdout: "ignore", stderr: "ignore" });
  // Three nested bun processes start before the program (grade, bun test, its inner run): slow on a loaded machine.
  const deadline = Date.now() + 45000;
  let pid: number | undefined;
  while ((pid = sleeper(marker)) === undefined && Date.now() < deadline) await Bun.sleep(50);
  if (pid === undefined) {
    proc.kill("SIGKILL");
    throw new Error(`${argv.join(" ")}: the program never started`);
  }
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  // grade's work dir: the results file it gave its bun test child.
  let workDir: string | undefined;
  for (const tester of pidsWhere((_, a) => a[0] === "bun" && a[1] === "test" && a.some((x) => x.includes(marker)))) {
    const results = /SYSCRAFT_RESULTS=([^\0]*)/.exec(readFileSync(`/proc/${tester}/environ`, "utf8"))?.[1];
    if (results?.includes("syscraft-run-")) workDir = results.slice(0, results.lastIndexOf("/"));
  }
  return { proc, cwd, cgroups: cgroupsOf(pid), workDir };
}

function expectNothingLeft(s: Started, marker: string): void {
  expect(pidsWhere((_, argv, cwd) => cwd.startsWith(s.cwd) || (argv[0] === "sleep" && argv[1] === marker))).toEqual([]);
  expect(existsSync(s.cwd)).toBe(false);
  expect(s.cgroups.filter((d) => existsSync(d))).toEqual([]);
  if (s.workDir) expect(existsSync(s.workDir)).toBe(false);
}

const COMMANDS: { name: string; argv: (m: string) => string[] }[] = [
  { name: "bun test --stage-only=redis/7", argv: (m) => ["bun", "test", "--stage-only=redis/7", `--impl=${LISTENER} ${m}`] },
  { name: "bun run grade redis/7 --only", argv: (m) => ["bun", "run", "grade", "redis/7", "--only", `--impl=${LISTENER} ${m}`] },
  { name: "bun run bench redis", argv: (m) => ["bun", "run", "bench", "redis", `--impl=${LISTENER} ${m}`] },
];

selfTests("signals and kill -9 leave nothing behind", () => {
  for (const c of COMMANDS) {
    test(`SIGTERM, SIGINT and SIGHUP to ${c.name} stop everything it started within 3 s`, async () => {
      await Promise.all(
        SIGNALS.map(async ([signal, code]) => {
          const marker = String(1_000_000 + Math.floor(Math.random() * 8_000_000));
          const s = await startUntilProgramRuns(c.argv(marker), marker);
          if (c.name.includes("grade")) expect(s.workDir).toBeDefined();
          const t0 = performance.now();
          s.proc.kill(signal);
          const exit = await Promise.race([s.proc.exited, Bun.sleep(3000).then(() => "still running")]);
          const took = performance.now() - t0;
          if (exit === "still running") s.proc.kill("SIGKILL");
          expect({ signal, exit }).toEqual({ signal, exit: code });
          expect(took).toBeLessThan(3000);
          await Bun.sleep(100);
          expectNothingLeft(s, marker);
        }),
      );
    }, 90000);
  }

  for (const [how, env] of [["in a cgroup", {}], ["without cgroups (process groups only)", { SYSCRAFT_NO_CGROUP: "1" }]] as const) {
    test(`kill -9 of the test process takes the program with it; its watchdog removes what the program started and its temp dir (${how})`, async () => {
      const marker = String(1_000_000 + Math.floor(Math.random() * 8_000_000));
      const s = await startUntilProgramRuns(COMMANDS[0]!.argv(marker), marker, env);
      // The program under test (the listener exec'd by listener.sh) and any shell around it: every process in the case's temp dir with --port.
      const programs = pidsWhere((_, argv, cwd) => cwd === s.cwd && argv.includes("--port"));
      expect(programs.length).toBeGreaterThan(0);
      const tester = Number(readFileSync(`/proc/${Math.min(...programs)}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      expect(readFileSync(`/proc/${tester}/cmdline`, "utf8")).toContain("bun");
      process.kill(tester, "SIGKILL");
      const alive = () => pidsWhere((pid) => programs.includes(Number(pid)));
      const deadline = Date.now() + 2000;
      while (alive().length > 0 && Date.now() < deadline) await Bun.sleep(20);
      expect(alive()).toEqual([]);
      expect(await Promise.race([s.proc.exited.then(() => "exited"), Bun.sleep(5000).then(() => "still running")])).toBe("exited");
      // What the program started in the background, its temp dir and cgroup: the killed process's watchdog removes them.
      const until = Date.now() + 3000;
      while (Date.now() < until && (sleeper(marker) !== undefined || existsSync(s.cwd))) await Bun.sleep(50);
      expectNothingLeft(s, marker);
    }, 60000);
  }
});
