/**
 * The constraints of a CREATE TABLE (https://www.sqlite.org/lang_createtable.html):
 * NOT NULL, DEFAULT, CHECK, and the UNIQUE and PRIMARY KEY constraints
 * that SQLite backs with automatic indexes (sqlite_autoindex_<table>_<N>,
 * numbered in the order the constraints appear; an INTEGER PRIMARY KEY is
 * the rowid and needs none).
 */
import type { Expr, Resolution } from "./ast.ts";
import { Parser } from "./parser.ts";
import { quirks } from "./quirks.ts";
import type { Table } from "./schema.ts";
import { tokenize, type Token } from "./tokenizer.ts";

export interface Check {
  e: Expr;
  /** What the error names: the constraint's name, else its expression as written. */
  label: string;
}

export interface Constraints {
  notNull: boolean[];
  defaults: (Expr | undefined)[];
  checks: Check[];
  /** The column positions of each automatic index, in order (sqlite_autoindex_<t>_1, _2, …). */
  uniques: number[][];
  /** ON CONFLICT of each column's NOT NULL, of each of `uniques`, and of an INTEGER PRIMARY KEY (the rowid). */
  notNullOn: (Resolution | undefined)[];
  uniqueOn: (Resolution | undefined)[];
  rowidOn?: Resolution;
  /** INTEGER PRIMARY KEY AUTOINCREMENT: rowids from sqlite_sequence, never reused. */
  autoincrement: boolean;
}

function word(t: Token | undefined): string {
  return t && t.k === "id" && !t.quoted ? t.v.toUpperCase() : "";
}

const isOp = (t: Token | undefined, v: string) => t !== undefined && t.k === "op" && t.v === v;

/** Index of the ")" that closes the "(" at `open`. */
function closing(toks: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (isOp(toks[i], "(")) depth++;
    if (isOp(toks[i], ")") && --depth === 0) return i;
  }
  return toks.length - 1;
}

const CONSTRAINT_START = new Set(["CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS"]);

export function parseConstraints(sql: string, table: Table): Constraints {
  const toks = tokenize(sql);
  const n = table.columns.length;
  const c: Constraints = { notNull: new Array(n).fill(false), defaults: new Array(n).fill(undefined), checks: [], uniques: [], notNullOn: new Array(n).fill(undefined), uniqueOn: [], autoincrement: false };
  // ON CONFLICT <resolution> after a constraint: its resolution, and the token after it.
  const onConflict = (j: number): [Resolution | undefined, number] => (word(toks[j]) === "ON" && word(toks[j + 1]) === "CONFLICT" ? [quirks.constraintOnConflictIgnored ? undefined : (word(toks[j + 2]) as Resolution), j + 3] : [undefined, j]);
  const text = (from: number, to: number) => sql.slice(toks[from]!.pos, toks[to]!.pos).trim();
  const expr = (from: number, to: number) => new Parser(text(from, to)).expr();
  const colIndex = (name: string) => table.columns.findIndex((col) => col.name.toLowerCase() === name.toLowerCase());
  const unique = (cols: number[], on: Resolution | undefined) => {
    if (cols.length === 1 && cols[0] === table.rowidAlias) {
      c.rowidOn ??= on;
      return;
    }
    if (!c.uniques.some((u) => u.length === cols.length && u.every((x, i) => x === cols[i]))) {
      c.uniques.push(cols);
      c.uniqueOn.push(on);
    }
  };
  const names = (from: number, to: number) => {
    const cols: number[] = [];
    for (let i = from; i < to; i++) if (toks[i]!.k === "id" && (i === from || isOp(toks[i - 1], ","))) cols.push(colIndex(String(toks[i]!.v)));
    return cols;
  };
  // The definitions between the outer parentheses, split at top-level commas.
  const open = toks.findIndex((t) => isOp(t, "("));
  const end = closing(toks, open);
  let col = 0;
  let start = open + 1;
  for (let i = open + 1; i <= end; i++) {
    if (i < end && !isOp(toks[i], ",")) {
      if (isOp(toks[i], "(")) i = closing(toks, i);
      continue;
    }
    const isTable = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"].includes(word(toks[start]));
    const column = isTable ? -1 : col++;
    let j = isTable ? start : start + 1;
    if (!isTable) while (j < i && !CONSTRAINT_START.has(word(toks[j]))) j = isOp(toks[j], "(") ? closing(toks, j) + 1 : j + 1;
    let label: string | undefined;
    while (j < i) {
      const w = word(toks[j]);
      if (w === "CONSTRAINT") {
        label = String(toks[j + 1]!.v);
        j += 2;
        continue;
      }
      if (w === "NOT" && word(toks[j + 1]) === "NULL") {
        const [on, next] = onConflict(j + 2);
        if (column >= 0 && !quirks.ignoreNotNull) c.notNull[column] = true;
        if (column >= 0) c.notNullOn[column] = on;
        j = next;
      } else if (w === "DEFAULT") {
        const k = j + 1;
        const to = isOp(toks[k], "(") ? closing(toks, k) + 1 : isOp(toks[k], "-") || isOp(toks[k], "+") ? k + 2 : k + 1;
        if (column >= 0) c.defaults[column] = expr(k, to);
        j = to;
      } else if (w === "CHECK") {
        const to = closing(toks, j + 1);
        c.checks.push({ e: expr(j + 2, to), label: label ?? text(j + 2, to) });
        j = to + 1;
      } else if (w === "PRIMARY" || w === "UNIQUE") {
        j += w === "PRIMARY" ? 2 : 1;
        if (isOp(toks[j], "(")) {
          const to = closing(toks, j);
          const [on, next] = onConflict(to + 1);
          unique(names(j + 1, to), on);
          j = next;
        } else if (column >= 0) {
          if (word(toks[j]) === "ASC" || word(toks[j]) === "DESC") j++;
          const [on, next] = onConflict(j);
          unique([column], on);
          j = next;
          if (word(toks[j]) === "AUTOINCREMENT") {
            c.autoincrement = true;
            j++;
          }
        }
      } else j = isOp(toks[j], "(") ? closing(toks, j) + 1 : j + 1;
      if (w !== "CONSTRAINT") label = undefined;
    }
    start = i + 1;
  }
  return c;
}
