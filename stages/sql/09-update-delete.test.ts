import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { randomTable, tableScript } from "../../challenges/sql/clients/sqlite-data.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const INDEX =
  "Every index holds exactly one entry per row of its table (fileformat2 §2.5): a DELETE removes the row's entries from every index, an UPDATE of an indexed column (or of the rowid) replaces them; sqlite3's integrity_check compares each index with its table.";
const CHANGE =
  "UPDATE sets the columns of the rows for which WHERE is true (every row without WHERE); each SET expression sees the row as it was before the statement, and the new value gets the column's affinity. Setting the INTEGER PRIMARY KEY moves the row to that rowid. DELETE removes the rows for which WHERE is true.";
const FREELIST =
  "Pages a DELETE or DROP leaves empty go on the freelist (fileformat2 §1.5): trunk pages, each listing leaf pages, the first trunk's page number in the header at offset 32 and the number of free pages at offset 36. New pages come from the freelist before the file grows: take a leaf page of the first trunk (or the trunk itself when it lists none), and update both header fields.";
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

/** sqlite3's PRAGMA freelist_count and page_count of a file. */
async function pages(sql: SqlCase, file: string): Promise<{ free: number; total: number }> {
  const [free, total] = (await sql.sqlite(file, "PRAGMA freelist_count; PRAGMA page_count")).trim().split("\n").map(Number);
  return { free: free!, total: total! };
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
      const before = sql.header("ours.db");
      const k = t.rand.int(3, 9);
      await both(
        sql,
        [
          `UPDATE stock SET ${c.qty} = ${c.qty} * 2 + 1, ${c.label} = ${c.label} || '-${t.rand.word()}' WHERE ${c.id} % ${k} = 1`,
          `DELETE FROM stock WHERE ${c.id} % ${k + 1} = 0`,
          `UPDATE stock SET ${c.price} = '${t.rand.int(1, 99)}', ${c.qty} = NULL WHERE ${c.qty} < 0`,
          `DELETE FROM stock WHERE ${c.label} > 'm'`,
          // Each SET sees the row as it was: this swaps the two columns (each value then gets its new column's affinity).
          `UPDATE stock SET ${c.qty} = ${c.price}, ${c.price} = ${c.qty} WHERE ${c.id} % ${k} = 2`,
          // Without WHERE: every row.
          "UPDATE extra SET y = x || '!'",
        ],
        `${CHANGE} ${INDEX}`,
      );
      await sql.expectIntegrity("ours.db", `${INDEX} ${CHANGE}`);
      sql.expectHeader("ours.db", before, false);
      await sql.expectSameFiles("ours.db", "twin.db", "SELECT rowid, x, y FROM extra ORDER BY rowid", `${CHANGE} Without WHERE, UPDATE changes every row.`);
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
      const before = sql.header("ours.db");
      await both(sql, [`DROP INDEX stock_by_${c.label}`, "DROP TABLE extra", "DROP TABLE IF EXISTS nothing_here", "DROP INDEX IF EXISTS nothing_here_either"], DROP);
      await sql.expectIntegrity("ours.db", DROP);
      sql.expectHeader("ours.db", before, true);
      await sql.expectSameFiles("ours.db", "twin.db", ".schema", DROP);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT count(*), count(${c.qty}), max(${c.qty}) FROM stock`, DROP);
    },
  },
  {
    name: "DELETE of most rows and DROP INDEX free pages, which later INSERTs reuse",
    async run(t) {
      const sql = SqlCase.start(t);
      const c = await twins(t, sql);
      const k = t.rand.int(5, 9);
      await both(sql, [`DELETE FROM stock WHERE ${c.id} % ${k} <> 0`, `DROP INDEX stock_by_${c.label}`], `${FREELIST} ${INDEX}`);
      await sql.expectIntegrity("ours.db", FREELIST);
      const [ours, twin] = [await pages(sql, "ours.db"), await pages(sql, "twin.db")];
      t.log.note(`after the DELETE and DROP INDEX: ${ours.free} free pages of ${ours.total} in ours.db, ${twin.free} of ${twin.total} in twin.db (sqlite3)`);
      if (ours.free === 0 || ours.free * 4 < twin.free) {
        t.fail({ message: `PRAGMA freelist_count says ${ours.free} free pages in ours.db after a DELETE of most rows and a DROP INDEX, where sqlite3 freed ${twin.free} of the same file's ${twin.total} pages.`, hint: `${FREELIST} Pages a B-tree no longer needs (a leaf emptied, siblings merged, a dropped index's pages) must go on the freelist.` });
      }
      // About half as many rows as were deleted come back: they fit in the freed pages.
      const deleted = c.rows - Math.floor(c.rows / k);
      const rows = Array.from({ length: Math.floor(deleted / 2) }, () => `('${t.rand.word()}-${t.rand.int(0, 999)}', ${t.rand.int(-500, 500)}, ${t.rand.int(0, 9999) / 4})`);
      const half = Math.ceil(rows.length / 2);
      await both(sql, [rows.slice(0, half), rows.slice(half)].map((r) => `INSERT INTO stock (${c.label}, ${c.qty}, ${c.price}) VALUES ${r.join(", ")}`), `${FREELIST} ${INDEX}`);
      await sql.expectIntegrity("ours.db", FREELIST);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT count(*), max(rowid), count(${c.qty}), total(${c.qty}) FROM stock`, CHANGE);
      const [ours2, twin2] = [await pages(sql, "ours.db"), await pages(sql, "twin.db")];
      t.log.note(`after inserting ${rows.length} rows: ${ours2.free} free pages of ${ours2.total} in ours.db, ${twin2.free} of ${twin2.total} in twin.db (sqlite3)`);
      const grew = ours2.total - ours.total;
      const margin = twin2.total - twin.total + Math.max(2, Math.ceil(ours.total / 10));
      if (grew > margin || ours2.free >= ours.free) {
        t.fail({
          message: `Inserting ${rows.length} rows after the DELETE grew ours.db by ${grew} pages (${ours.total} → ${ours2.total}; free pages ${ours.free} → ${ours2.free}), where sqlite3's twin grew by ${twin2.total - twin.total} (free pages ${twin.free} → ${twin2.free}).`,
          hint: FREELIST,
        });
      }
    },
  },
]);
