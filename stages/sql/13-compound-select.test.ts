import { staffDb } from "../../challenges/sql/clients/staff-db.ts";
import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { stage } from "../../harness/stage/define.ts";

const UNION =
  "UNION gives every row of either SELECT once: rows equal in every column are one row (NULL equals NULL here, and the integer 1234 equals the real 1234.0; sqlite3 shows the later of two equal rows). UNION ALL keeps every row, the left SELECT's first, duplicates too. A compound of several is read left to right.";
const SETS = "INTERSECT gives the left SELECT's rows that the right one also has, EXCEPT those it has not — each distinct row once, NULLs equal to each other, as for UNION.";
const ORDER =
  "ORDER BY and LIMIT after the last SELECT sort and cut the whole compound, not the last SELECT. Each ORDER BY term names a result column: a number (1 is the first column) or the name or alias of a column of the first SELECT.";
const COLUMNS = "The SELECTs of a compound must have the same number of result columns: otherwise SQLite fails with \"SELECTs to the left and right of UNION do not have the same number of result columns\" and a non-zero exit status.";

export default stage(import.meta, [
  {
    name: "UNION removes duplicate rows, UNION ALL keeps them",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      const d = t.rand.int(2, 5);
      for (const q of [
        "SELECT dept_id FROM emp UNION SELECT id FROM dept ORDER BY 1",
        "SELECT dept_id FROM emp UNION ALL SELECT id FROM dept ORDER BY 1",
        // alumni repeats rows of emp (salary as a REAL) and of its own; NULLs on both sides.
        "SELECT name, dept_id, salary FROM emp UNION SELECT name, dept_id, salary FROM alumni ORDER BY 1, 2, 3",
        "SELECT name, dept_id FROM alumni UNION ALL SELECT name, dept_id FROM emp WHERE id <= 4 ORDER BY 1, 2",
        `SELECT dept_id FROM emp WHERE dept_id = ${d} UNION SELECT ${d} UNION SELECT NULL UNION SELECT NULL ORDER BY 1`,
        // Left to right: (a UNION ALL b) UNION c removes the duplicates of all three.
        "SELECT dept_id FROM alumni UNION ALL SELECT dept_id FROM alumni UNION SELECT 1 ORDER BY 1",
        "SELECT 1, 'x' UNION ALL SELECT 1, 'x' UNION ALL SELECT 2, NULL",
      ]) await sql.expectSame(file, q, { hint: UNION });
    },
  },
  {
    name: "INTERSECT and EXCEPT",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      for (const q of [
        "SELECT dept_id FROM emp INTERSECT SELECT id FROM dept ORDER BY 1",
        "SELECT name, dept_id FROM alumni INTERSECT SELECT name, dept_id FROM emp ORDER BY 1, 2",
        // dept 1 has no employee on every seed; alumni repeats rows of its own.
        "SELECT id FROM dept EXCEPT SELECT dept_id FROM emp ORDER BY 1",
        "SELECT name, dept_id FROM alumni EXCEPT SELECT name, dept_id FROM emp ORDER BY 1, 2",
        "SELECT dept_id FROM alumni EXCEPT SELECT 1 ORDER BY 1",
        "SELECT dept_id FROM emp INTERSECT SELECT dept_id FROM alumni INTERSECT SELECT dept_id FROM alumni ORDER BY 1",
        "SELECT NULL INTERSECT SELECT NULL",
      ]) await sql.expectSame(file, q, { hint: SETS });
    },
  },
  {
    name: "ORDER BY and LIMIT apply to the whole compound",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      const n = t.rand.int(3, 9);
      const m = t.rand.int(2, 6);
      for (const q of [
        `SELECT id, name FROM dept UNION ALL SELECT id, name FROM emp ORDER BY 2 DESC, 1 LIMIT ${n}`,
        `SELECT id AS k, name FROM dept UNION SELECT id, name FROM emp WHERE id < 20 ORDER BY k DESC LIMIT ${n} OFFSET ${m}`,
        `SELECT salary FROM emp UNION SELECT salary FROM alumni ORDER BY salary LIMIT ${n}`,
        `SELECT name FROM emp EXCEPT SELECT name FROM alumni ORDER BY name DESC LIMIT ${n}`,
      ]) await sql.expectSame(file, q, { hint: ORDER });
    },
  },
  {
    name: "the SELECTs of a compound have the same number of columns",
    async run(t) {
      const sql = SqlCase.start(t);
      const { file } = await staffDb(t, sql);
      const bad = "SELECT id, name FROM dept UNION SELECT id FROM emp";
      const { result } = await sql.ours(file, bad);
      if (result.code === 0 || !result.output.includes("do not have the same number of result columns")) {
        t.fail({ message: `Your program did not reject a compound whose SELECTs have different numbers of columns: ${bad}`, expected: 'an error saying "SELECTs to the left and right of UNION do not have the same number of result columns" and a non-zero exit status, as sqlite3 gives', received: `exit status ${result.code}: ${result.output.trim() || "(no output)"}`, hint: COLUMNS });
      }
      await sql.expectSame(file, "SELECT id, name FROM dept UNION SELECT id, 'x' FROM emp WHERE id < 3 ORDER BY 1, 2", { hint: COLUMNS });
    },
  },
]);
