/**
 * Joins as nested loops (https://www.sqlite.org/optoverview.html#joins):
 * the first table outermost, each later table's rows found by its lookup
 * (rowid or index) for each combination of the rows before it, else by a
 * scan decoded once.
 */
import type { Compiled, Row, Source } from "./evaluate.ts";
import { prepareOperand } from "./evaluate.ts";
import type { JoinLookup } from "./planner.ts";
import { quirks } from "./quirks.ts";
import { visit, type Database } from "./rows.ts";
import { truth } from "./value.ts";

/** One table of a join after the first: how its rows are found for each combined row before it. */
export interface Level {
  source: Source;
  left: boolean;
  on?: Compiled;
  lookup?: JoinLookup;
  key?: Compiled;
  /** The columns of its table the query reads (others are not decoded). */
  needed: boolean[];
  /** Rows of a table that is scanned for every row before it, decoded once. */
  cached?: Row[];
}

function* levelRows(db: Database, level: Level, row: Row): Generator<Row> {
  const table = level.source.table;
  if (level.lookup && level.key) {
    const k = quirks.joinLookupWithoutAffinity ? level.key(row, []) : prepareOperand(level.key(row, []), level.lookup.affinity);
    if (k === null) return;
    if (level.lookup.kind === "rowid") yield* visit(db, table, { kind: "rowid", eq: k, detail: "", covering: false }, level.needed);
    else yield* visit(db, table, { kind: "index", index: level.lookup.index, eq: k, detail: "", covering: false }, level.needed);
    return;
  }
  level.cached ??= [...visit(db, table, { kind: "scan", detail: "", covering: false }, level.needed)];
  yield* level.cached;
}

/**
 * Nested loops: every combination of rows that satisfies each join's ON, with
 * NULLs for a LEFT JOIN's missing rows. `filters[i]` is the part of WHERE that
 * reads no table after the i-th: it is checked as soon as that table's row is
 * there, so that later tables are only visited for rows that can pass.
 */
export function* joinRows(db: Database, first: Iterable<Row>, levels: Level[], width: number, filters: (Compiled | undefined)[]): Generator<Row> {
  const row: Row = new Array(width).fill(null);
  function* descend(i: number): Generator<Row> {
    if (i === levels.length) {
      yield row.slice();
      return;
    }
    const level = levels[i]!;
    const { offset, table } = level.source;
    const n = table.columns.length + 1;
    let matched = false;
    const filter = filters[i + 1];
    for (const r of levelRows(db, level, row)) {
      for (let j = 0; j < n; j++) row[offset + j] = r[j]!;
      if (level.on && truth(level.on(row, [])) !== true) continue;
      matched = true;
      if (filter && truth(filter(row, [])) !== true) continue;
      yield* descend(i + 1);
    }
    if (!matched && level.left && !quirks.leftJoinAsInner) {
      for (let j = 0; j < n; j++) row[offset + j] = null;
      if (filter && !quirks.leftJoinNullRowsSkipWhere && truth(filter(row, [])) !== true) return;
      yield* descend(i + 1);
    }
  }
  for (const r of first) {
    for (let j = 0; j < r.length; j++) row[j] = r[j]!;
    if (filters[0] && truth(filters[0](row, [])) !== true) continue;
    yield* descend(0);
  }
}

