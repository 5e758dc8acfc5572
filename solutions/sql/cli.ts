/**
 * The command line of the SQLite-compatible engine (main.ts starts it):
 *   <file.db> "<SQL or dot-command>"
 * (with no SQL, it reads one command per line from stdin). It prints rows in
 * sqlite3's default list mode: columns joined by "|", NULL as nothing,
 * reals as "%!.15g".
 */
import { readFileSync, writeSync } from "node:fs";
import { dbinfo, schema, tables } from "./dot-commands.ts";
import { Pager } from "./pager.ts";
import { parseStatements } from "./parser.ts";
import type { Statement } from "./ast.ts";
import { Schema, tempViews } from "./schema.ts";
import { runSelect, type Database } from "./select.ts";
import { ConstraintError, SqlError } from "./tokenizer.ts";
import { valueToText, type Value } from "./value.ts";
import { applyWrite, FailError } from "./writer.ts";
import { quirks } from "./quirks.ts";

function line(values: Value[]): Buffer {
  const parts: Buffer[] = [];
  values.forEach((v, i) => {
    if (i > 0) parts.push(Buffer.from("|"));
    const bytes = v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(valueToText(v));
    // sqlite3 prints a value as a C string: it ends at the first NUL byte (X'610062' prints "a").
    const nul = bytes.indexOf(0);
    parts.push(nul >= 0 ? bytes.subarray(0, nul) : bytes);
  });
  parts.push(Buffer.from("\n"));
  return Buffer.concat(parts);
}

/**
 * The database file, opened when first needed (a hot journal left by a
 * crash is played back then: pager.ts, journal.ts). Writes outside BEGIN …
 * COMMIT commit one by one (autocommit); inside, they commit together, and
 * ROLLBACK — or an error, or the end of the input — forgets them.
 */
class Session {
  private pager: Pager | undefined;
  private db: Database | undefined;
  private explicit = false;

  constructor(readonly path: string) {}

  private open(): Pager {
    this.pager ??= new Pager(this.path);
    return this.pager;
  }

  database(): Database {
    if (!this.db) {
      const pager = this.open();
      this.db = { pager, schema: new Schema(pager) };
    }
    return this.db;
  }

  /** Forgets what the open transaction changed (sqlite3 rolls back when a statement fails or the connection closes). */
  abandon(): void {
    this.pager?.rollback();
    this.db = undefined;
    this.explicit = false;
  }

  close(): void {
    this.abandon();
    this.pager?.close();
    this.pager = undefined;
  }

  /** CREATE TEMP VIEW, and DROP VIEW of a temporary view: kept in memory for this run, the file untouched. */
  private tempView(st: Statement): boolean {
    if (st.k === "drop" && st.type === "view") return tempViews.delete(st.name.toLowerCase());
    if (st.k !== "create-view" || !st.temp) return false;
    const key = st.name.toLowerCase();
    if (tempViews.has(key)) {
      if (st.ifNotExists) return true;
      throw new SqlError(`view ${st.name} already exists`);
    }
    tempViews.set(key, { rowid: 0n, type: "view", name: st.name, tblName: st.name, rootpage: 0, sql: st.sql });
    this.db = undefined;
    return true;
  }

  execute(input: string): Buffer[] {
    const cmd = input.trim();
    if (cmd.startsWith(".")) {
      const word = cmd.split(/\s+/)[0]!;
      const db = this.database();
      const lines = word === ".dbinfo" ? dbinfo(db) : word === ".tables" ? tables(db) : word === ".schema" ? schema(db) : undefined;
      if (!lines) throw new Error(`unknown command or invalid arguments:  "${word.slice(1)}". Enter ".help" for help`);
      return lines.map((l) => Buffer.from(`${l}\n`));
    }
    const out: Buffer[] = [];
    for (const st of parseStatements(input)) {
      if (this.tempView(st)) continue;
      switch (st.k) {
        case "select":
          for (const row of runSelect(this.database(), st.select, st.explainPlan)) out.push(line(row));
          continue;
        case "begin":
          if (this.explicit) throw new SqlError("cannot start a transaction within a transaction");
          this.explicit = true;
          continue;
        case "commit":
          if (!this.explicit) throw new SqlError("cannot commit - no transaction is active");
          this.open().commit();
          this.explicit = false;
          continue;
        case "rollback":
          if (!this.explicit) throw new SqlError("cannot rollback - no transaction is active");
          this.abandon();
          continue;
        default:
          try {
            applyWrite(this.open(), st);
          } catch (e) {
            // OR FAIL: outside BEGIN the rows written before the failing one are committed (lang_conflict.html).
            if (e instanceof FailError && !this.explicit) this.open().commit();
            throw e;
          }
          this.db = undefined;
          if (!this.explicit && !quirks.argumentIsOneTransaction) this.open().commit();
      }
    }
    if (quirks.argumentIsOneTransaction && !this.explicit) this.pager?.commit();
    return out;
  }
}

/**
 * Writes all of `data` to a file descriptor with write(2). process.stdout and
 * process.stderr would load Node's stream modules, which costs about 7 ms of a
 * run that is otherwise 10-20 ms (challenges/sql/README.md, Benchmark).
 */
function writeAll(fd: number, data: Uint8Array | string): void {
  let bytes = typeof data === "string" ? Buffer.from(data) : data;
  while (bytes.length > 0) {
    let n: number;
    try {
      n = writeSync(fd, bytes);
    } catch (e) {
      // A descriptor left non-blocking by whoever started us: wait until it drains.
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
        Bun.sleepSync(1);
        continue;
      }
      throw e;
    }
    bytes = bytes.subarray(n);
  }
}

export function runMain(args: string[]): number {
  const [file, sql] = args;
  if (!file) {
    writeAll(2, "usage: main.ts <file.db> <SQL or dot-command>\n");
    return 1;
  }
  const session = new Session(file);
  const inputs = sql !== undefined ? [sql] : readFileSync(0, "utf8").split("\n").filter((l) => l.trim() !== "");
  try {
    for (const input of inputs) {
      try {
        writeAll(1, Buffer.concat(session.execute(input)));
      } catch (e) {
        session.abandon();
        const message = (e as Error).message;
        writeAll(2, e instanceof ConstraintError ? `Runtime error: ${message} (19)\n` : `${input.trim().startsWith(".") ? "Error" : "Parse error"}: ${message}\n`);
        return 1;
      }
    }
  } finally {
    session.close();
  }
  return 0;
}

