/**
 * A runner for test files in sqllogictest's format
 * (https://www.sqlite.org/sqllogictest/doc/trunk/about.wiki), against a
 * program used like sqlite3 (`<program> <file.db> "<SQL>"`, list mode).
 *
 * Records are separated by blank lines; `#` starts a comment line.
 *   statement ok | statement error      then the SQL (one or more lines)
 *   query <types> [nosort|rowsort|valuesort] [label]
 *                                       then the SQL, a line `----`, and the
 *                                       expected values, one per line, row
 *                                       after row
 * Types are one letter per column: I (integer), R (real, printed with 3
 * decimals), T (text). As in sqllogictest, NULL prints as `NULL` and
 * characters outside printable ASCII as `@`. rowsort
 * sorts the rows, valuesort every value, nosort keeps the program's order.
 * `hash-threshold`, `skipif`, `onlyif` and `halt` are not supported.
 *
 * Each record is one run of the program. List mode prints NULL and the
 * empty text alike (as nothing), so an empty field reads as NULL: test
 * files must not select empty texts (or values with `|` or newlines).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { CaseContext } from "../../../harness/stage/context.ts";
import { shorten, type SqlCase } from "./sqlite.ts";

export type SortMode = "nosort" | "rowsort" | "valuesort";

export type SltRecord =
  | { kind: "statement"; ok: boolean; sql: string; line: number }
  | { kind: "query"; types: string; sort: SortMode; sql: string; expected: string[]; line: number };

/** Parses a sqllogictest file; throws on a record it does not understand. */
export function parseSlt(text: string, name = "test file"): SltRecord[] {
  const lines = text.split("\n");
  const records: SltRecord[] = [];
  let i = 0;
  const block = (): string[] => {
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "" && lines[i] !== "----") out.push(lines[i++]!);
    return out;
  };
  while (i < lines.length) {
    const line = lines[i]!.trim();
    const at = i + 1;
    i++;
    if (line === "" || line.startsWith("#")) continue;
    const words = line.split(/\s+/);
    if (words[0] === "statement" && (words[1] === "ok" || words[1] === "error")) {
      const sql = block().join("\n");
      if (!sql) throw new Error(`${name}:${at}: statement without SQL`);
      records.push({ kind: "statement", ok: words[1] === "ok", sql, line: at });
      continue;
    }
    if (words[0] === "query" && words[1] && /^[ITR]+$/.test(words[1])) {
      const sort = (words[2] ?? "nosort") as SortMode;
      if (!["nosort", "rowsort", "valuesort"].includes(sort)) throw new Error(`${name}:${at}: unknown sort mode ${sort}`);
      const sql = block().join("\n");
      if (lines[i] !== "----") throw new Error(`${name}:${at}: query without a ---- line`);
      i++;
      const expected = block();
      records.push({ kind: "query", types: words[1], sort, sql, expected, line: at });
      continue;
    }
    throw new Error(`${name}:${at}: unsupported record: ${line}`);
  }
  return records;
}

/** One list-mode field as sqllogictest prints a value of this type. */
export function formatValue(field: string, type: string): string {
  if (field === "") return "NULL";
  if (type === "I") {
    if (/^-?\d+$/.test(field)) return field;
    const n = Number(field);
    return Number.isFinite(n) ? String(Math.trunc(n)) : "0";
  }
  if (type === "R") {
    const n = Number(field);
    return Number.isFinite(n) ? n.toFixed(3) : "0.000";
  }
  return field.replace(/[^\x20-\x7e]/g, "@");
}

/** The values of a list-mode output, one per line, sorted as the record asks; undefined when a row has the wrong number of columns. */
export function resultValues(output: string, types: string, sort: SortMode): string[] | undefined {
  const rows = output === "" ? [] : output.replace(/\n$/, "").split("\n").map((l) => l.split("|"));
  if (rows.some((r) => r.length !== types.length)) return undefined;
  const formatted = rows.map((r) => r.map((f, j) => formatValue(f, types[j]!)));
  if (sort === "rowsort") formatted.sort((a, b) => (a.join("\u0001") < b.join("\u0001") ? -1 : a.join("\u0001") > b.join("\u0001") ? 1 : 0));
  const values = formatted.flat();
  if (sort === "valuesort") values.sort();
  return values;
}

/** Runs every record of a sqllogictest file against the program, on a new database `db` in the case's directory. */
export async function runSltFile(t: CaseContext, sql: SqlCase, path: string, db: string, hint: (r: SltRecord) => string): Promise<number> {
  const name = basename(path);
  const records = parseSlt(readFileSync(path, "utf8"), name);
  t.log.note(`${name}: ${records.length} records, each one run of the program on ${db}`);
  for (const r of records) {
    const where = `${name}:${r.line}`;
    const { result } = await sql.ours(db, r.sql);
    if (r.kind === "statement") {
      if (r.ok && result.code !== 0) t.fail({ message: `${where}: statement ok, but your program exited with code ${result.code}:\n  ${shorten(r.sql, 3, 200)}`, received: shorten(result.output), hint: hint(r) });
      if (!r.ok && result.code === 0) t.fail({ message: `${where}: statement error, but your program exited 0:\n  ${shorten(r.sql, 3, 200)}`, hint: `${hint(r)} A statement that fails prints an error and exits with a non-zero status.` });
      continue;
    }
    if (result.code !== 0) t.fail({ message: `${where}: your program exited with code ${result.code} on the query:\n  ${shorten(r.sql, 3, 200)}`, received: shorten(result.output), hint: hint(r) });
    const values = resultValues(result.stdout, r.types, r.sort);
    if (!values) t.fail({ message: `${where}: the query has ${r.types.length} columns (${r.types}), but a row your program printed has another number of |-separated fields:\n  ${shorten(r.sql, 3, 200)}`, received: shorten(result.stdout), hint: hint(r) });
    const got = values!.join("\n");
    const want = r.expected.join("\n");
    if (got !== want) {
      const e = r.expected;
      const v = values!;
      let k = 0;
      while (k < e.length && k < v.length && e[k] === v[k]) k++;
      t.fail({
        message: `${where}: query ${r.types} ${r.sort} gives other values (value ${k + 1} of ${e.length} expected differs${v.length !== e.length ? `; ${v.length} values received` : ""}):\n  ${shorten(r.sql, 3, 200)}`,
        expected: shorten(want, 16),
        received: shorten(got, 16),
        hint: hint(r),
      });
    }
  }
  return records.length;
}
