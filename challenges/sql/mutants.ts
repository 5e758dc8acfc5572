/**
 * bun challenges/sql/mutants.ts [--only=<id>] [--batch=1|2] [--seed=<n>]
 *
 * Hand-written mutants of the reference SQL engine, for the mutation score in
 * challenges/sql/README.md ("Promises and checks"): each one plausible
 * mistake written from another reading of a stage's .md than the one its
 * cases (and the quirk fixtures in harness/fixtures/sql) came from, run
 * against that stage (see harness/mutate/hand.ts).
 */
import { handMutantsMain, type HandMutant } from "../../harness/mutate/hand.ts";

export const MUTANTS: HandMutant[] = [
  { batch: 1, id: "tables-locale-sort", stage: "1", reading: ".tables sorted as a person would (localeCompare)", file: "dot-commands.ts", find: ".sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));", replace: ".sort((a, b) => a.localeCompare(b));" },
  { batch: 1, id: "schema-tables-only", stage: "1", reading: ".schema prints the CREATE TABLE statements", file: "dot-commands.ts", find: "filter((r) => r.sql !== null || quirks.schemaPrintsNullSql)", replace: 'filter((r) => r.type === "table" && (r.sql !== null || quirks.schemaPrintsNullSql))' },
  { batch: 1, id: "count-interior-cells-too", stage: "2", reading: "every cell is a row, interior cells too", file: "btree.ts", find: "  let n = 0;\n  for (let i = 0; i < p.cells; i++) n += countTable(", replace: "  let n = p.cells;\n  for (let i = 0; i < p.cells; i++) n += countTable(" },
  { batch: 1, id: "serial5-as-5-bytes", stage: "3", reading: "serial types 1–6 are 1 to 6 bytes", file: "record.ts", find: "    case 5:\n      return readInt(buf, off, 6);", replace: "    case 5:\n      return readInt(buf, off, 5);" },
  { batch: 1, id: "reals-17-digits", stage: "3", reading: "print a real exactly (17 significant digits)", file: "value.ts", find: "const e = x.toExponential(14);", replace: "const e = x.toExponential(16);" },
  { batch: 1, id: "like-percent-one-or-more", stage: "4", reading: "% matches a run of characters (one or more)", file: "evaluate.ts", find: 're += "[\\\\s\\\\S]*";', replace: 're += "[\\\\s\\\\S]+";' },
  { batch: 1, id: "between-exclusive", stage: "4", reading: "between a and b: strictly inside", file: "evaluate.ts", find: "compareValues(prepareOperand(v, affLo), prepareOperand(l, affLo)) >= 0;", replace: "compareValues(prepareOperand(v, affLo), prepareOperand(l, affLo)) > 0;" },
  { batch: 1, id: "not-in-null-x-true", stage: "4", reading: "NULL is in no list, so NULL NOT IN (…) is true", file: "evaluate.ts", find: "if (v === null) return items.length === 0 ? bool(e.not) : null;", replace: "if (v === null) return bool(e.not);" },
  { batch: 1, id: "eqp-search-table", stage: "5", reading: "EXPLAIN QUERY PLAN as older SQLite printed it: SEARCH TABLE", file: "planner.ts", find: "return `SEARCH ${table} USING ${p.covering", replace: "return `SEARCH TABLE ${table} USING ${p.covering" },
  { batch: 1, id: "covering-never", stage: "5", reading: "an index lookup always reads the table", file: "planner.ts", find: 'USING ${p.covering ? "COVERING " : ""}INDEX', replace: "USING INDEX" },
  { batch: 1, id: "avg-integer", stage: "6", reading: "avg of integers is an integer, like sum", file: "functions.ts", find: "return (this.real ? this.rsum : Number(this.isum)) / Number(this.count);", replace: "return this.real ? this.rsum / Number(this.count) : this.isum / this.count;" },
  { batch: 1, id: "total-null-over-none", stage: "6", reading: "total() is sum() as a real: NULL over no values", file: "functions.ts", find: "      case \"TOTAL\":\n        return this.real", replace: "      case \"TOTAL\":\n        if (this.count === 0n) return null;\n        return this.real" },
  { batch: 1, id: "substr-zero-start", stage: "6", reading: "substr counts from 1, so 0 is the first character too", file: "functions.ts", find: "  else if (start === 0) {\n    start = 1;\n    len--;\n  }", replace: "  else if (start === 0) start = 1;" },
  { batch: 1, id: "left-join-where-as-on", stage: "7", reading: "a LEFT JOIN's conditions all decide what matches", file: "join.ts", find: "      matched = true;\n      if (filter && truth(filter(row, [])) !== true) continue;", replace: "      if (filter && truth(filter(row, [])) !== true) continue;\n      matched = true;" },
  { batch: 1, id: "real-keeps-integers", stage: "8", reading: "REAL columns take numbers as they are", file: "writer.ts", find: "      return typeof n === \"bigint\" ? Number(n) : n;", replace: "      return n;", note: "equivalent: SQLite itself may keep a whole number in a REAL column as an integer on disk (stage 3), and every reader turns it back into a real" },
  { batch: 1, id: "insert-no-unique-check", stage: "8", reading: "a rowid given twice replaces the row", file: "writer.ts", find: "    if (this.trees.hasRow(t.table.root, r.rowid)) throw uniqueError(t.table);\n", replace: "    if (this.trees.hasRow(t.table.root, r.rowid)) this.trees.deleteRow(t.table.root, r.rowid);\n" },
  { batch: 1, id: "freelist-trunk-only", stage: "9", reading: "reuse the freelist's trunk pages; leaves stay free", file: "pager.ts", find: "if (trunk !== 0 && this.header.freelistCount > 0 && !quirks.neverReuseFreePages) {", replace: "if (trunk !== 0 && this.header.freelistCount === 1 && !quirks.neverReuseFreePages) {" },
  { batch: 1, id: "journal-sector-4096", stage: "10", reading: "the sector is the disk's, 4096 bytes", file: "journal.ts", find: "hv.setUint32(20, SECTOR);", replace: "hv.setUint32(20, 4096);" },
  { batch: 1, id: "journal-original-size-zero", stage: "10", reading: "the journal header's database size is filled in at commit (0 until then)", file: "journal.ts", find: "hv.setUint32(16, originalPages);", replace: "hv.setUint32(16, 0);" },
  { batch: 1, id: "journal-nonce-zero", stage: "10", reading: "the nonce is any number: 0", file: "journal.ts", find: "const nonce = (Math.random() * 0x100000000) >>> 0;", replace: "const nonce = 0;", note: "equivalent: sqlite3 plays back a journal whose nonce is 0; the .md's \"random\" is advice, not something a reader can tell" },
  // Batch 2: written after batch 1's survivors were closed, measured once.
  { batch: 2, id: "is-as-equals", stage: "4", reading: "IS is another spelling of =", file: "evaluate.ts", find: "const same = x === null || y === null ? x === y : compareValues", replace: "if (x === null || y === null) return null;\n        const same = compareValues" },
  { batch: 2, id: "limit-comma-count-first", stage: "6", reading: "LIMIT m, n: m rows, then n skipped", file: "parser.ts", find: "        s.offset = s.limit;\n        s.limit = this.expr();", replace: "        s.offset = this.expr();" },
  { batch: 2, id: "count-distinct-counts-null", stage: "6", reading: "DISTINCT counts each value once, NULL being one", file: "functions.ts", find: "    const v = args[0]!;\n    if (v === null) return;\n    if (this.isDistinct) {", replace: "    const v = args[0]!;\n    if (v === null && !(this.isDistinct && this.name === \"COUNT\")) return;\n    if (this.isDistinct) {" },
  { batch: 2, id: "upper-every-letter", stage: "6", reading: "upper() makes every letter upper case", file: "functions.ts", find: "text(v!).replace(/[a-z]/g, (c) => c.toUpperCase())", replace: "text(v!).toUpperCase()" },
  { batch: 2, id: "text-keeps-numbers", stage: "8", reading: "TEXT columns take text; numbers stay numbers", file: "writer.ts", find: "      return typeof v === \"bigint\" || typeof v === \"number\" ? valueToText(v) : v;", replace: "      return v;" },
  { batch: 2, id: "index-desc-ignored", stage: "8", reading: "DESC is for queries; the index is stored ascending", file: "schema.ts", find: 'desc: g.some((t) => word(t) === "DESC") };', replace: "desc: false };" },
  { batch: 2, id: "drop-leaves-pages", stage: "9", reading: "DROP removes the schema row; the pages are left as they are", file: "writer.ts", find: "      if (r.rootpage > 0) this.trees.dropTree(r.rootpage);\n", replace: "" },
  { batch: 2, id: "checksum-from-start", stage: "10", reading: "every 200th byte of the page, from the start", file: "journal.ts", find: "for (let i = page.length - 200; i > 0; i -= 200)", replace: "for (let i = 0; i < page.length; i += 200)" },
  { batch: 2, id: "journal-count-unknown", stage: "10", reading: "the page count field can say 'to the end' (0xffffffff)", file: "journal.ts", find: "hv.setUint32(8, pages.length);", replace: "hv.setUint32(8, 0xffffffff);", note: "equivalent: the format allows it (the records then run to the end of the journal) and sqlite3 plays such a journal back" },
  { batch: 2, id: "tables-skip-sqlite-prefix-case", stage: "1", reading: "hide the names that start with sqlite, whatever their case", file: "dot-commands.ts", find: "/^[sS][qQ][lL][iI][tT][eE]./.test(r.name)", replace: "/^sqlite/i.test(r.name)" },
];

if (import.meta.main) await handMutantsMain("sql", "main.ts", MUTANTS, Bun.argv.slice(2));
