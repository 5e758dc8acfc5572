/**
 * Runs a SELECT (https://www.sqlite.org/lang_select.html#simple_select_processing):
 * FROM → WHERE → GROUP BY / aggregates → HAVING → result columns →
 * DISTINCT → ORDER BY → LIMIT/OFFSET.
 */
import type { Expr, FromItem, Select } from "./ast.ts";
import { countTable } from "./btree.ts";
import { compile, exprAffinity, isAggregate, resolveColumn, type Compiled, type QueryLevel, type Row, type Scope, type SelectResult, type Source } from "./evaluate.ts";
import { Accumulator, groupKey } from "./functions.ts";
import { joinRows, type Level } from "./join.ts";
import { conjuncts, describePlan, plan, planJoin, sourcesOf, type Plan } from "./planner.ts";
import { Parser } from "./parser.ts";
import { quirks } from "./quirks.ts";
import type { Table } from "./schema.ts";
import { visit, type Database, type FilterTerm, type RowFilter } from "./rows.ts";
import { SqlError } from "./tokenizer.ts";
import { compareValues, truth, type Value } from "./value.ts";

/** For each source, the positions (in its table) of the columns the query uses. */
function columnsUsed(s: Select, scope: Scope, exprs: Expr[]): Set<number>[] {
  const used = scope.sources.map(() => new Set<number>());
  const walk = (e: unknown): void => {
    if (!e || typeof e !== "object") return;
    const x = e as { k?: string };
    if (x.k === "col") {
      try {
        const r = resolveColumn(scope, e as Extract<Expr, { k: "col" }>);
        if (!r.depth) used[scope.sources.indexOf(r.source)]!.add(r.index);
      } catch {
        // reported when compiled
      }
      return;
    }
    for (const v of Object.values(e)) if (Array.isArray(v)) v.forEach(walk);
    else walk(v);
  };
  [...exprs, s.where, s.having, ...s.groupBy, ...s.orderBy.map((o) => o.e), ...s.from.map((f) => f.on)].forEach(walk);
  return used;
}

interface Output {
  values: Value[];
  keys: Value[];
}

function planLines(lines: string[]): Value[][] {
  return [["QUERY PLAN"], ...lines.map((l, i) => [`${i === lines.length - 1 ? "`--" : "|--"}${l}`])];
}

export function runSelect(db: Database, s: Select, explain: boolean): Value[][] {
  return selectResult(db, s, explain, undefined).rows;
}

/** A query level: its subqueries run with it as their enclosing scope. */
function queryLevel(db: Database): QueryLevel {
  return {
    correlated: false,
    run(select, outer) {
      const result = selectResult(db, select, false, outer);
      return { result, correlated: result.correlated };
    },
  };
}

/** A SELECT's rows and column affinities; `outer` is the enclosing query's scope for a subquery. */
function selectResult(db: Database, s: Select, explain: boolean, outer: Scope | undefined): SelectResult & { correlated: boolean } {
  if (s.compound && s.compound.length > 0 && !explain) return runCompound(db, s, outer);
  const level = queryLevel(db);
  const rows = simpleSelect(db, s, explain, outer, level);
  return { ...rows, correlated: level.correlated };
}

/** Views being expanded (a view that reaches itself is circularly defined). */
const expanding = new Set<string>();

/**
 * The table a FROM item names. A subquery in FROM, or a view (its SELECT
 * read from sqlite_schema), is run once when the query starts and its rows
 * kept: a table without a B-tree whose columns are the SELECT's result
 * columns (named by the view's column list, an alias, a column's name or the
 * expression as written) with their affinities (lang_select.html, table-or-subquery;
 * lang_createview.html).
 */
function fromTable(db: Database, f: FromItem, outer: Scope | undefined, level: QueryLevel, position: number): Table {
  let select = f.select;
  let columns: string[] | undefined;
  let name = "";
  if (!select) {
    const view = db.schema.view(f.table);
    if (!view || quirks.viewsNotRead) return db.schema.table(f.table);
    const st = new Parser(view.sql ?? "").statement();
    if (st.k !== "create-view") throw new SqlError(`malformed view: ${view.name}`);
    ({ select, columns } = st);
    if (quirks.viewColumnListIgnored) columns = undefined;
    name = view.name;
  }
  const key = name.toLowerCase();
  if (name && expanding.has(key)) throw new SqlError(`view ${name} is circularly defined`);
  if (name) expanding.add(key);
  let r: SelectResult & { correlated: boolean };
  try {
    // A view's SELECT sees no enclosing query; a subquery in FROM may read the enclosing query's row.
    r = selectResult(db, quirks.fromSubqueryIgnoresLimit && !name ? { ...select, orderBy: [], limit: undefined, offset: undefined } : select, false, name ? undefined : outer);
  } catch (e) {
    // sqlite3 names the schema of a table a view reads: "no such table: main.t".
    if (name && e instanceof SqlError && e.message.startsWith("no such table: ") && !e.message.includes(".") && !quirks.viewErrorsWithoutSchema) throw new SqlError(e.message.replace("no such table: ", "no such table: main."));
    throw e;
  } finally {
    if (name) expanding.delete(key);
  }
  if (r.correlated) level.correlated = true;
  if (columns && columns.length !== r.affinities.length) throw new SqlError(`expected ${columns.length} columns for '${name}' but got ${r.affinities.length}`);
  const names = columns ?? r.names ?? r.affinities.map((_, i) => `column${i + 1}`);
  return {
    // A subquery without an alias gets a name no query can write, so that * still reaches its columns.
    name: name || `(subquery-${position + 1})`,
    root: 0,
    columns: names.map((n, i) => ({ name: n, affinity: quirks.derivedColumnsWithoutAffinity ? "NONE" : r.affinities[i]! })),
    rowidAlias: -1,
    indexes: [],
    rows: r.rows.map((row) => [...row, null]),
  };
}

function simpleSelect(db: Database, s: Select, explain: boolean, outer: Scope | undefined, level: QueryLevel): SelectResult {
  const sources: Source[] = [];
  let width = 0;
  for (const f of s.from) {
    const table = fromTable(db, f, outer, level, sources.length);
    sources.push({ table, alias: f.alias, offset: width });
    width += table.columns.length + 1;
  }
  const table = sources[0]?.table;
  const scope: Scope = { sources, aggregates: [], outer, level };
  // Result columns, with * expanded.
  const exprs: Expr[] = [];
  const names: string[] = [];
  for (const c of s.columns) {
    if (c.k === "star") {
      if (sources.length === 0) throw new SqlError("no tables specified");
      const chosen = c.table && !quirks.qualifiedStarAllTables ? sources.filter((src) => (src.alias ?? src.table.name).toLowerCase() === c.table!.toLowerCase()) : sources;
      if (chosen.length === 0) throw new SqlError(`no such table: ${c.table}`);
      for (const src of chosen)
        src.table.columns.forEach((col) => {
          exprs.push({ k: "col", table: src.alias ?? src.table.name, name: col.name });
          names.push(col.name);
        });
    } else {
      exprs.push(c.e);
      names.push(c.alias ?? (c.e.k === "col" ? c.e.name : c.text));
    }
  }
  const rowScope: Scope = { sources, outer, level };
  const usedCols = columnsUsed(s, rowScope, exprs);
  const p: Plan = table ? plan(s.where, rowScope, sources[0]!, usedCols[0]!) : { kind: "scan", detail: "", covering: false };
  const whereTerms = conjuncts(s.where);
  // Which columns of each table the query reads, then (at the table's column count) whether it reads the rowid.
  const neededOf = (i: number) => [...sources[i]!.table.columns.map((_, c) => usedCols[i]!.has(c)), usedCols[i]!.has(sources[i]!.table.columns.length)];
  const levels: Level[] = s.from.slice(1).map((f, i) => {
    const level = i + 1;
    const conds = [...conjuncts(f.on), ...(f.join === "left" ? [] : whereTerms)];
    const lookup = planJoin(conds, rowScope, level, usedCols[level]!);
    return { source: sources[level]!, needed: neededOf(level), left: f.join === "left", on: f.on ? compile(f.on, rowScope) : undefined, lookup, key: lookup ? compile(lookup.key, rowScope) : undefined };
  });
  const affinities = exprs.map((e) => exprAffinity(e, rowScope));
  if (explain) {
    if (!table) return { rows: planLines(["SCAN CONSTANT ROW"]), affinities: ["NONE"] };
    const name = (src: Source) => src.alias ?? src.table.name;
    const rows = planLines([
      describePlan(p, name(sources[0]!)),
      ...levels.map((l) => {
        const lk = l.lookup;
        const line = !lk ? `SCAN ${name(l.source)}` : describePlan({ kind: lk.kind, index: lk.index, detail: lk.detail, covering: lk.covering }, name(l.source));
        return l.left && lk ? `${line} LEFT-JOIN` : line;
      }),
    ]);
    return { rows, affinities: ["NONE"] };
  }

  const results = exprs.map((e) => compile(e, scope));
  let where: Compiled | undefined;
  let filter: RowFilter | undefined;
  if (s.where && !(quirks.lookupSkipsRestOfWhere && p.kind !== "scan")) {
    if (levels.length === 0 && table && !quirks.nullAndFalseIsNull) filter = rowFilter(whereTerms, rowScope, usedCols[0]!);
    else where = compile(s.where, rowScope);
  }
  // With joins, each WHERE term is checked as soon as the tables it reads have their rows.
  const filters: (Compiled | undefined)[] = sources.map(() => undefined);
  if (levels.length > 0 && s.where) {
    const byLevel: Expr[][] = sources.map(() => []);
    for (const term of whereTerms) {
      const used = new Set<number>();
      sourcesOf(term, rowScope, used);
      byLevel[Math.max(0, ...used)]!.push(term);
    }
    byLevel.forEach((terms, i) => {
      if (terms.length > 0) filters[i] = compile(terms.reduce((l, r) => ({ k: "bin", op: "AND", l, r })), rowScope);
    });
    where = undefined;
  }
  const having = s.having ? compile(s.having, scope) : undefined;
  const orderBy = s.orderBy.map((o) => {
    const e = o.e;
    if (e.k === "lit" && typeof e.v === "bigint") {
      const k = Number(e.v);
      if (k < 1 || k > results.length) throw new SqlError(`1st ORDER BY term out of range - should be between 1 and ${results.length}`);
      return { f: results[k - 1]!, desc: o.desc, e: exprs[k - 1]! };
    }
    if (e.k === "col" && !e.table) {
      const i = s.columns.findIndex((c) => c.k === "expr" && c.alias?.toLowerCase() === e.name.toLowerCase());
      if (i >= 0) return { f: results[i]!, desc: o.desc, e: exprs[i]! };
    }
    return { f: compile(e, scope), desc: o.desc, e };
  });
  const groupBy = s.groupBy.map((e) => compile(e, rowScope));
  const aggregates = scope.aggregates!;
  const out: Output[] = [];
  const desc = orderBy.map((o) => o.desc);
  // ORDER BY with a small LIMIT (and no DISTINCT): only the first rows are kept, as they come, instead of every row then a sort.
  let top = 0;
  try {
    const l = limits(s);
    if (orderBy.length > 0 && !s.distinct && l.offset + l.limit <= 1000) top = l.offset + l.limit;
  } catch {
    // A bad LIMIT fails below, where it always has.
  }
  // With a small LIMIT, a row's values and keys go to arrays reused from row to row, copied only for a row that is among the first.
  const scratch: Output = { values: new Array(results.length), keys: new Array(orderBy.length) };
  const bound = top > 0 && !where && aggregates.length === 0 && groupBy.length === 0 && levels.length === 0 ? orderBound(orderBy, exprs, rowScope) : undefined;
  if (bound) (filter ??= { terms: [] }).terms.push(bound.term);
  const emit = (row: Row, aggs: Value[]) => {
    if (having && truth(having(row, aggs)) !== true) return;
    const o: Output = top > 0 ? scratch : { values: new Array(results.length), keys: new Array(orderBy.length) };
    for (let i = 0; i < results.length; i++) o.values[i] = results[i]!(row, aggs);
    for (let i = 0; i < orderBy.length; i++) o.keys[i] = orderBy[i]!.f(row, aggs);
    if (top === 0) out.push(o);
    else if (out.length < top || compareRows(o.keys, out[top - 1]!.keys, desc) < 0) {
      insertTop(out, { values: o.values.slice(), keys: o.keys.slice() }, top, desc);
      if (bound && out.length === top) bound.update(out[top - 1]!.keys[0]!);
    }
  };
  // Without joins, each row is used at once (emit computes its values; a group copies the row it keeps): the scan lends its row.
  const firstRows: Iterable<Row> = table ? visit(db, table, p, neededOf(0), filter, levels.length === 0) : [[]];
  const rows = levels.length > 0 ? joinRows(db, firstRows, levels, width, filters) : firstRows;

  if (aggregates.length === 0 && groupBy.length === 0) {
    const noAggregates: Value[] = [];
    for (const row of rows) if (!where || truth(where(row, noAggregates)) === true) emit(row, noAggregates);
  } else if (table && !table.rows && levels.length === 0 && !s.where && groupBy.length === 0 && exprs.length === 1 && aggregates.length === 1 && isCountStar(aggregates[0]!) && exprs[0] === aggregates[0]) {
    // COUNT(*) of a whole table: count the leaves' cells, decode no record.
    emit([], [BigInt(countTable(db.pager, table.root))]);
  } else {
    const argFns = aggregates.map((a) => (a.k === "fn" ? a.args.map((x) => compile(x, rowScope)) : []));
    const groups = new Map<string, { key: Value[]; row: Row; accs: Accumulator[] }>();
    const textGroups: typeof groups = new Map();
    const fresh = () => aggregates.map((a) => (a.k === "fn" ? new Accumulator(a.name, a.star, a.distinct) : new Accumulator("COUNT", true, false)));
    // Per row: the group's key and each aggregate's arguments, in arrays reused from row to row (step() reads its arguments at once).
    const noAggregates: Value[] = [];
    const key: Value[] = new Array(groupBy.length);
    const args = argFns.map((fs) => new Array<Value>(fs.length));
    for (const row of rows) {
      if (where && truth(where(row, noAggregates)) !== true) continue;
      for (let i = 0; i < groupBy.length; i++) key[i] = groupBy[i]!(row, noAggregates);
      // A single text key is its own map key (no key string built per row); any other key by groupKey.
      const text = key.length === 1 && typeof key[0] === "string";
      const k = text ? (key[0] as string) : groupKey(key);
      let g = text ? textGroups.get(k) : groups.get(k);
      // The group keeps a copy of its last row (for columns outside aggregates: the row is lent by the scan).
      if (!g) (text ? textGroups : groups).set(k, (g = { key: key.slice(), row: row.slice(), accs: fresh() }));
      else for (let j = 0; j < row.length; j++) g.row[j] = row[j]!;
      for (let i = 0; i < g.accs.length; i++) {
        const fs = argFns[i]!;
        const a = args[i]!;
        for (let j = 0; j < fs.length; j++) a[j] = fs[j]!(row, noAggregates);
        g.accs[i]!.step(a);
      }
    }
    if (groups.size === 0 && textGroups.size === 0 && groupBy.length === 0) groups.set("", { key: [], row: new Array((table?.columns.length ?? 0) + 1).fill(null), accs: fresh() });
    // Distinct keys never compare equal, so the order does not depend on which map a group is in.
    const sorted = [...groups.values(), ...textGroups.values()].sort((a, b) => compareRows(a.key, b.key, []));
    for (const g of sorted) emit(g.row, g.accs.map((a) => a.result()));
  }

  let final = out;
  if (s.distinct) {
    const seen = new Set<string>();
    final = out.filter((o) => {
      const k = groupKey(o.values);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  const { offset, limit } = limits(s);
  if (orderBy.length > 0 && top === 0) {
    final = offset + limit <= 1000 ? topK(final, offset + limit, desc) : final.map((o, i) => ({ o, i })).sort((a, b) => compareRows(a.o.keys, b.o.keys, desc) || a.i - b.i).map((x) => x.o);
  }
  return { rows: final.slice(offset, limit === Infinity ? undefined : offset + limit).map((o) => o.values), affinities, names };
}

/**
 * The WHERE of a query on one table as terms its scan checks while it
 * decodes a row (rows.ts, RowFilter): each top-level AND term compiled on
 * its own, with the columns it reads; a term with a subquery, which may
 * read any column of the row, gets them all.
 */
function rowFilter(terms: Expr[], scope: Scope, used: Set<number>): RowFilter {
  const all = [...used];
  return {
    terms: terms.map((term) => {
      let columns: number[] = [];
      const walk = (e: unknown): void => {
        if (!e || typeof e !== "object") return;
        const x = e as { k?: string };
        if (x.k === "subquery" || x.k === "exists" || (x.k === "in" && (e as { select?: unknown }).select)) columns = all;
        if (columns === all) return;
        if (x.k === "col") {
          const r = resolveColumn(scope, e as Extract<Expr, { k: "col" }>);
          if (!r.depth) columns.push(r.index);
          return;
        }
        for (const v of Object.values(e)) if (Array.isArray(v)) v.forEach(walk);
        else walk(v);
      };
      const test = compile(term, scope);
      walk(term);
      return { columns: columns === all ? all : [...new Set(columns)], test, raw: rawComparison(term, scope) };
    }),
  };
}

/**
 * ORDER BY <column> … LIMIT k over one table, where every result column
 * and ORDER BY term is a plain column (nothing to evaluate that could fail
 * on a row left out): once k rows are kept, a row whose first ORDER BY
 * column holds an integer that sorts strictly after the k-th row's is not
 * among the first k whatever its other terms, and the scan drops it on the
 * record's bytes (a RowFilter term whose bound moves as rows come; ties
 * pass, and the kept rows decide them). The column needs numeric affinity,
 * so an integer in it is compared as a number.
 */
function orderBound(orderBy: { desc: boolean; e: Expr }[], exprs: Expr[], scope: Scope): { term: FilterTerm; update: (worst: Value) => void } | undefined {
  if (quirks.nullsSortLast) return undefined;
  const source = scope.sources[0]!;
  const plain = (e: Expr) => {
    if (e.k !== "col") return false;
    const r = resolveColumn(scope, e);
    return !r.depth && r.source === source;
  };
  if (![...exprs, ...orderBy.map((o) => o.e)].every(plain)) return undefined;
  const first = orderBy[0]!;
  const r = resolveColumn(scope, first.e as Extract<Expr, { k: "col" }>);
  const table = source.table;
  if (r.index >= table.columns.length || r.index === table.rowidAlias) return undefined;
  const affinity = table.columns[r.index]!.affinity;
  if (affinity !== "INTEGER" && affinity !== "REAL" && affinity !== "NUMERIC") return undefined;
  // DESC keeps x >= the k-th row's value; ASC keeps x <= it. NULL sorts first: it passes ASC always, DESC only while no bound is set.
  const raw = first.desc ? { column: r.index, op: ">=", value: -Infinity, nullPasses: true } : { column: r.index, op: "<=", value: Infinity, nullPasses: true };
  return {
    // A value the bytes do not settle (a real, text, blob, 8-byte integer) passes: the kept rows decide.
    term: { columns: [], test: () => 1n, raw },
    update(worst) {
      const w = typeof worst === "bigint" ? (worst <= 9007199254740991n && worst >= -9007199254740991n ? Number(worst) : undefined) : typeof worst === "number" ? worst : undefined;
      // The k-th row's value is NULL, text or a blob (or an integer a number does not hold): no bound.
      raw.value = w ?? (first.desc ? -Infinity : Infinity);
      raw.nullPasses = !first.desc || w === undefined;
    },
  };
}

const RAW_OPS: Record<string, string> = { "=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/**
 * `column op integer` (or `integer op column`) on a column of the table with
 * numeric affinity (INTEGER, REAL, NUMERIC): the comparison's affinity
 * leaves an integer in the column as it is, so for such a row the term is a
 * comparison of two numbers, checked on the record's bytes (FilterTerm.raw).
 */
function rawComparison(term: Expr, scope: Scope): { column: number; op: string; value: number } | undefined {
  if (term.k !== "bin" || !(term.op in RAW_OPS)) return undefined;
  const [col, lit, op] = term.l.k === "col" ? [term.l, term.r, term.op] : [term.r, term.l, RAW_OPS[term.op]!];
  if (col.k !== "col" || lit.k !== "lit" || typeof lit.v !== "bigint") return undefined;
  if (lit.v > 9007199254740991n || lit.v < -9007199254740991n) return undefined;
  const r = resolveColumn(scope, col);
  const table = r.source.table;
  if (r.depth || r.index >= table.columns.length || r.index === table.rowidAlias) return undefined;
  const affinity = table.columns[r.index]!.affinity;
  if (affinity !== "INTEGER" && affinity !== "REAL" && affinity !== "NUMERIC") return undefined;
  return { column: r.index, op, value: Number(lit.v) };
}

/** LIMIT and OFFSET as numbers (lang_select.html#the_limit_clause): no limit when negative. */
function limits(s: Select): { offset: number; limit: number } {
  let offset = 0;
  let limit = Infinity;
  if (s.limit) {
    const l = compile(s.limit, { sources: [] })([], []);
    if (typeof l !== "bigint") throw new SqlError("datatype mismatch");
    if (l >= 0n) limit = Number(l);
    else if (quirks.negativeLimitIsZero) limit = 0;
  }
  if (s.offset) {
    const o = compile(s.offset, { sources: [] })([], []);
    if (typeof o !== "bigint") throw new SqlError("datatype mismatch");
    if (o > 0n) offset = Number(o);
  }
  return { offset, limit };
}

const ORDINALS = ["1st", "2nd", "3rd"];

/**
 * A compound SELECT (lang_select.html#compound_select_statements): the
 * SELECTs combined left to right; UNION, INTERSECT and EXCEPT compare whole
 * rows (NULLs equal, 1 equal to 1.0) and give each distinct row once, in
 * sorted order as SQLite's temporary index does; UNION ALL appends. ORDER BY
 * terms name result columns (a number, an alias or a column of the first
 * SELECT); ORDER BY and LIMIT apply to the whole result.
 */
function runCompound(db: Database, s: Select, outer: Scope | undefined): SelectResult & { correlated: boolean } {
  const whole = quirks.compoundOrderOnLastSelect ? { ...s, orderBy: [], limit: undefined, offset: undefined } : s;
  const parts = [{ op: "UNION ALL", select: { ...s, compound: undefined, orderBy: [], limit: undefined, offset: undefined } as Select }, ...s.compound!];
  if (quirks.compoundOrderOnLastSelect) parts[parts.length - 1] = { ...parts[parts.length - 1]!, select: { ...parts[parts.length - 1]!.select, orderBy: s.orderBy, limit: s.limit, offset: s.offset } };
  let rows: Value[][] = [];
  let affinities: SelectResult["affinities"] = [];
  let names: string[] | undefined;
  let correlated = false;
  parts.forEach((part, i) => {
    const r = selectResult(db, part.select, false, outer);
    correlated ||= r.correlated;
    if (i === 0) {
      affinities = r.affinities;
      names = r.names;
    }
    else if (r.affinities.length !== affinities.length && !quirks.compoundUnevenColumns) throw new SqlError(`SELECTs to the left and right of ${part.op} do not have the same number of result columns`);
    const keys = (rs: Value[][]) => new Set(rs.map((x) => groupKey(x)));
    switch (part.op) {
      case "UNION ALL":
        rows = rows.concat(r.rows);
        return;
      case "UNION":
        rows = quirks.unionKeepsDuplicates ? rows.concat(r.rows) : distinctSorted(rows.concat(r.rows));
        return;
      case "INTERSECT": {
        const right = keys(r.rows);
        rows = (quirks.intersectKeepsDuplicates ? rows : distinctSorted(rows)).filter((x) => right.has(groupKey(x)));
        return;
      }
      case "EXCEPT": {
        const right = keys(r.rows);
        rows = quirks.exceptKeepsDuplicates ? rows.filter((x) => !right.has(groupKey(x))) : distinctSorted(rows).filter((x) => !right.has(groupKey(x)));
      }
    }
  });
  if (whole.orderBy.length > 0) {
    const first = s.columns;
    const positions = whole.orderBy.map((o, n) => {
      const e = o.e;
      let k = -1;
      if (e.k === "lit" && typeof e.v === "bigint") {
        k = Number(e.v) - 1;
        if (k < 0 || k >= affinities.length) throw new SqlError(`${ORDINALS[n] ?? `${n + 1}th`} ORDER BY term out of range - should be between 1 and ${affinities.length}`);
      } else if (e.k === "col") {
        const name = e.name.toLowerCase();
        k = first.findIndex((c) => c.k === "expr" && (c.alias?.toLowerCase() === name || (!c.alias && c.e.k === "col" && c.e.name.toLowerCase() === name)));
      }
      if (k < 0) throw new SqlError(`${ORDINALS[n] ?? `${n + 1}th`} ORDER BY term does not match any column in the result set`);
      return k;
    });
    const desc = whole.orderBy.map((o) => o.desc);
    rows = rows
      .map((values, i) => ({ values, i, keys: positions.map((k) => values[k]!) }))
      .sort((a, b) => compareRows(a.keys, b.keys, desc) || a.i - b.i)
      .map((x) => x.values);
  }
  const { offset, limit } = limits(whole);
  return { rows: rows.slice(offset, limit === Infinity ? undefined : offset + limit), affinities, names, correlated };
}

/** Each distinct row once (the last of equal rows, 1.0 after 1 gives 1.0, as SQLite's temporary index keeps), sorted by all its columns. */
function distinctSorted(rows: Value[][]): Value[][] {
  const seen = new Map<string, Value[]>();
  for (const r of rows) seen.set(groupKey(r), r);
  const all = [...seen.values()];
  return all.sort((a, b) => compareRows(a, b, []));
}

/** The first k rows in ORDER BY order (ties in input order), without sorting them all. */
function topK(rows: Output[], k: number, desc: boolean[]): Output[] {
  const best: Output[] = [];
  if (k === 0) return best;
  for (const r of rows) insertTop(best, r, k, desc);
  return best;
}

/** Adds a row to the first k rows so far (`best`, sorted), if it is one of them; ties keep their input order. */
function insertTop(best: Output[], r: Output, k: number, desc: boolean[]): void {
  if (best.length === k && compareRows(r.keys, best[k - 1]!.keys, desc) >= 0) return;
  // After every row that sorts before or equal to it.
  let lo = 0;
  let hi = best.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareRows(best[mid]!.keys, r.keys, desc) <= 0) lo = mid + 1;
    else hi = mid;
  }
  best.splice(lo, 0, r);
  if (best.length > k) best.pop();
}

function isCountStar(e: Expr): boolean {
  return e.k === "fn" && e.name === "COUNT" && e.star && isAggregate(e);
}

function compareRows(a: Value[], b: Value[], desc: boolean[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const c = quirks.nullsSortLast && (x === null) !== (y === null) ? (x === null ? 1 : -1) : compareValues(x, y);
    if (c !== 0) return desc[i] ? -c : c;
  }
  return 0;
}

export type { Compiled, Database };
