import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { longText, sqlLiteral } from "../../challenges/sql/clients/sqlite-data.ts";
import type { CaseContext } from "../../harness/stage/context.ts";
import { stage } from "../../harness/stage/define.ts";

const KINDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];

interface Events {
  file: string;
  rows: number;
  /** Distinct values of score (indexed) and tag (not indexed): each value is on about rows/distinct rows. */
  distinct: number;
  kinds: string[];
}

/**
 * events (id INTEGER PRIMARY KEY, kind TEXT, score INTEGER, tag INTEGER, note TEXT):
 * 30–40 thousand rows of about 200 bytes (a file of 8–10 MB), made by one
 * sqlite3 run from a recursive CTE whose constants come from the seed, with
 * indexes on score and kind; tag has the same distribution as score but no index.
 */
async function eventsDb(t: CaseContext, sql: SqlCase): Promise<Events> {
  const rows = t.rand.int(30, 40) * 1000;
  const distinct = t.rand.int(3000, 5000);
  const a = t.rand.int(1000, 9000) * 2 + 1;
  const b = t.rand.int(1, 999);
  const kinds = t.rand.shuffle(KINDS).slice(0, 8);
  const kindExpr = `CASE i % ${kinds.length} ${kinds.map((k, i) => `WHEN ${i} THEN '${k}'`).join(" ")} END`;
  const script = [
    `PRAGMA page_size = ${t.rand.pick([1024, 4096, 8192])};`,
    "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, score INTEGER, tag INTEGER, note TEXT);",
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})`,
    `  INSERT INTO events SELECT i, ${kindExpr}, (i * ${a} + ${b}) % ${distinct}, (i * ${a + 2} + ${b}) % ${distinct}, printf('%0170d', i * ${b}) FROM n;`,
    "CREATE INDEX events_by_score ON events (score);",
    "CREATE INDEX events_by_kind ON events (kind);",
    "CREATE TABLE meta (version INTEGER);",
    "INSERT INTO meta VALUES (1);",
  ].join("\n");
  const file = await sql.build("events.db", script);
  return { file, rows, distinct, kinds };
}

/** The baseline: what the program reads to answer a query that needs almost nothing from the file. */
const ONE_ROW = "SELECT count(*) FROM meta";

const INDEX =
  "An index is a B-tree of records (fileformat2 §2.5): the indexed column(s), then the rowid, sorted as §2.2 says. Interior index pages (type 0x02) hold entries too, between their children; leaves are type 0x0a. To find score = 42, descend from the index's root (its rootpage in sqlite_schema) comparing keys, read the matching entries in order, and fetch each row by its rowid from the table B-tree (descending its interior pages by key) — without reading the whole table.";

export default stage(import.meta, [
  {
    name: "WHERE on an indexed column reads the index, not the whole table",
    async run(t) {
      const sql = SqlCase.start(t);
      const db = await eventsDb(t, sql);
      const v = t.rand.int(0, db.distinct - 1);
      await sql.expectReadsLess(db.file, `SELECT id, kind, score, tag FROM events WHERE score = ${v}`, `SELECT id, kind, score, tag FROM events WHERE tag = ${v}`, ONE_ROW, "index events_by_score", INDEX);
    },
  },
  {
    name: "WHERE on the INTEGER PRIMARY KEY looks the row up by rowid",
    async run(t) {
      const sql = SqlCase.start(t);
      const db = await eventsDb(t, sql);
      const id = t.rand.int(1, db.rows);
      await sql.expectReadsLess(db.file, `SELECT * FROM events WHERE id = ${id}`, `SELECT * FROM events WHERE tag = ${t.rand.int(0, db.distinct - 1)} AND id + 0 = ${id}`, ONE_ROW, "rowid lookup", INDEX);
    },
  },
  {
    name: "index lookups give sqlite3's rows: text keys, affinity, ranges, no match",
    async run(t) {
      const sql = SqlCase.start(t);
      const db = await eventsDb(t, sql);
      const kind = t.rand.pick(db.kinds);
      const v = t.rand.int(0, db.distinct - 1);
      const lo = t.rand.int(0, db.distinct - 20);
      await sql.expectSame(db.file, `SELECT count(*) FROM events WHERE kind = '${kind}'`, { hint: INDEX });
      await sql.expectSame(db.file, `SELECT id, score FROM events WHERE score = '${v}'`, { hint: `score has INTEGER affinity: the text '${v}' is compared as the number ${v}, so the lookup in the index must use the number. ${INDEX}` });
      await sql.expectSame(db.file, `SELECT id FROM events WHERE score = ${db.distinct + 5}`, { hint: "No entry has this key: print nothing." });
      // The lookup finds candidates; the whole WHERE still decides.
      await sql.expectSame(db.file, `SELECT id, score, tag FROM events WHERE score = ${v} AND tag > ${Math.floor(db.distinct / 2)}`, { hint: `An index lookup only narrows the rows down: the rest of the WHERE must still hold on each row it finds (here tag > ${Math.floor(db.distinct / 2)} too). ${INDEX}` });
      await sql.expectSame(db.file, `SELECT id, kind FROM events WHERE id = ${t.rand.int(1, db.rows)} AND kind = 'zulu'`, { hint: "A rowid lookup finds one row; the rest of the WHERE (kind = 'zulu', which no row has) must still hold: print nothing." });
      await sql.expectSame(db.file, `SELECT id FROM events WHERE kind = 'zulu'`, { hint: "No entry has this key: print nothing." });
      // A range: rows in index order (score, then rowid), as sqlite3 reads them.
      await sql.expectSame(db.file, `SELECT score, id FROM events WHERE score >= ${lo} AND score < ${lo + t.rand.int(2, 10)}`, {
        hint: `A range reads the index from the first entry with score >= ${lo} until the first beyond the upper bound: rows come out in index order (score, then rowid). ${INDEX}`,
      });
      await sql.expectSame(db.file, `SELECT score, id FROM events WHERE score > ${lo} AND score <= ${lo + t.rand.int(2, 10)}`, {
        hint: `score > ${lo} starts after every entry equal to ${lo}; score <= b includes the entries equal to b. Rows come out in index order (score, then rowid). ${INDEX}`,
      });
    },
  },
  {
    name: "long index keys: index cells overflow at their own limit",
    async run(t) {
      const sql = SqlCase.start(t);
      // On 1024-byte pages an index cell keeps at most X = ((U-12)*64/255)-23 = 231 bytes on its page, a table cell U-35 = 989:
      // keys of every length from under 231 to past 989, and lengths around both limits on every seed.
      const lengths = [...Array.from({ length: 24 }, (_, i) => 220 + i), ...Array.from({ length: 16 }, (_, i) => 980 + i), ...Array.from({ length: 120 }, () => t.rand.int(20, 3000))];
      const bodies = t.rand.shuffle(lengths).map((n) => longText(t.rand, n, n));
      const script = [
        "PRAGMA page_size = 1024;",
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT, n INTEGER);",
        `INSERT INTO docs (body, n) VALUES ${bodies.map((b) => `(${sqlLiteral(b)}, ${b.length})`).join(", ")};`,
        "CREATE INDEX docs_by_body ON docs (body);",
      ].join("\n");
      const file = await sql.build("docs.db", script);
      const hint = `Index cells overflow like table cells but with other limits (fileformat2 §1.6): X = ((U-12)*64/255)-23, M = ((U-12)*32/255)-23, K = M+((P-M) mod (U-4)); on 1024-byte pages X is 231, not the table's 989. ${INDEX}`;
      const [a, b] = [t.rand.pick(["a", "b", "c", "d", "g"]), t.rand.pick(["p", "r", "s", "t"])];
      await sql.expectSame(file, `SELECT id, n FROM docs WHERE body >= '${a}' AND body < '${b}'`, { hint });
      for (const body of [bodies.find((x) => x.length === 231)!, bodies.find((x) => x.length === 985)!]) {
        await sql.expectSame(file, `SELECT id, n FROM docs WHERE body = ${sqlLiteral(body)}`, { hint });
      }
    },
  },
  {
    name: "EXPLAIN QUERY PLAN says SEARCH with the index, or SCAN",
    async run(t) {
      const sql = SqlCase.start(t);
      const db = await eventsDb(t, sql);
      const v = t.rand.int(0, db.distinct - 1);
      const plans: [string, string][] = [
        [`SELECT * FROM events WHERE score = ${v}`, "SEARCH events USING INDEX events_by_score (score=?)"],
        [`SELECT * FROM events WHERE kind = '${t.rand.pick(db.kinds)}'`, "SEARCH events USING INDEX events_by_kind (kind=?)"],
        [`SELECT * FROM events WHERE tag = ${v}`, "SCAN events"],
        [`SELECT * FROM events WHERE id = ${t.rand.int(1, db.rows)}`, "SEARCH events USING INTEGER PRIMARY KEY (rowid=?)"],
        [`SELECT id, score FROM events WHERE score = ${v}`, "SEARCH events USING COVERING INDEX events_by_score (score=?)"],
      ];
      for (const [q, line] of t.rand.shuffle(plans)) {
        await sql.expectSame(db.file, `EXPLAIN QUERY PLAN ${q}`, {
          hint: `Print "QUERY PLAN", then "\`--" and the plan: here "${line}". SEARCH when a WHERE term column = value can use the rowid or an index's first column, with "COVERING INDEX" when every column the query uses is in the index (or is the rowid); SCAN <table> otherwise.`,
        });
      }
    },
  },
]);
