/**
 * A SQLite-compatible engine, used like sqlite3:
 *   bun solutions/sql/main.ts <file.db> "<SQL or dot-command>"
 * (with no SQL, it reads one command per line from stdin). It prints rows in
 * sqlite3's default list mode: columns joined by "|", NULL as nothing,
 * reals as "%!.15g".
 */
import { readFileSync } from "node:fs";
import { dbinfo, schema, tables } from "./dot-commands.ts";
import { Pager } from "./pager.ts";
import { parseStatements } from "./parser.ts";
import { Schema } from "./schema.ts";
import { runSelect, type Database } from "./select.ts";
import { valueToText, type Value } from "./value.ts";
import { applyWrite, emptyModel, encodeModel, fileHasDatabase, loadModel, saveModel } from "./writer.ts";

function line(values: Value[]): Buffer {
  const parts: Buffer[] = [];
  values.forEach((v, i) => {
    if (i > 0) parts.push(Buffer.from("|"));
    parts.push(v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(valueToText(v)));
  });
  parts.push(Buffer.from("\n"));
  return Buffer.concat(parts);
}

/** The database file, opened when first needed and again after each write. */
class Session {
  private db: Database | undefined;

  constructor(readonly path: string) {}

  database(): Database {
    if (!this.db) {
      // A file that does not exist yet is an empty database (sqlite3 creates it on the first write).
      const pager = fileHasDatabase(this.path) ? new Pager(this.path) : new Pager(this.path, encodeModel(emptyModel()));
      this.db = { pager, schema: new Schema(pager) };
    }
    return this.db;
  }

  close(): void {
    this.db?.pager.close();
    this.db = undefined;
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
      if (st.k === "select") {
        for (const row of runSelect(this.database(), st.select, st.explainPlan)) out.push(line(row));
        continue;
      }
      const model = fileHasDatabase(this.path) ? loadModel(this.database().pager) : emptyModel();
      applyWrite(model, st);
      this.close();
      saveModel(this.path, model);
    }
    return out;
  }
}

export function runMain(args: string[]): number {
  const [file, sql] = args;
  if (!file) {
    process.stderr.write("usage: main.ts <file.db> <SQL or dot-command>\n");
    return 1;
  }
  const session = new Session(file);
  const inputs = sql !== undefined ? [sql] : readFileSync(0, "utf8").split("\n").filter((l) => l.trim() !== "");
  try {
    for (const input of inputs) {
      try {
        process.stdout.write(Buffer.concat(session.execute(input)));
      } catch (e) {
        process.stderr.write(`${input.trim().startsWith(".") ? "Error" : "Parse error"}: ${(e as Error).message}\n`);
        return 1;
      }
    }
  } finally {
    session.close();
  }
  return 0;
}

if (import.meta.main) process.exitCode = runMain(Bun.argv.slice(2));
