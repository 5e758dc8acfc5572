import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";
import { Bundle, cgroupDirs, cgroupV2, controllerDirs, findProcess } from "./bundle.ts";

const JOIN = "Make the cgroup at linux.cgroupsPath (cgroup v2: one directory under /sys/fs/cgroup; v1: one in each controller's hierarchy, /sys/fs/cgroup/memory/<path>, /sys/fs/cgroup/pids/<path>…), write the limits, then move the container's first process into it before it runs the container's program: write its pid (or \"0\", from the process itself) to cgroup.procs. Its children are born in it.";
const MEMORY = "linux.resources.memory.limit is a byte count: write it to memory.max (v2) or memory.limit_in_bytes (v1; also memory.memsw.limit_in_bytes when it exists, so that swap does not stretch it). A process that goes past it is killed by the kernel's OOM killer with SIGKILL: the runtime then exits 128 + 9.";
const PIDS = "linux.resources.pids.limit is the most tasks the cgroup may hold: write it to pids.max. fork(2) in the container then fails with EAGAIN once that many are alive (the shell counts as one).";
const CPU = "linux.resources.cpu.quota is the CPU time (µs) the cgroup's processes may use in each period of linux.resources.cpu.period µs: write them to cpu.cfs_period_us and cpu.cfs_quota_us (v1, the cpu hierarchy) or \"<quota> <period>\" to cpu.max (v2), and move the process into that cgroup too. Write the period as given: the kernel's default is 100000.";
const REMOVE = "When the container's process has exited, remove its cgroup: rmdir(2) the directory at linux.cgroupsPath in every hierarchy you made one in (an empty cgroup is removed with rmdir; its files go with it).";

const MIB = 1024 * 1024;

/** Where the controllers this stage limits keep the container's cgroup (v1: memory and pids hierarchies; v2: one directory). */
function limitedDirs(b: Bundle): string[] {
  return controllerDirs(b.cgroupsPath, ["memory", "pids"]);
}

function procsOf(dir: string): number[] | undefined {
  try {
    return readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
}

/** The cgroup (path from its hierarchy's root) a process is in for the cpu controller (v1: the hierarchy listing "cpu"; v2: the one). */
function cpuCgroupOf(pid: number): string | undefined {
  try {
    for (const l of readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
      const [, controllers, path] = l.split(":");
      if (path !== undefined && (cgroupV2() ? controllers === "" : controllers!.split(",").includes("cpu"))) return path;
    }
  } catch {
    // gone
  }
  return undefined;
}

/** The CPU time a process has used, in ns: the first field of /proc/<pid>/schedstat (time spent on a CPU). */
function cpuTimeNs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    return undefined;
  }
}

function marker(t: CaseContext): string[] {
  return ["/bin/sleep", `${t.rand.int(40, 90)}.${t.rand.int(100000, 999999)}`];
}

export default stage(import.meta, [
  {
    name: "the container's processes are in the cgroup at linux.cgroupsPath (seen from the host)",
    async run(t) {
      const child = marker(t);
      const first = marker(t);
      const b = new Bundle(t, ["/bin/sh", "-c", `${child.join(" ")} & exec ${first.join(" ")}`]);
      b.config.linux.resources = { memory: { limit: t.rand.int(128, 256) * MIB }, pids: { limit: t.rand.int(32, 64) } };
      const program = await b.start();
      const pids = [await findProcess(first), await findProcess(child)];
      if (pids.includes(undefined)) t.fail({ message: "The container's processes (a sleep, and the sleep it started in the background) did not both appear on the host within 5 s.", hint: JOIN, detail: program.process.output.tail(10) });
      t.log.note(`cgroup ${cgroupV2() ? "v2" : "v1"}; the container's processes are host pids ${pids.join(" and ")}`);
      for (const dir of limitedDirs(b)) {
        const procs = procsOf(dir) ?? t.fail({ message: `The container's cgroup ${dir} does not exist while the container runs.`, hint: JOIN });
        const missing = pids.filter((p) => !procs.includes(p!));
        if (missing.length > 0) {
          const where = readFileSync(`/proc/${missing[0]}/cgroup`, "utf8").trim();
          t.fail({ message: `The container's processes should be in ${join(dir, "cgroup.procs")}; host pid${missing.length > 1 ? "s" : ""} ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not.`, expected: pids.join("\n"), received: procs.join("\n") || "(empty)", hint: JOIN, detail: `/proc/${missing[0]}/cgroup:\n${where}` });
        }
      }
    },
  },
  {
    name: "memory.limit: an allocation past it is OOM-killed, and the runtime exits 137",
    async run(t) {
      const limit = t.rand.int(24, 48);
      const b = new Bundle(t, ["/bin/sh", "-c", `dd if=/dev/zero of=/dev/null bs=1M count=1 2>/dev/null && echo small fits; exec dd if=/dev/zero of=/dev/null bs=${limit * 3}M count=1`]);
      b.config.linux.resources = { memory: { limit: limit * MIB } };
      t.log.note(`memory.limit ${limit} MiB; the container's dd then reads ${limit * 3} MiB into one buffer`);
      const r = await b.run({ timeoutMs: 15000 });
      t.expectEqual(r.stdout.split("\n")[0] ?? "", "small fits", { message: `A 1 MiB buffer fits in memory.limit (${limit} MiB): that dd should succeed.`, hint: MEMORY });
      if (r.code !== 137) t.fail({ message: `The container's dd filled a ${limit * 3} MiB buffer with memory.limit ${limit} MiB: the kernel should kill it (SIGKILL), and your runtime exit 137.`, expected: "exit status 137", received: `exit status ${r.code}`, hint: MEMORY, detail: r.output.slice(-1000) });
    },
  },
  {
    name: "pids.limit: forks beyond it fail",
    async run(t) {
      const limit = t.rand.int(4, 9);
      const tries = limit + t.rand.int(2, 5);
      const sleep = marker(t).join(" ");
      const script = `i=0; while [ $i -lt ${tries} ]; do ${sleep} & i=$((i+1)); echo started $i; done; echo all started`;
      const b = new Bundle(t, ["/bin/sh", "-c", script]);
      b.config.linux.resources = { pids: { limit } };
      t.log.note(`pids.limit ${limit}; the container's shell starts ${tries} sleeps in the background, one at a time`);
      const r = await b.run();
      const started = r.stdout.split("\n").filter((l) => l.startsWith("started ")).length;
      if (started !== limit - 1 || r.stdout.includes("all started")) {
        t.fail({ message: `With pids.limit ${limit}, the container's shell and ${limit - 1} sleeps fill the cgroup: the next fork should fail (busybox sh says "can't fork" and stops).`, expected: `${limit - 1} sleeps started`, received: `${started} started${r.stdout.includes("all started") ? ", all of them" : ""}`, hint: PIDS, detail: r.output.slice(-1000) });
      }
      if (!/can't fork/.test(r.output)) t.fail({ message: "The container's shell stopped starting sleeps, but not because a fork failed.", received: r.output.slice(-1000), hint: PIDS });
    },
  },
  {
    name: "cpu.quota and cpu.period: a busy loop gets about quota/period of one CPU, not more",
    async run(t) {
      const share = t.rand.int(10, 30) / 100;
      // A period of at least 200 ms: with the kernel's default (100 ms) instead, the same quota is twice the share or more.
      const period = t.rand.int(20, 30) * 10000;
      const quota = Math.round(share * period);
      const argv = ["/bin/sh", "-c", "while :; do :; done", `spin-${t.rand.int(1000, 9999)}`];
      const b = new Bundle(t, argv);
      b.config.linux.resources = { cpu: { quota, period } };
      t.log.note(`cpu.quota ${quota} µs per cpu.period ${period} µs (${Math.round(share * 100)}% of one CPU); the container's process is a shell in a busy loop`);
      const program = await b.start();
      const pid = (await findProcess(argv, 5000, () => program.process.exitCode !== null)) ?? t.fail({ message: "The container's busy loop did not appear on the host within 5 s.", hint: CPU, detail: program.process.output.tail(10) });
      const where = cpuCgroupOf(pid);
      const want = b.cgroupsPath;
      if (where !== want) t.fail({ message: `The container's process should be in the cgroup at linux.cgroupsPath for the cpu controller, where its quota is.`, expected: want, received: where ?? "(no cpu line in /proc/<pid>/cgroup)", hint: CPU });
      // The machine is shared: other processes would take CPU time from the loop, however small its quota. Weighting its
      // cgroup far above them lets it take all the quota allows (the quota is a cap the weight cannot lift).
      const [cpuDir] = controllerDirs(want, ["cpu"]) as [string];
      writeFileSync(join(cpuDir, cgroupV2() ? "cpu.weight" : "cpu.shares"), cgroupV2() ? "6400" : "65536");
      t.log.note(`wrote ${cgroupV2() ? "cpu.weight 6400" : "cpu.shares 65536"} in ${cpuDir} (the test's, so that load elsewhere on the machine cannot starve the loop)`);
      await Bun.sleep(300);
      const ended = (): never => t.fail({ message: "The container's busy loop ended while the test measured it.", hint: CPU, detail: program.process.output.tail(10) });
      const [start, used0] = [performance.now(), cpuTimeNs(pid) ?? ended()];
      await Bun.sleep(2000);
      const [end, used1] = [performance.now(), cpuTimeNs(pid) ?? ended()];
      const wall = (end - start) / 1000;
      const got = (used1 - used0) / 1e9 / wall;
      // At most the share, plus one quota of slack for a window that does not start on a period's edge; at least 40% of it.
      const most = share * 1.2 + quota / 1e6 / wall;
      const least = share * 0.4;
      const measured = `${(got * 100).toFixed(1)}% of one CPU (${((used1 - used0) / 1e6).toFixed(0)} ms of CPU time in ${(wall * 1000).toFixed(0)} ms, /proc/${pid}/schedstat)`;
      t.log.note(`the loop used ${measured}`);
      // A loop that got about quota per 100 ms had its quota applied with the kernel's default period.
      const defaultPeriod = Math.abs(got - quota / 100000) < Math.abs(got - 1) ? ` It got about ${quota} µs per 100 ms: was cpu.cfs_period_us (cpu.max's period) left at the kernel's default, 100000?` : "";
      if (got > most) t.fail({ message: `With cpu.quota ${quota} per cpu.period ${period}, the container's busy loop should get at most about ${Math.round(share * 100)}% of one CPU.${defaultPeriod}`, expected: `at most ${(most * 100).toFixed(1)}% of one CPU`, received: measured, hint: CPU });
      if (got < least) t.fail({ message: `With cpu.quota ${quota} per cpu.period ${period}, the container's busy loop should get about ${Math.round(share * 100)}% of one CPU; it got far less.`, expected: `at least ${(least * 100).toFixed(1)}% of one CPU`, received: measured, hint: CPU });
    },
  },
  {
    name: "the cgroup is removed once the container has exited",
    async run(t) {
      const b = new Bundle(t, ["/bin/sh", "-c", "exit 0"]);
      b.config.linux.resources = { memory: { limit: t.rand.int(128, 256) * MIB }, pids: { limit: t.rand.int(32, 64) } };
      const r = await b.run();
      if (r.code !== 0) t.fail({ message: `The container's shell exited 0; your runtime exited ${r.code}.`, hint: JOIN, detail: r.output.slice(-1000) });
      const left = cgroupDirs(b.cgroupsPath).filter((d) => existsSync(d));
      if (left.length > 0) t.fail({ message: "After the container exited, its cgroup is still there.", received: left.join("\n"), hint: REMOVE });
    },
  },
]);
