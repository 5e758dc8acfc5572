/**
 * Rows of a table as the query sees them: by a full scan in rowid order, a
 * rowid lookup or range, or an index range (each index entry's rowid looked
 * up in the table), decoded from their records.
 */
import { cellOffset, maxLocalPayload, readPayload, scanIndexFrom, seekRowid, tableLeaves, type TableCell } from "./btree.ts";
import type { Compiled, Row } from "./evaluate.ts";
import type { Pager } from "./pager.ts";
import type { Plan } from "./planner.ts";
import { decodeRecord, RecordReader } from "./record.ts";
import type { Schema, Table } from "./schema.ts";
import { compareValues, truth, type Value } from "./value.ts";
import { readSmallVarint, readVarint } from "./varint.ts";

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

/**
 * The terms of a WHERE (its top-level ANDs, in order) that a visit checks
 * itself, each with the columns of the table it reads: a scan decodes a
 * term's columns just before the term runs, and a row stops at the first
 * term that is false, so the other columns of a rejected row are never
 * decoded. Terms run in the order an AND runs them (evaluate.ts): left to
 * right, stopping at the first false.
 */
export interface RowFilter {
  terms: FilterTerm[];
}

export interface FilterTerm {
  /** Positions in the table of the columns it reads (the table's column count for the rowid). */
  columns: number[];
  test: Compiled;
  /**
   * For `column op integer` on a column of numeric affinity: the term
   * checked on the record's bytes when the column holds an integer (no
   * value decoded), `test` otherwise.
   */
  raw?: { column: number; op: string; value: number; nullPasses?: boolean };
}

/** `x op y` for numbers, as a comparison's truth. */
function compareNumbers(op: string, x: number, y: number): boolean {
  switch (op) {
    case "=":
      return x === y;
    case "!=":
      return x !== y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}

function passes(filter: RowFilter, row: Row): boolean {
  let pass = true;
  for (const t of filter.terms) {
    const v = truth(t.test(row, []));
    if (v === false) return false;
    if (v === null) pass = false;
  }
  return pass;
}

/**
 * The rows a plan visits (a superset of the WHERE's rows; with `filter`,
 * only those that pass it). With `borrow`, the caller uses each row before
 * asking for the next and keeps none of them: a scan then hands out the
 * same array each time instead of a copy per row.
 */
export function visit(db: Database, table: Table, p: Plan, needed?: boolean[], filter?: RowFilter, borrow = false): Iterable<Row> {
  // A scan's own generator, not delegated to: one generator step per row.
  if (!table.rows && p.kind !== "index" && !(p.kind === "rowid" && p.eq !== undefined)) return scanRows(db, table, p, needed, filter, borrow);
  return lookups(db, table, p, needed, filter);
}

function* lookups(db: Database, table: Table, p: Plan, needed?: boolean[], filter?: RowFilter): Generator<Row> {
  // A view's or FROM subquery's rows, kept in memory: every plan is a scan of them.
  if (table.rows) {
    for (const row of table.rows) if (!filter || passes(filter, row)) yield row;
    return;
  }
  const { pager } = db;
  if (p.kind === "rowid" && p.eq !== undefined) {
    if (typeof p.eq !== "bigint") {
      if (typeof p.eq !== "number" || !Number.isInteger(p.eq)) return;
    }
    const cell = seekRowid(pager, table.root, BigInt(p.eq as bigint | number));
    if (cell) {
      const row = decodeRow(db, table, cell, needed);
      if (!filter || passes(filter, row)) yield row;
    }
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
      if (cell) {
        const row = decodeRow(db, table, cell, needed);
        if (!filter || passes(filter, row)) yield row;
      }
    }
  }
}

/**
 * A full scan (or a rowid range: a scan that stops past its upper bound),
 * each leaf cell's record read in place on its page with one RecordReader,
 * and only the columns the query reads decoded — a filter's columns first,
 * term by term.
 */
function* scanRows(db: Database, table: Table, p: Plan, needed: boolean[] | undefined, filter: RowFilter | undefined, borrow: boolean): Generator<Row> {
  const { pager } = db;
  const n = table.columns.length;
  const enc = encoding(db);
  const alias = table.rowidAlias;
  const real = table.columns.map((c) => c.affinity === "REAL");
  const wanted: number[] = [];
  for (let i = 0; i < n; i++) if (!needed || needed[i]) wanted.push(i);
  const terms = filter?.terms ?? [];
  const reader = new RecordReader();
  // decoded[i] === rowNumber: column i of the current row is decoded.
  const decoded = new Float64Array(n + 1);
  let rowNumber = 0;
  // The row under test, reused from row to row (a term reads only the columns decoded for it); a row that passes is copied out.
  const row: Row = new Array(n + 1).fill(null);
  const noAggregates: Value[] = [];
  // The rowid as a number while it fits in 7 bytes (else `big`), and its BigInt, made when first read.
  let rowidNumber = 0;
  let big: bigint | undefined;
  let rowid: bigint | undefined;
  const rowidValue = (): bigint => (rowid ??= big ?? BigInt(rowidNumber));
  const decode = (i: number): void => {
    decoded[i] = rowNumber;
    if (i === alias || i === n) row[i] = rowidValue();
    else {
      const v = reader.value(i);
      row[i] = typeof v === "bigint" && real[i] ? Number(v) : v;
    }
  };
  // The rowid unless `needed` says the query does not read it (at position n).
  if (!needed || needed[n] !== false) wanted.push(n);
  // A payload up to X bytes is whole on its page (§1.6): its record is read in place.
  const inPlace = maxLocalPayload(pager, true);
  for (const leaf of tableLeaves(pager, table.root)) {
    const data = leaf.data;
    for (let c = 0; c < leaf.cells; c++) {
      let off = cellOffset(leaf, c);
      // The payload's size, then the rowid.
      let size = data[off]!;
      if (size < 0x80) off++;
      else {
        const r = readSmallVarint(data, off);
        size = r[0];
        off += r[1];
      }
      rowid = undefined;
      big = undefined;
      let v = 0;
      let k = 0;
      for (; k < 7; k++) {
        const b = data[off + k]!;
        v = v * 128 + (b & 0x7f);
        if (b < 0x80) break;
      }
      if (k < 7) {
        rowidNumber = v;
        off += k + 1;
      } else {
        const r = readVarint(data, off);
        big = r.value;
        off += r.length;
      }
      if (p.kind === "rowid" && p.hi) {
        const cmp = compareValues(rowidValue(), p.hi.value);
        if (cmp > 0 || (cmp === 0 && !p.hi.inclusive)) return;
      }
      if (size <= inPlace) reader.reset(data, off, size, enc);
      else reader.reset(readPayload(pager, data, off, size, true), 0, size, enc);
      rowNumber++;
      let pass = true;
      let rejected = false;
      for (let ti = 0; ti < terms.length; ti++) {
        const t = terms[ti]!;
        let v: boolean | null | undefined;
        if (t.raw) {
          const x = reader.intAt(t.raw.column);
          if (x === null) v = t.raw.nullPasses ? true : null;
          else if (x !== undefined) v = compareNumbers(t.raw.op, x, t.raw.value);
        }
        if (v === undefined) {
          for (const i of t.columns) if (decoded[i] !== rowNumber) decode(i);
          v = truth(t.test(row, noAggregates));
        }
        if (v === false) {
          rejected = true;
          break;
        }
        if (v === null) pass = false;
      }
      if (rejected || !pass) continue;
      for (const i of wanted) if (decoded[i] !== rowNumber) decode(i);
      yield borrow ? row : row.slice();
    }
  }
}
