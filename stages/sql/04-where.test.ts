import { SqlCase } from "../../harness/clients/sqlite.ts";
import { sqlLiteral, type Cell } from "../../harness/clients/sqlite-data.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const WORDS = ["apple", "Apple", "banana", "cherry", "date", "Fig", "grape"];
const NUMERIC_TEXTS = ["12", "3.5", "007", "-4", "1e2", " 8", "10"];

/** A value for the `items` columns: small domains, so that comparisons find equal values. */
function cell(rand: Random, column: "qty" | "price" | "label" | "extra"): Cell {
  if (rand.int(0, 9) === 0) return null;
  switch (column) {
    case "qty":
      return rand.int(0, 12) === 0 ? rand.pick(WORDS) : BigInt(rand.int(-20, 20));
    case "price":
      return rand.int(-20, 20) / 2;
    case "label":
      return rand.int(0, 2) === 0 ? rand.pick(NUMERIC_TEXTS) : rand.pick(WORDS);
    default:
      return rand.pick<Cell>([BigInt(rand.int(-5, 15)), rand.int(-10, 10) / 4, rand.pick(NUMERIC_TEXTS), rand.pick(WORDS)]);
  }
}

/** items (qty INTEGER, price REAL, label TEXT, extra — no type) with 250–400 rows, no index. */
async function itemsDb(t: CaseContext, sql: SqlCase): Promise<string> {
  const rows = Array.from({ length: t.rand.int(250, 400) }, () => `(${(["qty", "price", "label", "extra"] as const).map((c) => sqlLiteral(cell(t.rand, c))).join(", ")})`);
  const script = [`PRAGMA page_size = ${t.rand.pick([1024, 4096])};`, "CREATE TABLE items (qty INTEGER, price REAL, label TEXT, extra);", "BEGIN;"];
  for (let i = 0; i < rows.length; i += 50) script.push(`INSERT INTO items (qty, price, label, extra) VALUES ${rows.slice(i, i + 50).join(", ")};`);
  script.push("COMMIT;");
  return sql.build("items.db", script.join("\n"));
}

const SELECT = "SELECT rowid, qty, price, label, extra FROM items WHERE";
const ROWS = "Print the rows for which the WHERE expression is true, in rowid order; a row whose WHERE is false or NULL is left out.";
const COMPARE =
  "Compare as SQLite does (datatype3 §4.1): NULL is smaller than any number, numbers (integers and reals compared by value: 2 = 2.0) are smaller than any text, texts compare byte by byte (memcmp: uppercase before lowercase), blobs come last. A comparison with NULL is NULL, never true.";
const AFFINITY =
  "Before comparing, SQLite applies affinity (datatype3 §4.2): when a column with INTEGER, REAL or NUMERIC affinity is compared with a value without one (a literal) or a TEXT column, text that looks like a number is converted to a number (qty = '12' is qty = 12); when a TEXT column is compared with a literal without affinity, a number is converted to text (label = 12 is label = '12'). A column with no declared type (BLOB affinity) converts nothing: extra = 12 does not match the text '12'.";
const LOGIC =
  "AND, OR and NOT use three-valued logic (lang_expr): NOT NULL is NULL, NULL AND false is false, NULL OR true is true, otherwise NULL with NULL; x = NULL is always NULL — use IS NULL / IS NOT NULL; x IS y is true when both are NULL.";

async function check(sql: SqlCase, file: string, queries: [string, string][]): Promise<void> {
  for (const [cond, hint] of queries) await sql.expectSame(file, `${SELECT} ${cond}`, { hint: `${hint} ${ROWS}` });
}

function num(rand: Random): string {
  return rand.pick([String(rand.int(-15, 15)), `${rand.int(-10, 10)}.5`, `${rand.int(-10, 10)}.0`]);
}

export default stage(import.meta, [
  {
    name: "comparisons of integer and real columns with numbers",
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await itemsDb(t, sql);
      const op = () => t.rand.pick(["=", "==", "!=", "<>", "<", "<=", ">", ">="]);
      await check(sql, file, [
        [`qty ${op()} ${num(t.rand)}`, COMPARE],
        [`price ${op()} ${num(t.rand)}`, COMPARE],
        [`${num(t.rand)} ${t.rand.pick(["<", ">="])} qty`, `A literal can be on either side. ${COMPARE}`],
        [`price ${t.rand.pick(["<", ">"])} qty`, `Two columns compare as integers and reals by value. ${COMPARE}`],
        [`rowid ${t.rand.pick(["<", ">", "="])} ${t.rand.int(20, 200)}`, "rowid is the row's key."],
        [`qty ${t.rand.pick([">", "<="])} 'banana'`, COMPARE],
      ]);
    },
  },
  {
    name: "AND, OR, NOT and NULL: three-valued logic",
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await itemsDb(t, sql);
      await check(sql, file, [
        [`qty IS NULL`, LOGIC],
        [`price IS NOT NULL AND qty ${t.rand.pick(["<", ">"])} ${t.rand.int(-5, 5)}`, LOGIC],
        [`qty = NULL`, LOGIC],
        [`NOT (qty > ${t.rand.int(-5, 5)})`, LOGIC],
        [`qty > ${t.rand.int(0, 10)} OR price < ${t.rand.int(-5, 0)}`, LOGIC],
        [`NOT (price > ${t.rand.int(-3, 3)} AND qty < ${t.rand.int(-3, 3)})`, LOGIC],
        [`qty IS ${t.rand.int(-5, 5)} OR label IS NULL`, LOGIC],
        [`(qty > 0 OR qty < 0) AND NOT price >= ${t.rand.int(-2, 2)}`, `NOT binds more loosely than comparisons: NOT price >= 1 is NOT (price >= 1). ${LOGIC}`],
      ]);
    },
  },
  {
    name: "type affinity: numbers and text in INTEGER, TEXT and untyped columns",
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await itemsDb(t, sql);
      const numText = t.rand.pick(["12", "10", "-4", "007"]);
      await check(sql, file, [
        [`qty = '${t.rand.int(-10, 10)}'`, AFFINITY],
        [`qty < '${t.rand.int(-10, 10)}'`, AFFINITY],
        [`label = ${numText.replace(/^0+/, "")}`, AFFINITY],
        [`label > ${t.rand.int(0, 9)}`, AFFINITY],
        [`extra = ${t.rand.int(0, 12)}`, AFFINITY],
        [`extra = '${numText}'`, AFFINITY],
        [`price = '${t.rand.int(-5, 5)}.5'`, AFFINITY],
        [`label = qty`, `Between an INTEGER column and a TEXT column, the TEXT column's value gets numeric affinity. ${AFFINITY}`],
      ]);
    },
  },
  {
    name: "BETWEEN, IN and LIKE",
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await itemsDb(t, sql);
      const lo = t.rand.int(-10, 5);
      await check(sql, file, [
        [`qty BETWEEN ${lo} AND ${lo + t.rand.int(2, 8)}`, "x BETWEEN a AND b is x >= a AND x <= b."],
        [`price NOT BETWEEN ${lo} AND ${lo + 5}`, "x NOT BETWEEN a AND b is NOT (x BETWEEN a AND b) — NULL when x is NULL."],
        [`qty IN (${t.rand.int(-5, 5)}, ${t.rand.int(-5, 5)}, '${t.rand.int(-5, 5)}')`, `x IN (a, b, …) is true if x = one of them. ${AFFINITY}`],
        [`label NOT IN ('apple', '12', 'date')`, "x NOT IN (…) is true when x equals none of them, NULL when x is NULL."],
        [`label LIKE '${t.rand.pick(["a", "A", "b", "C", "g"])}%'`, "LIKE: % matches any sequence, _ one character; it ignores the case of ASCII letters ('a%' matches Apple)."],
        [`label LIKE '%${t.rand.pick(["e", "an", "P"])}%' AND qty IS NOT NULL`, "LIKE: % matches any sequence, _ one character; it ignores the case of ASCII letters."],
        [`label NOT LIKE '_${t.rand.pick(["a", "p", "r"])}%'`, "NOT LIKE is NOT (x LIKE y); _ matches exactly one character."],
      ]);
    },
  },
]);
