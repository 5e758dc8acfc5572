/**
 * Compiles expressions into closures over a row (https://www.sqlite.org/lang_expr.html):
 * three-valued logic, comparisons with the affinity rules of datatype3.html §4.2,
 * arithmetic with integer overflow to real, LIKE/GLOB, CASE, CAST, functions.
 */
import type { Expr, Select } from "./ast.ts";
import { AGGREGATES, scalarFunction } from "./functions.ts";
import type { Table } from "./schema.ts";
import { quirks } from "./quirks.ts";
import { SqlError } from "./tokenizer.ts";
import { affinityOf, applyAffinity, applyNumeric, applyText, compareValues, intResult, toNumeric, truth, valueToText, type Affinity, type Value } from "./value.ts";

/** A row: the table's columns in order, then the rowid. */
export type Row = Value[];
export type Compiled = (row: Row, aggs: Value[]) => Value;

/** A table of the FROM clause; its row sits in the combined row from `offset` (its columns, then its rowid). */
export interface Source {
  table: Table;
  alias?: string;
  offset: number;
}

export interface Scope {
  sources: Source[];
  /** Aggregate calls found so far; an aggregate compiles to a read of its slot. */
  aggregates?: Expr[];
  /** The query this one is a subquery of: a column not found here is looked up there (a correlated reference). */
  outer?: Scope;
  /** The query level this scope belongs to: runs its subqueries (absent where subqueries cannot appear). */
  level?: QueryLevel;
}

/** What a SELECT gave: its rows and the affinity of each result column (a column's, or NONE). */
export interface SelectResult {
  rows: Value[][];
  affinities: Affinity[];
  /** The result columns' names: an alias, a column's name, else the expression as written (what a view or FROM subquery calls them). */
  names?: string[];
}

export interface QueryLevel {
  /** Set when a column of this level (or of one inside it) names a column of an enclosing query. */
  correlated: boolean;
  /** Runs a subquery with `outer` as its enclosing scope; `correlated` says whether it read the enclosing row. */
  run(select: Select, outer: Scope): { result: SelectResult; correlated: boolean };
}

/** The rows of the enclosing queries while a subquery runs, innermost last. */
const OUTER_ROWS: Row[] = [];

export interface Resolved {
  source: Source;
  /** Position in the source's table (columns.length: the rowid). */
  index: number;
  /** How many queries out the column was found (absent or 0: this one). */
  depth?: number;
}

function columnOf(t: Table, name: string): number {
  const i = t.columns.findIndex((c) => c.name.toLowerCase() === name);
  if (i >= 0) return i;
  if (name === "rowid" || (!quirks.rowidOnlyAsRowid && (name === "oid" || name === "_rowid_"))) return t.columns.length;
  return -1;
}

function outerHas(scope: Scope, e: Extract<Expr, { k: "col" }>): boolean {
  try {
    resolveColumn(scope, e);
    return true;
  } catch {
    return false;
  }
}

/** Which table and column a column reference names. */
export function resolveColumn(scope: Scope, e: Extract<Expr, { k: "col" }>): Resolved {
  const name = e.name.toLowerCase();
  const qualifier = e.table?.toLowerCase();
  const named = (strict: boolean) => scope.sources.filter((s) => !qualifier || (s.alias ? s.alias.toLowerCase() === qualifier : s.table.name.toLowerCase() === qualifier) || (!strict && s.table.name.toLowerCase() === qualifier));
  const columnHits = (sources: Source[]) => sources.map((source) => ({ source, index: columnOf(source.table, name) })).filter((h) => h.index >= 0);
  let hits = columnHits(named(true));
  // t.x where this query's t has an alias: the enclosing query's t when it has one (a correlated reference), else this one's.
  if (hits.length === 0 && !(qualifier && scope.outer && outerHas(scope.outer, e))) hits = columnHits(named(false));
  if (hits.length > 1 && !quirks.ambiguousColumnsAllowed) throw new SqlError(`ambiguous column name: ${e.table ? `${e.table}.` : ""}${e.name}`);
  if (hits.length === 0 && scope.outer) {
    if (outerHas(scope.outer, e)) {
      const r = resolveColumn(scope.outer, e);
      if (scope.level) scope.level.correlated = true;
      return { ...r, depth: (r.depth ?? 0) + 1 };
    }
  }
  if (hits.length === 0) throw new SqlError(`no such column: ${e.table ? `${e.table}.` : ""}${e.name}`);
  return hits[0]!;
}

/** Position of a column reference in the combined row. */
export function columnIndex(scope: Scope, e: Extract<Expr, { k: "col" }>): number {
  const r = resolveColumn(scope, e);
  return r.source.offset + r.index;
}

/** The affinity an expression carries into a comparison ("NONE" for literals and most expressions). */
export function exprAffinity(e: Expr, scope: Scope): Affinity {
  if (e.k === "col") {
    const r = resolveColumn(scope, e);
    return r.index === r.source.table.columns.length ? "INTEGER" : r.source.table.columns[r.index]!.affinity;
  }
  if (e.k === "cast") return affinityOf(e.type);
  if (e.k === "collate") return exprAffinity(e.e, scope);
  return "NONE";
}

const NUMERIC = new Set<Affinity>(["NUMERIC", "INTEGER", "REAL"]);

/** The affinity both operands of a comparison get (sqlite3CompareAffinity). */
export function comparisonAffinity(a: Affinity, b: Affinity): Affinity {
  if (quirks.compareWithoutAffinity) return "NONE";
  if (a !== "NONE" && b !== "NONE") return NUMERIC.has(a) || NUMERIC.has(b) ? "NUMERIC" : "BLOB";
  return a === "NONE" ? b : a;
}

export function prepareOperand(v: Value, aff: Affinity): Value {
  if (NUMERIC.has(aff)) return applyNumeric(v);
  if (aff === "TEXT") return applyText(v);
  return v;
}

function compareWith(op: string, c: number): boolean {
  switch (op) {
    case "=":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    default:
      return c >= 0;
  }
}

function bool(b: boolean | null): Value {
  return b === null ? null : b ? 1n : 0n;
}

function arithmetic(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  const x = toNumeric(a)!;
  const y = toNumeric(b)!;
  if (typeof x === "bigint" && typeof y === "bigint") {
    switch (op) {
      case "+":
        return intResult(x + y);
      case "-":
        return intResult(x - y);
      case "*":
        return intResult(x * y);
      case "/":
        if (y === 0n) return quirks.divisionByZeroIsZero ? 0n : null;
        if (x === -9223372036854775808n && y === -1n) return Number(x) / -1;
        return x / y;
      case "%":
        return y === 0n ? null : x % y;
    }
  }
  const fx = Number(x);
  const fy = Number(y);
  // A real result that is not a number (Inf * 0, Inf - Inf) is NULL in SQLite.
  const real = (r: number) => (Number.isNaN(r) ? null : r);
  switch (op) {
    case "+":
      return real(fx + fy);
    case "-":
      return real(fx - fy);
    case "*":
      return real(fx * fy);
    case "/":
      return fy === 0 ? null : real(fx / fy);
    default: {
      // A real remainder: both sides as integers (sqlite3VdbeIntValue: reals truncated and saturated,
      // text by its integer prefix), the result a real.
      let iy = intValue(b);
      if (iy === 0n) return null;
      if (iy === -1n) iy = 1n;
      return Number(intValue(a) % iy);
    }
  }
}

/**
 * A value as a 64-bit integer, as SQLite reads one where it needs an
 * integer (sqlite3VdbeIntValue, CAST … AS INTEGER): a real truncated
 * (saturated at the int64 limits), a text or blob by its leading integer
 * digits ('31322E35' is 31322, '2.9' is 2), 0 without any.
 */
function intValue(v: Value): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return 0n;
    if (v >= 9.223372036854775807e18) return 9223372036854775807n;
    if (v <= -9.223372036854775808e18) return -9223372036854775808n;
    return BigInt(Math.trunc(v));
  }
  if (v === null) return 0n;
  const m = /^\s*([+-]?\d+)/.exec(typeof v === "string" ? v : new TextDecoder().decode(v));
  if (!m) return 0n;
  const n = BigInt(m[1]!);
  return n > 9223372036854775807n ? 9223372036854775807n : n < -9223372036854775808n ? -9223372036854775808n : n;
}

function bitwise(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  const xn = toNumeric(a)!;
  const xi = typeof xn === "bigint" ? xn : BigInt(Math.trunc(xn));
  const yn = toNumeric(b)!;
  const y = typeof yn === "bigint" ? yn : BigInt(Math.trunc(yn));
  switch (op) {
    case "&":
      return xi & y;
    case "|":
      return xi | y;
    case "<<":
      return y >= 64n ? 0n : y < 0n ? xi >> -y : BigInt.asIntN(64, xi << y);
    default:
      return y >= 64n ? (xi < 0n ? -1n : 0n) : y < 0n ? BigInt.asIntN(64, xi << -y) : xi >> y;
  }
}

/** A literal character of a pattern; LIKE lets an ASCII letter match either case (lang_expr: LIKE folds ASCII only). */
function literalChar(c: string, like: boolean): string {
  const lower = c.toLowerCase();
  if (like && !quirks.likeFoldsUnicode && /^[a-zA-Z]$/.test(c)) return `[${lower}${c.toUpperCase()}]`;
  return c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** LIKE (case-insensitive for ASCII letters only) and GLOB patterns, as regular expressions. */
function patternRegex(pattern: string, glob: boolean, escape: string | undefined): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (!glob && escape !== undefined && c === escape) {
      i++;
      re += pattern[i] === undefined ? "" : literalChar(pattern[i]!, true);
    } else if (c === (glob ? "*" : "%")) re += "[\\s\\S]*";
    else if (c === (glob ? "?" : "_")) re += "[\\s\\S]";
    else if (glob && c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let cls = pattern.slice(i + 1, end);
        const neg = cls.startsWith("^");
        if (neg) cls = cls.slice(1);
        re += `[${neg ? "^" : ""}${cls.replace(/[\\\]]/g, "\\$&")}]`;
        i = end;
      }
    } else re += literalChar(c, !glob);
  }
  return new RegExp(`${re}$`, glob || !quirks.likeFoldsUnicode ? "su" : "isu");
}

function castTo(v: Value, type: string): Value {
  if (v === null) return null;
  const aff = affinityOf(type);
  switch (aff) {
    case "TEXT":
      return valueToText(v);
    case "BLOB":
      return v instanceof Uint8Array ? v : new TextEncoder().encode(valueToText(v));
    case "INTEGER":
      return intValue(v);
    case "REAL":
      return Number(toNumeric(v));
    default: {
      // CAST(… AS NUMERIC) leaves a real as it is (sqlite3 3.40: CAST(16.0 AS NUMERIC) is 16.0); text becomes a number.
      if (typeof v === "number") return v;
      const n = toNumeric(v)!;
      if (typeof n === "number" && Number.isInteger(n) && Math.abs(n) < 9.2e18) return BigInt(n);
      return n;
    }
  }
}

/**
 * A subquery of `scope`'s query: run when first needed with the row of the
 * enclosing query at hand, and again for each row only when it reads that
 * row (a correlated subquery); otherwise its result is kept.
 */
function subquery(select: Select, scope: Scope): (row: Row) => SelectResult {
  const level = scope.level;
  if (!level) throw new SqlError("subqueries are not supported here");
  let kept: SelectResult | undefined;
  return (row) => {
    if (kept) return kept;
    OUTER_ROWS.push(row);
    try {
      const { result, correlated } = level.run(select, scope);
      if (!correlated || quirks.subqueryRunOnce) kept = result;
      return result;
    } finally {
      OUTER_ROWS.pop();
    }
  };
}

export function isAggregate(e: Expr): boolean {
  return e.k === "fn" && AGGREGATES.has(e.name) && !((e.name === "MIN" || e.name === "MAX") && e.args.length > 1);
}

export function compile(e: Expr, scope: Scope): Compiled {
  switch (e.k) {
    case "lit": {
      const v = e.v;
      return () => v;
    }
    case "col": {
      const r = resolveColumn(scope, e);
      const i = r.source.offset + r.index;
      const d = r.depth ?? 0;
      if (d > 0) return () => OUTER_ROWS[OUTER_ROWS.length - d]?.[i] ?? null;
      return (row) => row[i] ?? null;
    }
    case "subquery": {
      const run = subquery(e.select, scope);
      return (row) => {
        const r = run(row);
        if (r.affinities.length !== 1) throw new SqlError(`sub-select returns ${r.affinities.length} columns - expected 1`);
        return r.rows[0]?.[0] ?? (r.rows.length === 0 && quirks.emptyScalarSubqueryIsZero ? 0n : null);
      };
    }
    case "exists": {
      const run = subquery(e.select, scope);
      return (row) => bool(run(row).rows.some((r) => !quirks.existsSkipsNullRows || r[0] !== null));
    }
    case "collate":
      return compile(e.e, scope);
    case "unary": {
      const f = compile(e.e, scope);
      switch (e.op) {
        case "NOT":
          return (r, a) => {
            const t = truth(f(r, a));
            return t === null ? null : t ? 0n : 1n;
          };
        case "+":
          return f;
        case "~":
          return (r, a) => {
            const v = f(r, a);
            if (v === null) return null;
            const n = toNumeric(v)!;
            return ~(typeof n === "bigint" ? n : BigInt(Math.trunc(n)));
          };
        default:
          return (r, a) => {
            const v = f(r, a);
            if (v === null) return null;
            const n = toNumeric(v)!;
            return typeof n === "bigint" ? intResult(-n) : -n;
          };
      }
    }
    case "bin": {
      const l = compile(e.l, scope);
      const r = compile(e.r, scope);
      switch (e.op) {
        case "AND":
          return (row, a) => {
            const x = truth(l(row, a));
            if (x === false) return 0n;
            if (x === null && quirks.nullAndFalseIsNull) return null;
            const y = truth(r(row, a));
            if (y === false) return 0n;
            return x === null || y === null ? null : 1n;
          };
        case "OR":
          return (row, a) => {
            const x = truth(l(row, a));
            if (x === true) return 1n;
            const y = truth(r(row, a));
            if (y === true) return 1n;
            return x === null || y === null ? null : 0n;
          };
        case "=":
        case "!=":
        case "<":
        case "<=":
        case ">":
        case ">=": {
          const aff = comparisonAffinity(exprAffinity(e.l, scope), exprAffinity(e.r, scope));
          const op = e.op;
          return (row, a) => {
            const x = l(row, a);
            const y = r(row, a);
            if (x === null || y === null) return null;
            return bool(compareWith(op, compareValues(prepareOperand(x, aff), prepareOperand(y, aff))));
          };
        }
        case "||":
          return (row, a) => {
            const x = l(row, a);
            const y = r(row, a);
            return x === null || y === null ? null : valueToText(x) + valueToText(y);
          };
        case "&":
        case "|":
        case "<<":
        case ">>": {
          const op = e.op;
          return (row, a) => bitwise(op, l(row, a), r(row, a));
        }
        default: {
          const op = e.op;
          return (row, a) => arithmetic(op, l(row, a), r(row, a));
        }
      }
    }
    case "is": {
      const l = compile(e.l, scope);
      const r = compile(e.r, scope);
      const aff = comparisonAffinity(exprAffinity(e.l, scope), exprAffinity(e.r, scope));
      return (row, a) => {
        const x = l(row, a);
        const y = r(row, a);
        const same = x === null || y === null ? x === y : compareValues(prepareOperand(x, aff), prepareOperand(y, aff)) === 0;
        return bool(same !== e.not);
      };
    }
    case "isnull": {
      const f = compile(e.e, scope);
      return (row, a) => bool((f(row, a) === null) !== e.not);
    }
    case "between": {
      const x = compile(e.e, scope);
      const lo = compile(e.lo, scope);
      const hi = compile(e.hi, scope);
      const ax = exprAffinity(e.e, scope);
      const affLo = comparisonAffinity(ax, exprAffinity(e.lo, scope));
      const affHi = comparisonAffinity(ax, exprAffinity(e.hi, scope));
      return (row, a) => {
        const v = x(row, a);
        const l = lo(row, a);
        const h = hi(row, a);
        const ge = v === null || l === null ? null : compareValues(prepareOperand(v, affLo), prepareOperand(l, affLo)) >= 0;
        const le = v === null || h === null ? null : compareValues(prepareOperand(v, affHi), prepareOperand(h, affHi)) <= 0;
        const both = ge === false || le === false ? false : ge === null || le === null ? null : true;
        return both === null ? null : bool(both !== e.not);
      };
    }
    case "in": {
      const x = compile(e.e, scope);
      const ax = exprAffinity(e.e, scope);
      if (e.select) {
        const run = subquery(e.select, scope);
        return (row, a) => {
          const v = x(row, a);
          const r = run(row);
          if (r.affinities.length !== 1) throw new SqlError(`sub-select returns ${r.affinities.length} columns - expected 1`);
          if (r.rows.length === 0) return bool(e.not);
          if (v === null) return null;
          const aff = comparisonAffinity(ax, r.affinities[0]!);
          let sawNull = false;
          for (const [w] of r.rows) {
            if (w === null || w === undefined) sawNull = !quirks.inSubqueryIgnoresNull;
            else if (compareValues(prepareOperand(v, aff), prepareOperand(w, aff)) === 0) return bool(!e.not);
          }
          return sawNull ? null : bool(e.not);
        };
      }
      const items = e.list.map((i) => ({ f: compile(i, scope), aff: ax === "NONE" ? exprAffinity(i, scope) : ax }));
      return (row, a) => {
        const v = x(row, a);
        if (v === null) return items.length === 0 ? bool(e.not) : null;
        let sawNull = false;
        for (const it of items) {
          const w = it.f(row, a);
          if (w === null) sawNull = !quirks.inListIgnoresNull;
          else if (compareValues(prepareOperand(v, it.aff), prepareOperand(w, it.aff)) === 0) return bool(!e.not);
        }
        return sawNull ? null : bool(e.not);
      };
    }
    case "like": {
      const l = compile(e.l, scope);
      const r = compile(e.r, scope);
      const esc = e.escape ? compile(e.escape, scope) : undefined;
      const cache = new Map<string, RegExp>();
      return (row, a) => {
        const s = l(row, a);
        const p = r(row, a);
        const x = esc ? esc(row, a) : undefined;
        if (s === null || p === null || x === null) return null;
        // Debian's sqlite3 is built with SQLITE_LIKE_DOESNT_MATCH_BLOBS: a blob never matches LIKE or GLOB.
        if (s instanceof Uint8Array) return bool(e.not);
        const pat = valueToText(p);
        const key = `${pat}\u0000${x === undefined ? "" : valueToText(x)}`;
        let re = cache.get(key);
        if (!re) cache.set(key, (re = patternRegex(pat, e.op === "GLOB", x === undefined ? undefined : valueToText(x))));
        return bool(re.test(valueToText(s)) !== e.not);
      };
    }
    case "cast": {
      const f = compile(e.e, scope);
      return (row, a) => castTo(f(row, a), e.type);
    }
    case "case": {
      const base = e.base ? compile(e.base, scope) : undefined;
      const whens = e.whens.map(([w, t]) => [compile(w, scope), compile(t, scope)] as const);
      const els = e.else ? compile(e.else, scope) : () => null;
      return (row, a) => {
        const b = base?.(row, a);
        for (const [w, t] of whens) {
          const v = w(row, a);
          if (base ? b !== null && v !== null && compareValues(b!, v) === 0 : truth(v) === true) return t(row, a);
        }
        return els(row, a);
      };
    }
    case "fn": {
      if (isAggregate(e)) {
        if (!scope.aggregates) throw new SqlError(`misuse of aggregate function ${e.name.toLowerCase()}()`);
        let slot = scope.aggregates.indexOf(e);
        if (slot < 0) slot = scope.aggregates.push(e) - 1;
        return (_row, aggs) => aggs[slot] ?? null;
      }
      const fn = scalarFunction(e.name);
      if (!fn) throw new SqlError(`no such function: ${e.name}`);
      const args = e.args.map((x) => compile(x, scope));
      return (row, a) => fn(args.map((f) => f(row, a)));
    }
  }
}

/** Applies the affinity of a column to a value about to be compared with it (used by the planner). */
export function probeValue(v: Value, aff: Affinity): Value {
  return applyAffinity(v, aff === "BLOB" ? "NONE" : aff);
}
