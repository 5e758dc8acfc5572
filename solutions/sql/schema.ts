/**
 * The schema table (fileformat2 §2.6 "Storage Of The SQL Database Schema"):
 * sqlite_schema is the table B-tree rooted at page 1, one row per table,
 * index, view and trigger: (type, name, tbl_name, rootpage, sql).
 * CREATE TABLE / CREATE INDEX texts give columns, their affinities
 * (datatype3 §3.1) and the rowid alias (lang_createtable.html#rowid).
 */
import { quirks } from "./quirks.ts";
import { scanTable } from "./btree.ts";
import type { Pager } from "./pager.ts";
import { decodeRecord } from "./record.ts";
import { SqlError, tokenize, type Token } from "./tokenizer.ts";
import { affinityOf, type Affinity, type Value } from "./value.ts";

export interface SchemaRow {
  rowid: bigint;
  type: string;
  name: string;
  tblName: string;
  rootpage: number;
  sql: string | null;
}

export interface Column {
  name: string;
  affinity: Affinity;
}

export interface Index {
  name: string;
  root: number;
  /** Column positions in the table (-1: the rowid, -2: unknown), and whether each sorts descending. */
  columns: { col: number; desc: boolean }[];
}

export interface Table {
  name: string;
  root: number;
  columns: Column[];
  /** Position of the INTEGER PRIMARY KEY column that aliases the rowid, or -1. */
  rowidAlias: number;
  indexes: Index[];
  /** A view's or a FROM subquery's rows, computed when the query starts (each: its columns, then a NULL rowid); no B-tree. */
  rows?: Value[][];
}

/** CREATE TEMP VIEW's views, by lower-case name: they last as long as the program's run (one connection). */
export const tempViews = new Map<string, SchemaRow>();

export function readSchemaRows(pager: Pager): SchemaRow[] {
  const rows: SchemaRow[] = [];
  for (const cell of scanTable(pager, 1)) {
    const r = decodeRecord(cell.payload(), pager.header.textEncoding || 1);
    rows.push({ rowid: cell.rowid, type: String(r[0]), name: String(r[1]), tblName: String(r[2]), rootpage: quirks.rootPageLowByte ? Number(r[3] ?? 0) & 0xff : Number(r[3] ?? 0), sql: r[4] === null || r[4] === undefined ? null : String(r[4]) });
  }
  return rows;
}

const CONSTRAINT_WORDS = new Set(["CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS"]);
const TABLE_CONSTRAINTS = new Set(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]);

function word(t: Token | undefined): string {
  return t && t.k === "id" && !t.quoted ? t.v.toUpperCase() : "";
}

/** Splits the tokens between the outer parentheses at top-level commas. */
function parenGroups(toks: Token[]): Token[][] {
  const open = toks.findIndex((t) => t.k === "op" && t.v === "(");
  if (open < 0) throw new SqlError("malformed schema");
  const groups: Token[][] = [[]];
  let depth = 0;
  for (let i = open + 1; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.k === "op" && t.v === "(") depth++;
    if (t.k === "op" && t.v === ")") {
      if (depth === 0) break;
      depth--;
    }
    if ((depth === 0 || (quirks.columnsSplitAtEveryComma && depth === 1)) && t.k === "op" && t.v === ",") groups.push([]);
    else groups[groups.length - 1]!.push(t);
  }
  return groups;
}

export function parseCreateTable(name: string, root: number, sql: string): Table {
  const columns: Column[] = [];
  let alias = -1;
  let pkColumns: string[] = [];
  for (const g of parenGroups(tokenize(sql))) {
    if (TABLE_CONSTRAINTS.has(word(g[0]))) {
      const at = g.findIndex((t) => word(t) === "PRIMARY");
      if (at >= 0) pkColumns = parenGroups(g.slice(at)).map((c) => c[0]!.v as string);
      continue;
    }
    const colName = g[0]!.v as string;
    let j = 1;
    const typeWords: string[] = [];
    while (j < g.length && !CONSTRAINT_WORDS.has(word(g[j]))) {
      const t = g[j]!;
      if (t.k === "id") typeWords.push(t.v);
      if (t.k === "op" && t.v === "(") while (j < g.length && !(g[j]!.k === "op" && g[j]!.v === ")")) j++;
      j++;
    }
    const type = typeWords.join(" ");
    for (; j < g.length; j++) {
      if (word(g[j]) === "PRIMARY" && (type.toUpperCase() === "INTEGER" || (quirks.anyIntPrimaryKeyIsRowid && type.toUpperCase().includes("INT"))) && word(g[j + 2]) !== "DESC") alias = columns.length;
    }
    columns.push({ name: colName, affinity: affinityOf(type) });
  }
  if (pkColumns.length === 1) {
    const i = columns.findIndex((c) => c.name.toLowerCase() === pkColumns[0]!.toLowerCase());
    if (i >= 0 && columnType(sql, i) === "INTEGER") alias = i;
  }
  return { name, root, columns, rowidAlias: alias, indexes: [] };
}

function columnType(sql: string, i: number): string {
  const g = parenGroups(tokenize(sql))[i]!;
  const words: string[] = [];
  for (let j = 1; j < g.length && g[j]!.k === "id" && !CONSTRAINT_WORDS.has(word(g[j])); j++) words.push(String(g[j]!.v));
  return words.join(" ").toUpperCase();
}

export function parseCreateIndex(name: string, root: number, sql: string, table: Table): Index {
  const columns = parenGroups(tokenize(sql)).map((g) => {
    const colName = (g[0]!.v as string).toLowerCase();
    const col = table.columns.findIndex((c) => c.name.toLowerCase() === colName);
    const isRowid = colName === "rowid" || colName === "oid" || colName === "_rowid_";
    // -1: the rowid (or its alias); -2: no such column.
    return { col: col >= 0 ? (col === table.rowidAlias ? -1 : col) : isRowid ? -1 : -2, desc: g.some((t) => word(t) === "DESC") };
  });
  return { name, root, columns };
}

export class Schema {
  readonly rows: SchemaRow[];
  private readonly tables = new Map<string, Table>();

  constructor(pager: Pager) {
    this.rows = readSchemaRows(pager);
    this.tables.set("sqlite_schema", {
      name: "sqlite_schema",
      root: 1,
      columns: ["type", "name", "tbl_name", "rootpage", "sql"].map((n) => ({ name: n, affinity: n === "rootpage" ? "INTEGER" : "TEXT" })),
      rowidAlias: -1,
      indexes: [],
    });
    this.tables.set("sqlite_master", this.tables.get("sqlite_schema")!);
    for (const r of this.rows) if (r.type === "table" && r.sql) this.tables.set(r.name.toLowerCase(), parseCreateTable(r.name, r.rootpage, r.sql));
    for (const r of this.rows) {
      const t = this.tables.get(r.tblName.toLowerCase());
      if (r.type === "index" && r.sql && t) t.indexes.push(parseCreateIndex(r.name, r.rootpage, r.sql, t));
    }
  }

  /** The view with this name (case-insensitive): a temporary one first, as SQLite looks in the temp schema first. */
  view(name: string): SchemaRow | undefined {
    const n = name.toLowerCase();
    return tempViews.get(n) ?? this.rows.find((r) => r.type === "view" && r.name.toLowerCase() === n);
  }

  table(name: string): Table {
    const t = this.tables.get(quirks.tableNamesCaseSensitive && name !== name.toLowerCase() ? name : name.toLowerCase());
    if (!t) throw new SqlError(`no such table: ${name}`);
    return t;
  }
}
