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
  | { k: "in"; not: boolean; e: Expr; list: Expr[] }
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

/** A table of FROM: the first, or one joined to those before it (a comma is an inner join without ON). */
export interface FromItem {
  table: string;
  alias?: string;
  join: "first" | "inner" | "left";
  on?: Expr;
}

export interface Select {
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

export type Statement =
  | { k: "select"; explainPlan: boolean; select: Select }
  /** `sql` is what sqlite_schema stores: "CREATE TABLE " and the text from the name to the statement's end. */
  | { k: "create-table"; name: string; ifNotExists: boolean; sql: string }
  | { k: "create-index"; name: string; table: string; ifNotExists: boolean; sql: string }
  | { k: "insert"; table: string; columns?: string[]; rows: Expr[][] }
  | { k: "update"; table: string; set: { column: string; e: Expr }[]; where?: Expr }
  | { k: "delete"; table: string; where?: Expr }
  | { k: "drop"; type: "table" | "index"; name: string; ifExists: boolean }
  /** Transactions (lang_transaction.html): BEGIN, COMMIT (or END), ROLLBACK. */
  | { k: "begin" | "commit" | "rollback" };
