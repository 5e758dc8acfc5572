/**
 * sqlite3 as the judge of the SQL stages. A case builds its databases with
 * sqlite3 from a script drawn from the seed (one sqlite3 run per database),
 * then runs the same query through sqlite3 and through the program under
 * test (`<program> <file.db> "<SQL>"`) and compares what they print. Long
 * outputs are shortened in the transcript (first lines, then a count).
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { absolutize } from "../../../harness/impl.ts";
import { shellQuote } from "../../../harness/report/show.ts";
import { Transcript } from "../../../harness/report/transcript.ts";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { printable, shellArgv } from "../../../harness/stage/program.ts";
import { runCommand, type CommandResult } from "../../../harness/clients/command.ts";
import { requireBinary } from "../../../harness/clients/require.ts";
import { headerProblem, readHeader, type Header } from "./sqlite-header.ts";

export const SQLITE_PACKAGE = "sqlite3";

/** The first lines of a text, each cut to a readable width, and how many were left out. */
export function shorten(text: string, maxLines = 12, width = 160): string {
  const lines = text.replace(/\n$/, "").split("\n");
  const cut = (l: string) => (l.length > width ? `${l.slice(0, width)}… (${l.length} characters)` : l);
  const shown = lines.slice(0, maxLines).map(cut);
  if (lines.length > maxLines) shown.push(`… (${lines.length - maxLines} more lines)`);
  return shown.join("\n");
}

export interface Measured {
  result: CommandResult;
  /** Bytes the program read (rchar of /proc/<pid>/io, children included), when the kernel tells. */
  rchar?: number;
  ms: number;
}

export interface CompareOptions {
  /** Says what the mistake probably is, given the first line that differs. */
  diagnose?: (d: LineDifference) => string | undefined;
  hint?: string;
}

export interface LineDifference {
  line: number;
  expected?: string;
  received?: string;
  expectedLines: string[];
  receivedLines: string[];
}

/** A case's SQL setup: databases in its directory, sqlite3 and the program run from there. */
export class SqlCase {
  private constructor(private readonly t: CaseContext) {}

  static start(t: CaseContext): SqlCase {
    requireBinary("sqlite3", SQLITE_PACKAGE);
    return new SqlCase(t);
  }

  /** Builds `file` (relative to the case's directory) by running `script` through sqlite3. */
  async build(file: string, script: string): Promise<string> {
    const scriptFile = `${file.replace(/\.db$/, "")}.sql`;
    writeFileSync(join(this.t.dir, scriptFile), script);
    const lines = script.split("\n").filter((l) => l !== "");
    this.t.log.note(`${scriptFile}: ${lines.length} lines of SQL drawn from the seed, starting:`);
    for (const l of lines.slice(0, 4)) this.t.log.note(`  ${l.length > 150 ? `${l.slice(0, 150)}…` : l}`);
    const r = await this.quiet(["sqlite3", "-bail", file], `sqlite3 -bail ${file} < ${scriptFile}`, script, 30000);
    if (r.code !== 0) throw new Error(`sqlite3 could not build ${file}: ${r.output}`);
    return file;
  }

  /** What sqlite3 prints for `sql` on `file` (the expected output). */
  async sqlite(file: string, sql: string): Promise<string> {
    const r = await this.quiet(["sqlite3", file, sql], `sqlite3 ${file} ${shellQuote(sql)}`);
    if (r.code !== 0) throw new Error(`sqlite3 failed on ${sql}: ${r.output}`);
    if (r.stdoutBytes.length > 200 * 1024) throw new Error(`the output of ${sql} is too long for the harness's capture of a program's output (256 KiB): make the query smaller`);
    return r.stdout;
  }

  /**
   * What sqlite3 prints for `sql` on a file your program wrote or left (after
   * a crash, say): when sqlite3 fails there, the file is to blame, and the
   * case fails with `message` and `hint` rather than as a broken test.
   */
  async sqliteOnTheirs(file: string, sql: string, message: string, hint: string): Promise<string> {
    const r = await this.quiet(["sqlite3", file, sql], `sqlite3 ${file} ${shellQuote(sql)}`);
    if (r.code !== 0) this.t.fail({ message: `${message}\nsqlite3 fails on: ${sql}`, received: shorten(r.output, 12, 200), hint });
    return r.stdout;
  }

  /** Runs a command, logging it with a shortened output. */
  private async quiet(argv: string[], display: string, stdin?: string, timeoutMs = 10000): Promise<CommandResult> {
    this.t.log.command(display);
    const r = await runCommand(argv, { cwd: this.t.dir, display, log: new Transcript(false), stdin, timeoutMs, signal: this.t.signal });
    this.t.log.output(shorten(r.output));
    return r;
  }

  /** The program under test: `<program> <file> <sql>`, timed, with the bytes it read. */
  async ours(file: string, sql: string, timeoutMs = 10000): Promise<Measured> {
    const command = absolutize(this.t.impl.command, this.t.impl.base);
    const display = printable(command, [file, sql]);
    const io = join(this.t.dir, `.io-${Math.floor(Math.random() * 1e9)}`);
    // The shell waits for the program, then prints its own /proc io counters:
    // a process's counters include those of the children it has reaped.
    const [sh, c, script, ...rest] = shellArgv(command, [file, sql]);
    const argv = [sh!, c!, `${script}; rc=$?; cat /proc/$$/io > ${shellQuote(io)} 2>/dev/null; exit $rc`, ...rest];
    this.t.log.command(display);
    const started = performance.now();
    const result = await runCommand(argv, { cwd: this.t.dir, display, log: new Transcript(false), timeoutMs, signal: this.t.signal });
    const ms = performance.now() - started;
    this.t.log.output(shorten(result.output));
    let rchar: number | undefined;
    try {
      const m = /^rchar:\s*(\d+)/m.exec(await Bun.file(io).text());
      if (m) rchar = Number(m[1]);
    } catch {
      rchar = undefined;
    }
    return { result, rchar, ms };
  }

  /** Runs `sql` through sqlite3 and the program; fails unless they print the same. */
  async expectSame(file: string, sql: string, o: CompareOptions = {}): Promise<string> {
    const expected = await this.sqlite(file, sql);
    const { result } = await this.ours(file, sql);
    if (result.code !== 0) {
      this.t.fail({ message: `Your program exited with code ${result.code} on: ${sql}`, expected: shorten(expected), received: shorten(result.output), hint: o.hint ?? "It should print the rows, as sqlite3 does, and exit 0." });
    }
    this.expectSameText(sql, expected, result.stdout, o);
    return expected;
  }

  /** The smaller of several runs of the program: bytes read and time (a busy machine only makes a run slower). */
  private async best(file: string, query: string, runs: number): Promise<Measured> {
    let out: Measured | undefined;
    for (let i = 0; i < runs; i++) {
      const m = await this.ours(file, query, 20000);
      if (m.result.code !== 0) this.t.fail({ message: `Your program exited with code ${m.result.code} on: ${query}`, hint: "It should print the rows, as sqlite3 does, and exit 0." });
      out = !out ? m : { ...out, ms: Math.min(out.ms, m.ms), rchar: m.rchar === undefined || out.rchar === undefined ? undefined : Math.min(out.rchar, m.rchar) };
    }
    return out!;
  }

  /**
   * Checks that `query` (which an index or the rowid can answer) gives
   * sqlite3's rows and costs far less than `scanQuery` (which must read the
   * whole table). By the bytes the program read (rchar: every read/pread,
   * the same from run to run), less what it reads for `baseQuery` (a query
   * on a one-row table: the runtime's own files, the header, the schema),
   * it must read under 1/8 of what the scan read; for a program that reads
   * the file through mmap (rchar does not see it), by time instead (best of
   * five runs, less the baseline's), under half the scan's — when the scan
   * takes long enough (100 ms) for times to be compared; otherwise the check
   * fails, asking for read()/pread().
   */
  async expectReadsLess(file: string, query: string, scanQuery: string, baseQuery: string, what: string, hint: string): Promise<void> {
    const t = this.t;
    const size = statSync(join(t.dir, file)).size;
    // Each query once, checked against sqlite3; the bytes read are the same from run to run.
    const checked = async (q: string, h: string): Promise<Measured> => {
      const expected = await this.sqlite(file, q);
      const m = await this.ours(file, q, 20000);
      if (m.result.code !== 0) t.fail({ message: `Your program exited with code ${m.result.code} on: ${q}`, hint: "It should print the rows, as sqlite3 does, and exit 0." });
      this.expectSameText(q, expected, m.result.stdout, { hint: h });
      return m;
    };
    const base = await checked(baseQuery, "COUNT(*) of a one-row table (stage 2).");
    const used = await checked(query, hint);
    const scan = await checked(scanQuery, "A WHERE on a column without an index reads every row.");
    const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
    const known = scan.rchar !== undefined && used.rchar !== undefined && base.rchar !== undefined;
    const usedBytes = known ? Math.max(0, used.rchar! - base.rchar!) : 0;
    const scanBytes = known ? scan.rchar! - base.rchar! : 0;
    const byBytes = known && scanBytes >= size / 2;
    t.log.note(
      byBytes
        ? `bytes read beyond the ${mb(base.rchar!)} of the one-row query: ${mb(usedBytes)} for the ${what} query, ${mb(scanBytes)} for the full scan (the file is ${mb(size)})`
        : `the full scan read ${known ? mb(scanBytes) : "an unknown number of"} bytes of a ${mb(size)} file through read(): comparing times instead`,
    );
    if (byBytes) {
      if (usedBytes * 8 < scanBytes) return;
      t.fail({
        message: `The ${what} query read ${mb(usedBytes)} more than a query on a one-row table does, over 1/8 of what the full scan read (${mb(scanBytes)} of a ${mb(size)} file): it does not use the ${what}.\n  ${query}`,
        hint,
      });
    }
    // Times, best of five runs each, less the one-row query's (starting the program).
    const baseMs = Math.min(base.ms, (await this.best(file, baseQuery, 4)).ms);
    const scanMs = Math.min(scan.ms, (await this.best(file, scanQuery, 4)).ms) - baseMs;
    const usedMs = Math.max(0, Math.min(used.ms, (await this.best(file, query, 4)).ms) - baseMs);
    t.log.note(`best times beyond the ${baseMs.toFixed(1)} ms of the one-row query: ${usedMs.toFixed(1)} ms for the ${what} query, ${scanMs.toFixed(1)} ms for the full scan`);
    if (scanMs < 100) {
      t.fail({
        message: `Cannot tell whether the ${what} is used: your program read ${known ? mb(scanBytes) : "an unknown number of bytes"} of the ${mb(size)} file through read()/pread() for a full scan, and the scan took only ${scanMs.toFixed(1)} ms more than a query on a one-row table — too little to compare times reliably.`,
        hint: "The harness measures index use by the bytes your program reads (rchar in /proc/<pid>/io counts read() and pread(), not pages of an mmap): read the database's pages with read()/pread() when you need them, as sqlite3 does.",
      });
    }
    if (usedMs * 2 > scanMs) {
      t.fail({
        message: `The ${what} query took ${usedMs.toFixed(1)} ms more than a query on a one-row table does, over half the full scan's ${scanMs.toFixed(1)} ms (best of 5 runs each): it does not use the ${what}.\n  ${query}`,
        hint,
      });
    }
  }

  /** Runs a statement that changes the database through the program; fails unless it exits 0 and prints nothing (as sqlite3 does for a write). */
  async write(file: string, sql: string, hint: string): Promise<void> {
    const { result } = await this.ours(file, sql);
    if (result.code !== 0) this.t.fail({ message: `Your program exited with code ${result.code} on: ${shorten(sql, 3, 300)}`, hint });
    if (result.stdout !== "") this.t.fail({ message: `Your program printed something for a statement that only writes: ${shorten(sql, 3, 300)}`, expected: "(nothing)", received: shorten(result.stdout), hint: "A write (CREATE, INSERT, UPDATE, DELETE, DROP, BEGIN, COMMIT) prints nothing, as sqlite3 prints nothing for it." });
  }

  /** The header of a file the program wrote must be right (see sqlite-header.ts); `before` is the header before the writes (undefined for a new file). */
  expectHeader(file: string, before: Header | undefined, schemaChanged: boolean): void {
    const problem = headerProblem(before, readFileSync(join(this.t.dir, file)), schemaChanged);
    if (problem) this.t.fail({ message: `The database header of ${file}, which your program wrote, is wrong: ${problem}.`, hint: "fileformat2 §1.3: after a write, the file change counter at offset 24 grows (and the version-valid-for number at 92 equals it), the page count at 28 is the file's size in pages, the schema cookie at 40 grows when the schema changes; the page size, versions (1, 1), payload fractions (64/32/32), schema format (4) and encoding (1) stay." });
  }

  /** The header of a file in the case's directory, as it is now. */
  header(file: string): Header {
    return readHeader(readFileSync(join(this.t.dir, file)));
  }

  /** sqlite3's PRAGMA integrity_check of a file the program wrote must say "ok". */
  async expectIntegrity(file: string, hint: string | ((report: string) => string)): Promise<void> {
    const r = await this.quiet(["sqlite3", file, "PRAGMA integrity_check"], `sqlite3 ${file} 'PRAGMA integrity_check'`);
    if (r.code !== 0 || r.stdout !== "ok\n") {
      this.t.fail({ message: `sqlite3 finds ${file}, which your program wrote, damaged.`, expected: "ok", received: shorten(r.output, 12, 200), hint: typeof hint === "string" ? hint : hint(r.output) });
    }
  }

  /**
   * A statement sqlite3 refuses on `twin` must fail on `ours` too: a non-zero
   * exit status and sqlite3's message (without its "Error: stepping, " or
   * "Runtime error: " prefix and " (19)" code) in the program's output.
   */
  async expectSameError(ours: string, twin: string, sql: string, hint: string): Promise<void> {
    const r = await this.quiet(["sqlite3", twin, sql], `sqlite3 ${twin} ${shellQuote(sql)}`);
    if (r.code === 0) throw new Error(`sqlite3 accepted a statement the test expects it to refuse: ${sql}`);
    const message = r.output
      .trim()
      .split("\n")[0]!
      .replace(/^(Error: (stepping|in prepare), |Runtime error: |Parse error: |Error: )/, "")
      .replace(/ \(\d+\)$/, "");
    const { result } = await this.ours(ours, sql);
    if (result.code === 0 || !result.output.includes(message)) {
      this.t.fail({ message: `Your program did not refuse, as sqlite3 does: ${shorten(sql, 3, 300)}`, expected: `a non-zero exit status and the message "${message}"`, received: `exit status ${result.code}: ${shorten(result.output.trim(), 3, 200) || "(no output)"}`, hint });
    }
  }

  /** Runs `sql` through sqlite3 on two files; fails unless both print the same. */
  async expectSameFiles(ours: string, twin: string, sql: string, hint: string): Promise<void> {
    const expected = await this.sqlite(twin, sql);
    const r = await this.quiet(["sqlite3", ours, sql], `sqlite3 ${ours} ${shellQuote(sql)}`);
    if (r.code !== 0) this.t.fail({ message: `sqlite3 cannot read ${ours}, which your program wrote: ${sql}`, received: shorten(r.output), hint });
    this.expectSameText(`${sql} (sqlite3 on ${ours}, and on ${twin}, where sqlite3 ran the same statements)`, expected, r.stdout, { hint });
  }

  /** Compares two outputs line by line; the report shows the first line that differs. */
  expectSameText(sql: string, expected: string, received: string, o: CompareOptions = {}): void {
    if (expected === received) return;
    if (expected.replace(/\n$/, "") === received.replace(/\n$/, "")) {
      this.t.fail({ message: `Your program's output differs from sqlite3's for: ${sql}\nOnly the final newline differs.`, expected, received, hint: "sqlite3 ends every row with a newline, the last one too." });
    }
    const e = expected.replace(/\n$/, "").split("\n");
    const r = received.replace(/\n$/, "").split("\n");
    let i = 0;
    while (i < e.length && i < r.length && e[i] === r[i]) i++;
    const d: LineDifference = { line: i + 1, expected: e[i], received: r[i], expectedLines: e, receivedLines: r };
    const counts = e.length === r.length ? "" : ` sqlite3 printed ${expected === "" ? 0 : e.length} lines, your program ${received === "" ? 0 : r.length}.`;
    const where = i < e.length && i < r.length ? `Line ${i + 1} differs.` : i < e.length ? `Your program stops after ${i} lines.` : `Your program prints more lines than sqlite3 (from line ${i + 1}).`;
    const around = (lines: string[]) => shorten(lines.slice(Math.max(0, i - 1), i + 2).join("\n"), 3, 200);
    this.t.fail({
      message: `Your program's output differs from sqlite3's for: ${sql}\n${where}${counts}`,
      expected: around(e),
      received: around(r),
      hint: o.diagnose?.(d) ?? o.hint,
    });
  }
}
