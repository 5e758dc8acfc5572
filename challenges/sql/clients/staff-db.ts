/**
 * The database of stages 12 and 13 (subqueries, compound SELECTs), drawn
 * from the seed and built by sqlite3:
 *   dept (id INTEGER PRIMARY KEY, name TEXT, budget INTEGER)   6–12 rows
 *   emp  (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER, salary INTEGER, code TEXT)   60–150 rows
 *   alumni (name TEXT, dept_id INTEGER, salary REAL)            20–50 rows
 * Fixed on every seed, so that each rule is exercised whatever the draw:
 * dept 1 has no employees and a NULL budget; dept 2 has employees 3 and 4,
 * with different salaries; emp 1 has a NULL dept_id, emp 2 the dept_id 999
 * (no such dept) and a NULL salary; emp.code holds numbers as text ('7',
 * ' 12') or words; alumni repeats some emp rows (name, dept_id, salary as
 * the REAL 1234.0) and rows of its own — emp 3's row twice on every seed.
 */
import type { CaseContext } from "../../../harness/stage/context.ts";
import { sqlLiteral, type Cell } from "./sqlite-data.ts";
import type { SqlCase } from "./sqlite.ts";

export interface StaffDb {
  file: string;
  depts: number;
  emps: number;
}

export async function staffDb(t: CaseContext, sql: SqlCase): Promise<StaffDb> {
  const r = t.rand;
  const depts = r.int(6, 12);
  const emps = r.int(60, 150);
  const dept: Cell[][] = [[1n, "empty", null]];
  for (let id = 2; id <= depts; id++) dept.push([BigInt(id), `${r.word()}`, r.next() < 0.2 ? null : BigInt(r.int(1, 50) * 1000)]);
  const emp: Cell[][] = [
    [1n, "nobody", null, 3000n, "1"],
    [2n, "lost", 999n, null, "x"],
    [3n, "first", 2n, 5000n, "2"],
    [4n, "second", 2n, 7000n, " 3"],
  ];
  for (let id = 5; id <= emps; id++) {
    const code = r.pick([String(r.int(1, depts + 2)), ` ${r.int(1, depts)}`, r.word()]);
    emp.push([BigInt(id), r.word(), r.next() < 0.05 ? null : BigInt(r.int(2, depts)), r.next() < 0.05 ? null : BigInt(r.int(20, 90) * 100), code]);
  }
  // Emp 3's row twice, its salary as the REAL 5000.0: a duplicate within alumni and of emp on every seed.
  const alumni: Cell[][] = [
    ["first", 2n, 5000],
    ["first", 2n, 5000],
  ];
  const n = r.int(20, 50);
  while (alumni.length < n) {
    const e = r.pick(emp);
    const fromEmp: Cell[] = [e[1]!, e[2]!, typeof e[3] === "bigint" ? Number(e[3]) : null];
    alumni.push(r.next() < 0.5 ? fromEmp : r.next() < 0.3 && alumni.length > 0 ? r.pick(alumni) : [r.word(), BigInt(r.int(1, depts)), r.int(20, 90) * 100.5]);
  }
  const values = (rows: Cell[][]) => rows.map((x) => `(${x.map(sqlLiteral).join(", ")})`).join(",\n  ");
  const script = [
    "CREATE TABLE dept (id INTEGER PRIMARY KEY, name TEXT, budget INTEGER);",
    "CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER, salary INTEGER, code TEXT);",
    "CREATE TABLE alumni (name TEXT, dept_id INTEGER, salary REAL);",
    `INSERT INTO dept VALUES ${values(dept)};`,
    `INSERT INTO emp VALUES ${values(emp)};`,
    `INSERT INTO alumni VALUES ${values(alumni)};`,
  ];
  const file = await sql.build("staff.db", script.join("\n"));
  return { file, depts, emps };
}
