import { staffDb } from "../../challenges/sql/clients/staff-db.ts";
import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { stage } from "../../harness/stage/define.ts";

const SCALAR =
  "A scalar subquery, (SELECT …) where a value is expected, is the first column of the subquery's first row, and NULL when the subquery has no row (not 0, not an error).";
const IN =
  "x IN (SELECT y …) is 1 when some row's y equals x, compared with the affinity a comparison x = y would use (a TEXT column against an INTEGER one compares as numbers). Over no rows it is 0 (NOT IN: 1), even when x is NULL; otherwise, when nothing matches and the subquery gave a NULL (or x is NULL), it is NULL, as for a list with NULL in it (stage 4).";
const EXISTS = "EXISTS (SELECT …) is 1 when the subquery has at least one row — whatever the row holds, NULLs too — else 0; NOT EXISTS the reverse.";
const CORRELATED =
  "A subquery may name columns of the query around it (e.dept_id = d.id, or a bare name only the outer table has): those are the outer row's values, so the subquery runs again for every outer row. A name is looked up in the subquery's own tables first, then outwards. Only a subquery that reads no outer column may run once and be kept.";

export default stage(import.meta, [
  {
    name: "scalar subqueries: the first row's value, NULL over no rows",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      const k = t.rand.int(3000, 6000);
      for (const q of [
        "SELECT (SELECT max(salary) FROM emp), (SELECT count(*) FROM dept)",
        "SELECT id, salary - (SELECT min(salary) FROM emp) FROM emp ORDER BY id",
        `SELECT id, name FROM emp WHERE salary > (SELECT avg(salary) FROM emp) + ${k - 4500} ORDER BY id`,
        "SELECT (SELECT id FROM emp ORDER BY salary DESC, id LIMIT 1), (SELECT name FROM emp WHERE id = 3)",
        // A subquery of several rows: the first one's value.
        "SELECT (SELECT name FROM emp ORDER BY id), (SELECT id FROM dept ORDER BY id DESC), (SELECT salary FROM emp WHERE salary IS NOT NULL ORDER BY salary, id)",
        // No row: NULL (an empty field), on every seed.
        "SELECT (SELECT name FROM dept WHERE id = -1), (SELECT salary FROM emp WHERE id < 0) IS NULL",
        "SELECT id, coalesce((SELECT budget FROM dept WHERE id = -1), 'none') FROM dept ORDER BY id",
      ]) await sql.expectSame(file, q, { hint: SCALAR });
    },
  },
  {
    name: "IN and NOT IN with a subquery: affinity, NULLs, no rows",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      const b = t.rand.int(5, 40) * 1000;
      for (const q of [
        `SELECT id FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE budget > ${b}) ORDER BY id`,
        `SELECT id FROM emp WHERE dept_id NOT IN (SELECT id FROM dept WHERE budget > ${b}) ORDER BY id`,
        // dept 1's budget is NULL on every seed: nothing matches → NULL, and NOT IN keeps no row.
        "SELECT id, salary IN (SELECT budget FROM dept), salary NOT IN (SELECT budget FROM dept) FROM emp ORDER BY id",
        "SELECT count(*) FROM emp WHERE salary NOT IN (SELECT budget FROM dept)",
        // A subquery with no row: 0 (NOT IN: 1), even for emp 1's NULL dept_id.
        "SELECT id, dept_id IN (SELECT id FROM dept WHERE 0), dept_id NOT IN (SELECT id FROM dept WHERE 0) FROM emp ORDER BY id",
        // TEXT against INTEGER: compared as numbers (' 3' = 3).
        "SELECT id FROM emp WHERE code IN (SELECT id FROM dept) ORDER BY id",
        "SELECT id FROM dept WHERE id IN (SELECT code FROM emp) ORDER BY id",
      ]) await sql.expectSame(file, q, { hint: IN });
    },
  },
  {
    name: "EXISTS and NOT EXISTS",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      const s = t.rand.int(30, 80) * 100;
      for (const q of [
        "SELECT id, name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id) ORDER BY id",
        "SELECT id FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id) ORDER BY id",
        // A row of NULLs is a row.
        "SELECT id FROM dept WHERE EXISTS (SELECT NULL FROM emp WHERE emp.dept_id = dept.id) ORDER BY id",
        `SELECT EXISTS (SELECT * FROM emp WHERE salary > ${s}), EXISTS (SELECT * FROM emp WHERE 0), NOT EXISTS (SELECT NULL)`,
      ]) await sql.expectSame(file, q, { hint: EXISTS });
    },
  },
  {
    name: "correlated subqueries: run again for each outer row",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      for (const q of [
        // dept 1 has no employee and dept 2 has two: the counts differ on every seed.
        "SELECT d.id, (SELECT count(*) FROM emp e WHERE e.dept_id = d.id), (SELECT max(salary) FROM emp WHERE emp.dept_id = d.id) FROM dept d ORDER BY d.id",
        "SELECT id, name FROM emp e1 WHERE salary > (SELECT avg(salary) FROM emp e2 WHERE e2.dept_id = e1.dept_id) ORDER BY id",
        // A bare name only the outer table has (budget), and the outer table named by its name inside a subquery that aliases it.
        "SELECT id, (SELECT count(*) FROM emp WHERE salary * 10 < budget) FROM dept ORDER BY id",
        "SELECT id, (SELECT count(*) FROM emp AS e2 WHERE e2.salary < emp.salary) FROM emp ORDER BY id",
        // Two levels deep: the innermost reads the outermost row.
        "SELECT d.id FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id AND e.salary = (SELECT max(salary) FROM emp x WHERE x.dept_id = d.id)) ORDER BY d.id",
        // In GROUP BY, HAVING and ORDER BY.
        "SELECT dept_id, count(*) FROM emp e GROUP BY dept_id HAVING count(*) >= (SELECT count(*) FROM emp x WHERE x.dept_id = 2) ORDER BY dept_id",
        "SELECT id FROM dept d ORDER BY (SELECT count(*) FROM emp e WHERE e.dept_id = d.id), id",
      ]) await sql.expectSame(file, q, { hint: CORRELATED });
    },
  },
]);
