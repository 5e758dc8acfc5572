/**
 * Crashing the program in the middle of a write, for the SQL transactions
 * stage: the program runs in the background (its own process group, through
 * the harness's process layer), and the test watches the database file and
 * its rollback journal (`<file>-journal`) — in bursts of tight polling, so
 * that it reacts within microseconds — and sends SIGKILL to the program's
 * group at a point drawn from the seed: when the journal appears, when the
 * database file first changes (size or modification time), or after a
 * delay. Every wait is bounded.
 *
 * It also follows the order of the program's file operations through
 * inotify (fs.watch on the case's directory): the kernel queues the events
 * in the order they happened, however late the test reads them, so a write
 * to the database file while no journal (or WAL) file exists is seen
 * whatever the timing of the kill. After the program is gone the test
 * creates a marker file and reads events until the marker's arrives, so
 * every event of the program's has been read, however loaded the machine.
 */
import { existsSync, rmSync, statSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { absolutize } from "../../../harness/impl.ts";
import { GroupProcess } from "../../../harness/process/spawn.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { printable, shellArgv } from "../../../harness/stage/program.ts";

export type KillPoint = { when: "journal-appears" } | { when: "file-changes" } | { when: "after"; ms: number };

export interface CrashRun {
  /** Whether SIGKILL reached the program before it exited. */
  killed: boolean;
  /** Milliseconds from the start to the kill (or to the exit). */
  ms: number;
  /** Milliseconds from the start until the database file first changed, if it did while watched. */
  changedAt?: number;
  /** Whether a journal file was seen before the database file first changed. */
  journalBeforeChange: boolean;
  /** Whether a journal file was seen at all while the program ran. */
  journalSeen: boolean;
  /** Whether the database file was written while neither `<file>-journal` nor `<file>-wal` existed (inotify's order of events). */
  unjournaledWrite: boolean;
  /** The program's exit code, when it exited by itself. */
  code?: number;
}

export function describeKillPoint(p: KillPoint): string {
  return p.when === "journal-appears" ? "as soon as the rollback journal appears" : p.when === "file-changes" ? "as soon as the database file changes" : `${p.ms} ms after the start`;
}

function fingerprint(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.size}/${s.mtimeNs}`;
  } catch {
    return "missing";
  }
}

/** Runs `<program> <file> <sql>` in the case's directory and kills it at `point`; bounded by `timeoutMs`. */
export async function runAndKill(t: CaseContext, file: string, sql: string, point: KillPoint, timeoutMs = 15000): Promise<CrashRun> {
  const command = absolutize(t.impl.command, t.impl.base);
  const db = join(t.dir, file);
  const journal = `${db}-journal`;
  t.log.command(`${printable(command, [file, sql.length > 300 ? `${sql.slice(0, 300)}…` : sql])} &   # killed with SIGKILL ${describeKillPoint(point)}`);
  const before = fingerprint(db);
  // inotify: which of <file>-journal and <file>-wal exist, followed event by event ("rename" is a creation or a removal).
  const guards = new Map([`${file}-journal`, `${file}-wal`].map((f) => [f, existsSync(join(t.dir, f))]));
  let unjournaledWrite = false;
  // Created after the program is gone: once its event arrives, every earlier event has been read.
  const marker = `${file}.events-read`;
  let markerSeen = false;
  const watcher = watch(t.dir, (type, name) => {
    if (name === null) return;
    if (name === marker) markerSeen = true;
    else if (guards.has(name)) {
      if (type === "rename") guards.set(name, !guards.get(name));
    } else if (name === file && ![...guards.values()].some(Boolean)) unjournaledWrite = true;
  });
  t.defer(() => watcher.close());
  const proc = new GroupProcess(shellArgv(command, [file, sql]), { cwd: t.dir });
  t.defer(() => proc.stop(0));
  let exited: number | undefined;
  void proc.exited.then((c) => {
    exited = c;
  });
  const started = performance.now();
  const out: CrashRun = { killed: false, ms: 0, journalBeforeChange: false, journalSeen: false, unjournaledWrite: false };
  const kill = () => {
    try {
      process.kill(-proc.pid, "SIGKILL");
      out.killed = true;
    } catch {
      out.killed = false;
    }
  };
  while (exited === undefined && !out.killed) {
    const now = performance.now() - started;
    if (now > timeoutMs || t.signal.aborted) {
      kill();
      t.fail({ message: `The program did not finish within ${timeoutMs / 1000} s: ${printable(command, [file, "…"])}`, hint: "A transaction of a few thousand rows should take well under a second or two." });
    }
    if (point.when === "after") {
      const left = point.ms - now;
      if (left <= 0) kill();
      else await Bun.sleep(Math.min(left, 5));
      continue;
    }
    // A burst of tight polling, then a pause for the event loop (which notices the program's exit).
    const burstEnd = performance.now() + 15;
    while (performance.now() < burstEnd) {
      const hasJournal = existsSync(journal);
      if (hasJournal) out.journalSeen = true;
      const changed = out.changedAt === undefined && fingerprint(db) !== before;
      if (changed) {
        out.changedAt = performance.now() - started;
        out.journalBeforeChange = out.journalSeen;
      }
      if ((point.when === "journal-appears" && hasJournal) || (point.when === "file-changes" && changed)) {
        kill();
        break;
      }
    }
    await Bun.sleep(0);
  }
  out.ms = Math.round(performance.now() - started);
  await proc.waitExit(5000);
  if (!out.killed) out.code = exited;
  // The events queued before the program died, read now: inotify keeps their order, so they all come before the marker's.
  writeFileSync(join(t.dir, marker), "");
  const waitUntil = performance.now() + 5000;
  while (!markerSeen && performance.now() < waitUntil) await Bun.sleep(5);
  watcher.close();
  rmSync(join(t.dir, marker), { force: true });
  if (!markerSeen) t.log.note("inotify did not report the marker file within 5 s; the order of file events may be incomplete");
  out.unjournaledWrite = unjournaledWrite;
  t.log.output(out.killed ? `(killed after ${out.ms} ms${out.changedAt !== undefined ? `; the database file changed at ${Math.round(out.changedAt)} ms` : ""}${out.journalSeen ? "; a journal file was seen" : ""})` : `(exited with code ${exited} after ${out.ms} ms, before the kill point)`);
  const files = [file, `${file}-journal`].filter((f) => existsSync(join(t.dir, f))).map((f) => `${f} (${statSync(join(t.dir, f)).size} bytes)`);
  t.log.note(`left behind: ${files.join(", ") || "nothing"}`);
  return out;
}
