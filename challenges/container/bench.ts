/**
 * The benchmark for `bun run bench container`: containers running /bin/true
 * (new PID, mount, UTS, IPC and network namespaces, /proc mounted,
 * pivot_root), one after another, through the program and through runc in
 * the same run. Metrics: the median start-to-exit time of one container
 * (milliseconds, lower is better) and containers per second (higher is better).
 */
import { join } from "node:path";
import { type Benchmark, metricLines } from "../../harness/bench.ts";

const workload = join(import.meta.dir, "bench-workload.ts");

const benchmark: Benchmark = {
  client: { binary: "busybox", package: "busybox-static" },
  unit: "true-ms: median milliseconds from start to exit of a container running /bin/true (lower is better); per-second: containers run one after another per second (higher is better); 20 runs",
  workloads: [
    {
      name: "/bin/true in new pid, mount, uts, ipc and network namespaces, 20 times",
      argv: (_port, program) => ["bun", workload, program, ".", "20"], // run in the bench's own temporary directory
      parse: metricLines,
    },
  ],
};
export default benchmark;
