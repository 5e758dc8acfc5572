import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { createTableSql, randomTable, tableNames, tableScript, type Kind } from "../../challenges/sql/clients/sqlite-data.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const KINDS: Kind[] = ["int", "real", "text", "blob", "mixed"];

/**
 * A database of a few small tables (a row or two each), some indexes (the
 * first table always has one), maybe more AUTOINCREMENT tables; and on every
 * seed: a table with a UNIQUE column (an automatic index, whose sql is NULL),
 * an AUTOINCREMENT table (and so sqlite_sequence, a table whose name starts
 * with sqlite_), a table whose name starts with a capital, tables named SQLite<word> and sqlite (the first left out of .tables, the second not), a trigger, and (unless for .schema, where sqlite3 adds a
 * comment after a view's sql) a view.
 */
function schemaScript(rand: Random, pageSize: number, tables: number, withView = true): string {
  const lines = [`PRAGMA page_size = ${pageSize};`];
  const names = tableNames(rand, tables + 3);
  const [tags, counters, view] = names.splice(tables, 3) as [string, string, string];
  const first = names[0]!;
  for (const [i, name] of names.entries()) {
    const t = randomTable(rand, { name, kinds: Array.from({ length: rand.int(1, 4) }, () => rand.pick(KINDS)), rows: rand.int(0, 2) });
    if (rand.int(0, 3) === 0) {
      lines.push(createTableSql(t).replace("(", `(${name}_key INTEGER PRIMARY KEY AUTOINCREMENT, `));
      lines.push(...tableScript(t).split("\n").slice(1));
    } else lines.push(tableScript(t));
    if (i === 0 || rand.int(0, 1) === 0) lines.push(`CREATE INDEX ${name}_by_${t.columns[0]!.name} ON ${name} (${t.columns[0]!.name});`);
  }
  lines.push(
    `CREATE TABLE ${tags} (tag TEXT UNIQUE, weight INTEGER);`,
    `CREATE TABLE ${counters} (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT);`,
    // A capitalized name: sqlite3 sorts names byte by byte, so it comes before every lower-case one.
    `CREATE TABLE ${first[0]!.toUpperCase()}${first.slice(1)}_Archive (ref INTEGER);`,
    // .tables leaves out names LIKE 'sqlite_%' (any case, _ any one character): SQLite<word> is left out, sqlite itself is listed.
    `CREATE TABLE SQLite${first} (ref INTEGER);`,
    "CREATE TABLE sqlite (ref INTEGER);",
    `INSERT INTO ${counters} (label) VALUES ('${rand.word()}');`,
    ...(withView ? [`CREATE VIEW ${view}_view AS SELECT * FROM ${first};`] : []),
    `CREATE TRIGGER ${tags}_touch AFTER INSERT ON ${tags} BEGIN UPDATE ${tags} SET weight = 0 WHERE weight IS NULL; END;`,
  );
  return lines.join("\n");
}

async function oursOk(t: CaseContext, sql: SqlCase, file: string, command: string): Promise<string> {
  const { result } = await sql.ours(file, command);
  if (result.code !== 0) t.fail({ message: `Your program exited with code ${result.code} on ${command}.`, hint: `It should print what sqlite3 prints for ${command} and exit 0.` });
  return result.stdout;
}

export default stage(import.meta, [
  {
    name: ".dbinfo prints the page size and the number of tables",
    async run(t) {
      const sql = SqlCase.start(t);
      // 65536 on every seed: the header stores it as 1.
      const sizes = t.rand.shuffle([65536, ...t.rand.shuffle([4096, 8192, 16384, 32768]).slice(0, 2)]);
      for (const [i, size] of sizes.entries()) {
        const file = await sql.build(`info${i + 1}.db`, schemaScript(t.rand, size, t.rand.int(1, 6)));
        const pageSize = (await sql.sqlite(file, "PRAGMA page_size")).trim();
        const tables = (await sql.sqlite(file, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'")).trim();
        const out = await oursOk(t, sql, file, ".dbinfo");
        const line = (label: string) => out.split("\n").find((l) => l.startsWith(label)) ?? "(no such line)";
        const expectedSize = `${"database page size:".padEnd(20)} ${pageSize}`;
        t.expectEqual(line("database page size:"), expectedSize, {
          message: `The "database page size:" line of .dbinfo is wrong for ${file}.`,
          hint:
            line("database page size:").endsWith(" 1") && pageSize === "65536"
              ? "The page size is the 2-byte big-endian number at offset 16 of the header; the value 1 means 65536."
              : 'Print "database page size:" padded to 20 characters, a space, then the 2-byte big-endian number at offset 16 of the file (1 means 65536).',
        });
        t.expectEqual(line("number of tables:"), `${"number of tables:".padEnd(20)} ${tables}`, {
          message: `The "number of tables:" line of .dbinfo is wrong for ${file}.`,
          hint: 'Count the rows of sqlite_schema (the table B-tree on page 1) whose type column is "table" — not indexes. sqlite_sequence, made by AUTOINCREMENT, is a table too. Print "number of tables:" padded to 20 characters, a space, the count.',
        });
      }
    },
  },
  {
    name: ".tables lists the tables in columns, as sqlite3 does",
    async run(t) {
      const sql = SqlCase.start(t);
      for (const [i, n] of [t.rand.int(1, 3), t.rand.int(8, 14)].entries()) {
        const file = await sql.build(`tables${i + 1}.db`, schemaScript(t.rand, 4096, n));
        await sql.expectSame(file, ".tables", {
          hint: "List the names of sqlite_schema rows of type 'table' (or 'view'), except those LIKE 'sqlite_%' (sqlite, one more character, anything, in any case: SQLiteLog too), sorted byte by byte, in columns: each name padded to the longest name's length, two spaces between columns, as many columns as fit in 80 characters, filled top to bottom.",
        });
      }
    },
  },
  {
    name: ".schema prints every CREATE statement in the order of sqlite_schema",
    async run(t) {
      const sql = SqlCase.start(t);
      const file = await sql.build("schema.db", schemaScript(t.rand, t.rand.pick([4096, 8192]), t.rand.int(2, 6), false));
      await sql.expectSame(file, ".schema", {
        hint: "Print the sql column of every sqlite_schema row that has one, in rowid order, each followed by \";\" and a newline (autoindexes have no sql; sqlite_sequence has one).",
      });
    },
  },
]);
