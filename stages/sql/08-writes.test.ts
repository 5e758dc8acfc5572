import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { createTableSql, longText, randomTable, sqlLiteral, tableScript, type Kind, type TableSpec } from "../../challenges/sql/clients/sqlite-data.ts";
import type { Random } from "../../harness/random.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const FORMAT =
  "Write the file as fileformat2 describes it: the 100-byte header (page size, file change counter, page count at offset 28, schema cookie at 40, schema format 4, text encoding 1, version-valid-for at 92 equal to the change counter), sqlite_schema on page 1, each table a B-tree of rowids with interior pages once a page is full, payloads beyond the page's limit on overflow pages, every page used exactly once (or listed in the freelist).";
const AFFINITY =
  "A value gets its column's affinity when stored (datatype3 §3): INTEGER and NUMERIC columns turn number-like text into numbers (and reals like 2.0 into integers), REAL columns turn integers into reals, TEXT columns turn numbers into text; an INTEGER PRIMARY KEY value is the rowid (stored as NULL in the record); without one, the rowid is one more than the largest.";
const INDEX =
  "Every index must hold one entry per row — the indexed values and the rowid — in sorted order (fileformat2 §2.5), so after an INSERT the table's indexes change too; sqlite3's integrity_check compares them with the table.";

/** integrity_check's report names a value stored against its column's affinity ("TEXT value in t.c"). */
function integrityHint(base: string): (report: string) => string {
  return (report) => (/\b(TEXT|NUMERIC|INTEGER|REAL|BLOB) value in /.test(report) ? `${AFFINITY} ${base}` : base);
}

/** Statements run through both the program (on `ours`) and sqlite3 (on `twin`). */
async function both(t: CaseContext, sql: SqlCase, ours: string, twin: string, statements: string[], hint: string): Promise<void> {
  for (const st of statements) {
    await sql.write(ours, st, hint);
    await sql.sqlite(twin, st);
  }
}

function insertRows(t: TableSpec, rows: string[][]): string {
  return `INSERT INTO ${t.name} (${t.columns.map((c) => c.name).join(", ")}) VALUES ${rows.map((r) => `(${r.join(", ")})`).join(", ")}`;
}

/** Literals of every kind (and expressions of literals), whatever the column's type: affinity decides what is stored. */
const LITERAL_KINDS: ((rand: Random) => string)[] = [
  (rand) => String(rand.int(-1000, 1000)),
  (rand) => `'${rand.int(-50, 50)}'`,
  (rand) => `${rand.int(-100, 100)}.5`,
  (rand) => `${rand.int(-9, 9)}.0`,
  (rand) => `'${rand.word()}'`,
  () => "NULL",
  (rand) => `X'${Buffer.from(rand.word()).toString("hex")}'`,
  (rand) => `'${rand.int(1, 9)}.25'`,
  (rand) => `(${rand.int(1, 9)} + ${rand.int(1, 9)}) * -${rand.int(2, 5)}`,
  (rand) => `${rand.int(1, 9)}.5 * 2`,
  (rand) => `'${rand.word()}' || ${rand.int(1, 99)}`,
];

function anyLiteral(rand: Random): string {
  return rand.pick(LITERAL_KINDS)(rand);
}

function selectAll(t: TableSpec): string {
  return `SELECT rowid, *, ${t.columns.map((c) => `typeof(${c.name})`).join(", ")} FROM ${t.name} ORDER BY rowid`;
}

export default stage(import.meta, [
  {
    name: "CREATE TABLE in a new file, then INSERT: sqlite3 reads it back",
    async run(t) {
      const sql = SqlCase.start(t);
      const kinds: Kind[] = t.rand.shuffle(["int", "real", "text", "blob", "mixed"]);
      const table = randomTable(t.rand, { name: t.rand.pick(["notes", "people", "things"]), kinds, rows: 0, ids: [] });
      // Written in lower case: sqlite_schema keeps "CREATE TABLE " and the text from the name on.
      const create = createTableSql(table).replace(/;$/, "").replace(/^CREATE TABLE /, "create table ");
      const statements = [create, create.replace(/^create table /, "CREATE TABLE IF NOT EXISTS ")];
      // Explicit ids are distinct multiples of 1000; automatic ones (the largest + 1) never reach the next multiple.
      const used = new Set<number>();
      const explicitId = () => {
        let id: number;
        do id = t.rand.int(1, 1000) * 1000;
        while (used.has(id));
        used.add(id);
        return String(id);
      };
      for (let i = 0; i < 3; i++) {
        // The second INSERT starts with an explicit id on every seed, so the rows after it get the largest rowid + 1, not the count + 1.
        const explicit = (j: number) => (i === 1 && j === 0) || (t.rand.int(0, 2) === 0 && (i > 0 || j > 0));
        const rows = Array.from({ length: t.rand.int(1, 6) }, (_, j) => table.columns.map((c) => (c.name === table.idColumn ? (explicit(j) ? explicitId() : "NULL") : anyLiteral(t.rand))));
        statements.push(insertRows(table, rows));
      }
      // Columns left out of the INSERT's list are NULL.
      const named = table.columns.find((c) => c.name !== table.idColumn)!;
      statements.push(`INSERT INTO ${table.name} (${named.name}) VALUES (${anyLiteral(t.rand)}), (${anyLiteral(t.rand)})`);
      // Every kind of literal in every column, on every seed: row k holds kind k in each column.
      statements.push(insertRows(table, LITERAL_KINDS.map((kind) => table.columns.map((c) => (c.name === table.idColumn ? "NULL" : kind(t.rand))))));
      await both(t, sql, "ours.db", "twin.db", statements, `${FORMAT} ${AFFINITY}`);
      await sql.expectIntegrity("ours.db", integrityHint(FORMAT));
      sql.expectHeader("ours.db", undefined, true);
      await sql.expectSameFiles("ours.db", "twin.db", ".schema", "sqlite_schema's sql column holds \"CREATE TABLE \" followed by the statement's text from the table's name on (without the final ;): create table t (…) is kept as CREATE TABLE t (…). CREATE TABLE IF NOT EXISTS of a table that exists does nothing.");
      await sql.expectSameFiles("ours.db", "twin.db", selectAll(table), AFFINITY);
    },
  },
  {
    name: "INSERT into a table of thousands of rows on small pages, indexes kept in step",
    async run(t) {
      const sql = SqlCase.start(t);
      const table = randomTable(t.rand, { name: "log", kinds: ["text", "int", "real"], rows: t.rand.int(1500, 2500), ids: [] });
      table.rows = table.rows.map((r, i) => [BigInt(i + 1), ...r.slice(1)]);
      const [, text, num] = table.columns.map((c) => c.name);
      const script = [`PRAGMA page_size = ${t.rand.pick([512, 1024])};`, tableScript(table), `CREATE INDEX log_by_${text} ON log (${text});`, `CREATE INDEX log_by_${num} ON log (${num}, ${text});`].join("\n");
      await sql.build("ours.db", script);
      await sql.build("twin.db", script);
      const before = sql.header("ours.db");
      const ids = [String(t.rand.int(100, 900) * 1000), "NULL", "NULL", String(-t.rand.int(1, 99)), "9223372036854775807"];
      const rows = ids.map((id) => [id, anyLiteral(t.rand), anyLiteral(t.rand), anyLiteral(t.rand)]);
      await both(t, sql, "ours.db", "twin.db", [insertRows(table, rows.slice(0, 3)), insertRows(table, rows.slice(3))], `${FORMAT} ${INDEX}`);
      await sql.expectIntegrity("ours.db", integrityHint(`${FORMAT} ${INDEX}`));
      sql.expectHeader("ours.db", before, false);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT count(*), max(rowid), min(rowid) FROM log`, AFFINITY);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT rowid, * FROM log WHERE rowid > 1500 OR rowid < 1 ORDER BY rowid`, AFFINITY);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT ${num}, ${text}, rowid FROM log INDEXED BY log_by_${num} WHERE ${num} IS NOT NULL ORDER BY ${num}, ${text}, rowid LIMIT 50`, INDEX);
    },
  },
  {
    name: "long values on overflow pages, in a table and its index",
    async run(t) {
      const sql = SqlCase.start(t);
      const pageSize = t.rand.pick([512, 1024, 4096]);
      const statements = [
        `CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT, body TEXT, data BLOB)`,
        `CREATE INDEX docs_by_body ON docs (body)`,
        ...Array.from({ length: 3 }, () =>
          `INSERT INTO docs (title, body, data) VALUES ${Array.from({ length: t.rand.int(2, 5) }, () => `(${sqlLiteral(t.rand.word())}, ${sqlLiteral(longText(t.rand, 10, pageSize * 3))}, ${sqlLiteral(new TextEncoder().encode(longText(t.rand, 0, pageSize * 2)))})`).join(", ")}`,
        ),
      ];
      await sql.build("ours.db", `PRAGMA page_size = ${pageSize};\nCREATE TABLE placeholder (x);\nDROP TABLE placeholder;`);
      await sql.build("twin.db", `PRAGMA page_size = ${pageSize};\nCREATE TABLE placeholder (x);\nDROP TABLE placeholder;`);
      const hint = `${FORMAT} A payload of P bytes keeps the first bytes the reader expects on the page (table leaves: X = U-35; index cells: X = ((U-12)*64/255)-23; then M and K as in stage 3) and chains the rest through overflow pages of U-4 bytes each.`;
      await both(t, sql, "ours.db", "twin.db", statements, hint);
      await sql.expectIntegrity("ours.db", hint);
      await sql.expectSameFiles("ours.db", "twin.db", "SELECT id, title, length(body), substr(body, -20), hex(substr(data, 1, 8)), length(data) FROM docs ORDER BY id", hint);
      await sql.expectSameFiles("ours.db", "twin.db", "SELECT id, length(body) FROM docs INDEXED BY docs_by_body WHERE body > 'm' ORDER BY body, id", `${hint} ${INDEX}`);
    },
  },
  {
    name: "CREATE INDEX on an existing table, which sqlite3 then uses",
    async run(t) {
      const sql = SqlCase.start(t);
      const table = randomTable(t.rand, { name: "items", kinds: ["text", "int", "mixed"], rows: t.rand.int(300, 800) });
      const script = `PRAGMA page_size = ${t.rand.pick([1024, 4096])};\n${tableScript(table)}`;
      await sql.build("ours.db", script);
      await sql.build("twin.db", script);
      const [text, num] = table.columns.map((c) => c.name);
      const before = sql.header("ours.db");
      await both(t, sql, "ours.db", "twin.db", [`CREATE INDEX items_by_${num} ON items (${num})`, `CREATE INDEX items_by_${text} ON items (${text} DESC)`, `CREATE INDEX IF NOT EXISTS items_by_${num} ON items (${text})`], INDEX);
      await sql.expectIntegrity("ours.db", INDEX);
      sql.expectHeader("ours.db", before, true);
      await sql.expectSameFiles("ours.db", "twin.db", ".schema", "sqlite_schema's sql column holds the CREATE INDEX statement as written, from CREATE INDEX on.");
      await sql.expectSameFiles("ours.db", "twin.db", `EXPLAIN QUERY PLAN SELECT * FROM items WHERE ${num} = 5`, INDEX);
      await sql.expectSameFiles("ours.db", "twin.db", `SELECT ${num}, rowid FROM items INDEXED BY items_by_${num} WHERE ${num} > 0 ORDER BY ${num}, rowid LIMIT 40`, INDEX);
    },
  },
  {
    name: "an INSERT that fails changes nothing",
    async run(t) {
      const sql = SqlCase.start(t);
      const script = "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT);\nINSERT INTO accounts VALUES (1, 'ann'), (2, 'bob'), (3, 'cy');";
      await sql.build("ours.db", script);
      const dup = t.rand.int(1, 3);
      const r = await sql.ours("ours.db", `INSERT INTO accounts VALUES (${dup + 10}, 'new'), (${dup}, 'again')`);
      if (r.result.code === 0) t.fail({ message: `Your program exited 0 on an INSERT of an id that already exists (${dup}).`, hint: "A rowid is unique: the INSERT fails (sqlite3: UNIQUE constraint failed) with a non-zero exit status." });
      await sql.expectIntegrity("ours.db", FORMAT);
      const rows = await sql.sqlite("ours.db", "SELECT id, owner FROM accounts ORDER BY id");
      t.expectEqual(rows, "1|ann\n2|bob\n3|cy\n", { message: "The failed INSERT changed the table.", hint: "A statement is atomic: when any of its rows fails, none is written (build the new file completely before replacing the old one)." });
    },
  },
]);
