/** The syntax tree of the SQL the engine understands (https://www.sqlite.org/lang_select.html, lang_expr.html). */
import type { Value } from "./value.ts";

export type Expr =
  | { k: "lit"; v: Value }
  | { k: "col"; table?: string; name: string }
  | { k: "unary"; op: "-" | "+" | "~" | "NOT"; e: Expr }
  | { k: "bin"; op: string; l: Expr; r: Expr }
  | { k: "is"; not: boolean; l: Expr; r: Expr }
  | { k: "isnull"; not: boolean; e: Expr }
  | { k: "between"; not: boolean; e: Expr; lo: Expr; hi: Expr }
  /** `e IN (list)`, or `e IN (SELECT …)` when `select` is set (lang_expr.html#the_in_and_not_in_operators). */
  | { k: "in"; not: boolean; e: Expr; list: Expr[]; select?: Select }
  /** A scalar subquery: the first column of its first row, NULL when it has none (lang_expr.html#subquery_expressions). */
  | { k: "subquery"; select: Select }
  /** EXISTS (SELECT …): 1 when the subquery has a row, else 0 (lang_expr.html#the_exists_operator). */
  | { k: "exists"; select: Select }
  | { k: "like"; op: "LIKE" | "GLOB"; not: boolean; l: Expr; r: Expr; escape?: Expr }
  | { k: "fn"; name: string; args: Expr[]; star: boolean; distinct: boolean }
  | { k: "cast"; e: Expr; type: string }
  | { k: "case"; base?: Expr; whens: [Expr, Expr][]; else?: Expr }
  | { k: "collate"; e: Expr; collation: string };

export type ResultColumn = { k: "star"; table?: string } | { k: "expr"; e: Expr; alias?: string; text: string };

export interface OrderTerm {
  e: Expr;
  desc: boolean;
}

/**
 * A table of FROM: the first, or one joined to those before it (a comma is
 * an inner join without ON). `table` names a table or a view; with `select`
 * it is a subquery in FROM (`FROM (SELECT …) AS t`, table "").
 */
export interface FromItem {
  table: string;
  select?: Select;
  alias?: string;
  join: "first" | "inner" | "left";
  on?: Expr;
}

/** A compound operator (lang_select.html#compound_select_statements). */
export type CompoundOp = "UNION" | "UNION ALL" | "INTERSECT" | "EXCEPT";

export interface Select {
  /**
   * Further SELECTs joined to this one by compound operators, left to right;
   * when present, this Select's ORDER BY and LIMIT apply to the whole compound.
   */
  compound?: { op: CompoundOp; select: Select }[];
  distinct: boolean;
  columns: ResultColumn[];
  from: FromItem[];
  where?: Expr;
  groupBy: Expr[];
  having?: Expr;
  orderBy: OrderTerm[];
  limit?: Expr;
  offset?: Expr;
}

/** A conflict resolution algorithm (lang_conflict.html): of a statement (INSERT OR …) or of a constraint (ON CONFLICT …). */
export type Resolution = "ROLLBACK" | "ABORT" | "FAIL" | "IGNORE" | "REPLACE";

/**
 * An upsert clause of INSERT (lang_upsert.html): ON CONFLICT [(columns)]
 * DO NOTHING, or DO UPDATE SET … [WHERE …]; `target` absent: any
 * uniqueness constraint.
 */
export interface Upsert {
  target?: string[];
  update?: { set: { column: string; e: Expr }[]; where?: Expr };
}

export type Statement =
  | { k: "select"; explainPlan: boolean; select: Select }
  /** `sql` is what sqlite_schema stores: "CREATE TABLE " and the text from the name to the statement's end. */
  | { k: "create-table"; name: string; ifNotExists: boolean; sql: string }
  | { k: "create-index"; name: string; table: string; ifNotExists: boolean; sql: string }
  /** CREATE VIEW name [(columns)] AS select (lang_createview.html); `sql` as for a table: "CREATE VIEW " and the text from the name on. */
  | { k: "create-view"; name: string; ifNotExists: boolean; columns?: string[]; select: Select; sql: string; temp?: boolean }
  /** INSERT … VALUES (`rows`) or INSERT … SELECT (`select`); `or`: INSERT OR <resolution> (REPLACE INTO is OR REPLACE). */
  | { k: "insert"; table: string; columns?: string[]; rows: Expr[][]; select?: Select; or?: Resolution; upserts?: Upsert[] }
  | { k: "update"; table: string; set: { column: string; e: Expr }[]; where?: Expr; or?: Resolution }
  | { k: "delete"; table: string; where?: Expr }
  | { k: "drop"; type: "table" | "index" | "view"; name: string; ifExists: boolean }
  /** Transactions (lang_transaction.html): BEGIN, COMMIT (or END), ROLLBACK. */
  | { k: "begin" | "commit" | "rollback" };
