/**
 * The benchmark for `bun run bench distributed` (also `bun run bench raft`): lin-kv on
 * the implementation's Raft, 3 and 5 nodes, on the workbench's simulated network with the
 * stages' latency (0–5 ms per message) and with 10 ms per message. No real
 * implementation runs (Maelstrom needs a JVM): each run is compared with its own bound,
 * one round trip between nodes (see bench-workload.ts).
 */
import { join } from "node:path";
import { type Benchmark, metricLines } from "../../harness/bench.ts";

const workload = join(import.meta.dir, "bench-workload.ts");

const run = (nodes: number, latency: string) => ({
  name: `lin-kv on ${nodes} nodes, ${latency.replace("-", "–")} ms per message, 8 clients, 3 s (half writes, half reads, through random nodes)`,
  argv: (_port: number, program: string) => ["bun", workload, program, String(nodes), latency],
  parse: metricLines,
});

const benchmark: Benchmark = {
  client: { binary: "bun", package: "bun (https://bun.sh)" },
  unit: "operations answered per second, latencies in µs; bound: one round trip between nodes in the same run, and 8 clients / that round trip; p50_rt_pct: the median latency as a percentage of the round trip",
  workloads: [run(3, "0-5"), run(5, "0-5"), run(3, "10-10"), run(5, "10-10")],
};
export default benchmark;
