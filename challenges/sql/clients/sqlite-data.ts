/**
 * Random databases for the SQL stages, drawn from the seed: tables with
 * random names and column types, values of every storage class (integers
 * of every serial-type size, reals, texts, blobs, NULLs), and the SQL
 * script that makes them with sqlite3.
 */
import type { Random } from "../../../harness/random.ts";

export type Cell = null | bigint | number | string | Uint8Array;
export type Kind = "int" | "real" | "text" | "blob" | "longtext" | "longblob" | "mixed";

/** Outputs stay well under the 256 KiB the harness keeps of a program's output. */
export interface ColumnSpec {
  name: string;
  /** The declared type in CREATE TABLE ("" for none). */
  type: string;
  kind: Kind;
  /** Chance of NULL, 0..1. */
  nulls: number;
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  /** "INTEGER PRIMARY KEY" column name, if the table has one (first column). */
  idColumn?: string;
  rows: Cell[][];
}

/** Integers spread over the record's serial types 1–6 (1, 2, 3, 4, 6 and 8 bytes) and the constants 0 and 1. */
export function randomInt(rand: Random): bigint {
  const bits = rand.pick([0, 1, 7, 15, 23, 31, 47, 62, 63]);
  if (bits === 0) return BigInt(rand.int(0, 1));
  let v = 0n;
  for (let i = 0; i < bits; i++) v = (v << 1n) | BigInt(rand.int(0, 1));
  if (bits === 63) v = rand.pick([9223372036854775807n, -9223372036854775808n, v]);
  return rand.int(0, 3) === 0 ? -v : v;
}

/** Reals with short decimal expansions, printed the same by every sqlite3 version. */
export function randomReal(rand: Random): number {
  // Exact multiples of 1e20 (exactly representable) exercise the exponent form (3.0e+21).
  if (rand.int(0, 20) === 0) return rand.int(-90, 90) * 1e20;
  return rand.int(-2_000_000, 2_000_000) / rand.pick([1, 4, 8, 100, 1000]);
}

export function randomText(rand: Random, words = 3): string {
  return Array.from({ length: rand.int(1, words) }, () => rand.word()).join(rand.pick([" ", "-", "_"]));
}

/** Printable bytes, so that sqlite3 prints the blob as is. */
export function randomBlob(rand: Random, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rand.int(0x21, 0x7e));
}

export function longText(rand: Random, min: number, max: number): string {
  const n = rand.int(min, max);
  let s = "";
  while (s.length < n) s += `${rand.word()} `;
  return s.slice(0, n);
}

export function sqlLiteral(v: Cell): string {
  if (v === null) return "NULL";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    const s = String(v);
    return /[.e]/.test(s) ? s : `${s}.0`;
  }
  if (typeof v === "string") return `'${v.replaceAll("'", "''")}'`;
  return `X'${Buffer.from(v).toString("hex")}'`;
}

export function randomValue(rand: Random, kind: Kind): Cell {
  switch (kind) {
    case "int":
      return randomInt(rand);
    case "real":
      return randomReal(rand);
    case "text":
      return randomText(rand);
    case "blob":
      return randomBlob(rand, rand.int(0, 12));
    case "longtext":
      return rand.int(0, 2) === 0 ? randomText(rand) : longText(rand, 600, 6000);
    case "longblob":
      return randomBlob(rand, rand.pick([3, 200, 3000, 9000]));
    default:
      return randomValue(rand, rand.pick(["int", "real", "text", "blob"]));
  }
}

const TYPES: Record<Kind, string[]> = {
  int: ["INTEGER", "INT", "BIGINT"],
  real: ["REAL", "DOUBLE", "FLOAT"],
  text: ["TEXT", "VARCHAR(40)", "CHARACTER(20)"],
  blob: ["BLOB"],
  longtext: ["TEXT", "CLOB"],
  longblob: ["BLOB"],
  mixed: ["", "NUMERIC", "ANY"],
};

/** A name unlikely to collide with SQL keywords. */
export function columnName(rand: Random, used: Set<string>): string {
  for (;;) {
    const n = `${rand.word()}_${rand.pick(["id", "val", "col", "x", "n", "v"])}`;
    if (!used.has(n)) {
      used.add(n);
      return n;
    }
  }
}

export interface TableOptions {
  name: string;
  kinds: Kind[];
  rows: number;
  /** Start with an INTEGER PRIMARY KEY column holding these rowids (else rowids 1, 2, …). */
  ids?: bigint[];
  nulls?: number;
}

export function randomTable(rand: Random, o: TableOptions): TableSpec {
  const used = new Set<string>();
  const columns: ColumnSpec[] = o.kinds.map((kind) => ({ name: columnName(rand, used), type: rand.pick(TYPES[kind]), kind, nulls: o.nulls ?? 0.1 }));
  const idColumn = o.ids ? columnName(rand, used) : undefined;
  const rows: Cell[][] = [];
  for (let i = 0; i < o.rows; i++) {
    const row: Cell[] = columns.map((c) => (rand.next() < c.nulls ? null : randomValue(rand, c.kind)));
    if (o.ids) row.unshift(o.ids[i]!);
    rows.push(row);
  }
  return { name: o.name, columns: idColumn ? [{ name: idColumn, type: "INTEGER", kind: "int", nulls: 0 }, ...columns] : columns, idColumn, rows };
}

export function createTableSql(t: TableSpec): string {
  const cols = t.columns.map((c) => (c.name === t.idColumn ? `${c.name} INTEGER PRIMARY KEY` : c.type ? `${c.name} ${c.type}` : c.name));
  return `CREATE TABLE ${t.name} (${cols.join(", ")});`;
}

/** CREATE TABLE and its INSERTs, in one transaction. */
export function tableScript(t: TableSpec): string {
  const lines = [createTableSql(t), "BEGIN;"];
  const names = t.columns.map((c) => c.name).join(", ");
  for (let i = 0; i < t.rows.length; i += 50) {
    const chunk = t.rows.slice(i, i + 50).map((r) => `(${r.map(sqlLiteral).join(", ")})`);
    lines.push(`INSERT INTO ${t.name} (${names}) VALUES ${chunk.join(", ")};`);
  }
  lines.push("COMMIT;");
  return lines.join("\n");
}

export const PAGE_SIZES = [512, 1024, 4096, 8192, 65536];

/** Distinct table names drawn from the seed. */
export function tableNames(rand: Random, n: number): string[] {
  const names = new Set<string>();
  while (names.size < n) names.add(`${rand.word()}${rand.pick(["", "s", "_log", "_items", "_data"])}`);
  return [...names];
}
