/**
 * The benchmark for `bun run bench sql`: the same queries on the same
 * database through the reference and sqlite3 (challenges/sql/real/sqlite3.sh).
 * prepare() builds bench.db with sqlite3: 100,000 orders (about 12 MB on
 * 4096-byte pages) from a recursive CTE, with an index on customer.
 * Numbers are milliseconds of wall time for one run of the program (best of
 * ten), lower is better.
 */
import { join } from "node:path";
import { type Benchmark, metricLines } from "../../harness/bench.ts";

const workload = join(import.meta.dir, "bench-workload.ts");

const SCRIPT = `PRAGMA page_size = 4096;
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, status TEXT, amount INTEGER, price REAL, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
  INSERT INTO orders SELECT i, 'customer-' || (i * 7919 % 5000), CASE i % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' WHEN 2 THEN 'sent' ELSE 'done' END,
    i * 104729 % 1000000, (i % 1000) / 4.0, printf('%080d', i * 31) FROM n;
CREATE INDEX orders_by_customer ON orders (customer);
`;

const benchmark: Benchmark = {
  client: { binary: "sqlite3", package: "sqlite3" },
  unit: "milliseconds per query, best of 10, lower is better",
  prepare(dir) {
    const r = Bun.spawnSync(["sqlite3", join(dir, "bench.db")], { stdin: new TextEncoder().encode(SCRIPT), stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`sqlite3 could not build bench.db: ${r.stderr.toString()}`);
  },
  workloads: [
    {
      name: "six queries on 100,000 rows (count, scan with WHERE, index lookup, rowid lookup, GROUP BY, ORDER BY … LIMIT)",
      argv: (_port, program) => ["bun", workload, program],
      parse: metricLines,
    },
  ],
};
export default benchmark;
