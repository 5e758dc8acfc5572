import { SqlCase } from "../../harness/clients/sqlite.ts";
import { randomTable, tableNames, tableScript, type Kind } from "../../harness/clients/sqlite-data.ts";
import type { Random } from "../../harness/random.ts";
import { stage } from "../../harness/stage/define.ts";

const KINDS: Kind[] = ["int", "real", "text", "blob", "mixed"];

/** Tables of the given sizes, on pages of `pageSize` bytes. */
function script(rand: Random, pageSize: number, sizes: number[]): { script: string; names: string[] } {
  const names = tableNames(rand, sizes.length);
  const parts = [`PRAGMA page_size = ${pageSize};`];
  names.forEach((name, i) => parts.push(tableScript(randomTable(rand, { name, kinds: Array.from({ length: rand.int(1, 4) }, () => rand.pick(KINDS)), rows: sizes[i]! }))));
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
    },
  },
  {
    name: "COUNT(*) of tables spread over interior pages",
    async run(t) {
      const sql = SqlCase.start(t);
      for (const pageSize of [t.rand.pick([512, 1024]), t.rand.pick([4096, 8192])]) {
        const { script: s, names } = script(t.rand, pageSize, [t.rand.int(1500, 3000), t.rand.int(100, 400)]);
        const file = await sql.build(`big-${pageSize}.db`, s);
        for (const name of names) await sql.expectSame(file, `SELECT count(*) FROM ${name}`, { hint: INTERIOR });
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
      for (const name of t.rand.shuffle(names).slice(0, 4)) {
        await sql.expectSame(file, `SELECT COUNT(*) FROM ${name}`, {
          hint: `With ${names.length} tables on 512-byte pages, sqlite_schema (rooted at page 1) is itself a B-tree with an interior root page. ${INTERIOR}`,
        });
      }
    },
  },
]);
