/**
 * Writes: CREATE TABLE, CREATE INDEX, INSERT, UPDATE, DELETE, DROP, each
 * changing the B-trees' pages in place through the pager (btree-write.ts):
 * rows and index entries inserted and removed one by one, pages split,
 * merged and freed as they fill and empty, new pages taken from the
 * freelist first. The pager's transaction makes the statement atomic: on an
 * error the caller rolls back, so a failed statement changes nothing.
 * Values get their column's affinity on the way in (datatype3 §3).
 */
import type { Expr, Resolution, Statement, Upsert } from "./ast.ts";
import { BTrees, type KeyOrder } from "./btree-write.ts";
import { parseConstraints, type Constraints } from "./constraints.ts";
import { compile } from "./evaluate.ts";
import type { Pager } from "./pager.ts";
import { quirks } from "./quirks.ts";
import { decodeRecord } from "./record.ts";
import { encodeRecord } from "./record-encode.ts";
import { parseCreateIndex, parseCreateTable, readSchemaRows, Schema, type Index, type SchemaRow, type Table } from "./schema.ts";
import { runSelect } from "./select.ts";
import { ConstraintError, SqlError } from "./tokenizer.ts";
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

/**
 * A constraint failed under the FAIL resolution: the statement stops, but
 * the rows it changed before this one stay (lang_conflict.html).
 */
export class FailError extends ConstraintError {}

function uniqueMessage(table: Table): string {
  return `UNIQUE constraint failed: ${table.name}.${table.rowidAlias >= 0 ? table.columns[table.rowidAlias]!.name : "rowid"}`;
}

/** A table being written: its parsed CREATE TABLE, constraints and indexes (automatic ones included). */
interface Target {
  row: SchemaRow;
  table: Table;
  constraints: Constraints;
  indexes: (Index & { unique: boolean; on?: Resolution })[];
}


/** What a table's CREATE TABLE asks for that this engine does not write. */
function unsupportedTable(table: Table): string | undefined {
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
    const view = this.find("view", name);
    if (view && !quirks.viewWritesSayNoSuchTable) throw new SqlError(`cannot modify ${view.name} because it is a view`);
    const row = this.find("table", name);
    if (!row || !row.sql) throw new SqlError(`no such table: ${name}`);
    const table = parseCreateTable(row.name, row.rootpage, row.sql);
    const missing = unsupportedTable(table);
    if (missing) throw new SqlError(`writing to a table with ${missing} is not supported`);
    const constraints = parseConstraints(row.sql, table);
    const indexes = this.schemaRows
      .filter((r) => r.type === "index" && r.tblName.toLowerCase() === row.name.toLowerCase())
      .map((r) => {
        if (r.sql !== null) return { ...parseCreateIndex(r.name, r.rootpage, r.sql, table), unique: /^CREATE\s+UNIQUE\b/i.test(r.sql) };
        // sqlite_autoindex_<table>_<N>: the N-th UNIQUE or PRIMARY KEY constraint.
        const cols = constraints.uniques[Number(/_(\d+)$/.exec(r.name)?.[1] ?? 0) - 1];
        if (!cols) throw new SqlError(`writing to a table with the automatic index ${r.name}, which matches no constraint, is not supported`);
        const n = Number(/_(\d+)$/.exec(r.name)?.[1] ?? 0) - 1;
        return { name: r.name, root: r.rootpage, columns: cols.map((col) => ({ col: col === table.rowidAlias ? -1 : col, desc: false })), unique: true, on: constraints.uniqueOn[n] };
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

  /** Rows deleted by REPLACE during this statement (an UPDATE skips them when it reaches them). */
  private readonly replaced = new Set<bigint>();

  /**
   * What a failed constraint does under `res` (lang_conflict.html): IGNORE
   * skips the row, FAIL stops the statement keeping its earlier rows, ABORT
   * and ROLLBACK undo the statement (the transaction, when it is one
   * statement long or the program stops at the error, as sqlite3 does).
   */
  private conflict(res: Resolution, message: string): "ignore" {
    if (res === "IGNORE" && !quirks.ignoreAsAbort) return "ignore";
    if (res === "FAIL" && !quirks.failUndoesStatement) throw new FailError(message);
    throw new ConstraintError(message);
  }

  /** Removes the row with this rowid and its index entries (REPLACE). */
  private removeByRowid(t: Target, rowid: bigint): void {
    const record = this.trees.rowRecord(t.table.root, rowid);
    if (!record) return;
    this.removeRow(t, { rowid, values: decodeRecord(record) }, quirks.replaceKeepsIndexEntries);
    this.replaced.add(rowid);
  }

  /**
   * A row must satisfy the table's constraints, in SQLite's order: NOT NULL
   * (column by column), CHECK (false fails, NULL passes), a new rowid, then
   * each UNIQUE index (NULLs are distinct from each other). Each failure is
   * resolved by the statement's OR clause, else the constraint's ON
   * CONFLICT, else ABORT; REPLACE gives a NULL its column's DEFAULT (ABORT
   * without one) and deletes the rows a new rowid or UNIQUE key collides
   * with; CHECK knows no REPLACE (ABORT).
   */
  private checkRow(t: Target, r: Row, or: Resolution | undefined, upserts?: Upsert[]): "ok" | "ignore" | { upsert: Upsert; rowid: bigint } {
    const { table, constraints } = t;
    for (let i = 0; i < table.columns.length; i++) {
      if (!constraints.notNull[i] || i === table.rowidAlias || (r.values[i] ?? null) !== null) continue;
      const res = or ?? constraints.notNullOn[i] ?? "ABORT";
      const d = constraints.defaults[i];
      if (res === "REPLACE" && d) r.values[i] = storeAs(compile(d, { sources: [] })([], []), table.columns[i]!.affinity);
      if ((r.values[i] ?? null) === null) return this.conflict(res === "REPLACE" ? "ABORT" : res, `NOT NULL constraint failed: ${table.name}.${table.columns[i]!.name}`);
    }
    if (constraints.checks.length > 0) {
      const scope = { sources: [{ table, offset: 0 }] };
      const row = visible(table, r);
      for (const check of constraints.checks) {
        const v = truth(compile(check.e, scope)(row, []));
        const res = or ?? "ABORT";
        if (v === false || (v === null && quirks.checkFailsOnNull)) return this.conflict(res === "REPLACE" ? "ABORT" : res, `CHECK constraint failed: ${check.label}`);
      }
    }
    // An upsert's target is checked before the other uniqueness constraints (as SQLite orders them), the rowid first among equals.
    const uniques: ("rowid" | Target["indexes"][number])[] = ["rowid", ...t.indexes.filter((ix) => ix.unique)];
    if (upserts) uniques.sort((a, b) => Number(upserts.some((u) => u.target && this.targets(t, u, b))) - Number(upserts.some((u) => u.target && this.targets(t, u, a))));
    for (const index of uniques) {
      if (index === "rowid") {
        if (!this.trees.hasRow(table.root, r.rowid)) continue;
        const upsert = upserts?.find((u) => this.targets(t, u, "rowid"));
        if (upsert) return { upsert, rowid: r.rowid };
        const res = or ?? constraints.rowidOn ?? "ABORT";
        if (res === "REPLACE") this.removeByRowid(t, r.rowid);
        else return this.conflict(res, uniqueMessage(table));
        continue;
      }
      const prefix = this.key(index, table, r).slice(0, -1);
      if (prefix.some((v) => v === null) && !quirks.uniqueNullsEqual) continue;
      const hit = this.trees.entryWithPrefix(index.root, prefix, this.order(index));
      if (!hit) continue;
      const upsert = upserts?.find((u) => this.targets(t, u, index));
      if (upsert) return { upsert, rowid: hit[hit.length - 1] as bigint };
      const res = or ?? index.on ?? "ABORT";
      if (res === "REPLACE") this.removeByRowid(t, hit[hit.length - 1] as bigint);
      else return this.conflict(res, `UNIQUE constraint failed: ${index.columns.map((c) => `${table.name}.${c.col < 0 ? (table.rowidAlias >= 0 ? table.columns[table.rowidAlias]!.name : "rowid") : table.columns[c.col]!.name}`).join(", ")}`);
    }
    return "ok";
  }

  /** Inserts the row unless a constraint's IGNORE skips it; returns whether it went in. */
  private addRow(t: Target, r: Row, or?: Resolution): boolean {
    if (this.checkRow(t, r, or) === "ignore") return false;
    this.putRow(t, r);
    return true;
  }

  /** The columns an upsert's target names, as index columns (-1: the INTEGER PRIMARY KEY, the rowid). */
  private targetColumns(t: Target, u: Upsert): number[] {
    return u.target!.map((name) => {
      const i = t.table.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
      return i === t.table.rowidAlias && i >= 0 ? -1 : i;
    });
  }

  /** Whether a conflict on this uniqueness constraint is the upsert's (no target: any uniqueness constraint). */
  private targets(t: Target, u: Upsert, constraint: "rowid" | Target["indexes"][number]): boolean {
    if (!u.target || quirks.upsertAnyConstraint) return true;
    const cols = this.targetColumns(t, u);
    if (constraint === "rowid") return cols.length === 1 && cols[0] === -1;
    const own = constraint.columns.map((c) => (c.col === t.table.rowidAlias && c.col >= 0 ? -1 : c.col));
    return own.length === cols.length && cols.every((c) => own.includes(c));
  }

  /**
   * DO UPDATE of an upsert (lang_upsert.html) on the row the new one
   * collided with: SET's expressions see that row's columns by their names
   * and the new row's as excluded.<name>; with WHERE, only when it is true.
   * The row is then changed as UPDATE changes it, checked again (ABORT).
   */
  private upsertUpdate(t: Target, u: Upsert, rowid: bigint, incoming: Row): void {
    if (!u.update) return;
    const { table } = t;
    const record = this.trees.rowRecord(table.root, rowid);
    if (!record) return;
    const old: Row = { rowid, values: decodeRecord(record) };
    // The new row is a second table, "excluded", whose columns only excluded.<name> reaches (their names cannot be written).
    const hidden = (name: string) => `\u0000${name.toLowerCase()}`;
    const excluded: Table = { ...table, name: "excluded", indexes: [], columns: table.columns.map((c) => ({ ...c, name: hidden(c.name) })) };
    const scope = { sources: [{ table, offset: 0 }, { table: excluded, alias: "excluded", offset: table.columns.length + 1 }] };
    const rewrite = (e: unknown): unknown => {
      if (Array.isArray(e)) return e.map(rewrite);
      if (!e || typeof e !== "object") return e;
      const x = e as Expr;
      if (x.k === "col" && x.table?.toLowerCase() === "excluded") return quirks.upsertExcludedIsOld ? { ...x, table: undefined } : { ...x, name: hidden(x.name) };
      if (x.k === "subquery" || x.k === "exists") return e;
      return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, rewrite(v)]));
    };
    const row = [...visible(table, old), ...visible(table, incoming)];
    if (u.update.where && !quirks.upsertUpdateIgnoresWhere && truth(compile(rewrite(u.update.where) as Expr, scope)(row, [])) !== true) return;
    const values = [...old.values];
    while (values.length < table.columns.length) values.push(null);
    let newRowid = rowid;
    for (const { column, e } of u.update.set) {
      const i = table.columns.findIndex((c) => c.name.toLowerCase() === column.toLowerCase());
      if (i < 0) throw new SqlError(`no such column: ${column}`);
      const v = storeAs(compile(rewrite(e) as Expr, scope)(row, []), table.columns[i]!.affinity);
      if (i === table.rowidAlias) {
        if (typeof v !== "bigint") throw new SqlError("datatype mismatch");
        newRowid = v;
      } else values[i] = v;
    }
    this.removeRow(t, old);
    this.addRow(t, { rowid: newRowid, values }, "ABORT");
  }

  /** The row and its index entries, unchecked. */
  private putRow(t: Target, r: Row): void {
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
      case "create-view":
        return this.createView(st);
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

  /** A table or view named `name` already: the error names what it is ("view v already exists"). */
  private taken(name: string, ifNotExists: boolean): boolean {
    const r = this.schemaRows.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!r) return false;
    if (ifNotExists && !quirks.ifNotExistsIgnored) return true;
    if (r.type === "index") throw new SqlError(`there is already an index named ${name}`);
    throw new SqlError(`${quirks.nameConflictSaysTable ? "table" : r.type} ${name} already exists`);
  }

  /** CREATE VIEW (lang_createview.html): a sqlite_schema row (type 'view', rootpage 0, the statement's text); no B-tree. */
  private createView(st: Extract<Statement, { k: "create-view" }>): void {
    if (this.taken(st.name, st.ifNotExists)) return;
    if (st.name.toLowerCase().startsWith("sqlite_")) throw new SqlError(`object name reserved for internal use: ${st.name}`);
    this.addSchemaRow(["view", st.name, st.name, 0n, st.sql]);
  }

  private createTable(st: Extract<Statement, { k: "create-table" }>): void {
    if (this.taken(st.name, st.ifNotExists)) return;
    const missing = unsupportedTable(parseCreateTable(st.name, 0, st.sql));
    if (missing) throw new SqlError(`tables with ${missing} are not supported`);
    if (st.name.toLowerCase().startsWith("sqlite_")) throw new SqlError(`object name reserved for internal use: ${st.name}`);
    const table = parseCreateTable(st.name, 0, st.sql);
    const { uniques, autoincrement } = parseConstraints(st.sql, table);
    if (uniques.some((cols) => cols.includes(-1))) throw new SqlError(`no such column in ${st.sql}`);
    if (autoincrement && table.rowidAlias < 0) throw new SqlError("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
    const root = this.trees.create(false);
    this.addSchemaRow(["table", st.name, st.name, BigInt(root), st.sql]);
    // One automatic index per UNIQUE or PRIMARY KEY constraint, its sql NULL (fileformat2 §2.6).
    if (!quirks.noAutoindex) uniques.forEach((_, i) => this.addSchemaRow(["index", `sqlite_autoindex_${st.name}_${i + 1}`, st.name, BigInt(this.trees.create(true)), null]));
    // The first AUTOINCREMENT table brings sqlite_sequence, after the table's own rows (fileformat2 §2.6.2).
    if (autoincrement && !this.find("table", "sqlite_sequence") && !quirks.noSqliteSequence) this.addSchemaRow(["table", "sqlite_sequence", "sqlite_sequence", BigInt(this.trees.create(false)), "CREATE TABLE sqlite_sequence(name,seq)"]);
  }

  /** sqlite_sequence's row for a table: its rowid and the largest rowid the table has ever been given (lang_createtable.html#rowid, autoinc.html). */
  private sequence(table: string): { root: number; rowid?: bigint; seq: bigint } | undefined {
    const t = this.find("table", "sqlite_sequence");
    if (!t) return undefined;
    for (const r of this.rows(t.rootpage)) {
      if (typeof r.values[0] === "string" && r.values[0] === table) return { root: t.rootpage, rowid: r.rowid, seq: typeof r.values[1] === "bigint" ? r.values[1] : 0n };
    }
    return { root: t.rootpage, seq: 0n };
  }

  private setSequence(s: { root: number; rowid?: bigint; seq: bigint }, table: string, seq: bigint): void {
    if (s.rowid !== undefined) this.trees.deleteRow(s.root, s.rowid);
    this.trees.insertRow(s.root, s.rowid ?? this.trees.maxRowid(s.root) + 1n, encodeRecord([table, seq]));
  }

  private createIndex(st: Extract<Statement, { k: "create-index" }>): void {
    if (this.schemaRows.some((r) => r.name.toLowerCase() === st.name.toLowerCase())) {
      if (st.ifNotExists) return;
      throw new SqlError(`index ${st.name} already exists`);
    }
    if (this.find("view", st.table)) throw new SqlError("views may not be indexed");
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
    // Each upsert target names a PRIMARY KEY or UNIQUE constraint (checked before any row, as sqlite3 prepares the statement).
    for (const u of st.upserts ?? []) {
      if (u.target && !quirks.upsertAnyConstraint && !(["rowid", ...t.indexes.filter((ix) => ix.unique)] as const).some((c) => this.targets(t, u, c))) throw new SqlError("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
    }
    const seq = t.constraints.autoincrement ? this.sequence(table.name) : undefined;
    let top = seq?.seq ?? 0n;
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
        let max = this.trees.maxRowid(table.root);
        // AUTOINCREMENT: past every rowid the table ever had, not only those it has now.
        if (seq && top > max && !quirks.autoincrementReusesRowids) max = top;
        if (max >= 9223372036854775807n) throw new SqlError("database or disk is full");
        rowid = quirks.autoRowidCountPlusOne ? BigInt([...this.trees.rows(table.root)].length) + 1n : max + 1n;
      }
      // sqlite_sequence counts every rowid given out, to a row IGNORE then skips too.
      const r: Row = { rowid, values };
      const checked = this.checkRow(t, r, st.or, st.upserts);
      let added = false;
      if (checked === "ok") {
        this.putRow(t, r);
        added = true;
      } else if (checked !== "ignore") {
        // An upsert: the row is not inserted; DO UPDATE changes the row it collided with, DO NOTHING nothing.
        this.upsertUpdate(t, checked.upsert, checked.rowid, r);
        if (!checked.upsert.update && quirks.upsertNothingStops) break;
      }
      if (rowid > top && (added || !quirks.sequenceSkipsIgnoredRows)) top = rowid;
    }
    // Every INSERT into an AUTOINCREMENT table leaves the table's row in sqlite_sequence (seq 0 when none was ever inserted).
    if (seq && (seq.rowid === undefined || top !== seq.seq) && !(quirks.sequenceRowOnlyAfterRows && top === 0n)) this.setSequence(seq, table.name, top);
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
    // Row by row, in rowid order: a new value is checked against the rows as they are at that moment
    // (SET a = a + 1 over a UNIQUE 1, 2 fails at the first row).
    if (quirks.updateAllThenCheck) {
      for (const r of hits) this.removeRow(t, r);
      for (const r of changed) this.addRow(t, r, st.or);
      return;
    }
    hits.forEach((r, i) => {
      if (this.replaced.has(r.rowid)) return;
      this.removeRow(t, r);
      // IGNORE leaves the row as it was; so does FAIL, which keeps the rows changed before it.
      let added: boolean;
      try {
        added = this.addRow(t, changed[i]!, st.or);
      } catch (e) {
        if (e instanceof FailError) this.putRow(t, r);
        throw e;
      }
      if (!added) this.putRow(t, r);
    });
  }

  private drop(st: Extract<Statement, { k: "drop" }>): void {
    const found = quirks.dropIgnoresType ? this.schemaRows.find((r) => r.type !== "index" && st.type !== "index" && r.name.toLowerCase() === st.name.toLowerCase()) : this.find(st.type, st.name);
    // DROP TABLE names a view, or DROP VIEW a table: sqlite3 says which to use.
    const other = st.type === "index" ? undefined : this.find(st.type === "table" ? "view" : "table", st.name);
    if (!found && other) throw new SqlError(`use DROP ${other.type.toUpperCase()} to delete ${other.type} ${other.name}`);
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
    // A dropped table's row in sqlite_sequence goes with it.
    const seq = found.type === "table" && !quirks.dropKeepsSequenceRow ? this.sequence(found.name) : undefined;
    if (seq?.rowid !== undefined) this.trees.deleteRow(seq.root, seq.rowid);
    this.pager.bumpSchemaCookie();
  }
}

/** Applies one write statement to the pager's pages (not yet committed). */
export function applyWrite(pager: Pager, st: Statement): void {
  const w = new Writer(pager);
  try {
    w.run(st);
  } catch (e) {
    // FAIL keeps what the statement did before the failing row.
    if (e instanceof FailError) w.trees.flush();
    throw e;
  }
  w.trees.flush();
}
