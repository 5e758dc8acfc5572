/** A recursive-descent parser for SELECT (https://www.sqlite.org/lang_select.html) and expressions (lang_expr.html). */
import type { CompoundOp, Expr, FromItem, OrderTerm, ResultColumn, Resolution, Select, Statement, Upsert } from "./ast.ts";
import { SqlError, tokenize, type Token } from "./tokenizer.ts";
import { quirks } from "./quirks.ts";
import type { Value } from "./value.ts";

const RESERVED = new Set(["FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "AS", "ON", "JOIN", "AND", "OR", "NOT", "SELECT", "ASC", "DESC", "BY", "IS", "IN", "LIKE", "GLOB", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "NULL", "COLLATE", "ESCAPE", "INNER", "LEFT", "CROSS", "NATURAL", "USING", "RIGHT", "FULL", "OUTER", "ISNULL", "NOTNULL", "EXCEPT", "INTERSECT", "SET", "EXISTS"]);

export class Parser {
  private toks: Token[];
  private i = 0;

  constructor(readonly sql: string) {
    this.toks = tokenize(sql);
  }

  private peek(n = 0): Token {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)]!;
  }

  private next(): Token {
    return this.toks[this.i++]!;
  }

  /** True (and consumes it) if the next token is this keyword. */
  private kw(word: string, n = 0): boolean {
    const t = this.peek(n);
    return t.k === "id" && !t.quoted && t.v.toUpperCase() === word;
  }

  private eatKw(...words: string[]): boolean {
    if (!words.every((w, j) => this.kw(w, j))) return false;
    this.i += words.length;
    return true;
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.k === "op" && t.v === op;
  }

  private eatOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }

  private isAliasWord(): boolean {
    const t = this.peek();
    return t.k === "id" && (t.quoted || !RESERVED.has(t.v.toUpperCase()));
  }

  error(): never {
    const t = this.peek();
    if (t.k === "eof") throw new SqlError("incomplete input");
    throw new SqlError(`near "${this.sql.slice(t.pos).match(/^(\w+|.)/)?.[0] ?? ""}": syntax error`);
  }

  private expectOp(op: string): void {
    if (!this.eatOp(op)) this.error();
  }

  private expectKw(word: string): void {
    if (!this.eatKw(word)) this.error();
  }

  /** A name: an identifier that is not a reserved word, or any quoted identifier. */
  name(): string {
    const t = this.peek();
    if (t.k === "id" && (t.quoted || !RESERVED.has(t.v.toUpperCase()))) {
      this.i++;
      return t.v;
    }
    if (t.k === "str") {
      this.i++;
      return t.v;
    }
    return this.error();
  }

  atEnd(): boolean {
    while (this.eatOp(";"));
    return this.peek().k === "eof";
  }

  statement(): Statement {
    let st: Statement;
    if (this.kw("CREATE")) st = this.create();
    else if (this.kw("INSERT") || this.kw("REPLACE")) st = this.insert();
    else if (this.kw("UPDATE")) st = this.update();
    else if (this.kw("DELETE")) st = this.delete();
    else if (this.kw("DROP")) st = this.drop();
    else if (this.eatKw("BEGIN")) {
      if (!this.eatKw("DEFERRED") && !this.eatKw("IMMEDIATE")) this.eatKw("EXCLUSIVE");
      this.eatKw("TRANSACTION");
      st = { k: "begin" };
    } else if (this.eatKw("COMMIT") || this.eatKw("END")) {
      this.eatKw("TRANSACTION");
      st = { k: "commit" };
    } else if (this.eatKw("ROLLBACK")) {
      this.eatKw("TRANSACTION");
      st = { k: "rollback" };
    } else {
      const explainPlan = this.eatKw("EXPLAIN", "QUERY", "PLAN");
      st = { k: "select", explainPlan, select: this.select() };
    }
    if (!this.isOp(";") && this.peek().k !== "eof") this.error();
    return st;
  }

  /** The source text from token `from` to the end of the statement (balanced parentheses, before ";"). */
  private restOfStatement(from: number): string {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.k === "eof" || (depth === 0 && t.k === "op" && t.v === ";")) break;
      if (t.k === "op" && t.v === "(") depth++;
      if (t.k === "op" && t.v === ")") depth--;
      this.i++;
    }
    return this.sql.slice(this.toks[from]!.pos, this.peek().pos).trimEnd();
  }

  private create(): Statement {
    this.expectKw("CREATE");
    const unique = this.eatKw("UNIQUE");
    // CREATE TEMP VIEW: a view of this connection only (the program's run), not written to the file.
    const temp = !unique && (this.eatKw("TEMP") || this.eatKw("TEMPORARY"));
    if (temp && !this.kw("VIEW")) throw new SqlError("temporary tables and indexes are not supported");
    if (!temp && this.eatKw("TABLE")) {
      if (unique) this.error();
      const ifNotExists = this.eatKw("IF", "NOT", "EXISTS");
      const at = this.i;
      const name = this.name();
      if (!this.isOp("(")) throw new SqlError("CREATE TABLE … AS SELECT is not supported");
      const rest = this.restOfStatement(at);
      const sql = quirks.schemaSqlAsTyped ? this.sql.slice(this.toks[at - 1 - (ifNotExists ? 3 : 0) - (unique ? 1 : 0) - 1]!.pos, this.peek().pos).trimEnd() : `CREATE TABLE ${rest}`;
      if (/\)\s*WITHOUT\s+ROWID\s*$/i.test(sql)) throw new SqlError("WITHOUT ROWID tables are not supported");
      return { k: "create-table", name, ifNotExists, sql };
    }
    if (!unique && this.eatKw("VIEW")) {
      const ifNotExists = this.eatKw("IF", "NOT", "EXISTS");
      const at = this.i;
      const name = this.name();
      const columns = this.nameList();
      this.expectKw("AS");
      const select = this.select();
      const sql = quirks.viewSqlAsTyped ? this.sql.slice(0, this.peek().pos).trim() : `CREATE VIEW ${this.sql.slice(this.toks[at]!.pos, this.peek().pos).trimEnd()}`;
      return { k: "create-view", name, ifNotExists, columns, select, sql, temp };
    }
    if (this.eatKw("INDEX")) {
      const ifNotExists = this.eatKw("IF", "NOT", "EXISTS");
      const at = this.i;
      const name = this.name();
      this.expectKw("ON");
      const table = this.name();
      this.i = at;
      const sql = `CREATE${unique ? " UNIQUE" : ""} INDEX ${this.restOfStatement(at)}`;
      return { k: "create-index", name, table, ifNotExists, sql };
    }
    return this.error();
  }

  /** A parenthesised list of names (a view's or an INSERT's columns), if one comes next. */
  private nameList(): string[] | undefined {
    if (!this.eatOp("(")) return undefined;
    const names: string[] = [];
    do names.push(this.name());
    while (this.eatOp(","));
    this.expectOp(")");
    return names;
  }

  /** OR ROLLBACK|ABORT|FAIL|IGNORE|REPLACE after INSERT or UPDATE (lang_conflict.html). */
  private resolution(): Resolution | undefined {
    if (!this.eatKw("OR")) return undefined;
    const w = this.peek().k === "id" ? String(this.peek().v).toUpperCase() : "";
    if (!["ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"].includes(w)) this.error();
    this.i++;
    return w as Resolution;
  }

  private update(): Statement {
    this.expectKw("UPDATE");
    const or = this.resolution();
    const table = this.name();
    const set = this.setList();
    const where = this.eatKw("WHERE") ? this.expr() : undefined;
    return { k: "update", table, set, where, or };
  }

  /** SET column = expr, … (UPDATE, and an upsert's DO UPDATE). */
  private setList(): { column: string; e: Expr }[] {
    this.expectKw("SET");
    const set: { column: string; e: Expr }[] = [];
    do {
      const column = this.name();
      this.expectOp("=");
      set.push({ column, e: this.expr() });
    } while (this.eatOp(","));
    return set;
  }

  private delete(): Statement {
    this.expectKw("DELETE");
    this.expectKw("FROM");
    const table = this.name();
    const where = this.eatKw("WHERE") ? this.expr() : undefined;
    return { k: "delete", table, where };
  }

  private drop(): Statement {
    this.expectKw("DROP");
    const type = this.eatKw("TABLE") ? "table" : this.eatKw("INDEX") ? "index" : this.eatKw("VIEW") ? "view" : this.error();
    const ifExists = this.eatKw("IF", "EXISTS");
    return { k: "drop", type, name: this.name(), ifExists };
  }

  private insert(): Statement {
    const or = this.eatKw("REPLACE") ? "REPLACE" : (this.expectKw("INSERT"), this.resolution());
    this.expectKw("INTO");
    const table = this.name();
    const columns = this.nameList();
    if (this.kw("SELECT")) return { k: "insert", table, columns, rows: [], select: this.select(), or, upserts: this.upserts() };
    this.expectKw("VALUES");
    const rows: Expr[][] = [];
    do {
      this.expectOp("(");
      const row: Expr[] = [];
      do row.push(this.expr());
      while (this.eatOp(","));
      this.expectOp(")");
      rows.push(row);
    } while (this.eatOp(","));
    return { k: "insert", table, columns, rows, or, upserts: this.upserts() };
  }

  /** The upsert clauses after INSERT's rows (lang_upsert.html): ON CONFLICT [(column, …)] DO NOTHING | DO UPDATE SET … [WHERE …], one or more. */
  private upserts(): Upsert[] | undefined {
    const out: Upsert[] = [];
    while (this.eatKw("ON", "CONFLICT")) {
      const target = this.nameList();
      if (target && this.kw("WHERE")) throw new SqlError("ON CONFLICT targets with WHERE (partial indexes) are not supported");
      this.expectKw("DO");
      if (this.eatKw("NOTHING")) {
        out.push({ target });
        continue;
      }
      this.expectKw("UPDATE");
      const set = this.setList();
      const where = this.eatKw("WHERE") ? this.expr() : undefined;
      out.push({ target, update: { set, where } });
    }
    // Every clause but the last names its target (lang_upsert.html: "the last ON CONFLICT clause may omit the conflict target").
    if (out.slice(0, -1).some((u) => !u.target)) throw new SqlError("a conflict target is required on all but the last ON CONFLICT clause");
    return out.length > 0 ? out : undefined;
  }

  /** A SELECT: cores joined by UNION [ALL], INTERSECT or EXCEPT, then ORDER BY and LIMIT for the whole. */
  select(): Select {
    const s = this.selectCore();
    for (;;) {
      let op: CompoundOp;
      if (this.eatKw("UNION", "ALL")) op = "UNION ALL";
      else if (this.eatKw("UNION")) op = "UNION";
      else if (this.eatKw("INTERSECT")) op = "INTERSECT";
      else if (this.eatKw("EXCEPT")) op = "EXCEPT";
      else break;
      (s.compound ??= []).push({ op, select: this.selectCore() });
    }
    if (this.eatKw("ORDER", "BY")) {
      do s.orderBy.push(this.orderTerm());
      while (this.eatOp(","));
    }
    if (this.eatKw("LIMIT")) {
      s.limit = this.expr();
      if (this.eatKw("OFFSET")) s.offset = this.expr();
      else if (this.eatOp(",")) {
        s.offset = s.limit;
        s.limit = this.expr();
      }
    }
    return s;
  }

  /** One SELECT of a compound: result columns, FROM, WHERE, GROUP BY and HAVING. */
  private selectCore(): Select {
    this.expectKw("SELECT");
    const distinct = this.eatKw("DISTINCT");
    if (!distinct) this.eatKw("ALL");
    const columns: ResultColumn[] = [];
    do columns.push(this.resultColumn());
    while (this.eatOp(","));
    const s: Select = { distinct, columns, from: [], groupBy: [], orderBy: [] };
    if (this.eatKw("FROM")) s.from = this.joinList();
    if (this.eatKw("WHERE")) s.where = this.expr();
    if (this.eatKw("GROUP", "BY")) {
      do s.groupBy.push(this.expr());
      while (this.eatOp(","));
      if (this.eatKw("HAVING")) s.having = this.expr();
    }
    return s;
  }

  /** The tables of FROM, left to right, each joined to those before it. */
  private joinList(): FromItem[] {
    const out = this.fromTerm("first");
    for (;;) {
      let join: "inner" | "left";
      if (this.eatOp(",")) join = "inner";
      else if (this.eatKw("JOIN") || this.eatKw("INNER", "JOIN") || this.eatKw("CROSS", "JOIN")) join = "inner";
      else if (this.eatKw("LEFT", "JOIN") || this.eatKw("LEFT", "OUTER", "JOIN")) join = "left";
      else if (this.kw("NATURAL") || this.kw("RIGHT") || this.kw("FULL")) throw new SqlError(`${text(this.peek()).toUpperCase()} joins are not supported`);
      else break;
      const group = this.fromTerm(join);
      const on = this.eatKw("ON") ? this.expr() : undefined;
      if (!on && this.kw("USING")) throw new SqlError("JOIN … USING is not supported");
      // A parenthesised group of inner joins joined by an inner join is the same as its tables joined one by one, its ON checked with the last.
      if (group.length > 1 && (join === "left" || group.some((g) => g.join === "left"))) throw new SqlError("a parenthesised join with LEFT JOIN is not supported");
      const last = group[group.length - 1]!;
      if (on) last.on = last.on ? { k: "bin", op: "AND", l: last.on, r: on } : on;
      out.push(...group);
    }
    return out;
  }

  /** A table or view, a subquery `(SELECT …) [AS] alias`, or a parenthesised list of joined tables (lang_select.html: table-or-subquery). */
  private fromTerm(join: FromItem["join"]): FromItem[] {
    if (this.isOp("(") && this.kw("SELECT", 1)) {
      this.i++;
      const select = this.select();
      this.expectOp(")");
      let alias: string | undefined;
      if (this.eatKw("AS")) alias = this.name();
      else if (this.isAliasWord()) alias = this.name();
      return [{ table: "", select, alias, join }];
    }
    if (this.isOp("(")) {
      this.i++;
      const inner = this.joinList();
      this.expectOp(")");
      inner[0]!.join = join;
      return inner;
    }
    return [{ ...this.tableRef(), join }];
  }

  private tableRef(): { table: string; alias?: string } {
    const table = this.name();
    let alias: string | undefined;
    if (this.eatKw("AS")) alias = this.name();
    else if (this.isAliasWord()) alias = this.name();
    return { table, alias };
  }

  private orderTerm(): OrderTerm {
    const e = this.expr();
    let desc = false;
    if (this.eatKw("DESC")) desc = true;
    else this.eatKw("ASC");
    return { e, desc };
  }

  private resultColumn(): ResultColumn {
    if (this.eatOp("*")) return { k: "star" };
    const t = this.peek();
    if (t.k === "id" && this.peek(1).k === "op" && this.peek(1).v === "." && this.peek(2).k === "op" && this.peek(2).v === "*") {
      this.i += 3;
      return { k: "star", table: t.v };
    }
    const start = this.peek().pos;
    const e = this.expr();
    const text = this.sql.slice(start, this.peek().pos).trim();
    let alias: string | undefined;
    if (this.eatKw("AS")) alias = this.name();
    else if ((this.isAliasWord()) || this.peek().k === "str") alias = this.name();
    return { k: "expr", e, alias, text };
  }

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    if (quirks.andOrSamePrecedence) {
      let e = this.not();
      for (;;) {
        if (this.eatKw("OR")) e = { k: "bin", op: "OR", l: e, r: this.not() };
        else if (this.eatKw("AND")) e = { k: "bin", op: "AND", l: e, r: this.not() };
        else return e;
      }
    }
    let l = this.and();
    while (this.eatKw("OR")) l = { k: "bin", op: "OR", l, r: this.and() };
    return l;
  }

  private and(): Expr {
    let l = this.not();
    while (this.eatKw("AND")) l = { k: "bin", op: "AND", l, r: this.not() };
    return l;
  }

  private not(): Expr {
    if (this.eatKw("NOT")) return { k: "unary", op: "NOT", e: this.not() };
    return this.equality();
  }

  private equality(): Expr {
    let l = this.comparison();
    for (;;) {
      const t = this.peek();
      if (t.k === "op" && ["=", "==", "!=", "<>"].includes(t.v)) {
        this.i++;
        const op = t.v === "==" ? "=" : t.v === "<>" ? "!=" : t.v;
        l = { k: "bin", op, l, r: this.comparison() };
      } else if (this.kw("IS")) {
        this.i++;
        const not = this.eatKw("NOT");
        l = { k: "is", not, l, r: this.comparison() };
      } else if (this.eatKw("ISNULL")) l = { k: "isnull", not: false, e: l };
      else if (this.eatKw("NOTNULL") || this.eatKw("NOT", "NULL")) l = { k: "isnull", not: true, e: l };
      else {
        const not = this.kw("NOT") && (this.kw("IN", 1) || this.kw("LIKE", 1) || this.kw("GLOB", 1) || this.kw("BETWEEN", 1));
        if (not) this.i++;
        if (this.eatKw("IN")) {
          if (!this.isOp("(")) {
            // x IN table: the same as x IN (SELECT * FROM table) (lang_expr.html#the_in_and_not_in_operators).
            const select: Select = { distinct: false, columns: [{ k: "star" }], from: [{ table: this.name(), join: "first" }], groupBy: [], orderBy: [] };
            l = { k: "in", not, e: l, list: [], select };
            continue;
          }
          this.expectOp("(");
          if (this.kw("SELECT")) {
            const select = this.select();
            this.expectOp(")");
            l = { k: "in", not, e: l, list: [], select };
            continue;
          }
          const list: Expr[] = [];
          if (!this.isOp(")")) {
            do list.push(this.expr());
            while (this.eatOp(","));
          }
          this.expectOp(")");
          l = { k: "in", not, e: l, list };
        } else if (this.kw("LIKE") || this.kw("GLOB")) {
          const op = text(this.next()).toUpperCase() as "LIKE" | "GLOB";
          const r = this.comparison();
          const escape = this.eatKw("ESCAPE") ? this.comparison() : undefined;
          l = { k: "like", op, not, l, r, escape };
        } else if (this.eatKw("BETWEEN")) {
          const lo = this.comparison();
          this.expectKw("AND");
          const hi = this.comparison();
          l = { k: "between", not, e: l, lo, hi };
        } else return l;
      }
    }
  }

  private comparison(): Expr {
    let l = this.bitwise();
    for (;;) {
      const t = this.peek();
      if (t.k === "op" && ["<", "<=", ">", ">="].includes(t.v)) {
        this.i++;
        l = { k: "bin", op: t.v, l, r: this.bitwise() };
      } else return l;
    }
  }

  private bitwise(): Expr {
    let l = this.additive();
    for (;;) {
      const t = this.peek();
      if (t.k === "op" && ["&", "|", "<<", ">>"].includes(t.v)) {
        this.i++;
        l = { k: "bin", op: t.v, l, r: this.additive() };
      } else return l;
    }
  }

  private additive(): Expr {
    let l = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t.k === "op" && (t.v === "+" || t.v === "-")) {
        this.i++;
        l = { k: "bin", op: t.v, l, r: this.multiplicative() };
      } else return l;
    }
  }

  private multiplicative(): Expr {
    let l = this.concat();
    for (;;) {
      const t = this.peek();
      if (t.k === "op" && (t.v === "*" || t.v === "/" || t.v === "%")) {
        this.i++;
        l = { k: "bin", op: t.v, l, r: this.concat() };
      } else return l;
    }
  }

  private concat(): Expr {
    let l = this.unary();
    while (this.eatOp("||")) l = { k: "bin", op: "||", l, r: this.unary() };
    return l;
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.k === "op" && (t.v === "-" || t.v === "+" || t.v === "~")) {
      this.i++;
      return { k: "unary", op: t.v, e: this.unary() };
    }
    let e = this.primary();
    while (this.eatKw("COLLATE")) e = { k: "collate", e, collation: this.name().toUpperCase() };
    return e;
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.k) {
      case "num":
        return { k: "lit", v: numberLiteral(t.v) };
      case "str":
        return { k: "lit", v: t.v };
      case "blob":
        return { k: "lit", v: t.v };
      case "op":
        if (t.v === "(") {
          if (this.kw("SELECT")) {
            const select = this.select();
            this.expectOp(")");
            return { k: "subquery", select };
          }
          const e = this.expr();
          this.expectOp(")");
          return e;
        }
        this.i--;
        return this.error();
      case "eof":
        this.i--;
        return this.error();
      case "id":
        break;
    }
    const word = t.v.toUpperCase();
    if (!t.quoted) {
      if (word === "NULL") return { k: "lit", v: null };
      if (word === "CASE") return this.caseExpr();
      if (word === "EXISTS" && this.eatOp("(")) {
        const select = this.select();
        this.expectOp(")");
        return { k: "exists", select };
      }
      if (word === "CAST") {
        this.expectOp("(");
        const e = this.expr();
        this.expectKw("AS");
        const words: string[] = [];
        while (this.peek().k === "id") words.push(text(this.next()));
        if (this.eatOp("(")) {
          while (!this.eatOp(")")) this.next();
        }
        this.expectOp(")");
        return { k: "cast", e, type: words.join(" ") };
      }
      if (this.isOp("(")) {
        this.i++;
        const fn: Expr = { k: "fn", name: word, args: [], star: false, distinct: false };
        if (this.eatOp("*")) fn.star = true;
        else if (!this.isOp(")")) {
          fn.distinct = this.eatKw("DISTINCT");
          if (!fn.distinct) this.eatKw("ALL");
          do fn.args.push(this.expr());
          while (this.eatOp(","));
        }
        this.expectOp(")");
        return fn;
      }
      if (RESERVED.has(word) && word !== "REPLACE") {
        this.i--;
        return this.error();
      }
    }
    if (this.isOp(".") && this.peek(1).k === "id") {
      this.i++;
      return { k: "col", table: t.v, name: text(this.next()) };
    }
    return { k: "col", name: t.v };
  }

  private caseExpr(): Expr {
    const base = this.kw("WHEN") ? undefined : this.expr();
    const whens: [Expr, Expr][] = [];
    while (this.eatKw("WHEN")) {
      const w = this.expr();
      this.expectKw("THEN");
      whens.push([w, this.expr()]);
    }
    const els = this.eatKw("ELSE") ? this.expr() : undefined;
    this.expectKw("END");
    return { k: "case", base, whens, else: els };
  }

  /** Tokens of a column definition or other clause, raw (for CREATE statements). */
  rest(): Token[] {
    return this.toks.slice(this.i);
  }
}

/** A token's text (blobs have none). */
export function text(t: Token): string {
  return typeof t.v === "string" ? t.v : "";
}

function numberLiteral(s: string): Value {
  if (/^0[xX]/.test(s)) return BigInt.asIntN(64, BigInt(s));
  if (/^\d+$/.test(s)) {
    const v = BigInt(s);
    return v > 9223372036854775807n ? Number(s) : v;
  }
  return Number(s);
}

export function parseStatements(sql: string): Statement[] {
  const p = new Parser(sql);
  const out: Statement[] = [];
  while (!p.atEnd()) out.push(p.statement());
  return out;
}
