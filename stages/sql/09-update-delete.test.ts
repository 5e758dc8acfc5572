import { SqlCase } from "../../harness/clients/sqlite.ts";
import { randomTable, tableScript } from "../../harness/clients/sqlite-data.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const INDEX =
  "Every index holds exactly one entry per row of its table (fileformat2 §2.5): a DELETE removes the row's entries from every index, an UPDATE of an indexed column (or of the rowid) replaces them; sqlite3's integrity_check compares each index with its table.";
const CHANGE =
  "UPDATE sets the columns of the rows for which WHERE is true (every row without WHERE); each SET expression sees the row as it was before the statement, and the new value gets the column's affinity. Setting the INTEGER PRIMARY KEY moves the row to that rowid. DELETE removes the rows for which WHERE is true.";
const DROP = "DROP TABLE removes the table's row from sqlite_schema, and its indexes' rows; its pages must not stay behind unaccounted for (reuse them, put them on the freelist, or write the file without them).";

/** A table of 1500–2500 rows on small pages with two indexes, made by sqlite3 in two identical files. */
async function twins(t: CaseContext, sql: SqlCase) {
  const table = randomTable(t.rand, { name: "stock", kinds: ["text", "int", "real"], rows: t.rand.int(1500, 2500), ids: [] });
  table.rows = table.rows.map((r, i) => [BigInt(i + 1), ...r.slice(1)]);
  const [id, label, qty, price] = table.columns.map((c) => c.name) as [string, string, string, string];
  const script = [`PRAGMA page_size = ${t.rand.pick([512, 1024, 4096])};`, tableScript(table), `CREATE INDEX stock_by_${label} ON stock (${label});`, `CREATE INDEX stock_by_${qty} ON stock (${qty}, ${price});`, "CREATE TABLE extra (x, y);", "INSERT INTO extra VALUES (1, 2), ('a', 'b');", "CREATE INDEX extra_by_x ON extra (x);"].join("\n");
  await sql.build("ours.db", script);
  await sql.build("twin.db", script);
  return { id, label, qty, price, rows: table.rows.length };
}

async function both(sql: SqlCase, statements: string[], hint: string): Promise<void> {
  for (const st of statements) {
    await sql.write("ours.db", st, hint);
    await sql.sqlite("twin.db", st);
  }
}

export default stage(import.meta, [
  {
    name: "UPDATE and DELETE with WHERE, indexes kept in step",
    async run(t) {
      const sql = SqlCase.start(t);
      const c = await twins(t, sql);
      const k = t.rand.int(3, 9);
      await both(
        sql,
        [
          `UPDATE stock SET ${c.qty} = ${c.qty} * 2 + 1, ${c.label} = ${c.label} || '-${t.rand.word()}' WHERE ${c.id} % ${k} = 1`,
          `DELETE FROM stock WHERE ${c.id} % ${k + 1} = 0`,
          `UPDATE stock SET ${c.price} = '${t.rand.int(1, 99)}', ${c.qty} = NULL WHERE ${c.qty} < 0`,
          `DELETE FROM stock WHERE ${c.label} > 'm'`,
        ],
        `${CHANGE} ${INDEX}`,
      );
      await sql.expectIntegrity("ours.db", `${INDEX} ${CHANGE}`);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT rowid, *, typeof(${c.price}) FROM stock ORDER BY rowid`, CHANGE);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT ${c.qty}, rowid FROM stock INDEXED BY stock_by_${c.qty} WHERE ${c.qty} > 0 ORDER BY ${c.qty}, ${c.price}, rowid LIMIT 60`, INDEX);
    },
  },
  {
    name: "UPDATE of the INTEGER PRIMARY KEY moves rows; DELETE of every row",
    async run(t) {
      const sql = SqlCase.start(t);
      const c = await twins(t, sql);
      const shift = t.rand.int(1, 9) * 1_000_000;
      await both(sql, [`UPDATE stock SET ${c.id} = ${c.id} + ${shift} WHERE ${c.id} <= ${t.rand.int(50, 400)}`, "DELETE FROM extra"], `${CHANGE} ${INDEX}`);
      await sql.expectIntegrity("ours.db", `${INDEX} ${CHANGE}`);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT count(*), min(rowid), max(rowid) FROM stock; SELECT rowid, * FROM stock WHERE rowid > ${shift} ORDER BY rowid LIMIT 20; SELECT count(*) FROM extra`, CHANGE);
      const dup = await sql.ours("ours.db", `UPDATE stock SET ${c.id} = ${shift + 1} WHERE ${c.id} = ${c.rows}`);
      if (dup.result.code === 0) t.fail({ message: "Your program exited 0 on an UPDATE that gives a row the rowid of another row.", hint: "A rowid is unique: the UPDATE fails (UNIQUE constraint failed), exits non-zero and changes nothing." });
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT count(*), max(rowid) FROM stock`, "A failed statement changes nothing.");
    },
  },
  {
    name: "DROP TABLE and DROP INDEX",
    async run(t) {
      const sql = SqlCase.start(t);
      const c = await twins(t, sql);
      await both(sql, [`DROP INDEX stock_by_${c.label}`, "DROP TABLE extra", "DROP TABLE IF EXISTS nothing_here"], DROP);
      await sql.expectIntegrity("ours.db", DROP);
      await sql.expectSameFiles("ours.db", "twin.db", ".schema", DROP);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT count(*), count(${c.qty}), max(${c.qty}) FROM stock`, DROP);
    },
  },
]);
