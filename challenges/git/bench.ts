/**
 * The benchmark for `bun run bench git`: hashing and storing a large tree
 * (about 1,500 files, from a fixed seed), and cloning a 2,000-commit
 * history from git daemon, ours vs real git. Numbers are
 * milliseconds of wall time for one command (lower is better); `files` is the
 * size of the tree. Real git's write-tree goes through challenges/git/real/git.sh,
 * which stages the working directory into a temporary index first.
 */
import { join } from "node:path";
import type { Benchmark } from "../../harness/bench.ts";

const workload = join(import.meta.dir, "bench-workload.ts");
const cloneWorkload = join(import.meta.dir, "bench-clone-workload.ts");
const metrics = (stdout: string) => new Map(stdout.trim().split("\n").map((line) => [line.split(" ")[0]!, Number(line.split(" ")[1])] as const));

const benchmark: Benchmark = {
  client: { binary: "git", package: "git" },
  unit: "milliseconds, lower is better",
  workloads: [
    {
      name: "hash-object -w of every file, then write-tree of the whole tree",
      argv: (_port, program) => ["bun", workload, program],
      parse: metrics,
    },
    {
      name: "clone over git:// (real git daemon on loopback) of a 2,000-commit history",
      argv: (port, program) => ["bun", cloneWorkload, String(port), program],
      parse: metrics,
    },
  ],
};
export default benchmark;
