/**
 * The order of a program's writes and syncs, for the SQL transactions stage:
 * the program runs under strace, which logs every write and sync of the
 * database file and its rollback journal (`-y` names the file behind each
 * descriptor, `-P` keeps only the calls that touch those two files), and
 * turns the program's deletion of the journal into a no-op that reports
 * success (`-e inject=unlink,unlinkat:retval=0`), so the journal the program
 * wrote is still there afterwards — exactly what a crash just before the
 * deletion leaves. A kill can never show whether the journal was synced
 * before the database was written; the order of the calls does.
 *
 * Writes through mmap are not system calls and are not seen.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { absolutize } from "../../../harness/impl.ts";
import { shellQuote } from "../../../harness/report/show.ts";
import { Transcript } from "../../../harness/report/transcript.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { printable, shellArgv } from "../../../harness/stage/program.ts";
import { runCommand, type CommandResult } from "../../../harness/clients/command.ts";
import { requireBinary } from "../../../harness/clients/require.ts";

export const STRACE_PACKAGE = "strace";

const WRITES = new Set(["write", "pwrite64", "pwritev", "pwritev2", "writev", "ftruncate"]);
const SYNCS = new Set(["fsync", "fdatasync"]);

export interface FileCall {
  /** "write" (any of write, pwrite64, pwritev…, ftruncate), "sync" (fsync, fdatasync) or "unlink" (unlink, unlinkat). */
  kind: "write" | "sync" | "unlink";
  /** Which file: the database or its journal. */
  file: "db" | "journal";
  /** The line of strace's log, for the report. */
  line: string;
}

export interface TracedRun {
  result: CommandResult;
  /** The program's calls on the two files, in the order they happened. */
  calls: FileCall[];
}

const CALL = /^\d+\s+(\w+)\((.*)$/;

/** The calls of strace's log (strace -f -y) that write, sync or delete `db` or `journal` (absolute paths). */
export function fileCalls(log: string, db: string, journal: string): FileCall[] {
  const calls: FileCall[] = [];
  for (const line of log.split("\n")) {
    const m = CALL.exec(line);
    if (!m) continue;
    const [, name, args] = m as unknown as [string, string, string];
    if (name === "unlink" || name === "unlinkat") {
      const path = /"([^"]*)"/.exec(args)?.[1];
      if (path !== undefined && (path === journal || path.endsWith(`/${journal.split("/").pop()}`) || journal.endsWith(`/${path}`))) calls.push({ kind: "unlink", file: "journal", line });
      continue;
    }
    const kind = WRITES.has(name) ? "write" : SYNCS.has(name) ? "sync" : undefined;
    if (!kind) continue;
    const fd = /^\d+<([^>]*)>/.exec(args)?.[1];
    if (fd === db) calls.push({ kind, file: "db", line });
    else if (fd === journal) calls.push({ kind, file: "journal", line });
  }
  return calls;
}

/**
 * Runs `<program> <file> <sql>` in the case's directory under strace, with
 * the deletion of `<file>-journal` intercepted (the journal stays). Returns
 * the program's result and its calls on the two files.
 */
export async function runTraced(t: CaseContext, file: string, sql: string, timeoutMs = 30000): Promise<TracedRun> {
  requireBinary("strace", STRACE_PACKAGE);
  const command = absolutize(t.impl.command, t.impl.base);
  const db = join(t.dir, file);
  const journal = `${db}-journal`;
  const log = join(t.dir, `${file}.strace`);
  // -P takes the names as written (a relative name is resolved once, if the file exists), so both spellings of each.
  const paths = [file, `${file}-journal`, db, journal].flatMap((p) => ["-P", p]);
  const strace = ["strace", "-f", "-y", "--seccomp-bpf", "-o", log, ...paths, "-e", "trace=write,pwrite64,pwritev,pwritev2,writev,ftruncate,fsync,fdatasync,unlink,unlinkat", "-e", "inject=unlink,unlinkat:retval=0"];
  const display = `${strace.map((a) => (a === log ? `${file}.strace` : a === db || a === journal ? a.slice(t.dir.length + 1) : shellQuote(a))).join(" ")} -- ${printable(command, [file, sql.length > 300 ? `${sql.slice(0, 300)}…` : sql])}`;
  const result = await runCommand([...strace, "--", ...shellArgv(command, [file, sql])], { cwd: t.dir, display, log: t.log, timeoutMs, signal: t.signal, quietStderr: true });
  const text = existsSync(log) ? readFileSync(log, "utf8") : "";
  // strace itself failing (ptrace not permitted here, say) is the machine's problem, not the program's.
  const straceError = /^strace: (?!Requested path).*$/m.exec(result.output);
  if (straceError && !/^\d+\s+execve\(|^\d+\s+\w+\(/m.test(text)) throw new Error(`strace could not run the program (${straceError[0]}): stage 10 needs ptrace (run the tests as a user allowed to trace its own children)`);
  const calls = fileCalls(text, db, journal);
  t.log.note(`strace saw ${calls.length} writes, syncs and deletions of ${file} and ${file}-journal; the first ones:`);
  for (const c of calls.slice(0, 6)) t.log.note(`  ${c.line.length > 150 ? `${c.line.slice(0, 150)}…` : c.line}`);
  return { result, calls };
}

/** The first thing wrong with the order of the calls of a commit (atomiccommit.html §3), or undefined. */
export function commitOrderProblem(calls: FileCall[], file: string): string | undefined {
  const firstDbWrite = calls.findIndex((c) => c.file === "db" && c.kind === "write");
  if (firstDbWrite < 0) return `strace saw no write() or pwrite() to ${file} (writes through mmap are not seen: write the pages with write/pwrite)`;
  const before = calls.slice(0, firstDbWrite);
  const lastJournalWrite = before.map((c) => c.file === "journal" && c.kind === "write").lastIndexOf(true);
  if (lastJournalWrite < 0) return `your program wrote to ${file} before writing anything to ${file}-journal:\n  ${calls[firstDbWrite]!.line}`;
  if (!before.slice(lastJournalWrite + 1).some((c) => c.file === "journal" && c.kind === "sync")) {
    return `your program wrote to ${file} without syncing ${file}-journal after its last write to it (no fsync or fdatasync of the journal in between):\n  ${calls[lastJournalWrite]!.line}\n  ${calls[firstDbWrite]!.line}`;
  }
  const unlink = calls.findIndex((c) => c.kind === "unlink");
  const end = unlink < 0 ? calls.length : unlink;
  const lastDbWrite = calls.slice(0, end).map((c) => c.file === "db" && c.kind === "write").lastIndexOf(true);
  if (!calls.slice(lastDbWrite + 1, end).some((c) => c.file === "db" && c.kind === "sync")) {
    return `your program ${unlink < 0 ? "ended" : "deleted the journal"} without syncing ${file} after its last write to it (no fsync or fdatasync of the database file in between):\n  ${calls[lastDbWrite]!.line}${unlink < 0 ? "" : `\n  ${calls[unlink]!.line}`}`;
  }
  return undefined;
}

/** The first thing wrong with the order of the calls of a hot journal's playback (fileformat2 §4.1: write back, cut, sync, then delete the journal), or undefined. */
export function playbackOrderProblem(calls: FileCall[], file: string): string | undefined {
  const unlink = calls.findIndex((c) => c.kind === "unlink");
  if (unlink < 0) return `your program did not delete ${file}-journal after playing it back (strace saw no unlink of it by that name or its absolute path)`;
  const lastDbWrite = calls.slice(0, unlink).map((c) => c.file === "db" && c.kind === "write").lastIndexOf(true);
  if (lastDbWrite < 0) return `strace saw no write() or pwrite() to ${file} before ${file}-journal was deleted: the journal's pages were not written back (writes through mmap are not seen)`;
  if (!calls.slice(lastDbWrite + 1, unlink).some((c) => c.file === "db" && c.kind === "sync")) {
    return `your program deleted ${file}-journal without syncing ${file} after writing the journal's pages back (no fsync or fdatasync of the database file in between):\n  ${calls[lastDbWrite]!.line}\n  ${calls[unlink]!.line}`;
  }
  return undefined;
}
