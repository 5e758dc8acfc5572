import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { sqlLiteral, type Cell } from "../../challenges/sql/clients/sqlite-data.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

/** A case's time limit in seconds: ten to thirty queries, each run by your program and by sqlite3, on a machine that may be loaded. */
const MANY_QUERIES = 30;

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

/**
 * Rows on every seed, whatever the draw: a NULL in each column, the texts the
 * cases single out (a quote, non-ASCII letters for LIKE, '12' beside 12 in the
 * untyped column), a blob, and the numbers the IN and NULL cases name.
 */
const FIXED_ROWS: Cell[][] = [
  [null, 1.5, "apple", 12n],
  [3n, null, "Banana", "12"],
  [1n, 2.5, null, new Uint8Array([0x41, 0x42])],
  [2n, -0.5, "it's", null],
  [5n, 0, "éclair", "Éclair"],
  [-3n, 3.5, "Éclair", "apple"],
  [12n, 5.5, "12", 12.5],
  [7n, 1, "007", "zebra"],
  [8n, 2, " 8", " 8 "],
];

/** items (qty INTEGER, price REAL, label TEXT, extra — no type) with 250–400 rows (FIXED_ROWS among them), no index. */
async function itemsDb(t: CaseContext, sql: SqlCase): Promise<string> {
  const drawn = Array.from({ length: t.rand.int(250, 400) }, () => (["qty", "price", "label", "extra"] as const).map((c) => cell(t.rand, c)));
  const rows = t.rand.shuffle([...drawn, ...FIXED_ROWS]).map((r) => `(${r.map(sqlLiteral).join(", ")})`);
  const script = [`PRAGMA page_size = ${t.rand.pick([1024, 4096])};`, "CREATE TABLE items (qty INTEGER, price REAL, label TEXT, extra);", "BEGIN;"];
  for (let i = 0; i < rows.length; i += 50) script.push(`INSERT INTO items (qty, price, label, extra) VALUES ${rows.slice(i, i + 50).join(", ")};`);
  script.push("COMMIT;");
  return sql.build("items.db", script.join("\n"));
}

/** Declared types and the affinity datatype3 §3.1 gives them. */
const DECLARED: [string, string, string][] = [
  ["a", "VARCHAR(12)", "TEXT"],
  ["b", "FLOAT", "REAL"],
  ["c", "DOUBLE PRECISION", "REAL"],
  ["d", "DECIMAL(8,2)", "NUMERIC"],
  ["e", "CLOB", "TEXT"],
  ["f", "BIGINT", "INTEGER"],
  ["g", "BLOB", "BLOB"],
  ["h", "", "BLOB"],
  ["i", "CHARINT", "INTEGER"],
  // Contains both INT and FLOA: the rules are tried in order, INT's first (datatype3 §3.1's own example).
  ["k", "FLOATING POINT", "INTEGER"],
  ["j", "STRING", "NUMERIC"],
];

const SELECT = "SELECT rowid, qty, price, label, extra FROM items WHERE";
const ROWS = "Print the rows for which the WHERE expression is true, in rowid order; a row whose WHERE is false or NULL is left out.";
const COMPARE =
  "Compare as SQLite does (datatype3 §4.1): NULL is smaller than any number, numbers (integers and reals compared by value: 2 = 2.0) are smaller than any text, texts compare byte by byte (memcmp: uppercase before lowercase), blobs come last. A comparison with NULL is NULL, never true.";
const AFFINITY =
  "Before comparing, SQLite applies affinity (datatype3 §4.2): when a column with INTEGER, REAL or NUMERIC affinity is compared with a value without one (a literal) or a TEXT column, text that looks like a number is converted to a number (qty = '12' is qty = 12); when a TEXT column is compared with a literal without affinity, a number is converted to text (label = 12 is label = '12'). A column with no declared type (BLOB affinity) converts nothing: extra = 12 does not match the text '12'.";
const LOGIC =
  "AND, OR and NOT use three-valued logic (lang_expr): NOT NULL is NULL, NULL AND false is false, NULL OR true is true, otherwise NULL with NULL; x = NULL is always NULL — use IS NULL / IS NOT NULL; x IS y is true when both are NULL.";

const IN_NULL =
  "A NULL in the list makes x IN (…) NULL, not false, when x matches none of the other values (lang_expr: the IN operator): x NOT IN (1, NULL) is never true, so it keeps no row.";
const LIKE_UNICODE =
  "LIKE folds the case of ASCII letters only (lang_expr: 'É' LIKE 'é' is false); other characters must match exactly, and _ is one character (é is two bytes in UTF-8 but one character).";

async function check(sql: SqlCase, file: string, queries: [string, string][]): Promise<void> {
  for (const [cond, hint] of queries) await sql.expectSame(file, `${SELECT} ${cond}`, { hint: `${hint} ${ROWS}` });
}

function num(rand: Random): string {
  return rand.pick([String(rand.int(-15, 15)), `${rand.int(-10, 10)}.5`, `${rand.int(-10, 10)}.0`]);
}

export default stage(import.meta, [
  {
    name: "comparisons of integer and real columns with numbers",
    timeout: MANY_QUERIES,
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await itemsDb(t, sql);
      // Every operator on every seed, each on an integer and on a real column.
      const ops = ["=", "==", "!=", "<>", "<", "<=", ">", ">="];
      await check(sql, file, [
        ...ops.map((op): [string, string] => [`qty ${op} ${num(t.rand)}`, `${op} ${COMPARE}`]),
        ...ops.map((op): [string, string] => [`price ${op} ${num(t.rand)}`, `${op} ${COMPARE}`]),
        [`qty = ${t.rand.int(-9, 9)}.0 OR price = 2.5e0 OR price > 1e1`, `Integers and reals compare by value (2 = 2.0); 1e1 is the real 10.0. ${COMPARE}`],
        [`${num(t.rand)} < qty`, `A literal can be on either side. ${COMPARE}`],
        [`${num(t.rand)} >= qty`, `A literal can be on either side. ${COMPARE}`],
        [`price ${t.rand.pick(["<", ">"])} qty`, `Two columns compare as integers and reals by value. ${COMPARE}`],
        [`rowid ${t.rand.pick(["<", ">", "="])} ${t.rand.int(20, 200)}`, "rowid is the row's key."],
        [`qty > 'banana'`, COMPARE],
        [`qty <= 'banana'`, COMPARE],
        [`extra > 'zzz'`, `Blobs sort after every text. ${COMPARE}`],
        [`extra < X'00'`, `Blobs sort after every text. ${COMPARE}`],
        [`label = 'it''s' OR label < 'B'`, `In a string literal, '' is one quote. ${COMPARE}`],
      ]);
    },
  },
  {
    name: "AND, OR, NOT and NULL: three-valued logic",
    timeout: MANY_QUERIES,
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
        [`qty IS NOT ${t.rand.int(-5, 5)} AND price ISNULL`, `IS NOT is true when exactly one side is NULL or they differ; ISNULL is IS NULL. ${LOGIC}`],
        [`label NOTNULL AND qty IS NOT NULL AND qty < 0`, `NOTNULL is IS NOT NULL. ${LOGIC}`],
        [`qty IS NULL AND price ${t.rand.pick(["<", ">"])} ${t.rand.int(-5, 5)}`, `NULL AND false is false, NULL AND true is NULL. ${LOGIC}`],
        [`(qty > ${t.rand.int(0, 5)}) AND (label > NULL)`, `Any comparison with NULL is NULL: true AND NULL is NULL, so the row is left out. ${LOGIC}`],
        [`NOT (qty < 100 AND price = NULL)`, `true AND NULL is NULL, and NOT NULL is NULL: no row. ${LOGIC}`],
        [`NOT (qty > 100 AND price = NULL)`, `false AND NULL is false, and NOT false is true: every row. ${LOGIC}`],
        [`NOT (price = NULL AND qty > 100)`, `NULL AND false is false, and NOT false is true: every row. ${LOGIC}`],
        [`price = NULL OR qty < ${t.rand.int(-5, 5)}`, `NULL OR true is true, NULL OR false is NULL. ${LOGIC}`],
        [`qty < 0 OR qty > 3 AND price < 1`, `AND binds tighter than OR: a OR b AND c is a OR (b AND c). ${LOGIC}`],
        [`qty > 0 = price > 0`, "The comparison operators < <= > >= bind tighter than = (lang_expr: precedence): qty > 0 = price > 0 is (qty > 0) = (price > 0)."],
        [`qty + 1 > 5 AND qty * 2 <= 14`, "Arithmetic binds tighter than comparisons: qty + 1 > 5 is (qty + 1) > 5."],
        [`(qty > 0 OR qty < 0) AND NOT price >= ${t.rand.int(-2, 2)}`, `NOT binds more loosely than comparisons: NOT price >= 1 is NOT (price >= 1). ${LOGIC}`],
      ]);
    },
  },
  {
    name: "type affinity: numbers and text in INTEGER, TEXT and untyped columns",
    timeout: MANY_QUERIES,
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
        [`qty = ' 8 '`, `Text with spaces around a number still looks like a number: ' 8 ' becomes 8 next to an INTEGER column. ${AFFINITY}`],
      ]);
      // The affinity comes from the words of the declared type (datatype3 §3.1), not from its exact name.
      const kinds = await sql.build(
        "kinds.db",
        [
          `CREATE TABLE kinds (${DECLARED.map(([c, type]) => `${c} ${type}`).join(", ")});`,
          ...["'12'", "12", "'012'", "'twelve'", "12.0", "NULL"].map((v) => `INSERT INTO kinds VALUES (${DECLARED.map(() => v).join(", ")});`),
        ].join("\n"),
      );
      for (const [c, type, aff] of DECLARED) {
        const literal = t.rand.pick(["12", "'12'"]);
        await sql.expectSame(kinds, `SELECT rowid, ${c} FROM kinds WHERE ${c} = ${literal === "12" ? "'12'" : "12"} OR ${c} = ${literal}`, {
          hint: `${c} is declared ${type || "without a type"}, which gives it ${aff} affinity: the first of these rules that applies, in this order: a type containing INT is INTEGER; CHAR, CLOB or TEXT is TEXT; BLOB or no type is BLOB; REAL, FLOA or DOUB is REAL; anything else NUMERIC. ${AFFINITY}`,
        });
      }
    },
  },
  {
    name: "BETWEEN, IN and LIKE",
    timeout: MANY_QUERIES,
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await itemsDb(t, sql);
      const lo = t.rand.int(-10, 5);
      await check(sql, file, [
        [`qty BETWEEN ${lo} AND ${lo + t.rand.int(2, 8)}`, "x BETWEEN a AND b is x >= a AND x <= b."],
        [`price NOT BETWEEN ${lo} AND ${lo + 5}`, "x NOT BETWEEN a AND b is NOT (x BETWEEN a AND b) — NULL when x is NULL."],
        [`qty IN (${t.rand.int(-5, 5)}, ${t.rand.int(-5, 5)}, '${t.rand.int(-5, 5)}')`, `x IN (a, b, …) is true if x = one of them. ${AFFINITY}`],
        [`label NOT IN ('apple', '12', 'date')`, "x NOT IN (…) is true when x equals none of them, NULL when x is NULL."],
        [`qty NOT IN (1, NULL)`, IN_NULL],
        [`qty IN (${t.rand.int(2, 5)}, NULL) OR price IS NULL`, IN_NULL],
        [`NOT (qty IN (1, NULL))`, IN_NULL],
        [`qty NOT IN (${t.rand.int(2, 5)}, 3)`, "x NOT IN (…) is NULL when x is NULL: the rows with a NULL qty are left out."],
        [`label LIKE '${t.rand.pick(["a", "A", "b", "C", "g"])}%'`, "LIKE: % matches any sequence, _ one character; it ignores the case of ASCII letters ('a%' matches Apple)."],
        [`label LIKE '%${t.rand.pick(["e", "an", "P"])}%' AND qty IS NOT NULL`, "LIKE: % matches any sequence, _ one character; it ignores the case of ASCII letters."],
        [`label NOT LIKE '_${t.rand.pick(["a", "p", "r"])}%'`, "NOT LIKE is NOT (x LIKE y); _ matches exactly one character."],
        [`label LIKE 'APPLE' OR label LIKE 'banana'`, "LIKE ignores the case of ASCII letters without a wildcard too ('APPLE' matches apple)."],
        [`label LIKE 'é%' OR label LIKE '_clair'`, LIKE_UNICODE],
        [`label LIKE 'É%'`, LIKE_UNICODE],
      ]);
    },
  },
]);
