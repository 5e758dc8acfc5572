import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { sqlLiteral, type Cell } from "../../challenges/sql/clients/sqlite-data.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

/** A case's time limit in seconds: ten to thirty queries, each run by your program and by sqlite3, on a machine that may be loaded. */
const MANY_QUERIES = 30;

const REGIONS = ["north", "south", "East", "west", "central"];
const PRODUCTS = ["banana", "mango", "papaya", "Kiwi", "grape", "orange", "pineapple"];

/**
 * sales (region TEXT, product TEXT, qty INTEGER, price REAL, note TEXT), 300–600 rows, NULLs in every column, no index.
 * Rows 2, 5 and 8 are the same kind on every seed, so the cases that read the first rows (LIMIT 40, rowid <= 12) always
 * meet them: a row of NULLs only (group_concat skips it, coalesce falls through to its last argument), a qty of 0
 * (nullif), a negative qty.
 */
async function salesDb(t: CaseContext, sql: SqlCase): Promise<string> {
  const r = t.rand;
  const maybe = (v: Cell, p = 0.1): Cell => (r.next() < p ? null : v);
  const drawn = Array.from({ length: r.int(300, 600) }, (): Cell[] => [maybe(r.pick(REGIONS), 0.05), maybe(r.pick(PRODUCTS)), maybe(BigInt(r.int(-50, 500))), maybe(r.int(1, 400) / 4), maybe(`${r.word()} ${r.word()}`, 0.5)]);
  drawn[1] = [null, null, null, null, null];
  drawn[4]![2] = 0n;
  drawn[7]![2] = BigInt(-r.int(1, 50));
  const rows = drawn.map((cells) => cells.map(sqlLiteral).join(", "));
  const script = ["CREATE TABLE sales (region TEXT, product TEXT, qty INTEGER, price REAL, note TEXT);", "BEGIN;"];
  for (let i = 0; i < rows.length; i += 50) script.push(`INSERT INTO sales VALUES ${rows.slice(i, i + 50).map((x) => `(${x})`).join(", ")};`);
  script.push("COMMIT;");
  return sql.build("sales.db", script.join("\n"));
}

const ORDER =
  "ORDER BY sorts by each term in turn, ascending unless DESC, with stage 4's order: NULLs first (ascending), then numbers, then texts byte by byte (uppercase before lowercase), then blobs; DESC reverses it all (NULLs last). A term can be a column, an expression, a result column's number (ORDER BY 2) or alias.";
const LIMIT = "LIMIT n keeps the first n rows after sorting, OFFSET m skips m rows first; LIMIT m, n means OFFSET m LIMIT n; a negative LIMIT means no limit.";
const AGG =
  "Aggregates ignore NULLs: count(x) counts non-NULL values, count(*) rows; sum of integers is an integer (NULL over no values), total() is always a real (0.0 over none); avg is a real; min/max compare as ORDER BY does. GROUP BY makes one row per distinct key (NULL keys form one group); HAVING filters groups; without GROUP BY, an aggregate query gives exactly one row, even over no rows.";
const EXPR =
  "Arithmetic: integer op integer stays an integer (7 / 2 = 3, % is the remainder, signed like the dividend); with a real it is a real; with NULL it is NULL. || joins texts (numbers as sqlite3 prints them). A comparison's value is 1, 0 or NULL.";

/** An expression of every type, row by row: NULL, integers, reals, texts, blobs. */
const MIXED = "SELECT rowid, CASE rowid % 5 WHEN 0 THEN qty WHEN 1 THEN product WHEN 2 THEN CAST(product AS BLOB) WHEN 3 THEN price ELSE NULL END AS mixed FROM sales";
/** Arithmetic at its edges, on every seed. */
const BOUNDARIES = "SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7 % -3, qty / 0, qty % 0, price / 0, 5.0 / 0, 7 / 2.0, 1 + 1.5, -qty, 2.0 || '', 1 < 2, 1 > 2, NULL < 1 FROM sales WHERE qty IS NOT NULL ORDER BY rowid LIMIT 3";

export default stage(import.meta, [
  {
    name: "ORDER BY one or more terms, ASC and DESC, NULLs first",
    timeout: MANY_QUERIES,
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await salesDb(t, sql);
      for (const q of [
        "SELECT rowid, region, qty FROM sales ORDER BY qty, rowid",
        "SELECT rowid, qty, price FROM sales ORDER BY qty DESC, rowid DESC",
        "SELECT region, product, price, rowid FROM sales ORDER BY region, product DESC, price, rowid",
        "SELECT rowid, qty * price AS amount FROM sales ORDER BY amount DESC, 1",
        "SELECT product, rowid FROM sales ORDER BY 1, 2 DESC",
        // One column of every type: NULLs, then numbers, then texts, then blobs (and the reverse with DESC).
        `${MIXED} ORDER BY mixed, rowid`,
        `${MIXED} ORDER BY mixed DESC, rowid`,
      ]) await sql.expectSame(file, q, { hint: ORDER });
    },
  },
  {
    name: "LIMIT and OFFSET",
    timeout: MANY_QUERIES,
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await salesDb(t, sql);
      const n = t.rand.int(3, 15);
      const m = t.rand.int(5, 50);
      for (const q of [
        `SELECT rowid, qty FROM sales ORDER BY qty, rowid LIMIT ${n}`,
        `SELECT rowid, qty FROM sales ORDER BY qty DESC, rowid LIMIT ${n} OFFSET ${m}`,
        `SELECT rowid, product FROM sales ORDER BY product, rowid LIMIT ${m}, ${n}`,
        `SELECT rowid FROM sales LIMIT 0`,
        `SELECT rowid, region FROM sales LIMIT -1 OFFSET 290`,
        `SELECT rowid, note FROM sales WHERE note IS NOT NULL LIMIT ${n}`,
      ]) await sql.expectSame(file, q, { hint: LIMIT });
    },
  },
  {
    name: "GROUP BY and HAVING with COUNT, SUM, AVG, MIN and MAX",
    timeout: MANY_QUERIES,
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await salesDb(t, sql);
      for (const q of [
        "SELECT region, count(*), count(qty), sum(qty), min(price), max(product) FROM sales GROUP BY region ORDER BY region",
        "SELECT region, round(avg(price), 4), total(qty), avg(qty) FROM sales GROUP BY region ORDER BY 1",
        `SELECT region, product, count(*) AS n, sum(price) FROM sales GROUP BY region, product HAVING count(*) > ${t.rand.int(3, 8)} ORDER BY n DESC, region, product`,
        "SELECT count(*), count(note), sum(qty), total(price), min(note), max(note), min(qty), max(price) FROM sales",
        "SELECT count(*), sum(qty), total(qty), avg(qty), max(qty) FROM sales WHERE qty > 100000",
        "SELECT product, count(DISTINCT region), group_concat(DISTINCT region) IS NOT NULL, sum(DISTINCT qty) FROM sales GROUP BY product ORDER BY product",
        // Rows in rowid order (a plain scan), so the concatenation's order is sqlite3's on every version.
        `SELECT group_concat(qty), group_concat(product, ' | '), group_concat(region, '') FROM sales WHERE rowid <= ${t.rand.int(12, 30)}`,
        // 1 and 1.0 are one key: half the keys are integers, half the same values as reals.
        "SELECT count(*), min(qty), max(qty) FROM sales GROUP BY CASE WHEN rowid % 2 = 0 THEN qty % 7 ELSE (qty % 7) * 1.0 END ORDER BY 2, 1",
      ]) await sql.expectSame(file, q, { hint: AGG });
    },
  },
  {
    name: "DISTINCT and expressions",
    timeout: MANY_QUERIES,
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await salesDb(t, sql);
      const k = t.rand.int(2, 9);
      // A divisor whose quotients of quarters are short decimals: printed the same by every sqlite3 version.
      const d = t.rand.pick([2, 4, 5, 8]);
      for (const [q, hint] of [
        ["SELECT DISTINCT region FROM sales ORDER BY region", "DISTINCT drops repeated result rows (NULLs are equal to each other here)."],
        ["SELECT DISTINCT product, region FROM sales ORDER BY 1, 2", "DISTINCT compares whole result rows."],
        [`SELECT rowid, qty * ${k} + 1, qty / ${k}, qty % ${k}, -qty, price * 2, price / ${d}, qty > ${k * 10} FROM sales ORDER BY rowid LIMIT 40`, EXPR],
        ["SELECT rowid, region || '/' || product, 'n' || qty, price || '' FROM sales ORDER BY rowid LIMIT 40", EXPR],
        [BOUNDARIES, `${EXPR} Division (and %) by zero is NULL; integer division truncates toward zero (-7 / 2 = -3).`],
        [`SELECT rowid, CASE WHEN qty IS NULL THEN 'none' WHEN qty < ${k * 20} THEN 'few' ELSE 'many' END, CASE region WHEN 'north' THEN 1 WHEN 'south' THEN 2 END FROM sales ORDER BY rowid LIMIT 40`, "CASE WHEN c THEN x … ELSE y END takes the first true branch; CASE e WHEN v THEN x … compares e = v; without ELSE the value is NULL."],
      ] as const) await sql.expectSame(file, q, { hint });
    },
  },
  {
    name: "core functions",
    timeout: MANY_QUERIES,
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await salesDb(t, sql);
      for (const q of [
        "SELECT rowid, length(product), upper(region), lower(product), substr(product, 2, 3), substr(region, -2), abs(qty), typeof(qty), typeof(price), typeof(note) FROM sales ORDER BY rowid LIMIT 50",
        "SELECT rowid, coalesce(note, region, 'none'), ifnull(qty, -1), nullif(qty, 0), round(price * 1.5), round(price / 3, 2), max(qty, 100), min(price, 10.0) FROM sales ORDER BY rowid LIMIT 50",
        "SELECT rowid, replace(product, 'a', 'A'), trim('  ' || region || '  '), instr(product, 'an'), hex(region), length(note) FROM sales ORDER BY rowid LIMIT 50",
        "SELECT length('héllo'), length(X'00ff10'), length(CAST('é' AS BLOB)), upper('éa'), lower('ÉA'), substr('héllo', 2, 2), substr('héllo', 0, 2), substr('héllo', -3, 2), instr('héllo', 'l'), hex('é'), hex(123), hex(-1.5), '[' || trim('\t x \t') || ']', round(2.5), round(-2.5), round(0.5), round(1.2345, 2), typeof(X'00'), typeof(1.0), typeof(1), typeof('1'), typeof(NULL), abs(-2.5), max(1, NULL), min(1, 2.5), coalesce(NULL, NULL) IS NULL FROM sales LIMIT 1",
      ]) {
        await sql.expectSame(file, q, {
          hint: "See lang_corefunc: length counts characters (of a text; bytes of a blob); upper and lower change ASCII letters only; group_concat separates with \",\" by default; substr(x, start, n) counts from 1 (a negative start from the end); round returns a real and rounds halves away from zero; typeof gives null, integer, real, text or blob; the multi-argument max/min return NULL if any argument is NULL.",
        });
      }
    },
  },
]);
