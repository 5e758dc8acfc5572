import { readdirSync, readFileSync } from "node:fs";

/**
 * Every process group the harness starts is registered here until it is gone,
 * so that nothing outlives the run: each case stops its own processes, and if
 * the test process itself is interrupted (Ctrl-C, SIGTERM, SIGHUP) or exits,
 * every group still registered gets SIGKILL. Groups are also started under
 * `setpriv --pdeathsig SIGKILL` (see spawn.ts) so the leader dies even if the
 * test process is killed outright. (bun test runs no process "exit" handlers:
 * there, each stage's afterAll kills what is left — see stage/register.ts.)
 */
const live = new Set<number>();
let installed = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export function killAllNow(): void {
  for (const pgid of live) killGroup(pgid, "SIGKILL");
  live.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", killAllNow);
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    process.on(signal, () => {
      killAllNow();
      process.exit(code);
    });
  }
}

export function track(pgid: number): void {
  install();
  live.add(pgid);
}

export function untrack(pgid: number): void {
  live.delete(pgid);
}

/**
 * Pids of the group's processes that are still running. Zombies do not count:
 * an orphan that has exited waits for init to reap it, which in containers can
 * take a second or more, but it holds no port and runs no code.
 */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return kernelSaysAlive(pgid) ? [pgid] : [];
  }
  const members: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") members.push(Number(name));
  }
  return members;
}

function kernelSaysAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True while any process in the group is running. */
export function groupAlive(pgid: number): boolean {
  return kernelSaysAlive(pgid) && groupMembers(pgid).length > 0;
}

/**
 * SIGTERM to the whole group, then SIGKILL after `graceMs` if anything in it is
 * still there. Resolves once the group is empty (bounded: SIGKILL cannot be ignored).
 */
export async function stopGroup(pgid: number, graceMs = 2000): Promise<void> {
  if (!groupAlive(pgid)) {
    untrack(pgid);
    return;
  }
  killGroup(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await Bun.sleep(20);
  if (groupAlive(pgid)) {
    killGroup(pgid, "SIGKILL");
    const hard = Date.now() + 2000;
    while (groupAlive(pgid) && Date.now() < hard) await Bun.sleep(10);
  }
  untrack(pgid);
}
