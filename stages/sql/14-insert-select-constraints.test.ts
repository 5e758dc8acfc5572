import { sqlLiteral, type Cell } from "../../challenges/sql/clients/sqlite-data.ts";
import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { both, sameAndIntact } from "../../challenges/sql/clients/twin-writes.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const INSERT_SELECT =
  "INSERT INTO t [(columns)] SELECT … inserts every row the SELECT gives, as if each were a VALUES row: the i-th value goes to the i-th listed column (every column, in order, without a list), with that column's affinity; columns not listed get their DEFAULT (NULL without one), and an INTEGER PRIMARY KEY left out or NULL gets a new rowid. The SELECT's rows are all read before the first is inserted, so INSERT INTO t SELECT … FROM t adds each existing row once.";
const DEFAULTS =
  "A column left out of an INSERT gets its DEFAULT: a literal (a string, a number, a signed number such as -1.5) or a parenthesised expression such as (2 + 3), stored with the column's affinity; without DEFAULT it is NULL.";
const NOT_NULL = "NOT NULL refuses a NULL in that column (given or by default): the statement fails with \"NOT NULL constraint failed: <table>.<column>\" and changes nothing.";
const CHECK =
  "CHECK (expr) refuses a row for which expr is false (0); NULL passes, as only false fails. The error is \"CHECK constraint failed: <name>\" for CONSTRAINT <name> CHECK (…), else the expression as written in CREATE TABLE; the statement changes nothing.";
const UNIQUE =
  "UNIQUE (a column's, or UNIQUE (a, b) of the table) and a PRIMARY KEY that is not INTEGER PRIMARY KEY refuse a second row with the same values: \"UNIQUE constraint failed: t.a\" (\"t.a, t.b\" for several columns), and the statement changes nothing. NULLs are distinct from each other: several rows may hold NULL.";
const AUTOINDEX =
  "Each UNIQUE or non-rowid PRIMARY KEY constraint has an automatic index: a row in sqlite_schema (type 'index', name sqlite_autoindex_<table>_<N>, N counting the constraints in the order they appear, sql NULL) right after the table's, and an index B-tree holding one entry per row (the values, then the rowid) — written with the table, kept in step by every INSERT, UPDATE and DELETE, so that PRAGMA integrity_check passes and sqlite3 uses it.";

/** src (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL, tag): 40–80 rows drawn from the seed, built by sqlite3 twice (ours.db, twin.db). */
async function twins(t: CaseContext, sql: SqlCase): Promise<{ ours: string; twin: string; n: number }> {
  const r = t.rand;
  const n = r.int(40, 80);
  const rows: Cell[][] = [];
  for (let id = 1; id <= n; id++) rows.push([BigInt(id), `${r.word()}-${id}`, r.next() < 0.1 ? null : BigInt(r.int(-20, 200)), r.next() < 0.1 ? null : r.int(1, 4000) / 4, r.pick<Cell>([null, r.word(), BigInt(r.int(0, 99)), "42", 2.5])]);
  const script = ["CREATE TABLE src (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL, tag);", `INSERT INTO src VALUES ${rows.map((x) => `(${x.map(sqlLiteral).join(", ")})`).join(",\n  ")};`].join("\n");
  return { ours: await sql.build("ours.db", script), twin: await sql.build("twin.db", script), n };
}

export default stage(import.meta, [
  {
    name: "INSERT … SELECT: every row, by position, with affinity",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      const k = t.rand.int(0, 100);
      await both(sql, f, [
        "CREATE TABLE copy (id INTEGER PRIMARY KEY, name TEXT, qty TEXT, price INTEGER, tag)",
        `INSERT INTO copy SELECT * FROM src WHERE qty > ${k}`,
        // A column list: the others NULL, a new rowid for each row.
        "INSERT INTO copy (tag, name) SELECT qty * 2, name FROM src WHERE id <= 5",
        "INSERT INTO copy (qty) SELECT count(*) FROM src",
        // From the same table: the SELECT's rows are read first (each row copied once).
        "INSERT INTO src (name, qty, price, tag) SELECT name, qty, price, 'again' FROM src",
      ], INSERT_SELECT);
      await sameAndIntact(sql, f, ["SELECT id, name, qty, typeof(qty), price, typeof(price), tag, typeof(tag) FROM copy ORDER BY id", "SELECT count(*), max(id) FROM src", "SELECT id, name, tag FROM src WHERE tag = 'again' ORDER BY id"], INSERT_SELECT);
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO copy (name, qty) SELECT name FROM src", INSERT_SELECT);
    },
  },
  {
    name: "DEFAULT values for columns an INSERT leaves out",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      const d = t.rand.int(2, 90);
      await both(sql, f, [
        `CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT DEFAULT 'anon', qty INTEGER DEFAULT ${d}, price REAL DEFAULT -1.5, code TEXT DEFAULT 7, n DEFAULT (2 + ${d}), note)`,
        "INSERT INTO item (note) VALUES ('all defaults')",
        "INSERT INTO item (name, qty) VALUES ('given', NULL)",
        "INSERT INTO item (id, note) SELECT id + 100, name FROM src WHERE id <= 3",
      ], DEFAULTS);
      await sameAndIntact(sql, f, ["SELECT id, name, qty, price, typeof(price), code, typeof(code), n, note FROM item ORDER BY id"], DEFAULTS);
    },
  },
  {
    name: "NOT NULL and CHECK refuse rows with sqlite3's messages",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      const lo = t.rand.int(1, 9);
      await both(sql, f, [
        `CREATE TABLE stock (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER CHECK (qty >= ${lo}), price REAL, CONSTRAINT cheap CHECK (price < 1000))`,
        `INSERT INTO stock (name, qty, price) VALUES ('ok', ${lo}, 999.5)`,
        // NULL passes a CHECK: only false fails.
        "INSERT INTO stock (name, qty, price) VALUES ('nulls', NULL, NULL)",
        `INSERT INTO stock (name, qty) SELECT name, qty FROM src WHERE qty >= ${lo}`,
      ], `${NOT_NULL} ${CHECK}`);
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO stock (qty) VALUES (50)", NOT_NULL);
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO stock (name, qty) VALUES (NULL, 50)", NOT_NULL);
      await sql.expectSameError(f.ours, f.twin, `INSERT INTO stock (name, qty) VALUES ('low', ${lo - 1})`, CHECK);
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO stock (name, price) VALUES ('dear', 1000)", CHECK);
      await sql.expectSameError(f.ours, f.twin, "UPDATE stock SET qty = qty - 100 WHERE name = 'ok'", CHECK);
      // A failing INSERT … SELECT adds none of its rows.
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO stock (name, qty) SELECT name, qty FROM src", `${NOT_NULL} ${CHECK}`);
      await sameAndIntact(sql, f, ["SELECT * FROM stock ORDER BY id"], `${NOT_NULL} ${CHECK} A refused statement changes nothing.`);
    },
  },
  {
    name: "UNIQUE and PRIMARY KEY: refused duplicates, NULLs allowed",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      await both(sql, f, [
        "CREATE TABLE acct (id INTEGER PRIMARY KEY, email TEXT UNIQUE, first TEXT, last TEXT, UNIQUE (first, last))",
        "CREATE TABLE tag (label TEXT PRIMARY KEY, uses INTEGER)",
        "INSERT INTO acct (email, first, last) SELECT name || '@example.com', name, tag FROM src",
        // NULLs are distinct: both rows go in.
        "INSERT INTO acct (email, first, last) VALUES (NULL, 'x', NULL), (NULL, 'x', NULL)",
        "INSERT INTO tag VALUES ('a', 1), ('b', 2), (NULL, 3), (NULL, 4)",
      ], UNIQUE);
      const victim = t.rand.int(1, f.n);
      await sql.expectSameError(f.ours, f.twin, `INSERT INTO acct (email) SELECT email FROM acct WHERE id = ${victim}`, UNIQUE);
      await sql.expectSameError(f.ours, f.twin, `INSERT INTO acct (email, first, last) SELECT 'new', first, last FROM acct WHERE id = ${victim} AND last IS NOT NULL UNION ALL SELECT 'n1', 'p', 'q' UNION ALL SELECT 'n2', 'p', 'q'`, UNIQUE);
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO tag VALUES ('c', 1), ('a', 5)", UNIQUE);
      await sql.expectSameError(f.ours, f.twin, `UPDATE acct SET email = 'same' WHERE id <= 2`, UNIQUE);
      await both(sql, f, [`UPDATE acct SET email = 'moved' WHERE id = ${victim}`, "DELETE FROM acct WHERE id % 3 = 0", "UPDATE tag SET label = 'c' WHERE label = 'b'"], UNIQUE);
      await sameAndIntact(sql, f, ["SELECT * FROM acct ORDER BY id", "SELECT * FROM tag ORDER BY rowid"], UNIQUE);
    },
  },
  {
    name: "automatic indexes sqlite_autoindex_<table>_<N> that sqlite3 reads",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await twins(t, sql);
      await both(sql, f, [
        "CREATE TABLE person (code TEXT PRIMARY KEY, email TEXT UNIQUE NOT NULL, name TEXT, city TEXT, UNIQUE (name, city))",
        "INSERT INTO person SELECT 'p' || id, name || '@example.org', name, tag FROM src",
        "CREATE TABLE plain (a INTEGER PRIMARY KEY, b)",
      ], AUTOINDEX);
      await sameAndIntact(
        sql,
        f,
        [
          "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid",
          // sqlite3 finds rows through the automatic indexes of the file your program wrote.
          "EXPLAIN QUERY PLAN SELECT name FROM person WHERE email = 'x'",
          `SELECT code, name FROM person WHERE email = '${t.rand.int(1, 20)}'`,
          "SELECT count(*) FROM person INDEXED BY sqlite_autoindex_person_2 WHERE email > ''",
          "SELECT code FROM person INDEXED BY sqlite_autoindex_person_1 WHERE code > 'p' ORDER BY code",
        ],
        AUTOINDEX,
      );
    },
  },
]);
