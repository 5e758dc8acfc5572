import { StageFailure } from "../report/failure.ts";
import { formatBytes } from "./cgroup.ts";
import type { GroupProcess } from "./spawn.ts";

/** The failure of a program the kernel killed for going over its memory cap. */
export function memoryFailure(proc: GroupProcess): StageFailure {
  const limit = proc.cgroup?.memoryLimit;
  return new StageFailure({
    message: `Your program used more than ${limit ? formatBytes(limit) : "its memory limit"} of memory, and the kernel killed it (exit code ${proc.exitCode ?? 137}).`,
    hint: "Look for memory that grows without bound: a buffer that is never emptied, a loop that keeps allocating, data kept for every request. The limit is set with --memory-limit=<size> or SYSCRAFT_MEMORY_LIMIT (default 2G; 0 for none).",
  });
}
