/**
 * Writes checked against a twin file: each statement runs through the
 * program on `ours` and through sqlite3 on `twin` (stages 14–16); then
 * sqlite3 reads both files and must print the same.
 */
import type { SqlCase } from "./sqlite.ts";

export interface Twins {
  ours: string;
  twin: string;
}

/** Runs each statement through the program on `ours` and through sqlite3 on `twin`. */
export async function both(sql: SqlCase, f: Twins, statements: string[], hint: string): Promise<void> {
  for (const s of statements) {
    await sql.write(f.ours, s, hint);
    await sql.sqlite(f.twin, s);
  }
}

/** sqlite3 prints the same for each query on both files, and finds `ours` intact. */
export async function sameAndIntact(sql: SqlCase, f: Twins, queries: string[], hint: string): Promise<void> {
  for (const q of queries) await sql.expectSameFiles(f.ours, f.twin, q, hint);
  await sql.expectIntegrity(f.ours, `${hint} (PRAGMA integrity_check checks every B-tree, and that each index holds one entry per row.)`);
}
