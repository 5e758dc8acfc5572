/**
 * Writes: CREATE TABLE, CREATE INDEX, INSERT, UPDATE, DELETE, DROP, each
 * changing the B-trees' pages in place through the pager (btree-write.ts):
 * rows and index entries inserted and removed one by one, pages split,
 * merged and freed as they fill and empty, new pages taken from the
 * freelist first. The pager's transaction makes the statement atomic: on an
 * error the caller rolls back, so a failed statement changes nothing.
 * Values get their column's affinity on the way in (datatype3 §3).
 */
import type { Statement } from "./ast.ts";
import { BTrees, type KeyOrder } from "./btree-write.ts";
import { parseConstraints, type Constraints } from "./constraints.ts";
import { compile } from "./evaluate.ts";
import type { Pager } from "./pager.ts";
import { quirks } from "./quirks.ts";
import { decodeRecord } from "./record.ts";
import { encodeRecord } from "./record-encode.ts";
import { parseCreateIndex, parseCreateTable, readSchemaRows, Schema, type Index, type SchemaRow, type Table } from "./schema.ts";
import { runSelect } from "./select.ts";
import { ConstraintError, SqlError, tokenize } from "./tokenizer.ts";
import { applyNumeric, realIsInt, truth, valueToText, type Affinity, type Value } from "./value.ts";

interface Row {
  rowid: bigint;
  /** The record's values (the rowid alias stored as NULL). */
  values: Value[];
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

function uniqueError(table: Table): SqlError {
  return new ConstraintError(`UNIQUE constraint failed: ${table.name}.${table.rowidAlias >= 0 ? table.columns[table.rowidAlias]!.name : "rowid"}`);
}

/** A table being written: its parsed CREATE TABLE, constraints and indexes (automatic ones included). */
interface Target {
  row: SchemaRow;
  table: Table;
  constraints: Constraints;
  indexes: (Index & { unique: boolean })[];
}


/**
 * What a table's CREATE TABLE asks for that this engine does not write:
 * automatic indexes (sqlite_autoindex_*, for UNIQUE and for a PRIMARY KEY
 * that is not the rowid) or AUTOINCREMENT's sqlite_sequence table. Without
 * them sqlite3 would find the file malformed.
 */
function unsupportedTable(sql: string, table: Table): string | undefined {
  const words = tokenize(sql).flatMap((t) => (t.k === "id" && !t.quoted ? [t.v.toUpperCase()] : []));
  if (words.includes("AUTOINCREMENT")) return "AUTOINCREMENT (the sqlite_sequence table)";
  if (table.columns.length === 0) return "no columns";
  return undefined;
}
class Writer {
  readonly trees: BTrees;
  private readonly schemaRows: SchemaRow[];

  constructor(private readonly pager: Pager) {
    if (pager.header.textEncoding > 1) throw new SqlError("writing is supported for UTF-8 databases only");
    this.trees = new BTrees(pager);
    this.schemaRows = readSchemaRows(pager);
  }

  private find(type: string, name: string): SchemaRow | undefined {
    return this.schemaRows.find((r) => r.type === type && r.name.toLowerCase() === name.toLowerCase());
  }

  private table(name: string): Target {
    const row = this.find("table", name);
    if (!row || !row.sql) throw new SqlError(`no such table: ${name}`);
    const table = parseCreateTable(row.name, row.rootpage, row.sql);
    const missing = unsupportedTable(row.sql, table);
    if (missing) throw new SqlError(`writing to a table with ${missing} is not supported`);
    const constraints = parseConstraints(row.sql, table);
    const indexes = this.schemaRows
      .filter((r) => r.type === "index" && r.tblName.toLowerCase() === row.name.toLowerCase())
      .map((r) => {
        if (r.sql !== null) return { ...parseCreateIndex(r.name, r.rootpage, r.sql, table), unique: /^CREATE\s+UNIQUE\b/i.test(r.sql) };
        // sqlite_autoindex_<table>_<N>: the N-th UNIQUE or PRIMARY KEY constraint.
        const cols = constraints.uniques[Number(/_(\d+)$/.exec(r.name)?.[1] ?? 0) - 1];
        if (!cols) throw new SqlError(`writing to a table with the automatic index ${r.name}, which matches no constraint, is not supported`);
        return { name: r.name, root: r.rootpage, columns: cols.map((col) => ({ col: col === table.rowidAlias ? -1 : col, desc: false })), unique: true };
      });
    return { row, table, constraints, indexes };
  }

  private key(index: Index, table: Table, r: Row): Value[] {
    return [...index.columns.map((c) => (c.col < 0 || c.col === table.rowidAlias ? r.rowid : (r.values[c.col] ?? null))), r.rowid];
  }

  private order(index: Index): KeyOrder {
    return [...index.columns.map((c) => c.desc), false];
  }

  private addEntry(index: Index, table: Table, r: Row): void {
    const key = this.key(index, table, r);
    this.trees.insertEntry(index.root, key, encodeRecord(key), this.order(index));
  }

  /**
   * A row must satisfy the table's constraints, in SQLite's order: NOT NULL
   * (column by column), CHECK (false fails, NULL passes), a new rowid, then
   * each UNIQUE index (NULLs are distinct from each other).
   */
  private checkRow(t: Target, r: Row): void {
    const { table, constraints } = t;
    table.columns.forEach((c, i) => {
      if (constraints.notNull[i] && i !== table.rowidAlias && (r.values[i] ?? null) === null) throw new ConstraintError(`NOT NULL constraint failed: ${table.name}.${c.name}`);
    });
    if (constraints.checks.length > 0) {
      const scope = { sources: [{ table, offset: 0 }] };
      const row = visible(table, r);
      for (const check of constraints.checks) {
        const v = truth(compile(check.e, scope)(row, []));
        if (v === false || (v === null && quirks.checkFailsOnNull)) throw new ConstraintError(`CHECK constraint failed: ${check.label}`);
      }
    }
    if (this.trees.hasRow(table.root, r.rowid)) throw uniqueError(table);
    for (const index of t.indexes) {
      if (!index.unique) continue;
      const prefix = this.key(index, table, r).slice(0, -1);
      if (prefix.some((v) => v === null) && !quirks.uniqueNullsEqual) continue;
      if (this.trees.entryWithPrefix(index.root, prefix, this.order(index))) {
        throw new ConstraintError(`UNIQUE constraint failed: ${index.columns.map((c) => `${table.name}.${c.col < 0 ? (table.rowidAlias >= 0 ? table.columns[table.rowidAlias]!.name : "rowid") : table.columns[c.col]!.name}`).join(", ")}`);
      }
    }
  }

  private addRow(t: Target, r: Row): void {
    this.checkRow(t, r);
    this.trees.insertRow(t.table.root, r.rowid, encodeRecord(r.values));
    if (!quirks.indexesMissNewRows) for (const index of t.indexes) this.addEntry(index, t.table, r);
  }

  private removeRow(t: Target, r: Row, keepIndexEntries = false): void {
    this.trees.deleteRow(t.table.root, r.rowid);
    if (!keepIndexEntries) for (const index of t.indexes) this.trees.deleteEntry(index.root, this.key(index, t.table, r), this.order(index));
  }

  private rows(root: number): Row[] {
    return [...this.trees.rows(root)].map((c) => ({ rowid: c.rowid, values: decodeRecord(c.record) }));
  }

  private addSchemaRow(values: Value[]): void {
    const rowid = this.trees.maxRowid(1) + 1n;
    this.trees.insertRow(1, rowid, encodeRecord(values));
    this.pager.bumpSchemaCookie();
  }

  run(st: Statement): void {
    switch (st.k) {
      case "create-table":
        return this.createTable(st);
      case "create-index":
        return this.createIndex(st);
      case "insert":
        return this.insert(st);
      case "update":
      case "delete":
        return this.change(st);
      case "drop":
        return this.drop(st);
      default:
        throw new SqlError("not a write");
    }
  }

  private createTable(st: Extract<Statement, { k: "create-table" }>): void {
    if (this.schemaRows.some((r) => r.name.toLowerCase() === st.name.toLowerCase())) {
      if (st.ifNotExists) return;
      throw new SqlError(`table ${st.name} already exists`);
    }
    const missing = unsupportedTable(st.sql, parseCreateTable(st.name, 0, st.sql));
    if (missing) throw new SqlError(`tables with ${missing} are not supported`);
    if (st.name.toLowerCase().startsWith("sqlite_")) throw new SqlError(`object name reserved for internal use: ${st.name}`);
    const table = parseCreateTable(st.name, 0, st.sql);
    const { uniques } = parseConstraints(st.sql, table);
    if (uniques.some((cols) => cols.includes(-1))) throw new SqlError(`no such column in ${st.sql}`);
    const root = this.trees.create(false);
    this.addSchemaRow(["table", st.name, st.name, BigInt(root), st.sql]);
    // One automatic index per UNIQUE or PRIMARY KEY constraint, its sql NULL (fileformat2 §2.6).
    if (!quirks.noAutoindex) uniques.forEach((_, i) => this.addSchemaRow(["index", `sqlite_autoindex_${st.name}_${i + 1}`, st.name, BigInt(this.trees.create(true)), null]));
  }

  private createIndex(st: Extract<Statement, { k: "create-index" }>): void {
    if (this.schemaRows.some((r) => r.name.toLowerCase() === st.name.toLowerCase())) {
      if (st.ifNotExists) return;
      throw new SqlError(`index ${st.name} already exists`);
    }
    const t = this.table(st.table);
    const parsed = parseCreateIndex(st.name, 0, st.sql, t.table);
    if (parsed.columns.some((c) => c.col === -2)) throw new SqlError(`no such column in ${st.sql}`);
    const rows = this.rows(t.table.root);
    const index = { ...parsed, root: this.trees.create(true), unique: /^CREATE\s+UNIQUE\b/i.test(st.sql) };
    for (const r of rows) {
      const prefix = this.key(index, t.table, r).slice(0, -1);
      if (index.unique && !prefix.some((v) => v === null) && this.trees.entryWithPrefix(index.root, prefix, this.order(index))) {
        throw new ConstraintError(`UNIQUE constraint failed: ${index.columns.map((c) => `${t.table.name}.${c.col < 0 ? "rowid" : t.table.columns[c.col]!.name}`).join(", ")}`);
      }
      this.addEntry(index, t.table, r);
    }
    this.addSchemaRow(["index", st.name, t.row.name, BigInt(index.root), st.sql]);
  }

  private insert(st: Extract<Statement, { k: "insert" }>): void {
    const t = this.table(st.table);
    const { table } = t;
    const positions = st.columns && st.select && quirks.insertSelectIgnoresColumnList
      ? st.columns.map((_, i) => i)
      : st.columns
      ? st.columns.map((name) => {
          const i = table.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
          if (i < 0) throw new SqlError(`table ${table.name} has no column named ${name}`);
          return i;
        })
      : table.columns.map((_, i) => i);
    const count = (n: number) => {
      if (n !== positions.length) throw new SqlError(st.columns ? `${n} values for ${positions.length} columns` : `table ${table.name} has ${positions.length} columns but ${n} values were supplied`);
    };
    // INSERT … SELECT: the SELECT's rows, all read before the first is inserted.
    const given: Value[][] = st.select ? this.selectRows(st.select) : st.rows.map((exprs) => (count(exprs.length), exprs.map((e) => compile(e, { sources: [] })([], []))));
    const defaults = t.constraints.defaults.map((e, i) => (e && !positions.includes(i) && !quirks.ignoreDefaults ? compile(e, { sources: [] })([], []) : null));
    for (const got of given) {
      count(got.length);
      const values: Value[] = table.columns.map((c, i) => (positions.includes(i) ? null : storeAs(defaults[i]!, c.affinity)));
      got.forEach((v, j) => {
        values[positions[j]!] = storeAs(v, table.columns[positions[j]!]!.affinity);
      });
      let rowid: bigint;
      const alias = table.rowidAlias >= 0 ? values[table.rowidAlias] : null;
      if (alias !== null && alias !== undefined) {
        if (typeof alias !== "bigint") throw new SqlError("datatype mismatch");
        rowid = alias;
        values[table.rowidAlias] = null;
      } else {
        const max = this.trees.maxRowid(table.root);
        if (max >= 9223372036854775807n) throw new SqlError("database or disk is full");
        rowid = quirks.autoRowidCountPlusOne ? BigInt([...this.trees.rows(table.root)].length) + 1n : max + 1n;
      }
      this.addRow(t, { rowid, values });
    }
  }

  /** A SELECT's rows on the database as this statement has it so far. */
  private selectRows(select: NonNullable<Extract<Statement, { k: "insert" }>["select"]>): Value[][] {
    this.trees.flush();
    return runSelect({ pager: this.pager, schema: new Schema(this.pager) }, select, false);
  }

  /** UPDATE and DELETE: the rows for which WHERE is true (lang_update.html, lang_delete.html). */
  private change(st: Extract<Statement, { k: "update" | "delete" }>): void {
    const t = this.table(st.table);
    const { table } = t;
    const scope = { sources: [{ table, offset: 0 }] };
    const where = st.where ? compile(st.where, scope) : undefined;
    const hits = this.rows(table.root).filter((r) => !where || truth(where(visible(table, r), [])) === true);
    if (st.k === "delete") {
      for (const r of hits) this.removeRow(t, r, quirks.deleteKeepsIndexEntries);
      return;
    }
    const sets = st.set.map(({ column, e }) => {
      const i = table.columns.findIndex((c) => c.name.toLowerCase() === column.toLowerCase());
      if (i < 0) throw new SqlError(`no such column: ${column}`);
      return { i, f: compile(e, scope) };
    });
    // Every SET expression sees the row as it was; the old rows go first, then the new ones come in.
    const changed = hits.map((r) => {
      const old = visible(table, r);
      const values = [...r.values];
      while (values.length < table.columns.length) values.push(null);
      let rowid = r.rowid;
      for (const { i, f } of sets) {
        const v = storeAs(f(quirks.updateSeesNewValues ? visible(table, { rowid, values }) : old, []), table.columns[i]!.affinity);
        if (i === table.rowidAlias) {
          if (typeof v !== "bigint") throw new SqlError("datatype mismatch");
          rowid = v;
        } else values[i] = v;
      }
      return { rowid, values };
    });
    for (const r of hits) this.removeRow(t, r);
    for (const r of changed) this.addRow(t, r);
  }

  private drop(st: Extract<Statement, { k: "drop" }>): void {
    const found = this.find(st.type, st.name);
    if (!found) {
      if (st.ifExists) return;
      throw new SqlError(`no such ${st.type}: ${st.name}`);
    }
    if (found.name.toLowerCase().startsWith("sqlite_")) throw new SqlError(`${st.type} ${found.name} may not be dropped`);
    // Dropping a table drops its indexes too; their pages go to the freelist.
    const gone = this.schemaRows.filter((r) => r === found || (st.type === "table" && !quirks.dropTableKeepsIndexes && r.type === "index" && r.tblName.toLowerCase() === found.name.toLowerCase()));
    for (const r of gone) {
      if (r.rootpage > 0) this.trees.dropTree(r.rootpage);
      this.trees.deleteRow(1, r.rowid);
    }
    this.pager.bumpSchemaCookie();
  }
}

/** Applies one write statement to the pager's pages (not yet committed). */
export function applyWrite(pager: Pager, st: Statement): void {
  const w = new Writer(pager);
  w.run(st);
  w.trees.flush();
}
