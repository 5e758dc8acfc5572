import { sqlLiteral, type Cell } from "../../challenges/sql/clients/sqlite-data.ts";
import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { both, sameAndIntact } from "../../challenges/sql/clients/twin-writes.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const IGNORE = "IGNORE skips the row that breaks a UNIQUE, PRIMARY KEY (rowid), NOT NULL or CHECK constraint and goes on with the next row; the statement succeeds.";
const REPLACE =
  "REPLACE deletes the rows a new row collides with — on the rowid and on every UNIQUE key, several rows if it meets several — with their index entries, then inserts it. A NULL in a NOT NULL column becomes its DEFAULT (ABORT without one); CHECK has no REPLACE (ABORT). REPLACE INTO is INSERT OR REPLACE INTO.";
const ABORT_FAIL =
  "ABORT (the default) undoes the failing statement; ROLLBACK undoes the transaction; FAIL stops at the failing row but keeps the rows the statement wrote before it (committed outside BEGIN). Each fails with the constraint's message.";
const ON_CONFLICT =
  "Without OR in the statement, a constraint's own ON CONFLICT (after NOT NULL, UNIQUE or PRIMARY KEY in CREATE TABLE) chooses the resolution; the statement's OR clause wins over it; otherwise ABORT.";
const UPDATE_ROWS =
  "UPDATE goes row by row in rowid order, each new row checked against the table as it is then: SET a = a + 1 over a UNIQUE a of 1, 2, 3 fails at the first row, SET a = a - 1 succeeds. UPDATE OR IGNORE leaves a colliding row as it was; UPDATE OR REPLACE deletes the row in its way.";
const AUTOINCREMENT =
  "INTEGER PRIMARY KEY AUTOINCREMENT: the first such table brings sqlite_sequence (CREATE TABLE sqlite_sequence(name,seq), after the table's own schema rows); each INSERT leaves (table, seq) there, seq the largest rowid ever given (even to a row IGNORE skipped; 0 when none); a new rowid is one more than the larger of seq and the largest rowid, so deleted rowids never come back; DROP TABLE removes the table's row.";

/** src (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER): 30–60 rows with repeating names, built by sqlite3 twice (ours.db, twin.db). */
async function twins(t: CaseContext, sql: SqlCase, extra: string[] = []): Promise<{ ours: string; twin: string; n: number }> {
  const r = t.rand;
  const n = r.int(30, 60);
  const words = [r.word(), r.word(), r.word(), r.word(), r.word()];
  const rows: Cell[][] = [];
  for (let id = 1; id <= n; id++) rows.push([BigInt(id), `${r.pick(words)}${r.int(1, 6)}`, r.next() < 0.1 ? null : BigInt(r.int(-20, 200))]);
  const script = ["CREATE TABLE src (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);", `INSERT INTO src VALUES ${rows.map((x) => `(${x.map(sqlLiteral).join(", ")})`).join(",\n  ")};`, ...extra].join("\n");
  return { ours: await sql.build("ours.db", script), twin: await sql.build("twin.db", script), n };
}

const ITEM = "CREATE TABLE item (id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT NOT NULL DEFAULT 'unnamed', note TEXT NOT NULL, qty INTEGER CHECK (qty >= 0));";
const ITEM_ROWS = "INSERT INTO item VALUES (1, 'A-1', 'lamp', 'n', 1), (2, 'A-2', 'desk', 'n', 2), (3, 'A-3', 'sofa', 'n', 3), (4, 'A-4', 'rug', 'n', 4);";

export default stage(import.meta, [
  {
    name: "INSERT OR IGNORE skips the rows that break a constraint",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql, [ITEM, ITEM_ROWS, "CREATE TABLE seen (name TEXT UNIQUE, first INTEGER);"]);
      const q = t.rand.int(5, 50);
      await both(
        sql,
        f,
        [
          // A good row, then one failure of each kind, good rows between: the rowid, UNIQUE, NOT NULL, CHECK.
          `INSERT OR IGNORE INTO item VALUES (10, 'B-1', 'ok', 'n', ${q}), (2, 'B-2', 'same rowid', 'n', 1), (11, 'A-1', 'same code', 'n', 1), (12, 'B-3', 'ok too', 'n', 0), (13, 'B-4', 'x', NULL, 1), (14, 'B-5', 'y', 'n', -1), (15, 'B-6', 'last', 'n', ${q})`,
          // Repeated names: only the first of each goes in.
          "INSERT OR IGNORE INTO seen SELECT name, id FROM src ORDER BY id",
        ],
        IGNORE,
      );
      await sameAndIntact(sql, f, ["SELECT * FROM item ORDER BY id", "SELECT * FROM seen ORDER BY rowid"], IGNORE);
    },
  },
  {
    name: "INSERT OR REPLACE and REPLACE INTO delete the rows in the way",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql, [ITEM, ITEM_ROWS, "CREATE TABLE latest (name TEXT UNIQUE, id INTEGER, qty INTEGER);", "CREATE TABLE pair (a UNIQUE, b UNIQUE, c);", "INSERT INTO pair VALUES (1, 'x', 'first'), (2, 'y', 'second'), (3, 'z', 'third');"]);
      await both(
        sql,
        f,
        [
          // One UNIQUE key of one row and the other UNIQUE key of another: both rows go.
          "REPLACE INTO pair VALUES (1, 'y', 'both')",
          "INSERT OR REPLACE INTO item VALUES (1, 'A-1', 'lamp 2', 'n', 5)",
          "INSERT OR REPLACE INTO item VALUES (20, 'A-2', 'desk moved', 'n', 5)",
          // The rowid of one row and the code of another: both rows go.
          "REPLACE INTO item VALUES (3, 'A-4', 'both', 'n', 6)",
          // A NULL in a NOT NULL column with a DEFAULT: the default.
          "REPLACE INTO item (id, code, name, note, qty) VALUES (30, 'C-1', NULL, 'n', 1)",
          // The last row of each name wins.
          "REPLACE INTO latest SELECT name, id, qty FROM src ORDER BY id",
        ],
        REPLACE,
      );
      await sql.expectSameError(f.ours, f.twin, "INSERT OR REPLACE INTO item (id, code, name, note) VALUES (40, 'D-1', 'x', NULL)", REPLACE);
      await sql.expectSameError(f.ours, f.twin, "INSERT OR REPLACE INTO item VALUES (1, 'D-2', 'x', 'n', -5)", REPLACE);
      await sameAndIntact(sql, f, ["SELECT * FROM item ORDER BY id", "SELECT * FROM latest ORDER BY rowid", "SELECT count(*) FROM item INDEXED BY sqlite_autoindex_item_1 WHERE code > ''", "SELECT rowid, * FROM pair ORDER BY rowid"], REPLACE);
    },
  },
  {
    name: "OR ABORT, OR ROLLBACK and OR FAIL",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql, [ITEM, ITEM_ROWS]);
      // Good rows, one that collides on the code at a position drawn from the seed, more good rows.
      const k = t.rand.int(1, 4);
      const rows = (base: number) => {
        const out: string[] = [];
        for (let i = 0; i < 6; i++) out.push(i === k ? `(${base + i}, 'A-3', 'clash', 'n', 1)` : `(${base + i}, 'E-${base + i}', 'row ${i}', 'n', ${i})`);
        return out.join(", ");
      };
      await sql.expectSameError(f.ours, f.twin, `INSERT OR FAIL INTO item VALUES ${rows(100)}`, ABORT_FAIL);
      await sql.expectSameFiles(f.ours, f.twin, "SELECT * FROM item ORDER BY id", `${ABORT_FAIL} (With FAIL, the ${k} rows before the failing one stay.)`);
      await sql.expectSameError(f.ours, f.twin, `INSERT OR ABORT INTO item VALUES ${rows(200)}`, ABORT_FAIL);
      await sql.expectSameError(f.ours, f.twin, `INSERT INTO item VALUES ${rows(300)}`, ABORT_FAIL);
      await sql.expectSameError(f.ours, f.twin, `BEGIN; INSERT INTO item VALUES (400, 'F-1', 'kept?', 'n', 1); INSERT OR ROLLBACK INTO item VALUES ${rows(500)}; COMMIT;`, ABORT_FAIL);
      // Rows 1 and 2 change before row 100 collides with row 2's new code: FAIL keeps them.
      await sql.expectSameError(f.ours, f.twin, "UPDATE OR FAIL item SET code = 'G-' || (id % 2) WHERE id >= 100 OR id <= 2", ABORT_FAIL);
      await sameAndIntact(sql, f, ["SELECT * FROM item ORDER BY id"], ABORT_FAIL);
    },
  },
  {
    name: "ON CONFLICT clauses in CREATE TABLE",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      await both(
        sql,
        f,
        [
          "CREATE TABLE c (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, code TEXT UNIQUE ON CONFLICT IGNORE, label TEXT NOT NULL ON CONFLICT REPLACE DEFAULT 'none', note TEXT NOT NULL ON CONFLICT IGNORE, x, y, UNIQUE (x, y) ON CONFLICT FAIL)",
          "INSERT INTO c SELECT id, name, name, 'n', id, qty FROM src",
          // The rowid: REPLACE. A NULL label: REPLACE, the default.
          "INSERT INTO c VALUES (1, 'fresh', NULL, 'n', 1000, 1)",
          // A NULL note: IGNORE (skipped, no error).
          "INSERT INTO c VALUES (5000, 'noteless', 'l', NULL, 1001, 1)",
        ],
        ON_CONFLICT,
      );
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO c VALUES (6000, 'u1', 'l', 'n', 7000, 1), (6001, 'u2', 'l', 'n', 1000, 1), (6002, 'u3', 'l', 'n', 7001, 1)", ON_CONFLICT);
      await sql.expectSameError(f.ours, f.twin, "INSERT OR ABORT INTO c VALUES (6100, 'fresh', 'l', 'n', 8000, 1)", ON_CONFLICT);
      await sameAndIntact(sql, f, ["SELECT * FROM c ORDER BY id"], ON_CONFLICT);
    },
  },
  {
    name: "UPDATE checks row by row; UPDATE OR IGNORE and OR REPLACE",
    async run(t) {
      const sql = SqlCase.start(t);
      const n = t.rand.int(4, 12);
      const seq = Array.from({ length: n }, (_, i) => `(${i + 1}, ${i + 1})`).join(", ");
      const f = await twins(t, sql, ["CREATE TABLE u (a UNIQUE, b);", `INSERT INTO u VALUES ${seq};`, "CREATE TABLE k (id INTEGER PRIMARY KEY, b);", `INSERT INTO k VALUES ${seq};`]);
      await sql.expectSameError(f.ours, f.twin, "UPDATE u SET a = a + 1", UPDATE_ROWS);
      await sql.expectSameError(f.ours, f.twin, "UPDATE k SET id = id + 1", UPDATE_ROWS);
      await both(sql, f, ["UPDATE u SET a = a - 1", "UPDATE OR IGNORE k SET id = id + 1", "UPDATE OR REPLACE u SET a = a + 1 WHERE rowid % 2 = 1"], UPDATE_ROWS);
      await sameAndIntact(sql, f, ["SELECT rowid, * FROM u ORDER BY rowid", "SELECT * FROM k ORDER BY id"], UPDATE_ROWS);
    },
  },
  {
    name: "AUTOINCREMENT: sqlite_sequence, rowids never reused",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      const m = t.rand.int(3, 9);
      const big = t.rand.int(100, 900);
      await both(
        sql,
        f,
        [
          "CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, msg TEXT UNIQUE)",
          "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, what)",
          "CREATE TABLE empty_one (id INTEGER PRIMARY KEY AUTOINCREMENT, v)",
          "INSERT INTO empty_one (v) SELECT name FROM src WHERE 0",
          `INSERT INTO log (msg) SELECT name || '-' || id FROM src WHERE id <= ${m}`,
          "INSERT INTO audit (what) VALUES ('a'), ('b')",
          // The largest rows go; their rowids must not come back.
          `DELETE FROM log WHERE id >= ${m - 1}`,
          "INSERT INTO log (msg) VALUES ('after delete')",
          `INSERT INTO log VALUES (${big}, 'explicit')`,
          "INSERT INTO log (msg) VALUES ('after explicit')",
          // An ignored row still uses up its rowid.
          "INSERT OR IGNORE INTO log (msg) VALUES ('after delete')",
          "DELETE FROM audit",
          "INSERT INTO audit (what) VALUES ('c')",
          "DROP TABLE empty_one",
        ],
        AUTOINCREMENT,
      );
      await sameAndIntact(sql, f, ["SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema ORDER BY rowid", "SELECT rowid, name, seq FROM sqlite_sequence ORDER BY rowid", "SELECT * FROM log ORDER BY id", "SELECT * FROM audit ORDER BY id"], AUTOINCREMENT);
      // sqlite3 itself carries on from the file your program wrote.
      const more = "INSERT INTO log (msg) VALUES ('by sqlite3'); DELETE FROM audit; INSERT INTO audit (what) VALUES ('by sqlite3')";
      await sql.sqliteOnTheirs(f.ours, more, `sqlite3 could not insert into ${f.ours}, which your program wrote.`, AUTOINCREMENT);
      await sql.sqlite(f.twin, more);
      await sameAndIntact(sql, f, ["SELECT * FROM log ORDER BY id", "SELECT * FROM audit", "SELECT name, seq FROM sqlite_sequence ORDER BY rowid"], AUTOINCREMENT);
      await sql.expectSameError(f.ours, f.twin, "CREATE TABLE bad (id INT PRIMARY KEY AUTOINCREMENT, v)", AUTOINCREMENT);
    },
  },
]);
