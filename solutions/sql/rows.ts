/**
 * Rows of a table as the query sees them: by a full scan in rowid order, a
 * rowid lookup or range, or an index range (each index entry's rowid looked
 * up in the table), decoded from their records.
 */
import { scanIndexFrom, scanTable, seekRowid, type TableCell } from "./btree.ts";
import type { Row } from "./evaluate.ts";
import type { Pager } from "./pager.ts";
import type { Plan } from "./planner.ts";
import { decodeRecord } from "./record.ts";
import type { Schema, Table } from "./schema.ts";
import { compareValues } from "./value.ts";

export interface Database {
  pager: Pager;
  schema: Schema;
}

function encoding(db: Database): number {
  return db.pager.header.textEncoding || 1;
}

/** A table row: its record's values (the rowid alias and REAL columns fixed up), then the rowid. */
export function decodeRow(db: Database, table: Table, cell: TableCell, needed?: boolean[]): Row {
  const rec = decodeRecord(cell.payload(), encoding(db), needed);
  const n = table.columns.length;
  const row: Row = new Array(n + 1);
  for (let i = 0; i < n; i++) {
    let v = rec[i] ?? null;
    if (i === table.rowidAlias) v = cell.rowid;
    else if (typeof v === "bigint" && table.columns[i]!.affinity === "REAL") v = Number(v);
    row[i] = v;
  }
  row[n] = cell.rowid;
  return row;
}

/** The rows a plan visits (a superset of the WHERE's rows). */
export function* visit(db: Database, table: Table, p: Plan, needed?: boolean[]): Generator<Row> {
  // A view's or FROM subquery's rows, kept in memory: every plan is a scan of them.
  if (table.rows) {
    yield* table.rows;
    return;
  }
  const { pager } = db;
  if (p.kind === "rowid" && p.eq !== undefined) {
    if (typeof p.eq !== "bigint") {
      if (typeof p.eq !== "number" || !Number.isInteger(p.eq)) return;
    }
    const cell = seekRowid(pager, table.root, BigInt(p.eq as bigint | number));
    if (cell) yield decodeRow(db, table, cell, needed);
    return;
  }
  if (p.kind === "index") {
    const lo = p.eq !== undefined ? { value: p.eq, inclusive: true } : p.lo;
    const hi = p.eq !== undefined ? { value: p.eq, inclusive: true } : p.hi;
    const first = (payload: Uint8Array) => decodeRecord(payload, encoding(db))[0] ?? null;
    const below = (payload: Uint8Array) => {
      const k = first(payload);
      if (k === null) return true;
      if (!lo) return false;
      const c = compareValues(k, lo.value);
      return lo.inclusive ? c < 0 : c <= 0;
    };
    for (const payload of scanIndexFrom(pager, p.index!.root, below)) {
      const rec = decodeRecord(payload, encoding(db));
      if (hi) {
        const c = compareValues(rec[0] ?? null, hi.value);
        if (c > 0 || (c === 0 && !hi.inclusive)) return;
      }
      const cell = seekRowid(pager, table.root, rec[rec.length - 1] as bigint);
      if (cell) yield decodeRow(db, table, cell, needed);
    }
    return;
  }
  for (const cell of scanTable(pager, table.root)) {
    if (p.kind === "rowid" && p.hi) {
      const c = compareValues(cell.rowid, p.hi.value);
      if (c > 0 || (c === 0 && !p.hi.inclusive)) return;
    }
    yield decodeRow(db, table, cell, needed);
  }
}

