import { flagValue, userArgv } from "../cmdline.ts";
import { parseMemoryLimit } from "./cgroup.ts";

/** The memory cap when none is given: the 2 GiB grading platforms commonly use. */
export const DEFAULT_MEMORY_LIMIT = "2G";

/** Tasks (processes and threads) a program may have at once: far above any solution, low enough to stop a fork bomb. */
export const PIDS_LIMIT = 4096;

let cached: number | null | undefined;

/**
 * The memory cap for each program under test, in bytes (null: none), from
 * `--memory-limit=<size>` (an inner stage run gets it as SYSCRAFT_MEMORY_LIMIT),
 * else SYSCRAFT_MEMORY_LIMIT, else 2G. It applies
 * where programs run in a cgroup (see cgroup.ts).
 */
export function memoryLimit(): number | null {
  if (cached === undefined) cached = parseMemoryLimit(flagValue(userArgv(), "memory-limit") ?? process.env.SYSCRAFT_MEMORY_LIMIT ?? DEFAULT_MEMORY_LIMIT);
  return cached;
}

/** Sets the memory cap for the programs started from now on (self-tests); returns a function that puts back the previous one. */
export function overrideMemoryLimit(bytes: number | null): () => void {
  const before = memoryLimit();
  cached = bytes;
  return () => {
    cached = before;
  };
}
