import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { staffDb } from "../../challenges/sql/clients/staff-db.ts";
import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { both } from "../../challenges/sql/clients/twin-writes.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const CREATE =
  'CREATE VIEW adds one row to sqlite_schema and no B-tree: type \'view\', name and tbl_name the view\'s name, rootpage 0, sql "CREATE VIEW " followed by the statement\'s text from the name to its end as written (IF NOT EXISTS left out); the schema cookie grows. IF NOT EXISTS on a taken name changes nothing.';
const READ =
  "A view in FROM gives the rows its SELECT gives on the database as it is now. Its columns are named by its column list, else by each result column's alias, else the column's name, else the expression as written; a column list of another length is an error when the view is read (\"expected N columns for 'v' but got M\").";
const AFFINITY = "A column of a view or FROM subquery that is a table's column keeps that column's affinity in comparisons (an INTEGER column matches '5000'); a column computed by an expression has none ('5' AS c does not match c = 5).";
const JOINS = "A view is a table for the rest of the query: it joins (inner and LEFT) with tables and other views, and subqueries (IN, correlated) read it.";
const FROM_SUBQUERY =
  "A subquery in FROM, (SELECT …) [AS] alias, is a table whose columns the alias qualifies (without an alias, * still gives them); its own ORDER BY, LIMIT and OFFSET cut its rows, and its GROUP BY and aggregates are done before the outer WHERE.";
const DROP_AND_ERRORS =
  'DROP VIEW removes the view\'s row (IF EXISTS: a missing name is a no-op, else "no such view: v"). sqlite3\'s errors: "use DROP VIEW to delete view v", "use DROP TABLE to delete table t", "view v already exists" / "table t already exists" (whichever holds the name), "cannot modify v because it is a view", "views may not be indexed", and "no such table: main.t" when a view\'s table is gone.';

/** The staff database (stage 12), and a copy of it, twin.db, on which sqlite3 runs what the program runs on staff.db. */
async function twins(t: CaseContext, sql: SqlCase): Promise<{ ours: string; twin: string; depts: number }> {
  const { file, depts } = await staffDb(t, sql);
  copyFileSync(join(t.dir, file), join(t.dir, "twin.db"));
  return { ours: file, twin: "twin.db", depts };
}

const SCHEMA = "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema ORDER BY rowid";

export default stage(import.meta, [
  {
    name: "CREATE VIEW writes a sqlite_schema row that sqlite3 reads",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      const k = t.rand.int(3000, 7000);
      const before = sql.header(f.ours);
      await both(
        sql,
        f,
        [
          `CREATE VIEW IF NOT EXISTS  rich (who, pay) AS SELECT name, salary FROM emp WHERE salary > ${k}`,
          "create view per_dept as select dept_id, count(*) AS n, sum(salary) FROM emp GROUP BY dept_id",
          "CREATE VIEW staff_in AS SELECT e.name, d.name AS dept FROM emp e JOIN dept d ON d.id = e.dept_id",
          "CREATE VIEW everyone AS SELECT name FROM emp UNION SELECT name FROM alumni",
          // A taken name with IF NOT EXISTS: nothing happens.
          "CREATE VIEW IF NOT EXISTS rich AS SELECT 1",
        ],
        CREATE,
      );
      sql.expectHeader(f.ours, before, true);
      await sql.expectSameFiles(f.ours, f.twin, SCHEMA, CREATE);
      for (const q of ["SELECT * FROM rich ORDER BY who, pay", "SELECT * FROM per_dept ORDER BY dept_id", "SELECT * FROM staff_in ORDER BY 1, 2", "SELECT count(*) FROM everyone"]) await sql.expectSameFiles(f.ours, f.twin, q, CREATE);
      await sql.expectIntegrity(f.ours, CREATE);
    },
  },
  {
    name: "SELECT from a view: its rows, its column names, affinity",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      const k = t.rand.int(3000, 7000);
      for (const v of [
        `CREATE VIEW rich (who, pay) AS SELECT name, salary FROM emp WHERE salary > ${k}`,
        "CREATE VIEW named AS SELECT e.name, e.salary AS pay, upper(e.name), salary * 2 AS twice, '5' AS five FROM emp e",
        "CREATE VIEW per_dept AS SELECT dept_id, count(*) AS n, max(salary) AS top FROM emp GROUP BY dept_id",
        "CREATE VIEW richer AS SELECT who FROM rich WHERE pay > (SELECT avg(pay) FROM rich)",
        "CREATE VIEW everyone AS SELECT name, dept_id FROM emp UNION SELECT name, dept_id FROM alumni",
        "CREATE VIEW wrong (only) AS SELECT id, name FROM dept",
      ])
        await sql.sqlite(file, v);
      for (const q of [
        "SELECT * FROM rich ORDER BY pay, who",
        "SELECT who FROM rich WHERE pay < 8000 ORDER BY who",
        // Named by alias, by the column's name, by the expression as written.
        'SELECT name, pay, "upper(e.name)", twice FROM named ORDER BY name, pay LIMIT 20',
        "SELECT * FROM per_dept WHERE n > 1 ORDER BY n DESC, dept_id",
        "SELECT sum(n), max(top), count(*) FROM per_dept",
        "SELECT * FROM richer ORDER BY who",
        "SELECT count(*), count(DISTINCT dept_id) FROM everyone",
        "SELECT dept_id, count(*) FROM everyone GROUP BY dept_id HAVING count(*) > 2 ORDER BY dept_id",
      ])
        await sql.expectSame(file, q, { hint: READ });
      // Affinity: emp 3 earns 5000 on every seed.
      for (const q of ["SELECT name FROM named WHERE pay = '5000' ORDER BY name", "SELECT count(*) FROM named WHERE five = 5", "SELECT count(*) FROM named WHERE five = '5'", "SELECT x.s FROM (SELECT salary AS s FROM emp) AS x WHERE x.s = '5000'"]) await sql.expectSame(file, q, { hint: AFFINITY });
      await sql.expectSameError(file, file, "SELECT * FROM wrong", READ);
    },
  },
  {
    name: "views in joins and in subqueries",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      for (const v of ["CREATE VIEW payroll (dept, total, heads) AS SELECT dept_id, sum(salary), count(*) FROM emp GROUP BY dept_id", "CREATE VIEW big AS SELECT id, name FROM dept WHERE budget IS NOT NULL", "CREATE VIEW paid AS SELECT id, dept_id, salary FROM emp WHERE salary IS NOT NULL"]) await sql.sqlite(file, v);
      const n = t.rand.int(2, 4);
      for (const q of [
        "SELECT d.name, p.total FROM dept d JOIN payroll p ON p.dept = d.id ORDER BY d.id",
        // Dept 1 has no employee on every seed: its LEFT JOIN row has NULLs.
        "SELECT d.id, p.heads FROM dept d LEFT JOIN payroll p ON p.dept = d.id ORDER BY d.id",
        "SELECT b.name, p.heads FROM big b, payroll p WHERE p.dept = b.id ORDER BY b.id",
        `SELECT p.id FROM paid p JOIN payroll r ON r.dept = p.dept_id WHERE r.heads >= ${n} ORDER BY p.id`,
        "SELECT name FROM emp WHERE dept_id IN (SELECT id FROM big) ORDER BY id",
        "SELECT e.id FROM emp e WHERE e.salary > (SELECT total / heads FROM payroll WHERE dept = e.dept_id) ORDER BY e.id",
        "SELECT id FROM dept d WHERE NOT EXISTS (SELECT 1 FROM paid WHERE paid.dept_id = d.id) ORDER BY id",
      ])
        await sql.expectSame(file, q, { hint: JOINS });
    },
  },
  {
    name: "subqueries in FROM",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      const lim = t.rand.int(2, 8);
      const off = t.rand.int(1, 5);
      for (const q of [
        "SELECT x.name, x.s FROM (SELECT name, salary AS s FROM emp WHERE salary IS NOT NULL) AS x WHERE x.s > 5000 ORDER BY x.s, x.name",
        "SELECT * FROM (SELECT id, name FROM dept) ORDER BY id",
        `SELECT * FROM (SELECT id, salary FROM emp WHERE salary IS NOT NULL ORDER BY salary DESC, id LIMIT ${lim} OFFSET ${off})`,
        `SELECT count(*) FROM (SELECT id FROM emp ORDER BY id LIMIT ${lim})`,
        "SELECT dept_id, n FROM (SELECT dept_id, count(*) AS n FROM emp GROUP BY dept_id) WHERE n > 2 ORDER BY n, dept_id",
        "SELECT d.name, t.top FROM dept d JOIN (SELECT dept_id, max(salary) AS top FROM emp GROUP BY dept_id) t ON t.dept_id = d.id ORDER BY d.id",
        "SELECT d.id, t.n FROM dept d LEFT JOIN (SELECT dept_id, count(*) AS n FROM emp GROUP BY dept_id) AS t ON t.dept_id = d.id ORDER BY d.id",
        "SELECT max(m) FROM (SELECT n AS m FROM (SELECT dept_id, count(*) AS n FROM emp GROUP BY dept_id))",
        "SELECT id, (SELECT count(*) FROM (SELECT salary FROM emp e2 WHERE e2.dept_id = d.id) AS s WHERE s.salary > 4000) FROM dept d ORDER BY id",
        "SELECT a.name, b.name FROM (SELECT name FROM dept WHERE id <= 3) a, (SELECT name FROM dept WHERE id >= 2 AND id <= 3) b ORDER BY 1, 2",
      ])
        await sql.expectSame(file, q, { hint: FROM_SUBQUERY });
    },
  },
  {
    name: "DROP VIEW and sqlite3's errors",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      await both(sql, f, ["CREATE VIEW v1 AS SELECT id, name FROM dept", "CREATE VIEW v2 AS SELECT name FROM emp", "CREATE TABLE gone (x)", "CREATE VIEW over_gone AS SELECT x FROM gone", "CREATE VIEW never AS SELECT * FROM no_such_table"], DROP_AND_ERRORS);
      for (const bad of [
        "DROP TABLE v1",
        "DROP VIEW dept",
        "DROP VIEW nothing_here",
        "CREATE VIEW v1 AS SELECT 1",
        "CREATE TABLE v2 (a)",
        "CREATE VIEW dept AS SELECT 1",
        "INSERT INTO v1 VALUES (1, 'x')",
        "UPDATE v1 SET name = 'y'",
        "DELETE FROM v2",
        "CREATE INDEX on_view ON v1 (name)",
        "SELECT * FROM never",
      ])
        await sql.expectSameError(f.ours, f.twin, bad, DROP_AND_ERRORS);
      await both(sql, f, ["DROP VIEW v2", "DROP VIEW IF EXISTS v2", "DROP TABLE gone"], DROP_AND_ERRORS);
      await sql.expectSameError(f.ours, f.twin, "SELECT * FROM over_gone", DROP_AND_ERRORS);
      await sql.expectSameFiles(f.ours, f.twin, SCHEMA, DROP_AND_ERRORS);
      await sql.expectSameFiles(f.ours, f.twin, "SELECT count(*) FROM emp", DROP_AND_ERRORS);
      await sql.expectIntegrity(f.ours, DROP_AND_ERRORS);
    },
  },
]);
