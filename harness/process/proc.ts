import { readFileSync } from "node:fs";

/** The fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [2] pgid, … [19] start time. */
export function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (a zombie counts; someone else's too). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** When the process started (clock ticks since boot): with the pid, it names one process even after the pid is reused. */
export function processStartTime(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? Number(f[19]) : undefined;
}

/** Whether the process that `pid` and `start` (its start time) named is gone: no such pid, or the pid now names a later process. */
export function ownerDead(pid: number, start: number): boolean {
  if (!processAlive(pid)) return true;
  const now = processStartTime(pid);
  return now !== undefined && start !== 0 && now !== start;
}
