/**
 * Chooses how to visit a table's rows for a WHERE clause, as SQLite's
 * planner does for the simple cases (https://www.sqlite.org/queryplanner.html,
 * https://www.sqlite.org/eqp.html): a rowid lookup or range, an index
 * equality or range on an index's first column, else a full scan. The WHERE
 * is always evaluated on the rows found, so a plan only narrows the visit.
 */
import type { Expr } from "./ast.ts";
import { comparisonAffinity, exprAffinity, prepareOperand, resolveColumn, type Scope, type Source } from "./evaluate.ts";
import { quirks } from "./quirks.ts";
import type { Index } from "./schema.ts";
import type { Affinity, Value } from "./value.ts";

export interface Bound {
  value: Value;
  inclusive: boolean;
}

export interface Plan {
  kind: "scan" | "rowid" | "index";
  index?: Index;
  eq?: Value;
  lo?: Bound;
  hi?: Bound;
  /** "c=?", "c>? AND c<?": the constraint text of EXPLAIN QUERY PLAN. */
  detail: string;
  /** True when every column the query uses is in the index. */
  covering: boolean;
}

interface Term {
  col: number;
  op: string;
  value: Value;
}

export function conjuncts(e: Expr | undefined): Expr[] {
  if (!e) return [];
  if (e.k === "bin" && e.op === "AND") return [...conjuncts(e.l), ...conjuncts(e.r)];
  return [e];
}

const FLIP: Record<string, string> = { "=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/** `column op literal` terms on `source` of the WHERE's top-level ANDs, with the literal given the comparison's affinity. */
function terms(where: Expr | undefined, scope: Scope, source: Source): Term[] {
  const out: Term[] = [];
  for (const c of conjuncts(where)) {
    if (c.k !== "bin" || !(c.op in FLIP)) continue;
    let col = c.l;
    let lit = c.r;
    let op = c.op;
    if (col.k !== "col") {
      [col, lit] = [c.r, c.l];
      op = FLIP[op]!;
    }
    if (col.k !== "col" || lit.k !== "lit") continue;
    if (lit.v === null) continue;
    const r = resolveColumn(scope, col);
    if (r.source !== source) continue;
    const aff = comparisonAffinity(exprAffinity(col, scope), exprAffinity(lit, scope));
    out.push({ col: r.index, op, value: prepareOperand(lit.v, aff) });
  }
  return out;
}

function range(ts: Term[], name: string): { lo?: Bound; hi?: Bound; detail: string } | undefined {
  const lo = ts.find((t) => t.op === ">" || t.op === ">=");
  const hi = ts.find((t) => t.op === "<" || t.op === "<=");
  if (!lo && !hi) return undefined;
  const parts = [lo && `${name}${lo.op}?`, hi && `${name}${hi.op}?`].filter(Boolean);
  return {
    lo: lo && { value: lo.value, inclusive: lo.op === ">=" },
    hi: hi && { value: hi.value, inclusive: hi.op === "<=" },
    detail: parts.join(" AND "),
  };
}

/** The plan for the first (or only) table of a query: lookups by literal values. `usedColumns`: positions in its table. */
export function plan(where: Expr | undefined, scope: Scope, source: Source, usedColumns: Set<number>): Plan {
  const table = source.table;
  if (quirks.neverUseIndexes || table.rows) return { kind: "scan", detail: "", covering: false };
  const rowidCol = table.columns.length;
  const ts = terms(where, scope, source).map((t) => (t.col === table.rowidAlias ? { ...t, col: rowidCol } : t));
  const onRowid = ts.filter((t) => t.col === rowidCol);
  const eqRowid = onRowid.find((t) => t.op === "=");
  if (eqRowid) return { kind: "rowid", eq: eqRowid.value, detail: "rowid=?", covering: false };
  const indexes = table.indexes.filter((ix) => ix.columns.length > 0 && ix.columns[0]!.col >= 0 && !ix.columns[0]!.desc);
  const covers = (ix: Index) => [...usedColumns].every((c) => c === rowidCol || c === table.rowidAlias || ix.columns.some((k) => k.col === c));
  for (const ix of indexes) {
    const eq = ts.find((t) => t.col === ix.columns[0]!.col && t.op === "=");
    if (eq) return { kind: "index", index: ix, eq: eq.value, detail: `${table.columns[eq.col]!.name}=?`, covering: covers(ix) };
  }
  const r = range(onRowid, "rowid");
  if (r) return { kind: "rowid", ...r, covering: false };
  for (const ix of indexes) {
    const col = ix.columns[0]!.col;
    const ir = range(ts.filter((t) => t.col === col), table.columns[col]!.name);
    if (ir) return { kind: "index", index: ix, ...ir, covering: covers(ix) };
  }
  return { kind: "scan", detail: "", covering: false };
}

/** The line EXPLAIN QUERY PLAN prints for this plan (after "QUERY PLAN"). */
export function describePlan(p: Plan, table: string): string {
  if (p.kind === "scan") return `SCAN ${table}`;
  if (p.kind === "rowid") return `SEARCH ${table} USING INTEGER PRIMARY KEY (${p.detail})`;
  return `SEARCH ${table} USING ${p.covering ? "COVERING " : ""}INDEX ${p.index!.name} (${p.detail})`;
}

/** How a later table of a join finds its rows for each row of the tables before it. */
export interface JoinLookup {
  kind: "rowid" | "index";
  index?: Index;
  /** The value to look up, an expression over the earlier tables. */
  key: Expr;
  /** The affinity the key gets before the lookup (the comparison's). */
  affinity: Affinity;
  detail: string;
  covering: boolean;
}

/** Tables (source positions) an expression reads; -1 when it cannot be used as a lookup key. */
export function sourcesOf(e: Expr, scope: Scope, out: Set<number>): void {
  if (e.k === "col") {
    const r = resolveColumn(scope, e);
    out.add(r.depth ? -1 : scope.sources.indexOf(r.source));
    return;
  }
  if (e.k === "fn" && ["COUNT", "SUM", "TOTAL", "AVG", "GROUP_CONCAT"].includes(e.name)) out.add(-1);
  // A subquery may read any table of this query (a correlated reference): it waits for them all, and is no lookup key.
  if (e.k === "subquery" || e.k === "exists" || (e.k === "in" && e.select)) {
    out.add(-1);
    out.add(scope.sources.length - 1);
  }
  // Children, also inside arrays of arrays (CASE's [WHEN, THEN] pairs).
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object" && "k" in v) sourcesOf(v as Expr, scope, out);
  };
  Object.values(e).forEach(visit);
}

/** A rowid or index equality for table `level` of a join, from `column = expression over earlier tables` terms. */
export function planJoin(conds: Expr[], scope: Scope, level: number, usedColumns: Set<number>): JoinLookup | undefined {
  if (quirks.neverUseIndexes) return undefined;
  const source = scope.sources[level]!;
  const table = source.table;
  if (table.rows) return undefined;
  const found: { col: number; key: Expr; affinity: Affinity }[] = [];
  for (const c of conds) {
    if (c.k !== "bin" || c.op !== "=") continue;
    for (const [col, key] of [
      [c.l, c.r],
      [c.r, c.l],
    ] as const) {
      if (col.k !== "col") continue;
      const r = resolveColumn(scope, col);
      if (r.source !== source) continue;
      const used = new Set<number>();
      sourcesOf(key, scope, used);
      if ([...used].some((u) => u < 0 || u >= level)) continue;
      const index = r.index === table.rowidAlias ? table.columns.length : r.index;
      const colAffinity = exprAffinity(col, scope);
      const affinity = comparisonAffinity(colAffinity, exprAffinity(key, scope));
      // An index holds the column's values as stored: it can find the rows only when the comparison's
      // affinity leaves them as they are (sqlite3IndexAffinityOk): none, TEXT on a TEXT column, numeric on a numeric one.
      const numeric = (a: Affinity) => a === "INTEGER" || a === "REAL" || a === "NUMERIC";
      if (index < table.columns.length && !(affinity === "NONE" || affinity === "BLOB" || (affinity === "TEXT" ? colAffinity === "TEXT" : numeric(colAffinity)))) continue;
      found.push({ col: index, key, affinity });
    }
  }
  const rowid = found.find((f) => f.col === table.columns.length);
  if (rowid) return { kind: "rowid", key: rowid.key, affinity: rowid.affinity, detail: "rowid=?", covering: false };
  for (const ix of table.indexes) {
    const first = ix.columns[0];
    if (!first || first.col < 0 || first.desc) continue;
    const f = found.find((x) => x.col === first.col);
    if (!f) continue;
    const covering = [...usedColumns].every((c) => c === table.columns.length || c === table.rowidAlias || ix.columns.some((k) => k.col === c));
    return { kind: "index", index: ix, key: f.key, affinity: f.affinity, detail: `${table.columns[first.col]!.name}=?`, covering };
  }
  return undefined;
}
