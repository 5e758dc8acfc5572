/**
 * Benchmarks compare the reference solution with the real implementation in
 * the same run, on this machine, with the same client. Each challenge that has
 * one describes it in challenges/<slug>/bench.ts.
 */
import type { Client } from "./challenge/schema.ts";

export interface Workload {
  name: string;
  /**
   * The client command line for a server listening on `port`; for a
   * `kind: command` challenge (nothing listens), the command line that runs
   * the workload, given the implementation's command (paths made absolute).
   */
  argv(port: number, program: string): string[];
  /** Metric name → value, from the client's stdout. */
  parse(stdout: string): Map<string, number>;
  /**
   * Writes into the run's directory what this workload needs the program to
   * be started with (e.g. a file that picks the real server's mode). When a
   * workload's `prepare` is not the previous workload's (the same function),
   * bench stops the program, calls it and starts the program again, on a new
   * port: workloads that share one `prepare` run against one start.
   */
  prepare?(dir: string): void;
}

export interface Benchmark {
  client: Client;
  unit: string;
  workloads: Workload[];
  /** Writes what the server and the client need into the run's directory (a zone file, a query list) before the server starts. */
  prepare?(dir: string): void;
  /** The workload starts the program itself (e.g. in several roles, as the tunnel's server and client): bench does not start it. */
  startsProgram?: boolean;
  /**
   * Run each workload against the targets in turn, ours, real, real, ours (both programs started
   * for the group), and report each target's mean of its two runs: on a machine that other work
   * loads unevenly, a drift over the run then weighs on both alike (without it, every workload
   * runs against ours first and against the real implementation afterwards).
   */
  interleave?: boolean;
}

/** Metrics a workload script printed one per line as "<name> <value>". */
export function metricLines(stdout: string): Map<string, number> {
  return new Map(stdout.trim().split("\n").map((line) => [line.split(" ")[0]!, Number(line.split(" ")[1])] as const));
}
