/**
 * The benchmark for `bun run bench sniffer`: bursts of 20,000 crafted UDP
 * frames put on a veth pair between two network namespaces the workload
 * builds, captured by the program (`-i veth-a -n -c 20000 -w /dev/null`) and
 * by tcpdump in the same run, at 2,500 to 100,000 frames per second and then
 * as fast as the sender goes. Metrics: the highest burst rate captured without
 * losing a frame, and what was captured of the fastest burst.
 */
import { join } from "node:path";
import { type Benchmark, metricLines } from "../../harness/bench.ts";

const workload = join(import.meta.dir, "bench-workload.ts");

const benchmark: Benchmark = {
  client: { binary: "ip", package: "iproute2" },
  unit: "lossless-fps: the highest rate (frames per second, as sent) of a 20,000-frame burst captured whole; full-*: the burst sent as fast as the sender goes: its rate, frames captured and frames the kernel dropped (higher is better but for full-dropped)",
  workloads: [
    {
      name: "20,000 UDP frames of 106 bytes on a veth pair, -w /dev/null, bursts at 2.5k, 5k, 10k, 25k, 50k, 100k frames/s and unpaced",
      argv: (_port, program) => ["bun", workload, program, "20000"],
      parse: metricLines,
    },
  ],
};
export default benchmark;
