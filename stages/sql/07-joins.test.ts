import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { sqlLiteral } from "../../challenges/sql/clients/sqlite-data.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const CITIES = ["Oslo", "Lima", "Pune", "Kyiv", "Riga", "Bern"];

interface Shop {
  file: string;
  customers: number;
  orders: number;
}

/**
 * customers (id INTEGER PRIMARY KEY, name, city, last_order), products (id INTEGER PRIMARY KEY, name, price),
 * orders (id INTEGER PRIMARY KEY, customer_id, product_id, qty, note) with an index on customer_id.
 * Some customers have no orders; some orders have no customer (NULL or an id that does not exist).
 * `big` makes 2000–3000 customers and 30–40 thousand orders with 150-byte notes (a file of several MB, about 15 orders
 * per customer), the orders made by a recursive CTE.
 */
async function shopDb(t: CaseContext, sql: SqlCase, big: boolean): Promise<Shop> {
  const r = t.rand;
  const customers = big ? r.int(2000, 3000) : r.int(40, 80);
  const orders = big ? r.int(30, 40) * 1000 : r.int(300, 600);
  const lines = [
    `PRAGMA page_size = ${r.pick([1024, 4096])};`,
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, city TEXT, last_order INTEGER, code TEXT);",
    "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price REAL);",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, product_id INTEGER, qty INTEGER, note TEXT);",
    "BEGIN;",
  ];
  // code is the id as text ('17'): joining orders on it needs the comparison's affinity.
  for (let i = 1; i <= customers; i++) lines.push(`INSERT INTO customers VALUES (${i}, ${sqlLiteral(`${r.word()} ${r.word()}`)}, ${sqlLiteral(r.int(0, 9) === 0 ? null : r.pick(CITIES))}, ${r.int(1, orders)}, '${i}');`);
  for (let i = 1; i <= 8; i++) lines.push(`INSERT INTO products VALUES (${i}, ${sqlLiteral(r.word())}, ${r.int(1, 400) / 4});`);
  // Customers whose id is above `active` never order; customer_id 0 and NULL match nobody.
  const active = customers - r.int(3, 8);
  if (big) {
    // A prime larger than the number of customers: each customer gets the same number of orders.
    const a = r.pick([7883, 7901, 7907, 7919]);
    lines.push(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${orders})`,
      `  INSERT INTO orders SELECT i, CASE WHEN i % 97 = 0 THEN NULL ELSE 1 + (i * ${a}) % ${active} END, 1 + i % 9, (i * ${a}) % 50, printf('%0150d', i) FROM n;`,
    );
  } else {
    for (let i = 1; i <= orders; i++) {
      // Orders 1 and 2 have no customer (NULL, 0) on every seed; others now and then.
      const cust = i === 1 ? null : i === 2 ? 0 : r.int(0, 20) === 0 ? r.pick([null, 0]) : r.int(1, active);
      lines.push(`INSERT INTO orders VALUES (${i}, ${sqlLiteral(cust === null ? null : BigInt(cust))}, ${r.int(1, 9)}, ${r.int(0, 50)}, ${sqlLiteral(r.int(0, 3) === 0 ? null : r.word())});`);
    }
  }
  lines.push("COMMIT;", "CREATE INDEX orders_by_customer ON orders (customer_id);", "CREATE TABLE meta (version INTEGER);", "INSERT INTO meta VALUES (1);");
  const file = await sql.build(big ? "big-shop.db" : "shop.db", lines.join("\n"));
  return { file, customers, orders };
}

const JOIN =
  "A join pairs every row of the left table with every row of the right one for which the ON condition is true (a comma is a join whose condition is in WHERE). Columns are named table.column or alias.column (FROM customers c); * is every column of every table, left to right.";
const LEFT =
  "A LEFT JOIN also keeps each left row that no right row matches, once, with NULL in every column of the right table; the ON condition decides matches, and WHERE filters afterwards (so WHERE o.id IS NULL keeps the rows without a match).";
const LOOKUP =
  "For each row of the outer table, find the inner table's matching rows through its index (ON o.customer_id = c.id with an index on customer_id: descend the index to the key c.id) or through its rowid (ON o.id = c.last_order), instead of reading the whole inner table.";

export default stage(import.meta, [
  {
    name: "INNER JOIN with ON, comma joins with WHERE, three tables",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await shopDb(t, sql, false);
      const city = t.rand.pick(CITIES);
      for (const q of [
        `SELECT c.name, o.id, o.qty FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.city = '${city}' ORDER BY o.id`,
        `SELECT customers.name, orders.qty FROM orders, customers WHERE customers.id = orders.customer_id AND orders.qty > ${t.rand.int(30, 45)} ORDER BY orders.id`,
        "SELECT o.id, c.name, p.name, p.price * o.qty FROM orders o INNER JOIN customers c ON c.id = o.customer_id JOIN products p ON p.id = o.product_id ORDER BY o.id LIMIT 80",
        `SELECT * FROM products p JOIN orders o ON o.product_id = p.id AND o.qty < ${t.rand.int(3, 8)} ORDER BY o.id`,
        // Bare names found in the one table that has them, `AS`, `a.*`, CROSS JOIN.
        `SELECT city, qty, note FROM customers AS c JOIN orders AS o ON customer_id = c.id WHERE qty > ${t.rand.int(30, 45)} ORDER BY o.id`,
        `SELECT o.*, p.name FROM orders o JOIN products p ON p.id = o.product_id WHERE o.qty < ${t.rand.int(3, 8)} ORDER BY o.id`,
        `SELECT p.id, c.id FROM products p CROSS JOIN customers c WHERE c.id <= ${t.rand.int(3, 6)} ORDER BY p.id, c.id`,
      ]) await sql.expectSame(file, q, { hint: JOIN });
      // The index on orders.customer_id (INTEGER) is looked up with c.code (TEXT '17'): the comparison gives it numeric affinity first.
      await sql.expectSame(file, `SELECT c.code, o.id FROM customers c JOIN orders o ON o.customer_id = c.code WHERE c.id <= ${t.rand.int(5, 15)} ORDER BY o.id`, {
        hint: "o.customer_id has INTEGER affinity and c.code is a TEXT column: the comparison gives c.code's value numeric affinity ('17' becomes 17) before it is looked up in orders_by_customer (stage 4's rules).",
      });
      // A bare name two tables have is an error.
      const ambiguous = "SELECT name FROM customers c JOIN products p ON p.id = c.id";
      const { result } = await sql.ours(file, ambiguous);
      if (result.code === 0 || !result.output.includes("ambiguous column name")) {
        t.fail({ message: `Your program did not reject a bare column name that two tables have: ${ambiguous}`, expected: "an error saying \"ambiguous column name: name\" and a non-zero exit status, as sqlite3 gives", received: `exit status ${result.code}: ${result.output.trim() || "(no output)"}`, hint: "A bare column name must be in exactly one of the joined tables; customers and products both have name, so SQLite reports \"ambiguous column name: name\" (qualify it: c.name or p.name)." });
      }
    },
  },
  {
    name: "LEFT JOIN keeps rows without a match, with NULLs",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await shopDb(t, sql, false);
      const q = t.rand.int(10, 40);
      for (const query of [
        "SELECT c.id, c.name, o.id, o.qty FROM customers c LEFT JOIN orders o ON o.customer_id = c.id ORDER BY c.id, o.id",
        "SELECT c.id, count(o.id), sum(o.qty) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id ORDER BY c.id",
        "SELECT c.id, c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL ORDER BY c.id",
        // WHERE applies to the NULL rows too: o.qty > q is NULL there, so they go.
        `SELECT c.id, o.id, o.qty FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.qty > ${q} OR c.id % 7 = 0 ORDER BY c.id, o.id`,
        `SELECT c.id, o.id FROM customers c LEFT OUTER JOIN orders o ON o.customer_id = c.id AND o.qty > ${q} ORDER BY c.id, o.id`,
        "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id ORDER BY o.id LIMIT 100",
      ]) await sql.expectSame(file, query, { hint: LEFT });
    },
  },
  {
    name: "joins look rows up through an index or the rowid (bytes read)",
    timeout: 30,
    async run(t) {
      const sql = SqlCase.start(t);
      const shop = await shopDb(t, sql, true);
      const first = t.rand.int(1, shop.customers - 30);
      const scan = `SELECT count(*) FROM orders WHERE qty = ${t.rand.int(0, 49)} AND note LIKE '%${t.rand.int(10, 99)}'`;
      await sql.expectReadsLess(shop.file, `SELECT c.name, o.id, o.qty FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.id = ${t.rand.int(1, shop.customers)} ORDER BY o.id`, scan, "SELECT count(*) FROM meta", "index orders_by_customer in the join", LOOKUP);
      await sql.expectReadsLess(shop.file, `SELECT c.name, o.qty FROM customers c JOIN orders o ON o.id = c.last_order WHERE c.id BETWEEN ${first} AND ${first + 20} ORDER BY c.id`, scan, "SELECT count(*) FROM meta", "rowid lookup in the join", LOOKUP);
    },
  },
  {
    name: "EXPLAIN QUERY PLAN of a join: SCAN the outer table, SEARCH the inner one",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await shopDb(t, sql, false);
      for (const q of [
        "SELECT * FROM customers c LEFT JOIN orders o ON o.customer_id = c.id",
        "SELECT * FROM orders o LEFT JOIN customers c ON c.id = o.customer_id",
      ]) {
        await sql.expectSame(file, `EXPLAIN QUERY PLAN ${q}`, {
          hint: 'One line per table, in join order: "|--" before each but the last, "`--" before the last; the outer table is "SCAN <alias>", an inner table found by index is "SEARCH <alias> USING INDEX <index> (<column>=?)", by rowid "SEARCH <alias> USING INTEGER PRIMARY KEY (rowid=?)"; a LEFT JOIN\'s inner table ends with " LEFT-JOIN".',
        });
      }
    },
  },
]);
