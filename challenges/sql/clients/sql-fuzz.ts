/**
 * A differential fuzzer for SQL engines (in the spirit of SQLancer and
 * sqlsmith): random schemas, rows and queries drawn from a seed, run
 * through the program and through sqlite3 on the same file. The grammar
 * stays inside stages 1–16 and avoids what SQLite leaves unspecified:
 *
 * - row order: a query without ORDER BY is compared as a sorted list of
 *   lines; ORDER BY (with LIMIT/OFFSET) appears only over bare columns,
 *   sorting by every result column, and no column holds both an integer
 *   and a real of the same value (literals are never whole reals: k +
 *   0.25, 0.5, 0.75; a REAL column keeps every number as a real), so no
 *   two rows that print differently tie (1 and 1.0 sort as equal);
 * - sums: small integers and reals that are multiples of 1/4, so every
 *   sum is exact whatever the order it is added in;
 * - errors: no expression that can overflow or fail at run time.
 *
 * A disagreement is shrunk (sql-fuzz-run.ts) before it is reported.
 */
import type { Random } from "../../../harness/random.ts";

export interface FuzzColumn {
  name: string;
  type: "INTEGER" | "REAL" | "TEXT" | "NUMERIC" | "";
}

export interface FuzzTable {
  name: string;
  columns: FuzzColumn[];
  /** Whether the first column is an INTEGER PRIMARY KEY (the rowid). */
  rowidAlias: boolean;
}

const TYPES: FuzzColumn["type"][] = ["INTEGER", "REAL", "TEXT", "NUMERIC", ""];
const WORDS = ["a", "b", "ab", "B", "abc", "x", "3", " 4", "2.5", ""];

/** Texts that do not look like numbers: an untyped column keeps them as they are. */
const PLAIN_WORDS = WORDS.filter((w) => !/\d/.test(w));

/**
 * A value for a row or an expression. `plain`: no text that looks like a
 * number — for untyped columns, where SQLite applies a comparison's numeric
 * affinity to the column's value in place, so that a later min() over the
 * same column may keep the text or the number depending on its plan.
 */
function literal(r: Random, plain = false): string {
  const k = r.int(0, 9);
  if (k <= 3) return String(r.int(-5, 20));
  if (k <= 5) return `${r.int(-3, 12)}.${r.pick(["25", "5", "75"])}`;
  if (k <= 7) return `'${r.pick(plain ? PLAIN_WORDS : WORDS)}'`;
  if (k === 8) return "NULL";
  // Blobs that are valid UTF-8 without NUL: the reference keeps text as JavaScript strings, so a blob
  // read as text with a NUL or invalid bytes (X'00', X'ff') is a known gap (solutions/sql/README.md).
  return `X'${r.pick(["61", "4142", ""])}'`;
}

/**
 * A schema of an empty table t0 and two or three tables with 2–25 rows
 * each, and indexes, as one sqlite3 script. On every seed: t0 has no row,
 * and t1 has a row of NULLs (but for its rowid alias) and two rows with
 * values, so that NULL's place in ORDER BY and aggregates over no rows are
 * always in play (see fuzzQueries).
 */
export function fuzzSchema(r: Random): { tables: FuzzTable[]; empty: FuzzTable; script: string } {
  const tables: FuzzTable[] = [];
  let empty: FuzzTable | undefined;
  const lines: string[] = [];
  const n = r.int(2, 3);
  for (let i = 0; i <= n; i++) {
    const rowidAlias = r.next() < 0.5;
    const columns: FuzzColumn[] = [];
    const width = r.int(2, 4);
    for (let c = 0; c < width; c++) columns.push({ name: `c${c}`, type: c === 0 && rowidAlias ? "INTEGER" : r.pick(TYPES) });
    const table = { name: `t${i}`, columns, rowidAlias };
    if (i > 0) tables.push(table);
    else empty = table;
    lines.push(`CREATE TABLE t${i} (${columns.map((c, j) => `${c.name}${c.type ? ` ${c.type}` : ""}${j === 0 && rowidAlias ? " PRIMARY KEY" : ""}`).join(", ")});`);
    const rows = i === 0 ? 0 : r.int(2, 25);
    const values: string[] = [];
    for (let k = 1; k <= rows; k++) values.push(`(${columns.map((c, j) => (j === 0 && rowidAlias ? String(k * r.int(1, 3)) : literal(r, c.type === ""))).join(", ")})`);
    if (i === 1) {
      values.push(`(${columns.map((_, j) => (j === 0 && rowidAlias ? "1000" : "NULL")).join(", ")})`);
      for (const v of [r.int(-5, 20), r.int(-5, 20)]) values.push(`(${columns.map((_, j) => (j === 0 && rowidAlias ? String(1001 + Math.abs(v)) : String(v))).join(", ")})`);
    }
    // Rowid aliases drawn as k * (1..3) may repeat: OR IGNORE keeps the first.
    if (values.length > 0) lines.push(`INSERT OR IGNORE INTO t${i} VALUES ${values.join(", ")};`);
    if (r.next() < 0.6) {
      const c = r.pick(columns.slice(rowidAlias ? 1 : 0));
      lines.push(`CREATE INDEX t${i}_${c.name} ON t${i} (${c.name});`);
    }
  }
  return { tables, empty: empty!, script: lines.join("\n") };
}

interface Scope {
  /** Qualified column names the expression may read. */
  cols: string[];
  depth: number;
}

function column(r: Random, s: Scope): string {
  return r.pick(s.cols);
}

/** A scalar expression over the scope's columns. */
function expr(r: Random, s: Scope, depth = 0): string {
  const k = depth >= 2 ? r.int(0, 3) : r.int(0, 17);
  switch (k) {
    case 0:
    case 1:
    case 2:
      return column(r, s);
    case 3:
      return literal(r);
    case 4:
      return `(${expr(r, s, depth + 1)} ${r.pick(["+", "-", "*"])} ${expr(r, s, depth + 1)})`;
    case 5:
      return `(${expr(r, s, depth + 1)} ${r.pick(["/", "%"])} ${r.pick(["2", "3", "0", column(r, s)])})`;
    case 6: {
      // quote() of a computed real that needs more than 15 digits prints 20 digits through SQLite's own printf,
      // which differs from an exact conversion after the 17th: quote() reads columns only (multiples of 1/4).
      const fn = r.pick(["abs", "length", "upper", "lower", "typeof", "quote", "hex"]);
      return `${fn}(${fn === "quote" ? column(r, s) : expr(r, s, depth + 1)})`;
    }
    case 7:
      return `coalesce(${expr(r, s, depth + 1)}, ${literal(r)})`;
    case 8:
      return `CASE WHEN ${cond(r, s, depth + 1)} THEN ${expr(r, s, depth + 1)} ELSE ${expr(r, s, depth + 1)} END`;
    case 9:
      return `CAST(${expr(r, s, depth + 1)} AS ${r.pick(["INTEGER", "REAL", "TEXT", "NUMERIC"])})`;
    case 10:
      return `substr(${expr(r, s, depth + 1)}, ${r.int(-2, 3)}, ${r.int(0, 3)})`;
    case 11:
      return `(${expr(r, s, depth + 1)} || ${expr(r, s, depth + 1)})`;
    case 12:
      return `nullif(${expr(r, s, depth + 1)}, ${literal(r)})`;
    case 13:
      return `${r.pick(["min", "max"])}(${expr(r, s, depth + 1)}, ${expr(r, s, depth + 1)})`;
    case 14:
      return `(${cond(r, s, depth + 1)})`;
    case 15:
      return `round(${expr(r, s, depth + 1)})`;
    case 16:
      return `-${column(r, s)}`;
    default:
      return `ifnull(${column(r, s)}, ${literal(r)})`;
  }
}

/** A condition: comparisons, IS, BETWEEN, IN, LIKE, AND/OR/NOT, EXISTS. */
function cond(r: Random, s: Scope, depth = 0, tables: FuzzTable[] = []): string {
  const k = depth >= 2 ? r.int(0, 4) : r.int(0, 11);
  switch (k) {
    case 0:
    case 1:
      return `${expr(r, s, depth + 1)} ${r.pick(["=", "<>", "<", "<=", ">", ">="])} ${expr(r, s, depth + 1)}`;
    case 2:
      return `${column(r, s)} ${r.pick(["=", "<", ">=", "!="])} ${literal(r)}`;
    case 3:
      return `${expr(r, s, depth + 1)} IS ${r.pick(["", "NOT "])}${r.pick(["NULL", literal(r), column(r, s)])}`;
    case 4:
      return `${column(r, s)} ${r.pick(["", "NOT "])}BETWEEN ${literal(r)} AND ${literal(r)}`;
    case 5:
      return `${expr(r, s, depth + 1)} ${r.pick(["", "NOT "])}IN (${[literal(r), literal(r), literal(r)].join(", ")})`;
    case 6:
      return `${column(r, s)} ${r.pick(["", "NOT "])}LIKE '${r.pick(["a%", "%b", "_", "%", "A%", "3%"])}'`;
    case 7:
      return `(${cond(r, s, depth + 1, tables)} AND ${cond(r, s, depth + 1, tables)})`;
    case 8:
      return `(${cond(r, s, depth + 1, tables)} OR ${cond(r, s, depth + 1, tables)})`;
    case 9:
      return `NOT (${cond(r, s, depth + 1, tables)})`;
    case 10: {
      if (tables.length === 0) return `${column(r, s)} IS NULL`;
      const t = r.pick(tables);
      const inner: Scope = { cols: t.columns.map((c) => `s.${c.name}`), depth: s.depth + 1 };
      // Correlated: the subquery reads a column of the outer query.
      return `${r.pick(["", "NOT "])}EXISTS (SELECT 1 FROM ${t.name} AS s WHERE ${column(r, inner)} = ${column(r, s)})`;
    }
    default: {
      if (tables.length === 0) return `${column(r, s)} IS NOT NULL`;
      const t = r.pick(tables);
      return `${expr(r, s, depth + 1)} ${r.pick(["", "NOT "])}IN (SELECT ${r.pick(t.columns).name} FROM ${t.name})`;
    }
  }
}

/** One query: a plain, grouped, joined, compound or nested SELECT over the tables. */
export function fuzzQuery(r: Random, tables: FuzzTable[], kind = r.int(0, 9)): string {
  const t = r.pick(tables);
  const a: Scope = { cols: t.columns.map((c) => `a.${c.name}`), depth: 0 };
  const where = () => (r.next() < 0.7 ? ` WHERE ${cond(r, a, 0, tables)}` : "");
  const exprs = (s: Scope, n: number) => Array.from({ length: n }, () => expr(r, s)).join(", ");
  if (kind <= 2) return `SELECT ${r.next() < 0.2 ? "DISTINCT " : ""}${exprs(a, r.int(1, 3))} FROM ${t.name} AS a${where()}`;
  if (kind === 3) {
    // ORDER BY every result column (bare columns), then LIMIT/OFFSET: the rows kept are determined.
    const cols = r.shuffle(a.cols).slice(0, r.int(1, a.cols.length));
    return `SELECT ${cols.join(", ")} FROM ${t.name} AS a${where()} ORDER BY ${cols.map((c) => `${c}${r.next() < 0.5 ? " DESC" : ""}`).join(", ")} LIMIT ${r.int(0, 6)} OFFSET ${r.int(0, 3)}`;
  }
  if (kind === 4) {
    const g = column(r, a);
    const agg = () => `${r.pick(["count", "sum", "min", "max", "total", "avg"])}(${r.next() < 0.2 ? "DISTINCT " : ""}${column(r, a)})`;
    const having = r.next() < 0.4 ? ` HAVING count(*) ${r.pick([">", ">=", "="])} ${r.int(1, 3)}` : "";
    return `SELECT ${g}, count(*), ${agg()}, ${agg()} FROM ${t.name} AS a${where()} GROUP BY ${g}${having}`;
  }
  if (kind === 5) return `SELECT count(*), ${r.pick(["sum", "min", "max", "total", "avg", "count"])}(${expr(r, a)}) FROM ${t.name} AS a${where()}`;
  if (kind === 6) {
    const u = r.pick(tables);
    const b: Scope = { cols: u.columns.map((c) => `b.${c.name}`), depth: 0 };
    const both: Scope = { cols: [...a.cols, ...b.cols], depth: 0 };
    const join = r.pick(["JOIN", "LEFT JOIN"]);
    return `SELECT ${exprs(both, r.int(1, 3))} FROM ${t.name} AS a ${join} ${u.name} AS b ON ${column(r, a)} = ${column(r, b)}${r.next() < 0.5 ? ` WHERE ${cond(r, both)}` : ""}`;
  }
  if (kind === 7) {
    const u = r.pick(tables);
    const b: Scope = { cols: u.columns.map((c) => `b.${c.name}`), depth: 0 };
    const w = r.int(1, 2);
    return `SELECT ${exprs(a, w)} FROM ${t.name} AS a${where()} ${r.pick(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"])} SELECT ${exprs(b, w)} FROM ${u.name} AS b`;
  }
  if (kind === 8) {
    // A subquery in FROM, its columns renamed.
    const inner = `SELECT ${exprs(a, 1)} AS x, ${exprs(a, 1)} AS y FROM ${t.name} AS a${where()}`;
    const s: Scope = { cols: ["q.x", "q.y"], depth: 0 };
    return `SELECT ${exprs(s, r.int(1, 2))} FROM (${inner}) AS q${r.next() < 0.6 ? ` WHERE ${cond(r, s)}` : ""}`;
  }
  // A scalar subquery per row.
  const u = r.pick(tables);
  const b: Scope = { cols: u.columns.map((c) => `b.${c.name}`), depth: 1 };
  return `SELECT ${column(r, a)}, (SELECT ${r.pick(["count(*)", `max(${column(r, b)})`, `min(${column(r, b)})`])} FROM ${u.name} AS b WHERE ${column(r, b)} ${r.pick(["=", "<", ">"])} ${column(r, a)}) FROM ${t.name} AS a${where()}`;
}

/** Whether a query's output order is determined (an ORDER BY over every result column); otherwise compare its lines sorted. */
export function ordered(query: string): boolean {
  return / ORDER BY /.test(query) && !/\(SELECT/.test(query);
}

/**
 * Queries that keep one of several equal values — DISTINCT, UNION,
 * INTERSECT, EXCEPT, GROUP BY, min()/max() over rows — keep whichever
 * SQLite's scan order meets first or last, so of 0 and 0.0 (equal) either
 * may print: for them a whole real prints as the integer it equals.
 */
const KEEPS_ONE_OF_EQUALS = /\b(DISTINCT|UNION|INTERSECT|EXCEPT|GROUP BY)\b|count\(\*\)/;

/** The lines of an output, sorted unless the query fixes their order. */
export function canonical(query: string, output: string): string {
  const lines = output.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const fixed = KEEPS_ONE_OF_EQUALS.test(query) ? lines.map((l) => l.split("|").map((f) => f.replace(/^(-?\d+)\.0$/, "$1")).join("|")) : lines;
  return ordered(query) ? fixed.join("\n") : fixed.sort().join("\n");
}

/**
 * `n` queries (n ≥ 10): the first two pinned in shape, their columns drawn —
 * t1's rows sorted by a column (its NULL row first) and aggregates over the
 * empty t0 — then one of each kind in turn, over the tables drawn.
 */
export function fuzzQueries(r: Random, tables: FuzzTable[], empty: FuzzTable, n: number): string[] {
  const t1 = tables[0]!;
  const c = r.pick(t1.columns.slice(t1.rowidAlias ? 1 : 0)).name;
  const e = r.pick(empty.columns).name;
  const out = [`SELECT ${c} FROM t1 ORDER BY ${c} LIMIT ${r.int(2, 4)}`, `SELECT count(*), sum(${e}), min(${e}), max(${e}), avg(${e}), total(${e}) FROM t0`];
  while (out.length < n) out.push(fuzzQuery(r, tables, (out.length - 2) % 10));
  return out;
}
