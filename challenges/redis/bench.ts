/**
 * Benchmarks for `bun run bench redis`: redis-benchmark against each target,
 * one workload at a time. Numbers are requests per second (higher is better).
 */
import type { Benchmark } from "../../harness/bench.ts";

// The workloads the Redis challenge issue names: strings, lists and sorted sets.
const tests = "set,get,lpush,zadd";

function csvRates(csv: string): Map<string, number> {
  const rates = new Map<string, number>();
  for (const line of csv.split("\n")) {
    const cols = line.split(",").map((c) => c.replace(/^"|"$/g, ""));
    const rps = Number(cols[1]);
    if (cols[0] && cols[0] !== "test" && Number.isFinite(rps)) rates.set(cols[0], rps);
  }
  return rates;
}

const benchmark: Benchmark = {
  client: { binary: "redis-benchmark", package: "redis-tools" },
  unit: "requests/s",
  workloads: [
    { name: "50 clients, no pipelining", argv: (port) => ["redis-benchmark", "-p", String(port), "-c", "50", "-n", "50000", "-t", tests, "--csv"], parse: csvRates },
    { name: "50 clients, pipeline of 16", argv: (port) => ["redis-benchmark", "-p", String(port), "-c", "50", "-n", "200000", "-P", "16", "-t", tests, "--csv"], parse: csvRates },
  ],
};
export default benchmark;
