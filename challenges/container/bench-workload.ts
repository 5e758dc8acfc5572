/**
 * The container benchmark's workload (see bench.ts): runs containers one
 * after another with a runtime and prints, per metric, one line "<name> <value>":
 *   true-ms      start-to-exit of a container running /bin/true (median of the runs)
 *   per-second   containers run to completion per second, one after another
 *   bun run challenges/container/bench-workload.ts <runtime command> <work dir> [runs]
 */
import { mkdirSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildRootfs } from "./rootfs.ts";

const [command, dirArg, runsText] = Bun.argv.slice(2);
if (!command || !dirArg) {
  console.error("usage: bench-workload.ts <runtime command> <work dir> [runs]");
  process.exit(2);
}
const dir = resolve(dirArg);
const runs = Number(runsText ?? "20");
const bundle = join(dir, "bundle");
buildRootfs(join(bundle, "rootfs"));
const cgroupsPath = `/syscraft-bench-${process.pid}`;
writeFileSync(
  join(bundle, "config.json"),
  JSON.stringify({
    ociVersion: "1.0.2",
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: ["/bin/true"], env: ["PATH=/bin", "HOME=/root"], cwd: "/" },
    root: { path: "rootfs", readonly: false },
    mounts: [{ destination: "/proc", type: "proc", source: "proc" }],
    linux: { namespaces: [{ type: "pid" }, { type: "mount" }, { type: "uts" }, { type: "ipc" }, { type: "network" }], cgroupsPath },
  }),
);
mkdirSync(join(dir, "state"), { recursive: true });
const argv = ["/bin/sh", "-c", `exec ${command} "$@"`, "bench"];
const times: number[] = [];
const started = performance.now();
/** What a runtime left at cgroupsPath (runc removes it; so should ours, but not when a container failed). */
function removeCgroup(): void {
  for (const c of readdirSync("/sys/fs/cgroup")) {
    try {
      rmdirSync(join("/sys/fs/cgroup", c, cgroupsPath));
    } catch {
      // not there
    }
  }
}
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = Bun.spawnSync([...argv, "--root", join(dir, "state"), "run", "-b", bundle, `bench-${i}`], { stdout: "ignore", stderr: "pipe" });
  times.push(performance.now() - t0);
  if (r.exitCode !== 0) {
    console.error(`container ${i} exited ${r.exitCode}: ${r.stderr.toString().trim()}`);
    removeCgroup();
    process.exit(1);
  }
}
const total = (performance.now() - started) / 1000;
removeCgroup();
times.sort((a, b) => a - b);
console.log(`true-ms ${times[Math.floor(times.length / 2)]!.toFixed(1)}`);
console.log(`per-second ${(runs / total).toFixed(1)}`);
