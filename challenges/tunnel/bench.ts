/**
 * The benchmark for `bun run bench tunnel`: the same load through the tunnel
 * and straight to the local service, in the same run (there is no real
 * implementation to compare with). See bench-workload.ts.
 */
import { join } from "node:path";
import type { Benchmark } from "../../harness/bench.ts";

const workload = join(import.meta.dir, "bench-workload.ts");
const metrics = (stdout: string) => new Map(stdout.trim().split("\n").map((line) => [line.split(" ")[0]!, Number(line.split(" ")[1])] as const));

const benchmark: Benchmark = {
  client: { binary: "h2load", package: "nghttp2-client" },
  unit: "through the tunnel vs straight to the local service",
  startsProgram: true,
  workloads: [
    { name: "GET /hello (5 bytes), h2load --h1, 20 connections, 3 s", argv: (_port, program) => ["bun", workload, program, "requests"], parse: metrics },
    { name: "curl downloads 256 MiB (best of 3)", argv: (_port, program) => ["bun", workload, program, "throughput"], parse: metrics },
  ],
};
export default benchmark;
