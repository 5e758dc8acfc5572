import { SqlCase } from "../../challenges/sql/clients/sqlite.ts";
import { randomTable, tableNames, tableScript, type Kind } from "../../challenges/sql/clients/sqlite-data.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";

const KINDS: Kind[] = ["int", "real", "text", "blob", "mixed"];

/**
 * Tables of the given sizes, on pages of `pageSize` bytes; `texts` text
 * columns first in each (wider rows: more pages); after `filler` pages of a
 * filler table, so that the tables' root pages need more than one byte.
 */
function script(rand: Random, pageSize: number, sizes: number[], o: { texts?: number; filler?: number } = {}): { script: string; names: string[] } {
  const names = tableNames(rand, sizes.length);
  const parts = [`PRAGMA page_size = ${pageSize};`];
  if (o.filler) parts.push(`CREATE TABLE filler (pad BLOB);`, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${o.filler}) INSERT INTO filler SELECT zeroblob(${pageSize - 100}) FROM n;`);
  const kinds = (): Kind[] => [...Array.from({ length: o.texts ?? 0 }, (): Kind => "text"), ...Array.from({ length: rand.int(1, 4) }, () => rand.pick(KINDS))];
  names.forEach((name, i) => parts.push(tableScript(randomTable(rand, { name, kinds: kinds(), rows: sizes[i]! }))));
  return { script: parts.join("\n"), names };
}

const INTERIOR =
  "A table too big for one page has an interior root page (page type 0x05): each cell holds a 4-byte child page number and a rowid, and the page header's right-most pointer is one more child. Visit every child down to the leaf pages (type 0x0d) and add up their cell counts.";

export default stage(import.meta, [
  {
    name: "COUNT(*) of tables that fit in one page",
    async run(t) {
      const sql = SqlCase.start(t);
      const { script: s, names } = script(t.rand, 4096, [0, t.rand.int(1, 5), t.rand.int(6, 25)]);
      const file = await sql.build("small.db", s);
      for (const name of t.rand.shuffle(names)) {
        await sql.expectSame(file, `SELECT COUNT(*) FROM ${name}`, {
          hint: "Find the table's row in sqlite_schema, read its rootpage, and count the cells of that page: the 2-byte number at offset 3 of its page header (page 1's header starts after the 100-byte file header; other pages' at 0).",
        });
      }
      await sql.expectSame(file, `select Count(*) from ${names[2]!.toUpperCase()}`, { hint: "SQL keywords and table names are case-insensitive: select Count(*) from ORDERS counts the rows of orders." });
    },
  },
  {
    name: "COUNT(*) of tables spread over interior pages",
    async run(t) {
      const sql = SqlCase.start(t);
      // On 512-byte pages, on every seed: a table three levels deep (checked below), rooted past page 255 (after a filler table of 300 pages).
      for (const pageSize of [512, t.rand.pick([1024, 4096, 8192])]) {
        const small = pageSize === 512;
        const { script: s, names } = script(t.rand, pageSize, [t.rand.int(small ? 3000 : 1500, small ? 4000 : 3000), t.rand.int(100, 400)], small ? { texts: 3, filler: 300 } : {});
        const file = await sql.build(`big-${pageSize}.db`, s);
        if (small) {
          const [root, interior] = (await sql.sqlite(file, `SELECT rootpage, (SELECT count(*) FROM dbstat WHERE name = '${names[0]}' AND pagetype = 'internal') FROM sqlite_schema WHERE name = '${names[0]}'`)).trim().split("|").map(Number);
          if (!(root! > 255 && interior! >= 2)) throw new Error(`the test drew ${names[0]} rooted at page ${root} with ${interior} interior pages; it needs a root past 255 and three levels (a problem in the test)`);
          t.log.note(`${names[0]}: root page ${root} (a 2-byte integer in sqlite_schema), ${interior} interior pages: three levels or more`);
        }
        for (const name of names) await sql.expectSame(file, `SELECT count(*) FROM ${name}`, { hint: `${INTERIOR} The rootpage column of sqlite_schema is an integer of 1 to 8 bytes (serial types 1–6): root pages past 127 take two bytes.` });
      }
    },
  },
  {
    name: "COUNT(*) when sqlite_schema itself spans several pages",
    async run(t) {
      const sql = SqlCase.start(t);
      const sizes = Array.from({ length: t.rand.int(14, 20) }, () => t.rand.int(0, 40));
      const { script: s, names } = script(t.rand, 512, sizes);
      const file = await sql.build("many-tables.db", s);
      // The first table and the last (whose rows of sqlite_schema are on its first and last leaf) on every seed, and two others.
      for (const name of [names[0]!, names.at(-1)!, ...t.rand.shuffle(names.slice(1, -1)).slice(0, 2)]) {
        await sql.expectSame(file, `SELECT COUNT(*) FROM ${name}`, {
          hint: `With ${names.length} tables on 512-byte pages, sqlite_schema (rooted at page 1) is itself a B-tree with an interior root page. ${INTERIOR}`,
        });
      }
    },
  },
]);
