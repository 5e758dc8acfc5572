/**
 * Writes: CREATE TABLE, CREATE INDEX, INSERT, UPDATE, DELETE, DROP. The engine keeps no
 * journal yet; it reads every table into memory, applies the statement, and
 * writes a whole new database file — every table and index B-tree rebuilt
 * bottom-up, no free pages — to a temporary file that then replaces the
 * old one (rename), so a reader sees the old file or the new one, whole.
 * Values get their column's affinity on the way in (datatype3 §3).
 */
import { existsSync, renameSync, statSync, writeFileSync } from "node:fs";
import type { Statement } from "./ast.ts";
import { scanTable } from "./btree.ts";
import { buildIndex, buildTable, PageFile } from "./btree-build.ts";
import { compile } from "./evaluate.ts";
import type { Pager } from "./pager.ts";
import { quirks } from "./quirks.ts";
import { decodeRecord } from "./record.ts";
import { encodeRecord } from "./record-encode.ts";
import { parseCreateIndex, parseCreateTable, readSchemaRows, type Table } from "./schema.ts";
import { SqlError } from "./tokenizer.ts";
import { applyNumeric, compareValues, realIsInt, truth, valueToText, type Affinity, type Value } from "./value.ts";

interface Row {
  rowid: bigint;
  /** The record's values (the rowid alias stored as NULL). */
  values: Value[];
  inserted?: boolean;
}

interface Entry {
  type: string;
  name: string;
  tblName: string;
  sql: string | null;
  /** For a table: its rows (the record's values, the rowid alias stored as NULL), by rowid. */
  rows?: Row[];
  /** Rows a quirk keeps in the indexes after DELETE (see quirks.ts). */
  ghosts?: Row[];
}

export interface Model {
  pageSize: number;
  changeCounter: number;
  schemaCookie: number;
  userVersion: number;
  applicationId: number;
  entries: Entry[];
}

export function emptyModel(): Model {
  return { pageSize: 4096, changeCounter: 0, schemaCookie: 0, userVersion: 0, applicationId: 0, entries: [] };
}

/** Everything the file holds, in memory. */
export function loadModel(pager: Pager): Model {
  const h = pager.header;
  if (h.textEncoding > 1) throw new SqlError("writing is supported for UTF-8 databases only");
  const entries: Entry[] = readSchemaRows(pager).map((r) => {
    if (r.type === "index" && r.sql === null) throw new SqlError(`writing to a database with automatic indexes (${r.name}) is not supported`);
    const e: Entry = { type: r.type, name: r.name, tblName: r.tblName, sql: r.sql };
    if (r.type === "table" && r.rootpage > 0) e.rows = [...scanTable(pager, r.rootpage)].map((c) => ({ rowid: c.rowid, values: decodeRecord(c.payload()) }));
    return e;
  });
  return { pageSize: h.pageSize, changeCounter: h.changeCounter, schemaCookie: h.schemaCookie, userVersion: h.userVersion, applicationId: h.applicationId, entries };
}

function tableOf(model: Model, name: string): { entry: Entry; table: Table } {
  const entry = model.entries.find((e) => e.type === "table" && e.name.toLowerCase() === name.toLowerCase());
  if (!entry || !entry.sql) throw new SqlError(`no such table: ${name}`);
  return { entry, table: parseCreateTable(entry.name, 0, entry.sql) };
}

/** The value a column stores (datatype3 §3: type affinity on storage). */
function storeAs(v: Value, aff: Affinity): Value {
  if (quirks.insertWithoutAffinity) return v;
  switch (aff) {
    case "INTEGER":
    case "NUMERIC": {
      const n = applyNumeric(v);
      if (typeof n === "number" && realIsInt(n)) return BigInt(n);
      return n;
    }
    case "REAL": {
      const n = applyNumeric(v);
      return typeof n === "bigint" ? Number(n) : n;
    }
    case "TEXT":
      return typeof v === "bigint" || typeof v === "number" ? valueToText(v) : v;
    default:
      return v;
  }
}

/** A stored row as expressions see it: the rowid alias filled in, REAL columns as reals, the rowid last. */
function visible(table: Table, r: Row): Value[] {
  const row = table.columns.map((c, i) => {
    const v = i === table.rowidAlias ? r.rowid : (r.values[i] ?? null);
    return typeof v === "bigint" && c.affinity === "REAL" ? Number(v) : v;
  });
  row.push(r.rowid);
  return row;
}

function sortedInsert(rows: Row[], row: Row, table: Table): void {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.rowid < row.rowid) lo = mid + 1;
    else hi = mid;
  }
  if (rows[lo]?.rowid === row.rowid) throw new SqlError(`UNIQUE constraint failed: ${table.name}.${table.rowidAlias >= 0 ? table.columns[table.rowidAlias]!.name : "rowid"}`);
  rows.splice(lo, 0, row);
}

/** UPDATE and DELETE: the rows for which WHERE is true (lang_update.html, lang_delete.html). */
function applyChange(model: Model, st: Extract<Statement, { k: "update" | "delete" }>): void {
  const { entry, table } = tableOf(model, st.table);
  const scope = { sources: [{ table, offset: 0 }] };
  const where = st.where ? compile(st.where, scope) : undefined;
  const rows = entry.rows!;
  const hit = (r: Row) => !where || truth(where(visible(table, r), [])) === true;
  if (st.k === "delete") {
    const kept = rows.filter((r) => !hit(r));
    if (quirks.deleteKeepsIndexEntries) (entry.ghosts ??= []).push(...rows.filter(hit));
    entry.rows = kept;
    return;
  }
  const sets = st.set.map(({ column, e }) => {
    const i = table.columns.findIndex((c) => c.name.toLowerCase() === column.toLowerCase());
    if (i < 0) throw new SqlError(`no such column: ${column}`);
    return { i, f: compile(e, scope) };
  });
  const next: Row[] = [];
  const changed: Row[] = [];
  for (const r of rows) {
    if (!hit(r)) {
      next.push(r);
      continue;
    }
    // Every SET expression sees the row as it was.
    const old = visible(table, r);
    const values = [...r.values];
    while (values.length < table.columns.length) values.push(null);
    let rowid = r.rowid;
    for (const { i, f } of sets) {
      const v = storeAs(f(old, []), table.columns[i]!.affinity);
      if (i === table.rowidAlias) {
        if (typeof v !== "bigint") throw new SqlError("datatype mismatch");
        rowid = v;
      } else values[i] = v;
    }
    changed.push({ rowid, values });
  }
  for (const r of changed) sortedInsert(next, r, table);
  entry.rows = next;
}

export function applyWrite(model: Model, st: Statement): void {
  if (st.k === "update" || st.k === "delete") return applyChange(model, st);
  if (st.k === "drop") {
    const found = model.entries.find((e) => e.type === st.type && e.name.toLowerCase() === st.name.toLowerCase());
    if (!found) {
      if (st.ifExists) return;
      throw new SqlError(`no such ${st.type}: ${st.name}`);
    }
    if (found.name.toLowerCase().startsWith("sqlite_")) throw new SqlError(`${st.type} ${found.name} may not be dropped`);
    // Dropping a table drops its indexes too.
    model.entries = model.entries.filter((e) => e !== found && !(st.type === "table" && e.tblName.toLowerCase() === found.name.toLowerCase()));
    return;
  }
  if (st.k === "create-table") {
    if (model.entries.some((e) => e.name.toLowerCase() === st.name.toLowerCase())) {
      if (st.ifNotExists) return;
      throw new SqlError(`table ${st.name} already exists`);
    }
    parseCreateTable(st.name, 0, st.sql);
    if (st.name.toLowerCase().startsWith("sqlite_")) throw new SqlError(`object name reserved for internal use: ${st.name}`);
    model.entries.push({ type: "table", name: st.name, tblName: st.name, sql: st.sql, rows: [] });
  } else if (st.k === "create-index") {
    if (model.entries.some((e) => e.name.toLowerCase() === st.name.toLowerCase())) {
      if (st.ifNotExists) return;
      throw new SqlError(`index ${st.name} already exists`);
    }
    const { entry, table } = tableOf(model, st.table);
    if (parseCreateIndex(st.name, 0, st.sql, table).columns.some((c) => c.col === -2)) throw new SqlError(`no such column in ${st.sql}`);
    model.entries.push({ type: "index", name: st.name, tblName: entry.name, sql: st.sql });
  } else if (st.k === "insert") {
    const { entry, table } = tableOf(model, st.table);
    const rows = entry.rows!;
    const positions = st.columns
      ? st.columns.map((name) => {
          const i = table.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
          if (i < 0) throw new SqlError(`table ${table.name} has no column named ${name}`);
          return i;
        })
      : table.columns.map((_, i) => i);
    for (const exprs of st.rows) {
      if (exprs.length !== positions.length) {
        throw new SqlError(st.columns ? `${exprs.length} values for ${positions.length} columns` : `table ${table.name} has ${positions.length} columns but ${exprs.length} values were supplied`);
      }
      const values: Value[] = table.columns.map(() => null);
      exprs.forEach((e, j) => {
        values[positions[j]!] = storeAs(compile(e, { sources: [] })([], []), table.columns[positions[j]!]!.affinity);
      });
      let rowid: bigint;
      const alias = table.rowidAlias >= 0 ? values[table.rowidAlias] : null;
      if (alias !== null && alias !== undefined) {
        if (typeof alias !== "bigint") throw new SqlError("datatype mismatch");
        rowid = alias;
        values[table.rowidAlias] = null;
      } else {
        const max = rows.length ? rows[rows.length - 1]!.rowid : 0n;
        if (max >= 9223372036854775807n) throw new SqlError("database or disk is full");
        rowid = max + 1n;
      }
      // Rows stay sorted by rowid.
      sortedInsert(rows, { rowid, values, inserted: true }, table);
    }
  }
}

/** A whole database file for the model: B-trees rebuilt, header filled in (fileformat2 §1.3). */
export function encodeModel(model: Model): Uint8Array {
  const f = new PageFile(model.pageSize);
  const tables = new Map<string, Table>();
  const schemaRows: { rowid: bigint; payload: Uint8Array }[] = [];
  model.entries.forEach((e, i) => {
    let root = 0;
    if (e.type === "table" && e.rows) {
      root = buildTable(f, e.rows.map((r) => ({ rowid: r.rowid, payload: encodeRecord(r.values) })));
      if (e.sql) tables.set(e.name.toLowerCase(), parseCreateTable(e.name, root, e.sql));
    } else if (e.type === "index" && e.sql) {
      const tableEntry = model.entries.find((t) => t.type === "table" && t.name.toLowerCase() === e.tblName.toLowerCase())!;
      const table = tables.get(e.tblName.toLowerCase()) ?? parseCreateTable(tableEntry.name, 0, tableEntry.sql!);
      const index = parseCreateIndex(e.name, 0, e.sql, table);
      const indexed = [...(quirks.indexesMissNewRows ? tableEntry.rows!.filter((r) => !r.inserted) : tableEntry.rows!), ...(tableEntry.ghosts ?? [])];
      const keys = indexed.map((r) => [
        ...index.columns.map((c) => (c.col < 0 || c.col === table.rowidAlias ? r.rowid : (r.values[c.col] ?? null))),
        r.rowid,
      ]);
      keys.sort((a, b) => {
        for (let k = 0; k < a.length; k++) {
          const c = compareValues(a[k]!, b[k]!);
          if (c !== 0) return k < index.columns.length && index.columns[k]!.desc ? -c : c;
        }
        return 0;
      });
      root = buildIndex(f, keys.map((k) => encodeRecord(k)));
    }
    schemaRows.push({ rowid: BigInt(i + 1), payload: encodeRecord([e.type, e.name, e.tblName, BigInt(root), e.sql]) });
  });
  buildTable(f, schemaRows, true);
  const out = new Uint8Array(f.pages.length * model.pageSize);
  f.pages.forEach((p, i) => out.set(p, i * model.pageSize));
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode("SQLite format 3\0"), 0);
  dv.setUint16(16, model.pageSize === 65536 ? 1 : model.pageSize);
  out[18] = 1;
  out[19] = 1;
  out[20] = 0;
  out[21] = 64;
  out[22] = 32;
  out[23] = 32;
  const counter = model.changeCounter + 1;
  dv.setUint32(24, counter);
  dv.setUint32(28, f.pages.length);
  dv.setUint32(32, 0);
  dv.setUint32(36, 0);
  dv.setUint32(40, model.schemaCookie + 1);
  dv.setUint32(44, 4);
  dv.setUint32(48, 0);
  dv.setUint32(52, 0);
  dv.setUint32(56, 1);
  dv.setUint32(60, model.userVersion);
  dv.setUint32(64, 0);
  dv.setUint32(68, model.applicationId);
  dv.setUint32(92, counter);
  dv.setUint32(96, 3040001);
  return out;
}

/** Replaces the file with the model's encoding: written beside it, then renamed over it. */
export function saveModel(path: string, model: Model): void {
  const tmp = `${path}.syscraft-tmp`;
  writeFileSync(tmp, encodeModel(model));
  renameSync(tmp, path);
}

export function fileHasDatabase(path: string): boolean {
  return existsSync(path) && statSync(path).size > 0;
}
