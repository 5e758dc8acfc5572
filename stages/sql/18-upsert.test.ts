import { sqlLiteral, type Cell } from "../../challenges/sql/clients/sqlite-data.ts";
import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { both, sameAndIntact } from "../../challenges/sql/clients/twin-writes.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const NOTHING =
  "ON CONFLICT … DO NOTHING: a row that would break the target's UNIQUE or PRIMARY KEY constraint is not inserted, and the statement goes on with its next rows (they are inserted) and succeeds. Without a target, any uniqueness constraint counts.";
const UPDATE =
  "ON CONFLICT (target) DO UPDATE SET …: the new row is not inserted; the row already there, the one it collided with, is updated. In SET, a column's name is that row's value, excluded.column the value the new row would have stored (after the column's affinity). Rows go one at a time: a later row can collide with one an earlier row of the statement inserted or updated.";
const WHERE = "DO UPDATE … WHERE: the row already there is updated only when the WHERE is true (excluded.column: the new row's value); otherwise nothing happens, and the new row is still not inserted.";
const TARGET =
  "The conflict target names one uniqueness constraint (a PRIMARY KEY, a UNIQUE column, table constraint or index, by its columns in any order); a target that names none fails before any row: ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint. A row that breaks another UNIQUE or PRIMARY KEY constraint fails as without the clause (ABORT), and so does NOT NULL. Of several clauses, the first whose target the row breaks runs, and a target's constraint is checked before the table's other ones. The row DO UPDATE changes is checked like an UPDATE's.";

/**
 * ours.db and twin.db, built by sqlite3 from the same script: `src` (id INTEGER PRIMARY KEY, name TEXT,
 * qty INTEGER), 30–60 rows whose names repeat, then `stock` (code TEXT PRIMARY KEY, qty INTEGER NOT NULL,
 * hits INTEGER DEFAULT 0, label TEXT UNIQUE) with a few rows, then `extra`.
 */
async function files(t: CaseContext, sql: SqlCase, extra: string[] = []): Promise<{ ours: string; twin: string }> {
  const r = t.rand;
  const names = Array.from({ length: 5 }, () => r.word());
  const src: Cell[][] = [];
  for (let id = 1, n = r.int(30, 60); id <= n; id++) src.push([BigInt(id), `${r.pick(names)}-${r.int(1, 4)}`, BigInt(r.int(0, 99))]);
  const script = [
    "CREATE TABLE src (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);",
    `INSERT INTO src VALUES ${src.map((row) => `(${row.map(sqlLiteral).join(", ")})`).join(", ")};`,
    "CREATE TABLE stock (code TEXT PRIMARY KEY, qty INTEGER NOT NULL, hits INTEGER DEFAULT 0, label TEXT UNIQUE);",
    "INSERT INTO stock VALUES ('A-1', 10, 0, 'lamp'), ('A-2', 20, 0, 'desk'), ('A-3', 30, 0, 'sofa');",
    ...extra,
  ].join("\n");
  return { ours: await sql.build("ours.db", script), twin: await sql.build("twin.db", script) };
}

export default stage(import.meta, [
  {
    name: "ON CONFLICT DO NOTHING skips the rows that collide",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await files(t, sql, ["CREATE TABLE seen (id INTEGER PRIMARY KEY, name TEXT UNIQUE, first INTEGER);"]);
      const q = t.rand.int(1, 9);
      await both(
        sql,
        f,
        [
          // Good rows around collisions on the primary key (a text one): the rows after a skipped one go in.
          `INSERT INTO stock (code, qty, label) VALUES ('B-1', ${q}, 'b1'), ('A-2', 99, 'x1'), ('B-2', ${q + 1}, 'b2'), ('A-1', 99, 'x2'), ('B-3', ${q + 2}, 'b3') ON CONFLICT (code) DO NOTHING`,
          // INSERT … SELECT (a WHERE before ON: the parser's ambiguity): the first row of each name only.
          "INSERT INTO seen (name, first) SELECT name, id FROM src WHERE 1 ORDER BY id ON CONFLICT (name) DO NOTHING",
          // The INTEGER PRIMARY KEY as the target.
          "INSERT INTO seen VALUES (1, 'fresh-1', 0), (1000, 'fresh-2', 0) ON CONFLICT (id) DO NOTHING",
          // No target: the code of one row, the label of another — both skipped.
          `INSERT INTO stock (code, qty, label) VALUES ('A-3', 1, 'new'), ('C-1', 1, 'desk'), ('C-2', ${q}, 'c2') ON CONFLICT DO NOTHING`,
        ],
        NOTHING,
      );
      await sameAndIntact(sql, f, ["SELECT * FROM stock ORDER BY code", "SELECT * FROM seen ORDER BY id"], NOTHING);
    },
  },
  {
    name: "ON CONFLICT DO UPDATE changes the row already there (excluded is the new row)",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await files(t, sql, ["CREATE TABLE tally (name TEXT PRIMARY KEY, n INTEGER, total INTEGER, last INTEGER);"]);
      await both(
        sql,
        f,
        [
          // The names repeat: each later row of a name collides with the row its first one inserted.
          "INSERT INTO tally SELECT name, 1, qty, id FROM src WHERE 1 ORDER BY id ON CONFLICT (name) DO UPDATE SET n = n + 1, total = total + excluded.total, last = excluded.last",
          `INSERT INTO stock (code, qty, label) VALUES ('A-1', ${t.rand.int(1, 9)}, 'lamp 2'), ('D-1', 4, 'd1') ON CONFLICT (code) DO UPDATE SET qty = stock.qty + excluded.qty, hits = hits + 1`,
          // '7' takes the INTEGER column's affinity before excluded.qty reads it: 8, not '71'.
          "INSERT INTO stock (code, qty) VALUES ('A-2', '7') ON CONFLICT (code) DO UPDATE SET qty = excluded.qty + 1, label = label || '!'",
        ],
        UPDATE,
      );
      await sameAndIntact(sql, f, ["SELECT * FROM tally ORDER BY name", "SELECT * FROM stock ORDER BY code", "SELECT typeof(qty) FROM stock ORDER BY code"], UPDATE);
    },
  },
  {
    name: "DO UPDATE … WHERE updates only where the WHERE holds",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await files(t, sql, ["CREATE TABLE best (name TEXT PRIMARY KEY, qty INTEGER, id INTEGER);"]);
      await both(
        sql,
        f,
        [
          // The largest qty of each name wins; a smaller one later leaves the row as it is.
          "INSERT INTO best SELECT name, qty, id FROM src WHERE 1 ORDER BY id ON CONFLICT (name) DO UPDATE SET qty = excluded.qty, id = excluded.id WHERE excluded.qty > qty",
          "INSERT INTO stock (code, qty) VALUES ('A-1', 5), ('A-3', 50) ON CONFLICT (code) DO UPDATE SET qty = excluded.qty, hits = hits + 1 WHERE excluded.qty > stock.qty",
        ],
        WHERE,
      );
      await sameAndIntact(sql, f, ["SELECT * FROM best ORDER BY name", "SELECT * FROM stock ORDER BY code"], WHERE);
    },
  },
  {
    name: "the conflict target chooses the constraint",
    async run(t) {
      const sql = SqlCase.start(t);
      const f = await files(t, sql);
      await both(
        sql,
        f,
        [
          // Two clauses: the row breaks the label (the second's target), not the code.
          "INSERT INTO stock (code, qty, label) VALUES ('E-1', 1, 'desk') ON CONFLICT (code) DO NOTHING ON CONFLICT (label) DO UPDATE SET hits = hits + 10",
          // The code of one row and the label of another: the target (the label) is checked first, so its row is updated.
          "INSERT INTO stock (code, qty, label) VALUES ('A-1', 1, 'sofa') ON CONFLICT (label) DO UPDATE SET hits = hits + 100",
        ],
        TARGET,
      );
      // The label collides, the target is the code: refused.
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO stock (code, qty, label) VALUES ('E-2', 1, 'sofa') ON CONFLICT (code) DO NOTHING", TARGET);
      // NOT NULL is never an upsert's.
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO stock (code, qty) VALUES ('A-1', NULL) ON CONFLICT DO NOTHING", TARGET);
      // qty has no UNIQUE constraint.
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO stock (code, qty) VALUES ('E-3', 1) ON CONFLICT (qty) DO NOTHING", TARGET);
      // The updated row collides with another on its label.
      await sql.expectSameError(f.ours, f.twin, "INSERT INTO stock (code, qty) VALUES ('A-1', 1) ON CONFLICT (code) DO UPDATE SET label = 'desk'", TARGET);
      await sameAndIntact(sql, f, ["SELECT * FROM stock ORDER BY code"], TARGET);
    },
  },
]);
